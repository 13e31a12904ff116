"""Full self-awareness is reachable: on every scenario and generated night, a remediation of the
answer key catches the fault before its page, replayed over the incident's own telemetry (a
monitor) or run on its own fixtures (a test, at the release); and a monitor is data alone, so
one added in a content folder is replayed, exported and validated without Python."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from worlds import GENERATED_GROUP, by_scenario, fresh_game, generated_night

from oncall import cli
from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.sim.world import World

SCENARIOS = loader.scenario_ids()
NIGHTS = [(seed, ("easy", "normal", "hard")[seed % 3]) for seed in range(1, 9)]


def _caught(world: World, key: list[str]) -> tuple[list[str], list[str]]:
    """The key's monitors that fire before the page (with the minute each fires against the
    page), and the key's tests that catch the fault on the incident's fixtures."""
    fired = []
    for rid in key:
        rep = remediations.replay(rid, world)
        if rep is not None and rep.lead_minutes is not None and rep.lead_minutes > 0:
            fired.append(f"{rid} at {rep.fired_at} (page {world.page_at})")
    tests = [r for r in key if remediations.BY_ID[r].kind == "test"]
    made = remediations.generate(tests, world, {}, None, fresh=True)
    return fired, sorted({a.remediation for a in made.artifacts if a.kind == "test"})


def _world(sc: loader.Scenario, seed: int) -> World:
    return remediations.clean(Game(sc, seed).world)


# On the scenario's conformance worker, whose builds of seeds 1 and 2 it copies.
@pytest.mark.parametrize("sid", by_scenario(SCENARIOS))
def test_every_scenario_has_a_key_monitor_that_fires_before_its_page(sid: str) -> None:
    sc = loader.scenario(sid)
    if sc.answers.control:
        pytest.skip("a control: nothing broke, so nothing could have caught it earlier")
    for seed in (1, 2):
        fired, tests = _caught(remediations.clean(fresh_game(sid, seed).world),
                               sc.answers.remediations)
        if sc.fault.kind == "nan_outputs":
            # the NaN alert pages within two minutes of the first NaN: the golden-set test on
            # the new artifact is what catches it, at its release
            assert tests == ["test-golden-set"], (seed, tests)
            continue
        assert fired, (sid, seed, "no monitor of the key fires before the page")


# On the worker of the generated nights, which the generator's test draws too.
@GENERATED_GROUP
@pytest.mark.parametrize(("seed", "difficulty"), NIGHTS)
def test_every_generated_night_has_a_key_remediation_that_catches_it_early(
        seed: int, difficulty: str) -> None:
    sc = generated_night(seed, difficulty)
    fired, tests = _caught(_world(sc, seed), sc.answers.remediations)
    assert fired or tests, (sc.id, sc.answers.remediations)


def test_the_infra_monitors_fire_on_their_own_series_and_stay_quiet_the_week_before() -> None:
    w = _world(loader.scenario("ads-3"), 1)
    for rid in ("mon-error-ratio-early", "mon-gpu-saturation"):
        rep = remediations.replay(rid, w)
        assert rep is not None and rep.lead_minutes is not None and rep.lead_minutes > 0, rid
        assert rep.fired_at is not None and rep.fired_at >= w.fault.onset
        assert rep.false_alarms_week == 0, rid
    cpu = _world(loader.scenario("credit-3"), 1)
    assert remediations.replay("mon-gpu-saturation", cpu) is None
    assert "CPU" in (remediations.fit("mon-gpu-saturation", cpu, cpu.model(cpu.fault.model))
                     or "")


MONITOR = {
    "id": "mon-errors-tight", "kind": "monitor", "ml_test_score": "Mon6",
    "title": "a one-minute 5xx warning at 1%",
    "monitor": {
        "alert": "ModelErrorRatioTight", "severity": "warning", "shape": "level",
        "series": "error_rate", "op": ">", "threshold": 0.01, "for_min": 0,
        "bounds": [0.001, 0.5], "unit": "ratio", "window": 1,
        "summary": "{model} fails more than {threshold} of its requests",
        "description": "Errors, now.",
        "expr": 'sum by (model) (rate(model_requests_total{{model="{model}",code=~"5.."}}[1m]))'
                ' / sum by (model) (rate(model_requests_total{{model="{model}"}}[1m])) > '
                '{threshold}'}}
RUNBOOK = "# ModelErrorRatioTight\n\n" + "".join(
    f"## {s}\nText.\n\n" for s in ("Meaning", "Impact", "Diagnosis", "Mitigation"))


def _folder(tmp: Path, entries: list[dict[str, object]], runbook: bool = True) -> Path:
    (tmp / "registries").mkdir(parents=True)
    (tmp / "registries" / "remediations.yaml").write_text(
        yaml.safe_dump({"remediations": entries}, sort_keys=False))
    if runbook:
        (tmp / "runbooks").mkdir()
        (tmp / "runbooks" / "ModelErrorRatioTight.md").write_text(RUNBOOK)
    return tmp


def test_a_monitor_added_as_data_is_replayed_and_exported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # every test starts and ends on the shipped library (tests/conftest.py)
    folder = _folder(tmp_path / "mine", [MONITOR])
    assert cli.main(["validate", str(folder)]) == 0, capsys.readouterr().out
    loader.use_content([folder])
    assert "mon-errors-tight" in remediations.MONITORS
    w = _world(loader.scenario("fraud-3"), 1)
    rep = remediations.replay("mon-errors-tight", w)
    assert rep is not None and rep.rule == "ModelErrorRatioTight"
    assert rep.fired_at is not None and w.fault.onset <= rep.fired_at < w.page_at
    assert rep.threshold == 0.01 and rep.for_min == 0
    made = remediations.generate(["mon-errors-tight"], w, {}, None, fresh=True)
    rule = next(a for a in made.artifacts if a.kind == "monitor")
    doc = yaml.safe_load(rule.content)["groups"][0]["rules"][0]
    assert doc["alert"] == "ModelErrorRatioTight" and doc["for"] == "0m"
    assert 'model="fraud-scorer"' in doc["expr"] and doc["expr"].endswith("> 0.01")
    assert any(a.path == "runbooks/ModelErrorRatioTight.md" for a in made.artifacts)
    tests = remediations.support(w, made, {})
    assert any(p.endswith("mon-errors-tight.test.yml") for p in tests)
    os.environ.pop(loader.CONTENT_ENV)
    loader.clear_caches()
    assert "mon-errors-tight" not in remediations.MONITORS


def test_a_broken_monitor_is_one_line_naming_the_field_and_the_choices(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    no_runbook = _folder(tmp_path / "other", [MONITOR], runbook=False)
    assert cli.main(["validate", str(no_runbook)]) == 1
    out = capsys.readouterr().out
    assert "remediations.mon-errors-tight.kind: no runbook for its alert " \
        "'ModelErrorRatioTight': add runbooks/ModelErrorRatioTight.md" in out
    spec = dict(MONITOR["monitor"])  # type: ignore[call-overload]
    folder = _folder(tmp_path / "mine", [{**MONITOR, "monitor": {**spec, "series": "depth"}}])
    os.environ.pop(loader.CONTENT_ENV)
    loader.clear_caches()
    assert cli.main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "remediations.yaml: line" in out and "remediations.0.monitor.series: Input should " \
        "be 'error_rate', 'pred_mean'" in out


def test_the_schema_documents_the_monitor_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "remediation"]) == 0
    out = capsys.readouterr().out
    for field in ("MonitorSpec", "series", "shape", "burn_windows", "CheckSpec", "checks"):
        assert field in out, field


def test_a_certificate_about_to_expire_warns_of_its_expiry_and_a_flapping_monitor_still_fails(
        ) -> None:
    """eta-1: the certificate expires at the onset. The fault counts its days down all week, so
    the expiry monitor firing days before the onset watches the fault's own precondition: a
    warning, not a false alarm. A monitor on a series the fault does not count down, tuned to
    flap, keeps its false alarms and earns no lead from them."""
    w = _world(loader.scenario("eta-1"), 1)
    rep = remediations.replay("mon-cert-expiry", w)
    assert rep is not None and rep.fired_at is not None
    assert rep.fired_at < w.fault.onset - 4 * 24 * 60  # days before the expiry
    assert rep.lead_minutes is not None and rep.lead_minutes > 0
    assert rep.false_alarms_week == 0
    # the same monitor on a healthy certificate (another incident) stays quiet
    other = _world(loader.scenario("fraud-1"), 1)
    quiet = remediations.replay("mon-cert-expiry", other)
    assert quiet is not None and quiet.fired_at is None and quiet.false_alarms_week == 0
    # an error-ratio monitor tuned to flap on eta-1: its firings before the expiry are on a
    # series the fault does not count down, so they stay false alarms
    flap = remediations.replay("mon-error-ratio-early", w, remediations.Tuning(0.001, 0))
    assert flap is not None and flap.false_alarms_week > 2
    assert flap.fired_at is not None and flap.fired_at >= w.fault.onset - w.fault.lead
