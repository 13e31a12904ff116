"""A night's incident is told with the diagnosis the game recorded on it, whenever it was made,
and in the record's order: from a story play-test, a diagnosis naming no incident was given by
the stories to whichever incident was open at the time (the game records it on the night's
first), one made after the fault stopped was dropped, and the moves made after the secondary
on-call took the incident over were told before that takeover."""

from __future__ import annotations

import pytest

from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord
from oncall.story.clauses import clock
from oncall.story.factcheck import check_shift
from oncall.story.shift import stories
from oncall.story.shiftfacts import incidents
from oncall.story.spoken_shift import spoken_shift, spoken_shift_stories

pytestmark = pytest.mark.xdist_group("night-told-in-order")


@pytest.fixture(scope="module")
def rec() -> ShiftRecord:
    """Seed 3: fraud-scorer's page acknowledged, its logs read and the client timeout raised
    (the wrong move); every page acknowledged as it comes, ad-ctr's (the second incident) among
    them, until the secondary on-call takes fraud-scorer over; then, with ad-ctr's incident
    still open, the cached-features fallback on fraud-scorer and a diagnosis naming no
    incident; then off the pager."""
    s = Shift(3)
    while not any(it.kind == "incident" for it in s.record.facts.items):
        s.do({"do": "wait", "minutes": 10})
    first = next(it for it in s.record.facts.items if it.kind == "incident")
    for cmd in ({"do": "ack", "page": first.page},
                {"do": "logs", "model": first.model, "level": "ERROR"},
                {"do": "hotfix", "model": first.model, "fix": "raise_client_timeout"}):
        assert s.do(cmd).ok, cmd
    while first.done_at is None:
        s.do({"do": "wait", "minutes": 10})
        for p in s.record.facts.pages:
            if p.acked_at is None:
                s.do({"do": "ack", "page": p.id})
    assert first.outcome == "handed over"
    for cmd in ({"do": "hotfix", "model": first.model, "fix": "fallback_cached_features"},
                {"do": "diagnose", "category": "infra", "cause": "I6", "evidence": []},
                {"do": "end"}):
        assert s.do(cmd).ok, cmd
    return s.record


def test_a_diagnosis_naming_no_incident_is_the_one_the_game_recorded(rec: ShiftRecord) -> None:
    first, second = incidents(rec)
    dx_at = rec.game.facts.diagnosis_at
    assert dx_at is not None and first.done_at is not None and dx_at > first.done_at
    assert second.opened_at < dx_at < second.until, "the second incident was open then"
    assert (first.diagnosis, first.diagnosis_at) == (rec.game.facts.diagnosis, dx_at)
    assert second.diagnosis is None and second.diagnosis_at is None


def test_what_followed_the_takeover_is_told_after_it(rec: ShiftRecord) -> None:
    first = incidents(rec)[0]
    assert first.done_at is not None and first.diagnosis_at is not None
    fallback = next(iv for iv in first.moves if iv.command.get("fix") ==
                    "fallback_cached_features")
    story = next(s for s in stories(rec) if s.kind == "incident")
    assert "fallback_cached_features" not in story.action and "diagnosed" not in story.action
    result = story.result
    assert result.index("handed over to the secondary on-call") < \
        result.index("fallback_cached_features") < result.index("I diagnosed an infra fault")
    said = spoken_shift(rec, "incident")
    assert said is not None
    text = said.text
    took = text.index(f"the secondary on-call took it over at {clock(first.done_at)}")
    assert took < text.index(f"At {clock(fallback.t)} I fell back") < \
        text.index(f"At {clock(first.diagnosis_at)} I called it an infra problem"), text
    for told in [s.markdown() for s in stories(rec)] + [s.text for s in
                                                         spoken_shift_stories(rec)]:
        assert check_shift(told, rec) == [], told
