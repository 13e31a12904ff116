"""What a story says is true of the record in time and in substance: a look is told as evidence
for a decision only if it came before it, a tool says only what its answer showed, a team is
told as taking something on only if it did, a lesson comes from what the player did, and a
ticket names the model it was filed for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from played import right_play
from worlds import fresh_game

from oncall.content import loader
from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import Record
from oncall.sim.catalogue import TOOL_WORDS
from oncall.story.spoken import spoken, spoken_stories
from oncall.story.star import prioritising

TEAMS = ("model-owners", "data-engineering", "feature-store", "infra-sre", "security")


def played(sid: str, commands: list[dict[str, Any]], seed: int = 7) -> Record:
    g = fresh_game(sid, seed)
    for c in commands:
        g.do(c)
    return g.record


def wrong_play(sid: str) -> Record:
    return played(sid, list(loader.scenario(sid).playbook.wrong or []))


def thrasher(sid: str, model: str) -> Record:
    """Three moves without a look, then a look at the infrastructure once it is all over."""
    return played(sid, [{"do": "ack"}, {"do": "hotfix", "model": model, "fix": "scale_up"},
                        {"do": "hotfix", "model": model, "fix": "restart_pods"},
                        {"do": "rollback", "model": model}, {"do": "wait", "minutes": 20},
                        {"do": "infra", "model": model}, {"do": "resolve"}])


def escalate_everyone(sid: str) -> Record:
    return played(sid, [{"do": "ack"}, *({"do": "escalate", "team": t, "message": "please look"}
                                         for t in TEAMS), {"do": "wait", "minutes": 30},
                        {"do": "resolve"}])


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


DECIDED = re.compile(r"^(?:At|By) (\d{1,2}):(\d\d),? I (?!resolved|filed|posted)")
"""A sentence telling a decision at its minute: a diagnosis or a move."""


def looks_told_before_their_time(record: Record, text: str) -> list[str]:
    """Evidence sentences told before a decision that came before any look of that tool."""
    first: dict[str, int] = {}
    for e in record.entries:
        do = str(e.command.get("do"))
        if do in INVESTIGATIONS and e.observation.ok:
            first.setdefault(TOOL_WORDS.get(do, do), e.observation.t)
    out = []
    told = sentences(text)
    for i, s in enumerate(told):
        tools = [w for w in first if s.startswith(w[:1].upper() + w[1:] + " showed")
                 or (s.startswith("I also checked") and w in s)]
        for later in told[i + 1:]:
            m = DECIDED.match(later)
            if m is None:
                continue
            at = int(m.group(1)) * 60 + int(m.group(2))
            out += [f"{s!r} before {later!r}" for w in tools if first[w] > at % 1440]
    return out


@pytest.mark.parametrize("record", [
    pytest.param(lambda: right_play("fraud-1"), id="fraud-1-right"),
    pytest.param(lambda: wrong_play("fraud-1"), id="fraud-1-wrong"),
    pytest.param(lambda: thrasher("credit-3", "credit-limit"), id="credit-3-thrasher"),
])
def test_a_look_is_told_as_evidence_only_for_the_decisions_after_it(record: Any) -> None:
    rec = record()
    for s in spoken_stories(rec):
        assert looks_told_before_their_time(rec, s.text) == [], s.question


def test_a_look_after_the_fault_stopped_is_not_told_as_what_led_to_the_fix() -> None:
    rec = right_play("fraud-1")
    told = spoken(rec, "incident")
    assert told is not None
    assert "predictions had dropped" not in told.text, "the 02:55 dashboard showed recovery"


def test_a_drift_report_is_told_by_what_its_test_showed() -> None:
    rec = right_play("fraud-3")
    drift = next(e for e in rec.entries if e.command.get("do") == "drift")
    assert "KS D 0.0868" in drift.observation.text and "default" not in drift.observation.text
    for s in spoken_stories(rec):
        assert "default value" not in s.text, s.question
    told = spoken(rec, "incident")
    assert told is not None
    assert "the merchant risk feature had drifted, if only slightly," in told.text


def test_a_team_that_answered_after_the_fault_stopped_is_not_told_as_taking_it_on() -> None:
    rec = escalate_everyone("fraud-2")
    f = rec.facts
    security = next(iv for iv in f.interventions if iv.command.get("team") == "security")
    assert f.mitigated_at is not None and security.t < f.mitigated_at < security.effective_at
    for s in spoken_stories(rec):
        assert "handed the follow-up to the security team" not in s.text, s.question
        assert "took it on" not in s.text, s.question


def test_what_was_learned_comes_from_what_the_player_did() -> None:
    rec = escalate_everyone("fraud-2")
    learned = spoken(rec, "learned")
    assert learned is not None
    assert "check what changed upstream" not in learned.text, "this player looked at nothing"
    assert "before I page" in learned.text or "look at the evidence" in learned.text, \
        learned.text


def test_a_ticket_names_the_model_it_was_filed_for() -> None:
    rec = right_play("spam-2")
    assert [(t["alert"], t["model"]) for t in rec.facts.tickets] == [
        ("ModelHighP99Latency", "eta-predictor")]
    assert {a.model for a in rec.facts.noise_alerts} >= {"eta-predictor", "recsys-ranker"}
    text = prioritising(rec)
    assert text is not None
    assert "I ticketed `ModelHighP99Latency` on eta-predictor and kept" in text


def test_a_shift_tells_each_look_by_the_first_decision_after_it() -> None:
    from oncall.story.spoken import Bit, looks_in_time, told_in_order

    rec = wrong_play("fraud-1")
    looks = [e for e in rec.entries if e.command.get("do") in INVESTIGATIONS]
    moves = rec.facts.interventions
    drift = next(e for e in looks if e.command.get("do") == "drift")
    after = next(iv for iv in moves if iv.t >= drift.observation.t)
    assert any(iv.t < drift.observation.t for iv in moves)
    timed = looks_in_time(looks, [iv.t for iv in moves], rec.facts.mitigated_at,
                          rec.facts.target_model, 1)
    [at] = [t for t, b in timed if b.text.startswith("The drift report")]
    assert at == drift.observation.t <= after.t, "told at its minute, before the move after it"
    acts = [Bit(2, 0, f"move at {iv.t}") for iv in moves]
    told = [b.text for b in told_in_order(timed, acts, [iv.t for iv in moves])]
    drift_at = next(i for i, x in enumerate(told) if x.startswith("The drift report"))
    assert told.index(f"move at {after.t}") == drift_at + 1, told


TOLD_AT = re.compile(r"^(?:At|By) (\d{1,2}):(\d\d),? I ")


@pytest.mark.parametrize("sid", ["fraud-1", "credit-2", "spam-2"])
def test_the_moments_of_a_spoken_story_are_told_in_the_order_they_happened(sid: str) -> None:
    """A ticket filed on the way is told at its minute, not after the moves that came later."""
    rec = right_play(sid)
    assert rec.facts.tickets
    for s in spoken_stories(rec):
        told = [int(m.group(1)) * 60 + int(m.group(2)) for x in sentences(s.text)
                if (m := TOLD_AT.match(x))]
        assert told == sorted(told), (s.question, s.text)


def test_a_defensible_cause_is_told_as_the_scorecard_judges_it() -> None:
    """churn-2's shadow writes read as a bad deploy config (I9): the judge gives it partial
    credit as the same failure seen from another side, and the stories once called it wrong."""
    from oncall.scoring import score
    from oncall.store.saves import IncidentSave
    from oncall.story.star import star_story

    commands = [dict(c, cause="I9") if c.get("do") == "diagnose" else c
                for c in loader.scenario("churn-2").playbook.right]
    record = played("churn-2", commands)
    card = score(record)
    assert any("is defensible but not the root cause M2" in line
               for s in card.sections for line in s.feedback)
    star = star_story(IncidentSave(record=record, scorecard=card,
                                   saved_at="2026-01-01T00:00:00"))
    assert "That diagnosis was defensible but not the root cause, which was M2" in star
    assert "That diagnosis was wrong" not in star
    told = spoken(record, "incident")
    assert told is not None
    assert "That was defensible, but the root cause was" in told.text
    assert "That was wrong" not in told.text
