"""A night is told as what it was: the span told is the span worked, and an incident the player
never handled is not told as handled. The play-test: a night abandoned at 01:00 was told as "on
call overnight, 00:00 to 06:00 ... when the shift ended", with its unacknowledged page as the
answer to "Tell me about a production incident you handled"."""

from __future__ import annotations

import copy

import pytest

from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord
from oncall.scoring.shift import score_shift
from oncall.story.factcheck import check_shift
from oncall.story.shift import markdown, stories
from oncall.story.spoken_shift import spoken_shift, spoken_shift_stories

SEED, REQUEST = 2, "q2"

pytestmark = pytest.mark.xdist_group("night-left-early")


@pytest.fixture(scope="module")
def nights() -> dict[str, ShiftRecord]:
    """Seed 2 two ways, its incident's page (00:51) never acknowledged: abandoned at about
    01:30, after the release request q2 came (due 02:42) and before it was decided; and waited
    through to 06:00, the secondary on-call taking the incident over."""
    night = Shift(SEED)
    out = {}
    s = copy.deepcopy(night)
    while s.now < 90:
        s.do({"do": "wait", "minutes": 10})
    assert s.do({"do": "abandon"}).ok
    out["abandoned"] = s.record
    s = night
    while not s.ended:
        s.do({"do": "wait", "minutes": 30})
    out["waited"] = s.record
    return out


def _texts(rec: ShiftRecord) -> list[str]:
    return [st.markdown() for st in stories(rec)] + [sp.text for sp in spoken_shift_stories(rec)]


def test_an_abandoned_night_is_told_as_abandoned(nights: dict[str, ShiftRecord]) -> None:
    rec = nights["abandoned"]
    stop = rec.facts.abandoned_at
    assert stop is not None and 85 <= stop < 120
    request = next(it for it in rec.facts.items if it.id == REQUEST)
    assert request.arrived and request.outcome is None and request.deadline > stop
    texts = _texts(rec)
    assert texts
    for text in texts:
        assert "overnight" not in text and "when the shift ended" not in text, text
        assert "abandoned the night at" in text, text
        assert check_shift(text, rec) == [], text
    said = spoken_shift(rec, "prioritisation")
    assert said is not None and "pass its deadline" not in said.text
    assert "I left the deploy request on address-matcher undecided when I abandoned the " \
           "night at" in said.text, said.text
    # The card does not count a deadline that fell after the night stopped as missed.
    deadlines = next(f for f in score_shift(rec).section("prioritisation").findings
                     if f.name == "deadlines")
    assert deadlines.text == "0 of 1 deadline(s) met." and REQUEST not in str(deadlines.moments)


def test_an_incident_never_handled_is_not_told_as_handled(
        nights: dict[str, ShiftRecord]) -> None:
    for way, rec in nights.items():
        assert all(p.acked_at is None for p in rec.facts.pages)
        assert "incident" not in {st.kind for st in stories(rec)}, way
        assert spoken_shift(rec, "incident") is None, way
        assert "never acknowledged it or acted on it" in markdown(rec, "incident"), way
        for text in _texts(rec):
            assert "I handed" not in text, (way, text)
    # Waited through, the secondary on-call took it over: said so, never as the player's act.
    said = spoken_shift(nights["waited"], "prioritisation")
    assert said is not None and "I did not fix the incident on price-optimizer myself: the " \
                                "secondary on-call took it over at" in said.text, said.text
