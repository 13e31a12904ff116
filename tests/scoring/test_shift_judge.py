"""The night's judge scores decisions: a release shipped past a gate that caught a real
regression costs, and the page it causes is not noise, whichever verb mutes it (the play-test of
seed 2: agreeing to q3, a canary at about 7x stable's errors the night's key gates, then
silencing its page, scored above holding it)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from oncall.game.shift import Shift
from oncall.scoring.shift import PASSIVE_COST, Finding, ShiftCard, score_shift

SEED, ITEM = 2, "q3"


@pytest.fixture(scope="module")
def taken() -> tuple[Shift, str]:
    """Seed 2 up to the canary request q3, its gate report read (one build for every play)."""
    s = Shift(SEED)
    assert s.record.key.gates.get(ITEM) is True, "the night's key gates q3 as a real regression"
    it = next(x for x in s.record.facts.items if x.id == ITEM)
    while not it.arrived:
        s.do({"do": "wait", "minutes": 30})
    report = s.do({"do": "take", "item": ITEM})
    assert report.ok and report.data["failed"], report.text
    return s, str(report.id)


def _shipped(taken: tuple[Shift, str]) -> tuple[Shift, dict[str, Any]]:
    """q3 agreed to, then its page waited for and acknowledged."""
    s = copy.deepcopy(taken[0])
    assert s.do({"do": "agree", "about": ITEM}).data["effect"] == "promote"
    model = next(x.model for x in s.record.facts.items if x.id == ITEM)
    page = None
    while page is None:
        s.do({"do": "wait", "minutes": 30})
        page = next((p for p in s.record.facts.pages if p.model == model), None)
    assert s.do({"do": "ack", "page": page.id}).ok
    return s, page.model_dump()


def _finding(card: ShiftCard, name: str) -> Finding:
    return next(f for sec in card.sections for f in sec.findings if f.name == name)


@pytest.fixture(scope="module")
def cards(taken: tuple[Shift, str]) -> dict[str, ShiftCard]:
    """The same night played three ways from q3 on, each ended there: held with the gate report;
    shipped and its page silenced; shipped and its page ticketed."""
    held = copy.deepcopy(taken[0])
    assert held.do({"do": "reply", "about": ITEM, "evidence": [taken[1]]}).data["effect"] \
        == "hold"
    silenced, page = _shipped(taken)
    ticketed = copy.deepcopy(silenced)
    assert silenced.do({"do": "silence", "alert": "*", "model": page["model"],
                        "minutes": 120}).ok
    filed = ticketed.do({"do": "ticket", "alert": page["alerts"][0], "model": page["model"]})
    assert filed.ok, filed.text
    out = {}
    for name, s in (("held", held), ("silenced", silenced), ("ticketed", ticketed)):
        s.do({"do": "end"})
        out[name] = score_shift(s.record)
    return out


def test_a_shipped_regression_and_its_muted_page_cost_what_holding_does_not(
        cards: dict[str, ShiftCard]) -> None:
    held = _finding(cards["held"], "passivity")
    assert not any("real regression" in m.what or "not noise" in m.what for m in held.moments)
    for way in ("silenced", "ticketed"):
        passivity = _finding(cards[way], "passivity")
        shipped = [m for m in passivity.moments if "past a gate that showed a real regression"
                   in m.what]
        muted = [m for m in passivity.moments if "a real page's cause" in m.what]
        assert len(shipped) == 1 and ITEM in shipped[0].what and shipped[0].entry is not None
        assert len(muted) == 1 and muted[0].entry is not None, passivity.moments
        assert "real regression" in passivity.text and "silenced or ticketed" in passivity.text
        # Two wrong decisions, each a passive act's cost, on top of whatever else both share.
        assert passivity.points == max(0, held.points - 2 * PASSIVE_COST), (way, passivity)
        assert cards[way].total < cards["held"].total, (way, cards[way].total)
    # The same judgement scores the same whatever verb carries it.
    assert cards["silenced"].total == cards["ticketed"].total


def test_the_regression_page_is_not_noise_settled(cards: dict[str, ShiftCard]) -> None:
    """Muted or filed, the shipped release's page is not counted as noise handled: rest reads
    the same as on the night it never paged."""
    for way in ("silenced", "ticketed"):
        assert _finding(cards[way], "rest") == _finding(cards["held"], "rest"), way


def test_muting_an_open_incident_is_a_passive_act(taken: tuple[Shift, str]) -> None:
    """At q3's arrival the night's incident (paged at 00:51) still burns: a silence on its model
    mutes a real page, not noise."""
    s = copy.deepcopy(taken[0])
    burning = next(it for it in s.record.facts.items if it.kind == "incident")
    assert burning.arrived and burning.done_at is None
    assert s.do({"do": "silence", "alert": "*", "model": burning.model, "minutes": 60}).ok
    passivity = _finding(score_shift(s.record), "passivity")
    assert any(f"{burning.id}, an incident still open" in m.what for m in passivity.moments), \
        passivity.moments
