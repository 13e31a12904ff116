"""The night's clock tells the truth: nothing runs past the shift's end, and what the night
records happens at its own minute, whatever the size of the player's waits."""

from __future__ import annotations

import copy

import pytest

from oncall.game.shift import Shift

END = 120


@pytest.fixture(scope="module")
def short_night() -> Shift:
    """Seed 1 over two hours, built once (each test plays a copy: a copy plays as a fresh
    build)."""
    return Shift(1, length=END)


def test_a_wait_stops_at_the_shift_end_and_the_night_closes_there(short_night: Shift) -> None:
    s = copy.deepcopy(short_night)
    while not s.ended:
        last = s.do({"do": "wait", "minutes": 30})
    assert (last.t, last.cost) == (END, 1) and last.text.endswith("The shift is over.")
    assert s.record.entries[-1].command == {"do": "wait", "minutes": 30}  # as typed
    assert s.now == s.record.facts.ended_at == END
    assert max(e.observation.t for e in s.record.entries) == END


def test_a_look_that_would_run_past_the_end_is_cut_at_it(short_night: Shift) -> None:
    s = copy.deepcopy(short_night)
    while s.now < END - 2:
        s.do({"do": "wait", "minutes": min(30, END - 2 - s.now)})
    obs = s.do({"do": "logs", "model": s.world.fault.model})  # 3 minutes, 2 left
    assert obs.ok and (obs.t, obs.cost) == (END, 2) and s.ended
    assert s.record.facts.ended_at == END
