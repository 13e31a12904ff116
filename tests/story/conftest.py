"""Night shifts played by the scripted shift players, each played once per test process."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shift"))
from shift_players import PLAYERS

_PLAYED: dict[tuple[str, int, str], ShiftRecord] = {}


@pytest.fixture(scope="session")
def night() -> Callable[..., ShiftRecord]:
    """A played night, each played once per test process however many tests read it."""
    def play(name: str, seed: int, difficulty: str = "normal") -> ShiftRecord:
        key = (name, seed, difficulty)
        if key not in _PLAYED:
            _PLAYED[key] = PLAYERS[name](Shift(seed, difficulty=difficulty)).play().record
        return _PLAYED[key]
    return play


