"""Night shifts played by the scripted shift players, each played once per test process."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oncall.game.shiftrecord import ShiftRecord

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shift"))
from shift_players import played


@pytest.fixture(scope="session")
def night() -> Callable[..., ShiftRecord]:
    """A played night (`shift_players.played`), each played once per test process however many
    tests read it; the tests that read it are in `shift_players.NIGHTS_GROUP`."""
    return played


