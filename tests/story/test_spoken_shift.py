"""Spoken answers from night shifts: two minutes each, no claim crossing incidents."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from shift_players import NIGHTS_GROUP

from oncall.game.shiftrecord import ShiftRecord
from oncall.story.factcheck import check_shift
from oncall.story.interview import Session
from oncall.story.shift import stories
from oncall.story.spoken import HIGH, LOW
from oncall.story.spoken_shift import KIND_WORDS, spoken_shift_stories

NIGHTS = [("calm", 3, "normal"), ("calm", 8, "hard"), ("fifo", 4, "normal"),
          ("fifo", 11, "normal"), ("panicker", 0, "normal"), ("panicker", 10, "normal"),
          ("passive", 0, "normal"), ("passive", 3, "normal"), ("passive", 7, "hard"),
          ("calm", 5, "easy")]
"""Ten nights across the four temperaments and three difficulties, including the sparse ones
(a passive player says little) that once fell short of two minutes."""
pytestmark = NIGHTS_GROUP
"""One worker plays the ten nights (the `night` fixture keeps them) for every test here, and
for the other tests of scripted nights."""
CODE = re.compile(r"\bobs-\d+|\b[DMIN]\d{1,2}\b|\S+/\S+|\.ya?ml\b|`")
RAW = re.compile(r"\d\.\d{4,}|\b(?:ms|p99|ks|psi)\b|\(|\)|[A-Z][a-z]+[A-Z]\w+|_")
"""Tool output that is not speech: decimals of four places or more, metric units, parentheses,
CamelCase rule names, snake_case names."""
LONG = re.compile(r"\b(?:9\d|[1-9]\d\d+) minutes\b")
"""A span nobody says in minutes."""
VERB_AS_NOUN = re.compile(r"\b(?:my|the|an|his|her|their) escalate\b")
"""A command's verb where speech has a noun: `my escalation`, never `my escalate`."""
@pytest.mark.parametrize(("name", "seed", "difficulty"), NIGHTS)
def test_every_spoken_shift_story_is_two_minutes_true_and_speakable(
        night: Callable[..., ShiftRecord], name: str, seed: int, difficulty: str) -> None:
    rec = night(name, seed, difficulty)
    told = spoken_shift_stories(rec)
    assert {s.question for s in told} >= {"incident", "prioritisation"}
    for s in told:
        assert LOW <= s.words <= HIGH, (s.question, s.words)
        assert not CODE.search(s.text), (s.question, CODE.findall(s.text))
        assert not RAW.search(s.text), (s.question, RAW.findall(s.text))
        assert not LONG.search(s.text), (s.question, "say hours", LONG.findall(s.text))
        assert not VERB_AS_NOUN.search(s.text), (s.question, VERB_AS_NOUN.findall(s.text))
        assert check_shift(s.text, rec) == [], s.question
        untouched = [it for it in rec.facts.items if it.arrived and it.taken_at is None]
        if s.question == "prioritisation" and len(untouched) == 1 and "never took" in s.text:
            assert f"I never took the {KIND_WORDS[untouched[0].kind]}" in s.text
        if s.question == "tradeoff":
            decided = next(it for it in rec.facts.items if it.kind in ("deploy", "canary")
                           and it.outcome in ("promoted", "held", "missed"))
            assert f"its {decided.report['gate']} gate had failed" in s.text
        told = Session(rec.game, s.question, shift=rec).answer(s.text)
        assert told.score >= 90 and told.fact_check, (s.question, told.text())
    for story in stories(rec):
        assert check_shift(story.markdown(), rec) == [], story.kind


def test_the_ten_nights_ask_every_question_somewhere(night: Callable[..., ShiftRecord]) -> None:
    asked = {s.question for n in NIGHTS for s in spoken_shift_stories(night(*n))}
    assert asked == {"incident", "prioritisation", "disagreement", "tradeoff", "learned"}


def test_a_night_learned_from_names_its_mistakes_and_what_changed(
        night: Callable[..., ShiftRecord]) -> None:
    from oncall.story.spoken_shift import spoken_shift

    rec = night("passive", 0)
    told = spoken_shift(rec, "learned")
    assert told is not None
    assert "Looking back, I acted before I had looked at anything myself" in told.text
    assert "Now I post a first status update" in told.text
    missed = sum(it.outcome == "missed" for it in rec.facts.items)
    assert missed >= 1
    assert f"I let {missed} of the night's requests pass their deadline" in told.text, \
        "the releases whose deadline passed are owned"


def test_the_checker_catches_a_claim_that_crosses_incidents(
        night: Callable[..., ShiftRecord]) -> None:
    rec = night("calm", 5)  # a night whose second incident is done
    first, second = sorted((it for it in rec.facts.items if it.kind == "incident"),
                           key=lambda it: it.arrives_at)
    assert second.done_at is not None
    from oncall.sim.clock import hhmm

    wrong = f"I rolled back {first.model} at {hhmm(second.done_at)}."
    assert any("belongs to another part" in p for p in check_shift(wrong, rec))
    ups = f"For {first.model} I posted 3 status updates."
    assert any("status update" in p for p in check_shift(ups, rec))


def test_a_passive_night_owns_that_the_fix_was_the_owners(
        night: Callable[..., ShiftRecord]) -> None:
    """The team the fixing escalation went to is named, not taken to be the model's owners."""
    from oncall.story.clauses import team
    from oncall.story.shiftfacts import incidents

    rec = night("passive", 0)
    [incident] = [s for s in spoken_shift_stories(rec) if s.question == "incident"]
    first = incidents(rec)[0].moves[0]
    assert first.kind == "escalate" and first.effect == "fixes"
    assert f"The fix itself was the work of {team(first.command['team'])}, not mine" \
        in incident.text
    assert "checking what changed before touching anything" not in incident.text


def test_a_shift_rehearsal_judges_against_the_whole_night(
        night: Callable[..., ShiftRecord]) -> None:
    from oncall.story.interview import Session, questions_for
    from oncall.story.spoken_shift import spoken_shift

    rec = night("calm", 3)
    assert "tradeoff" in questions_for(rec.game, rec)
    told = spoken_shift(rec, "tradeoff")
    assert told is not None
    good = Session(rec.game, "tradeoff", shift=rec).answer(told.text)
    assert good.score >= 90 and good.fact_check, good.text()
    other = spoken_shift(night("panicker", 1), "tradeoff")
    assert other is not None
    bad = Session(rec.game, "tradeoff", shift=rec).answer(other.text)
    assert not bad.fact_check and bad.score < good.score


def test_shift_follow_ups_stay_with_one_item_of_the_night(
        night: Callable[..., ShiftRecord]) -> None:
    from oncall.story.interview import shift_follow_ups

    asked = [f.asked for f in shift_follow_ups(night("calm", 8, "hard"), "tradeoff")]
    assert asked == ["What did you risk by promoting it with a failing gate?",
                     "How would you catch it earlier next time?"]
