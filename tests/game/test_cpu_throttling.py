"""The CPU throttling monitor reads the kernel's CFS counters: it fires on a cut CPU quota before
the 5xx page, stays quiet on healthy CPU models all week, and never applies to a GPU model."""

from __future__ import annotations

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.sim.telemetry import metrics_of


def test_a_cut_cpu_quota_is_caught_before_the_page_and_a_healthy_week_stays_quiet() -> None:
    g = Game(loader.scenario("credit-3"), 1)
    w = g.world
    replay = remediations.replay("mon-cpu-throttling", w)
    assert replay is not None and replay.fired_at is not None
    assert replay.fired_at < w.page_at and replay.false_alarms_week == 0
    _, healthy = w.series(w.fault.model, "cpu_throttled_frac", w.page_at - 24 * 60, w.page_at - 60)
    _, cut = w.series(w.fault.model, "cpu_throttled_frac", w.page_at, w.page_at + 10)
    assert healthy.max() < 0.1 < 0.7 < cut.min()


def test_only_cpu_models_have_a_throttling_series() -> None:
    w = Game(loader.scenario("credit-3"), 1).world
    for name in w.fleet.names():
        model = w.model(name)
        assert ("cpu_throttled_frac" in metrics_of(model)) == (model.hardware == "cpu")
