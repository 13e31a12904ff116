"""One count of container restarts: the `restarts` series (the dashboard's restarts/min and the
PodCrashLooping alert's increase over 10 minutes) is the increase of the restart counters the
infra view shows on the pods, for every kind with a pods effect that restarts containers,
shipped or written as content, before and after a fix."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from content_folders import content_folder

from oncall.content import loader
from oncall.game.engine import Game
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.world import World

RULE = RULES_BY_NAME["PodCrashLooping"]
WINDOW = RULE.window


def _counted(world: World, model: str, t: int) -> dict[str, int]:
    """The restart counter of each pod the infra view lists at minute t (the canary's too)."""
    state = world.infra(model, t)
    pods = [*state["pods"], *(p for r in state["revisions"] for p in r["pods"])]
    return {p["name"]: int(p["restarts"]) for p in pods}


def _increase(world: World, model: str, t: int) -> int:
    """The increase of the infra view's counters over the alert's window ending at minute t,
    read minute by minute as Prometheus reads one series per pod: a pod new to the listing
    counts from 0, one a rollout replaced counts until it goes. With the same pods listed at
    both ends, the difference of the summed counters."""
    views = [_counted(world, model, s) for s in range(t - WINDOW, t + 1)]
    if views[0].keys() == views[-1].keys():
        assert sum(views[-1].values()) - sum(views[0].values()) == sum(
            sum(b[n] - a.get(n, 0) for n in b) for a, b in itertools.pairwise(views))
    return sum(sum(b[n] - a.get(n, 0) for n in b) for a, b in itertools.pairwise(views))


def _agrees(world: World, model: str, minutes: range) -> None:
    m = world.model(model)
    for t in minutes:
        _, alert = RULE.values(world, m, t, t + 1)
        _, series = world.series(model, "restarts", t - WINDOW + 1, t + 1)
        counted = _increase(world, model, t)
        assert float(alert[0]) == float(series.sum()) == counted, (t, alert, series, counted)


@pytest.mark.parametrize("sid", ["search-1", "support-1", "address-1"])
def test_the_alert_and_the_dashboard_count_the_infra_views_restarts(sid: str) -> None:
    sc = loader.scenario(sid)
    g = Game(sc, 7)
    w, model = g.world, sc.fault.model
    _agrees(w, model, range(w.fault.onset - 5, w.page_at + 40, 3))
    page = [e for e in w.firing() if e.rule == RULE.name and e.model == model]
    assert page and page[0].value_at_fire > RULE.threshold(w.model(model))
    assert sum(_counted(w, model, w.page_at).values()) > 0


@pytest.mark.parametrize("sid", ["search-1", "support-1", "address-1"])
def test_after_a_rollback_the_counters_stop_and_the_series_falls_to_zero(sid: str) -> None:
    sc = loader.scenario(sid)
    g = Game(sc, 7)
    model = sc.fault.model
    g.do({"do": "ack"})
    before = _counted(g.world, model, g.world.now)
    assert max(before.values()) > 0
    assert g.do({"do": "rollback", "model": model}).ok
    g.do({"do": "wait", "minutes": 30})
    w = g.world
    _agrees(w, model, range(w.page_at, w.now + 1, 2))
    _, series = w.series(model, "restarts", w.now - 5, w.now + 1)
    assert not series.any()
    assert _counted(w, model, w.now) == _counted(w, model, w.now - 5)


def test_a_canary_scoped_pods_effect_counts_the_canarys_pods() -> None:
    with content_folder(Path(__file__).parent / "authored_fourth"):
        sc = loader.scenario("canary-secret-1")
        g = Game(sc, 7)
        w, model = g.world, sc.fault.model
        _agrees(w, model, range(w.fault.onset - 2, w.page_at + 20, 2))
        t = w.page_at
        _, canary = w.series(model, "restarts", t - WINDOW + 1, t + 1, "canary")
        _, stable = w.series(model, "restarts", t - WINDOW + 1, t + 1, "stable")
        assert canary.sum() > 0 and not stable.any()
        g.do({"do": "ack"})
        assert g.do({"do": "hotfix", "model": model, "fix": "pause_canary"}).ok
        g.do({"do": "wait", "minutes": 20})
        _, series = w.series(model, "restarts", w.now - 5, w.now + 1)
        assert not series.any()


KIND = {
    "id": "loader_crash", "catalogue": "I9", "category": "infra",
    "title": "a config-only deploy leaves the new pods unable to start",
    "ramp": 3, "recovery": 4, "severity": 2, "remediations": ["runbook-crashloop-config"],
    "fits": {"hardware": "cpu"},
    "history": [{"kind": "deploy", "at": -2, "config": {"memory_limit_gi": 1},
                 "by_role": "platform-config", "note": "config only: limits"}],
    "metrics": [{"metric": "error_rate", "op": "add", "value": 0.02}],
    "infra": [{"kind": "pods", "share": 0.34, "status": "CrashLoopBackOff", "restarts": 1,
               "restarts_per_min": 0.7, "last_state": "Error (exit 1)"}],
    "signals": [{"id": "crashloop", "tool": "infra", "text": "CrashLoopBackOff",
                 "about": "pods crash-loop"}],
    "responses": [{"when": {"kind": ["rollback"]}, "outcome": "fixes",
                   "message": "Rolled back; the pods start."}],
    "otherwise": {"message": "No change: the pods keep exiting.",
                  "escalation": "{team} acknowledged: nothing on their side."},
}
SCENARIO = {
    "id": "loader-1", "title": "Pods exiting on the fraud scorer", "brief": "A quiet night.",
    "difficulty": "normal",
    "fault": {"kind": "loader_crash", "model": "fraud-scorer", "onset": "01:40"},
    "answers": {"category": "infra", "cause": "I9", "explanation": "The pods crash at start.",
                "signal_alert": "PodCrashLooping", "evidence": ["crashloop"],
                "right": [{"kind": "rollback", "model": "fraud-scorer", "why": "reverts it"}],
                "wrong": [{"kind": "hotfix", "model": "fraud-scorer", "fix": "scale_up",
                           "why": "new pods crash the same way"}],
                "severity": 2, "remediations": ["runbook-crashloop-config"]},
    "playbook": {"right": [{"do": "ack"}, {"do": "rollback", "model": "fraud-scorer"}],
                 "wrong": [{"do": "ack"}, {"do": "abandon"}]},
}


def test_a_kind_written_as_content_counts_one_way(tmp_path: Path) -> None:
    (tmp_path / "faults").mkdir()
    (tmp_path / "incidents").mkdir()
    (tmp_path / "faults" / "loader_crash.yaml").write_text(yaml.safe_dump(KIND))
    (tmp_path / "incidents" / "loader-1.yaml").write_text(yaml.safe_dump(SCENARIO))
    with content_folder(tmp_path):
        sc = loader.scenario("loader-1")
        g = Game(sc, 7)
        w = g.world
        # Only the pods effect restarts containers: the alert pages on what the pods count.
        assert RULE.name in {e.rule for e in w.firing() if e.model == "fraud-scorer"}
        _agrees(w, "fraud-scorer", range(w.fault.onset - 2, w.page_at + 30, 1))
