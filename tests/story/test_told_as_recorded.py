"""Stories and the numbers sheet tell what the record shows, in the record's order: the fix
that landed first stopped the fault, a refused rollback deployed nothing, a principle is said
only when the run kept it, and a push back is told where it came."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from shift_players import NIGHTS_GROUP
from worlds import fresh_game

from oncall.game.record import Record
from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord
from oncall.scoring import score
from oncall.scoring.shift import score_shift
from oncall.sim.clock import hhmm
from oncall.store.saves import IncidentSave
from oncall.store.shifts import ShiftSave
from oncall.story import numbers_sheet
from oncall.story.clauses import clock
from oncall.story.shiftfacts import incidents
from oncall.story.spoken import spoken_stories
from oncall.story.spoken_shift import spoken_shift_stories
from oncall.story.star import action

FRAUD_PAGE = 141
"""When night 0's fraud-scorer incident pages."""


def _to_page(s: Shift, at: int) -> None:
    while (o := s.do({"do": "status"})).t < at:
        s.do({"do": "wait", "minutes": min(30, at - o.t)})
    for p in s.do({"do": "status"}).data["pages"]:
        if p["acked_at"] is None:
            s.do({"do": "ack", "page": p["id"]})


@cache
def owners_then_own_fix() -> ShiftRecord:
    """Night 0: the owners brought in about fraud-scorer, then the player's own pause of the
    canary, which lands while the owners' answer is still on its way."""
    s = Shift(0)
    _to_page(s, FRAUD_PAGE)
    moves: list[dict[str, Any]] = [
        {"do": "escalate", "team": "model-owners", "model": "fraud-scorer",
         "message": "fraud-scorer 5xx since the v17 canary; please roll it back"},
        {"do": "hotfix", "model": "fraud-scorer", "fix": "pause_canary"},
        {"do": "wait", "minutes": 30}, {"do": "end"}]
    for c in moves:
        assert s.do(c).ok, c
    return s.record


def test_a_night_credits_the_fix_that_landed_first_not_the_move_made_first() -> None:
    rec = owners_then_own_fix()
    ivs = rec.game.facts.interventions
    asked, paused = ivs[0], ivs[1]
    assert asked.kind == "escalate" and paused.kind == "hotfix"
    assert paused.effective_at < asked.effective_at, "the player's own fix landed first"
    inc = next(i for i in incidents(rec) if i.model == "fraud-scorer")
    assert inc.fixer is paused
    told = next(s for s in spoken_shift_stories(rec) if s.question == "incident").text
    assert "The fix itself was the work of" not in told
    sheet = numbers_sheet([], [ShiftSave(record=rec, card=score_shift(rec),
                                         saved_at="2026-03-19T07:00:00+00:00")])
    who = next(ln for ln in sheet.splitlines() if ln.startswith("| Who stopped the fault |"))
    assert "| me 1, the owners I escalated to 0," in who
    row = next(ln for ln in sheet.splitlines() if "fraud-scorer" in ln or "(night)" in ln)
    assert "by the owners" not in row


def _played(sid: str, moves: list[dict[str, Any]], seed: int = 7) -> Record:
    g = fresh_game(sid, seed)
    for c in moves:
        assert g.do(c).ok, c
    return g.record


def test_a_refused_rollback_is_told_and_counted_as_deploying_nothing() -> None:
    rec = _played("credit-3", [
        {"do": "ack"}, {"do": "deploys", "model": "credit-limit"},
        {"do": "rollback", "model": "credit-limit"}, {"do": "wait", "minutes": 10},
        {"do": "rollback", "model": "credit-limit"}, {"do": "wait", "minutes": 20},
        {"do": "resolve"}])
    first, again = rec.facts.interventions
    assert first.effect == "fixes" and not first.deployed_nothing
    assert again.deployed_nothing and again.message.startswith("Nothing deployed")
    sheet = numbers_sheet([IncidentSave(record=rec, scorecard=score(rec),
                                        saved_at="2026-03-18T09:30:00+00:00")])
    rollbacks = next(ln for ln in sheet.splitlines() if ln.startswith("| Rollbacks |"))
    assert rollbacks.startswith("| Rollbacks | 1 (1 fixed the fault); 1 more refused, deploying "
                                "nothing")
    written = "\n".join(action(rec))
    assert f"At {hhmm(again.t)} I asked to roll back credit-limit, and nothing was deployed" \
        in written
    assert f"At {hhmm(again.t)} I rolled back" not in written
    said = " ".join(s.text for s in spoken_stories(rec))
    assert f"At {clock(again.t)} I rolled" not in said
    assert "nothing was deployed" in said


def _incident_said(rec: Record) -> str:
    return next(s for s in spoken_stories(rec) if s.question == "incident").text


def test_the_incident_answer_stresses_only_the_order_the_run_kept() -> None:
    from oncall.content import loader

    # eta-1 played right: the cause named at 2:07, the certificate rotated at 2:12.
    right = _played("eta-1", list(loader.scenario("eta-1").playbook.right))
    f = right.facts
    assert f.diagnosis_at is not None and all(iv.t > f.diagnosis_at for iv in f.interventions)
    said = _incident_said(right)
    assert "stop the harm, then find the cause" not in said
    assert "I named the cause from the evidence before anything changed in production" in said
    # fraud-1 played wrong: two changes that missed, no cause ever named.
    wrong = _played("fraud-1", list(loader.scenario("fraud-1").playbook.wrong))
    assert wrong.facts.diagnosis is None
    said = _incident_said(wrong)
    assert "What I would stress is the order" not in said
    assert "What I would change is the order: I made two changes to production that did not " \
        "help before I had named any cause, and I never named one." in said
    # The fix made first, the right cause named after it: that order is the one stressed.
    first = _played("eta-1", [
        {"do": "ack"}, {"do": "infra", "model": "eta-predictor"},
        {"do": "hotfix", "model": "eta-predictor", "fix": "rotate_certificate"},
        {"do": "diagnose", "category": "infra", "cause": right.answers.cause,
         "evidence": ["obs-2"]},
        {"do": "wait", "minutes": 10}, {"do": "resolve"}])
    assert first.facts.mitigated_at is not None
    assert "What I would stress is the order: I stopped the harm first, then named the cause." \
        in _incident_said(first)


def test_a_push_back_and_the_diagnosis_are_told_in_the_record_order() -> None:
    from record_factory import d4_play

    from oncall.story.spoken import spoken

    rec = d4_play(owners_push_back=True)
    ask = rec.facts.interventions[0]
    dx_at = rec.facts.diagnosis_at
    assert dx_at is not None and ask.t < dx_at < ask.effective_at
    told = spoken(rec, "disagreement")
    assert told is not None
    text = told.text
    asked = text.index(f"At {clock(ask.t)} I asked the model's owners to act")
    called = text.index(f"By {clock(dx_at)} I called it")
    pushed = text.index(f"At {clock(ask.effective_at)} they pushed back")
    assert asked < called < pushed
    assert "I went back to the evidence" not in text, "the call was made before they answered"
    # The diagnosis stated only after the push back: told after it.
    late = d4_play(owners_push_back=True, diagnose=False, first_move="none")
    ask = late.facts.interventions[0]
    late.facts.diagnosis = {"category": "data", "cause": "D4", "evidence": []}
    late.facts.diagnosis_at = ask.effective_at + 3
    told = spoken(late, "disagreement")
    assert told is not None
    text = told.text
    assert text.index("they pushed back") < \
        text.index(f"By {clock(ask.effective_at + 3)} I called it")
    assert "I went back to the evidence and made the call" in text


@NIGHTS_GROUP  # on the worker of the played nights
def test_an_escalation_about_a_model_with_no_fault_fixes_no_other_models_fault(
        night: Callable[..., ShiftRecord]) -> None:
    """Night 0 played by the passive player: its escalation about eta-predictor (a noisy page,
    no fault of its own) once stopped fraud-scorer's fault, before fraud-scorer had even paged,
    and the night's stories credited fraud-scorer's own escalation with it."""
    rec = night("passive", 0)
    eta = next(iv for iv in rec.game.facts.interventions
               if iv.command.get("model") == "eta-predictor")
    fraud = next(iv for iv in rec.game.facts.interventions
                 if iv.command.get("model") == "fraud-scorer")
    assert eta.effect == "none" and "eta-predictor" in eta.message
    inc = next(i for i in incidents(rec) if i.model == "fraud-scorer")
    assert inc.done_at == fraud.effective_at and inc.fixer is fraud
