"""Records of scenarios played by their playbook, built once per test process (stories and
interview rehearsals read them; none of them changes a record)."""

from __future__ import annotations

from functools import cache

from worlds import fresh_game

from oncall.content import loader
from oncall.game.record import Record


@cache
def right_play(sid: str, seed: int = 7) -> Record:
    """The record of `sid` played by its playbook's right moves."""
    g = fresh_game(sid, seed)
    for c in loader.scenario(sid).playbook.right:
        g.do(c)
    return g.record
