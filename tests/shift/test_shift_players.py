"""Scripted players over 20 seeds: the card tells temperaments and queue discipline apart.

Calm and systematic > panicker (acts on everything at once, no updates) > passive (escalates or
defers everything), each by at least 10 points on the temperament section's mean; and working
the queue in priority order beats taking items as they arrive, on prioritisation.
"""

from __future__ import annotations

import statistics
from functools import cache

from shift_players import PLAYERS

from oncall.game.shift import Shift
from oncall.scoring.shift import ShiftCard, score_shift

SEEDS = range(20)
MARGIN = 10


@cache
def cards(name: str) -> tuple[ShiftCard, ...]:
    return tuple(score_shift(PLAYERS[name](Shift(seed)).play().record) for seed in SEEDS)


def mean(name: str, section: str) -> float:
    return statistics.mean(c.section(section).points for c in cards(name))


def test_temperament_orders_calm_panicker_passive() -> None:
    calm, panicker, passive = (mean(n, "temperament") for n in ("calm", "panicker", "passive"))
    assert calm - panicker >= MARGIN, (calm, panicker)
    assert panicker - passive >= MARGIN, (panicker, passive)


def test_priority_order_beats_first_come_first_served() -> None:
    assert mean("calm", "prioritisation") - mean("fifo", "prioritisation") >= MARGIN


def test_findings_cite_moments_of_the_record() -> None:
    for name in ("panicker", "passive"):
        for card in cards(name)[:5]:
            lost = [f for s in card.sections for f in s.findings if f.points < f.max]
            assert lost
            # Whatever cost points says when: a command of the record or a fact of the night.
            assert all(f.moments or f.name in ("severity", "updates", "evidence", "order",
                                               "data") for f in lost), \
                [(f.name, f.text) for f in lost if not f.moments]
