"""The world's invariants (`oncall.game.invariants`) on every scenario × 3 seeds and on generated
nights: 40 by default (about 12 s of CPU), 400 with `--fuzz-long`, any number with
ONCALL_INVARIANT_NIGHTS.

Games come from `worlds.fresh_game` on the conformance harness's xdist groups, so a (scenario,
seed) world built for one family is reused by the other. The last tests plant a broken world
and show each check can fail.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from fuzz_budget import budget
from worlds import by_scenario, fresh_game

from oncall.content import loader
from oncall.game import generator, invariants
from oncall.game.engine import Game

SCENARIOS = sorted(loader.scenarios())
SEEDS = (1, 2, 7)
NIGHTS = int(os.environ.get("ONCALL_INVARIANT_NIGHTS", "0")) or budget(40, 400)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", by_scenario(SCENARIOS))
def test_every_scenario_keeps_the_invariants(sid: str, seed: int) -> None:
    assert invariants.check_all(fresh_game(sid, seed)) == []


@pytest.mark.heavy
@pytest.mark.parametrize("chunk", range(4))
def test_generated_nights_keep_the_invariants(chunk: int) -> None:
    # Each seed's first draw (`generator.draft`): the world a random night is built on, without
    # the trial plays that check its key. A draw that pages nobody is one `generate` throws away.
    problems = []
    checked = 0
    for seed in range(chunk, NIGHTS, 4):
        sc = generator.draft(seed)
        try:
            game = Game(sc, seed)
        except ValueError as exc:
            assert "pages nobody" in str(exc)
            continue
        checked += 1
        problems += [f"{sc.id}: {p}" for p in invariants.check_all(game)]
    assert problems == []
    assert checked >= 0.8 * len(range(chunk, NIGHTS, 4))


def test_the_first_look_after_the_page_shows_nothing_and_resolve_agrees_with_status() -> None:
    g = fresh_game("search-1", 3)
    first = g.do({"do": "status"})
    assert first.data["impact"]["requests_affected"] == 0
    assert "0 requests affected" in first.text
    sc = loader.scenario("search-1")
    for cmd in sc.playbook.right:
        if cmd.get("do") in ("resolve", "postmortem"):
            break
        g.do(cmd)
    status = g.do({"do": "status"}).data["impact"]
    resolved = g.do({"do": "resolve"})
    assert resolved.data["resolved"] and resolved.data["impact"] == status
    assert status["requests_failed"] <= status["requests_affected"] > 0
    assert f"{status['requests_affected']:,}" in resolved.text


def test_a_silent_fault_shows_its_quality_slo_not_request_counts() -> None:
    g = fresh_game("search-3", 1)
    g.do({"do": "wait", "minutes": 30})
    obs = g.do({"do": "status"})
    assert "requests_affected" not in obs.data["impact"]
    assert "quality SLO" in obs.text and "labels joined at" in obs.text


def test_late_labels_say_quality_is_not_yet_measurable_and_show_the_prediction_shift() -> None:
    # fraud-scorer's labels are chargebacks, days after the request: half an hour after the page
    # almost nothing is labelled, so the quality SLO cannot speak yet; the prediction shift can.
    g = fresh_game("fraud-1", 3)
    g.do({"do": "ack"})
    g.do({"do": "wait", "minutes": 30})
    page_at = g.record.facts.page_at
    obs = g.do({"do": "status"})
    imp = obs.data["impact"]
    assert imp["label_delay_min"] == 3 * 24 * 60 and imp["labelled_pct"] < 1
    assert "quality not yet measurable" in obs.text and "about 3 days after a request" in obs.text
    alert = next(a for a in g.record.facts.page_alerts if a.rule == "ModelPredictionMeanShift")
    assert imp["prediction_shift_pct"] < -50 and alert.value > 0.5
    # A fall is said as one: '36% below training', never 'up to -36%'.
    assert f"mean prediction as far as {-imp['prediction_shift_pct']:g}% below training" \
        in obs.text
    # The share labelled is the labels tool's coverage over the same minutes.
    labels = g.do({"do": "labels", "model": "fraud-scorer", "window": g.now - page_at})
    assert abs(100 * labels.data["arrived"]["label_coverage"] - imp["labelled_pct"]) < 0.05


def test_the_checks_fail_on_a_broken_world(monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.sim import impact, world

    g = fresh_game("embedder-1", 1)
    # Percentiles blind to the timeout: p99 stays low while requests time out.
    monkeypatch.setattr(world, "consistent", lambda w, m, metric, t, v: v)
    assert any("time out" in p for p in invariants.check_latency(g.world))
    monkeypatch.undo()
    # Impact counted from the hidden onset: the first look already shows requests.
    counted = impact.impact

    def from_onset(w: world.World, incident: str | None = None,
                   t1: int | None = None) -> dict[str, float]:
        inc = w.incidents[incident] if incident else w.fault
        page, inc.page_at = inc.page_at, inc.onset
        try:
            return counted(w, incident, t1)
        finally:
            inc.page_at = page

    monkeypatch.setattr(impact, "impact", from_onset)
    assert any("first status" in p for p in invariants.check_impact(g.world))
    monkeypatch.undo()
    # Failed requests counted apart from the affected ones.
    real = impact._requests

    def inflated(w: world.World, inc: object, t0: int, t1: int) -> dict[str, float]:
        out = real(w, inc, t0, t1)  # type: ignore[arg-type]
        return {**out, "requests_failed": out["requests_affected"] + 1} if t1 > t0 else out

    monkeypatch.setattr(impact, "_requests", inflated)
    assert any("failed of" in p for p in invariants.check_impact(g.world))


def test_the_drift_check_fails_when_no_series_shows_the_drift(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.sim import telemetry

    g = fresh_game("search-3", 1)
    assert invariants.check_drift_shows(g.world) == []
    flat = telemetry.baseline

    def blind(w: object, inc: object, metric: str, *a: object) -> bool:
        return False

    monkeypatch.setattr(invariants, "_shows", blind)
    assert any("embedding_sim" in p for p in invariants.check_drift_shows(g.world))
    assert flat is telemetry.baseline and np.isfinite(1.0)


def test_the_alert_value_check_fails_when_a_tool_reads_another_minute(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.sim import impact
    from oncall.sim.clock import DAY
    from oncall.sim.world import World

    g = fresh_game("fraud-1", 1)
    assert invariants.check_alert_values(g) == []
    # infra reading the certificate a day late: the alert and infra disagree.
    days = World.cert_days_left
    monkeypatch.setattr(World, "cert_days_left", lambda w, model, t=None:
                        days(w, model, (w.now if t is None else t) - DAY))
    assert any("certificate alert" in p for p in invariants.check_alert_values(g))
    monkeypatch.undo()
    # The prediction shift averaged over an hour the alert does not read.
    monkeypatch.setattr(impact, "PREDICTION_WINDOW", 60)
    assert any("prediction-shift alert" in p for p in invariants.check_alert_values(g))


def test_the_resolve_check_fails_when_figures_move_after_recovery(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.sim import impact

    g = fresh_game("search-1", 1)
    assert invariants.check_status_before_resolve(g) == []
    monkeypatch.setattr(impact, "recovered_at", lambda inc, t0, t1: None)
    assert any("status says" in p for p in invariants.check_status_before_resolve(g))


def test_the_text_check_fails_on_a_template_reference_left_literal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.sim.faults import Incident, LogLine

    g = fresh_game("credit-3", 1)
    assert invariants.check_text_filled(g.world) == []
    # A config value read as text: what a `{new.cpu_limit_m}m` note showed before it was fixed.
    monkeypatch.setattr(Incident, "logs", lambda inc, w, model, t0, t1: [
        LogLine(t0 + 0.5, "INFO", model, "pod", "cgroup cpu.stat (limit params.cpu_limit_mm)")])
    assert any("params.cpu_limit_mm" in p for p in invariants.check_text_filled(g.world))


def test_the_pods_check_fails_on_a_line_from_a_pod_the_cluster_does_not_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.sim.faults import Incident, LogLine

    g = fresh_game("feed-1", 1)  # a canary whose own pods write the errors
    assert invariants.check_pods_write(g.world) == []
    # What the logs did before: the canary's lines kept a pod of the revision live at the look.
    monkeypatch.setattr(Incident, "logs", lambda inc, w, model, t0, t1: [
        LogLine(t0 + 0.5, "ERROR", model, f"{model}-zzzzzzzzz-zzzzz", "feature store timeout")])
    assert any("does not list" in p for p in invariants.check_pods_write(g.world))


def test_the_views_check_fails_when_a_view_keeps_its_own_figure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """credit-2's failed bureau-feed run: the pipelines view's age is its features' age series;
    a view that counted its own (what it did before) is caught."""
    g = fresh_game("credit-2", 7)
    assert invariants.check_views_agree(g.world) == []
    world = g.world
    real = type(world).pipelines

    def own_age(w: object, model: str, t: int | None = None) -> dict[str, object]:
        view = real(world, model, t)
        for p in view["pipelines"]:
            p["freshness_min"] += 20
        return view

    monkeypatch.setattr(type(world), "pipelines", own_age)
    assert any("pipelines says" in p for p in invariants.check_views_agree(world))
