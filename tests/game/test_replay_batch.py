"""A replayed per-feature monitor reads a week of each feature's series: their noise is drawn
for every feature at once (`World.prefetch`), the same numbers drawn day by day give."""

from __future__ import annotations

import pytest

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.sim import telemetry as tm
from oncall.sim.world import World

MONITOR = "mon-feature-range"


def _forget_noise() -> None:
    tm._DAYS.clear()
    tm._RESUME.clear()


def test_a_feature_monitors_replay_draws_its_week_of_noise_in_one_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    world = remediations.clean(Game(loader.scenario("fraud-1"), 7).world)
    family = remediations.MONITORS[MONITOR].metric[:-1]
    assert remediations.MONITORS[MONITOR].kind == "zshift"
    real = tm._draw_day
    one_by_one: list[tm.NoiseKey] = []

    def draw_day(k: tm.NoiseKey, upto: int) -> object:
        one_by_one.append(k)
        return real(k, upto)

    monkeypatch.setattr(tm, "_draw_day", draw_day)
    _forget_noise()
    batched = remediations.replay(MONITOR, world)
    assert batched is not None
    assert not [k for k in one_by_one if k[2].startswith(family)], "drawn day by day"

    _forget_noise()
    monkeypatch.setattr(World, "prefetch", lambda *args, **kwargs: None)
    day_by_day = remediations.replay(MONITOR, world)
    assert [k for k in one_by_one if k[2].startswith(family)], "the control drew nothing"
    assert day_by_day == batched
    _forget_noise()
