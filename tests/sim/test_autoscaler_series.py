"""The autoscaler as a series: the replicas over the ceiling a monitor reads are, minute by
minute, the ones the infra view lists, through a fault, a scale-up it adds and a fix."""

from __future__ import annotations

import pytest

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.sim.telemetry import HPA_SERIES
from oncall.sim.world import World


def _agrees(world: World, model: str, minutes: list[int]) -> None:
    _, frac = world.series(model, HPA_SERIES, minutes[0], minutes[-1] + 1)
    for i, minute in enumerate(range(minutes[0], minutes[-1] + 1)):
        if minute in minutes:
            hpa = world.infra(model, minute)["hpa"]
            assert frac[i] == hpa["replicas"] / hpa["max_replicas"], (minute, hpa)


@pytest.mark.parametrize(("sid", "fix"), [("ads-3", "raise_max_replicas"),
                                          ("ads-3", "scale_up"), ("search-4", "scale_up")])
def test_the_series_is_the_infra_views_autoscaler(sid: str, fix: str) -> None:
    sc = loader.scenario(sid)
    g = Game(sc, 7)
    w, model = g.world, sc.fault.model
    g.do({"do": "ack"})
    g.do({"do": "hotfix", "model": model, "fix": fix})
    g.do({"do": "wait", "minutes": 30})
    around = list(range(w.fault.onset - 10, w.now + 1))
    _agrees(w, model, around)
    _, frac = w.series(model, HPA_SERIES, w.fault.onset - 10, w.now + 1)
    assert len(set(frac.tolist())) >= 2, "the fault and the fix move it"
    week = list(range(w.page_at - 7 * 24 * 60, w.page_at - 7 * 24 * 60 + 600, 37))
    _agrees(w, model, week)


def test_the_ceiling_monitor_catches_the_surge_before_the_page_and_nothing_before() -> None:
    # ads-3: the autoscaler reaches its ceiling at 01:32 and the 5xx page comes at 01:40.
    sc = loader.scenario("ads-3")
    world = remediations.clean(Game(sc, 7).world)
    rep = remediations.replay("mon-autoscaler-ceiling", world, None)
    assert rep is not None
    assert rep.lead_minutes is not None and rep.lead_minutes > 0
    assert rep.false_alarms_week == 0
    # A fault that adds pods below the ceiling (search-4's held gang: 4 of 6) does not fire it.
    sc = loader.scenario("search-4")
    world = remediations.clean(Game(sc, 7).world)
    rep = remediations.replay("mon-autoscaler-ceiling", world, None)
    assert rep is not None and rep.lead_minutes is None
