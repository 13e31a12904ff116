"""Scripted players over 6 seeds (20 with `--fuzz-long`): the card tells temperaments and queue
discipline apart.

Calm and systematic > panicker (acts on everything at once, no updates) > passive (escalates or
defers everything), each by at least 10 points on the temperament section's mean; and working
the queue in priority order beats taking items as they arrive, on prioritisation.
"""

from __future__ import annotations

import statistics
from functools import cache

from fuzz_budget import budget
from shift_players import NIGHTS_GROUP, PLAYERS, played

from oncall.game.shift import Shift
from oncall.scoring.shift import ShiftCard, score_shift

SEEDS = range(budget(6, 20))
"""The first 6 seeds already put every margin at nearly one and a half times `MARGIN` or more
(calm over panicker 47.1, panicker over passive 29.3, calm over first-come 14.8 on
prioritisation; 49.7, 27.7 and 16.4 over 8 seeds); the long run checks all 20."""
MARGIN = 10
NAMES = ("calm", "fifo", "panicker", "passive")

# The players' cards are computed once, on the worker of the played nights, for every test here.
pytestmark = NIGHTS_GROUP


@cache
def _all_cards() -> dict[str, tuple[ShiftCard, ...]]:
    """Every player's card on every seed; on each seed the players start from copies of one
    build of the shift (`shift_players.played`)."""
    out: dict[str, list[ShiftCard]] = {name: [] for name in NAMES}
    for seed in SEEDS:  # seed by seed, so that one build serves the four players
        for name in NAMES:
            out[name].append(score_shift(played(name, seed)))
    return {name: tuple(c) for name, c in out.items()}


def cards(name: str) -> tuple[ShiftCard, ...]:
    return _all_cards()[name]


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


def test_a_copied_build_plays_as_a_fresh_shift() -> None:
    """The copies the players start from are the shift `Shift` builds: the same card."""
    fresh = score_shift(PLAYERS["panicker"](Shift(SEEDS[0])).play().record)
    assert cards("panicker")[0] == fresh


def test_the_passivity_line_says_only_what_the_record_shows() -> None:
    """Each kind of passive act the line names happened on that night, and each that happened
    is named (the line once listed every kind whatever was done)."""
    for name in NAMES:
        for seed, card in zip(SEEDS, cards(name), strict=True):
            rec = played(name, seed)
            text = next(f.text for f in card.section("temperament").findings
                        if f.name == "passivity")
            shown = {
                "page(s) never acknowledged": any(p.acked_at is None for p in rec.facts.pages),
                "request(s) left to miss the deadline": any(it.outcome == "missed"
                                                            for it in rec.facts.items),
                "escalation(s) before looking": None,  # judged on looks: named only if any
            }
            # A shipped regression is its own line (passivity's floor once swallowed it).
            releases = next(f for f in card.section("temperament").findings
                            if f.name == "releases")
            shipped = any(rec.key.gates.get(p["item"]) for p in rec.facts.promoted)
            assert ("promoted past a gate that showed a real regression" in releases.text
                    and "none promoted" not in releases.text) == shipped, (name, seed, releases)
            assert "regression" not in text, (name, seed, text)
            escalated = any(e.command.get("do") == "escalate" for e in rec.entries)
            for label, happened in shown.items():
                if happened is None:
                    assert escalated or label not in text, (name, seed, text)
                else:
                    assert (label in text) == happened, (name, seed, label, text)


def test_no_answer_carries_an_event_after_its_own_minute_or_the_shift_end() -> None:
    """The played nights' clocks (waits of 10 minutes, woken early by the pager): every event
    an answer carries happened by the minute it answers at (a wait to 01:43 carried a page at
    01:44), no answer comes after the shift's end, and the night closes at its end (a wait ran
    a night on to 06:09, where its budget was counted), and a wait ends at the minute a page
    comes."""
    _all_cards()
    for name in NAMES:
        for seed in SEEDS:
            rec = played(name, seed)
            f = rec.facts
            assert f.ended_at is not None and f.ended_at <= f.end, (name, seed, f.ended_at)
            for e in rec.entries:
                o = e.observation
                assert o.t <= f.end, (name, seed, e.command, o.clock)
                late = [ev for ev in o.events if int(ev.get("until", ev["t"])) > o.t]
                assert not late, (name, seed, e.command, o.clock, late)
                if e.command.get("do") == "wait":  # the pager wakes whoever waits
                    slept = [ev for ev in o.events if ev["kind"] == "page" and ev["t"] < o.t]
                    assert not slept, (name, seed, e.command, o.clock, slept)
