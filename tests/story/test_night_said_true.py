"""A night's stories and numbers say only what its record holds, from three short nights played
once each: an alert fired before its page reached the player, an incident open "at the time" is
open when the request came, the two numbers sheets agree on which faults were silent, a push
back nobody answered is told as unanswered, a deadline let pass is not told as a trade made,
the diagnosis made after a fix and a push back on a move are told where they came, and a
colleague is quoted without their name again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from shift_players import Panicker

from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord
from oncall.sim.clock import hhmm
from oncall.story.clauses import clock
from oncall.story.shift import markdown, stories
from oncall.story.shiftfacts import incidents
from oncall.story.spoken import speakable
from oncall.story.spoken_shift import markdown as spoken_markdown
from oncall.story.spoken_shift import spoken_shift, spoken_shift_stories

FRAUD = "fraud-scorer"


@pytest.fixture(scope="module")
def rec() -> ShiftRecord:
    """Seed 5: fraud-scorer's alert fires a minute before its page; the page is acknowledged,
    the deploy history read, the pods restarted, an update posted and only then the cause
    named; then the player goes off the pager, so ad-ctr's incident (03:24) is never looked at
    or touched, and no colleague is answered: the price-optimizer canary asked for at 00:24
    (no incident open) passes its 02:24 deadline while fraud-scorer's incident is open. Both
    of the night's faults (a fraud attack, a calibration drift) fail no request."""
    s = Shift(5)
    while not any(p.model == FRAUD for p in s.record.facts.pages):
        s.do({"do": "wait", "minutes": 10})
    page = next(p for p in s.record.facts.pages if p.model == FRAUD)
    s.do({"do": "ack", "page": page.id})
    look = s.do({"do": "deploys", "model": FRAUD})
    for cmd in ({"do": "hotfix", "model": FRAUD, "fix": "restart_pods"},
                {"do": "update", "message": "fraud-scorer scores are off; pods restarted"},
                {"do": "diagnose", "category": "model", "cause": "M5", "evidence": [look.id]},
                {"do": "end"}):
        assert s.do(cmd).ok, cmd
    return s.record


def _story(rec: ShiftRecord, kind: str) -> Any:
    return next(s for s in stories(rec) if s.kind == kind)


def _open(rec: ShiftRecord, t: int) -> list[str]:
    """The models whose incident was open at minute t: paged, not yet mitigated or handed
    over (read here from the queue, not from the stories' own helper)."""
    end = rec.facts.ended_at or rec.facts.end
    return [it.model for it in rec.facts.items if it.kind == "incident"
            and it.arrives_at <= t < (it.done_at if it.done_at is not None else end)]


def _fired(rec: ShiftRecord, rule: str, model: str, by: int) -> int:
    return max(int(ev["t"]) for e in rec.entries for ev in e.observation.events
               if ev["kind"] == "alert" and ev["rule"] == rule and ev["model"] == model
               and ev["t"] <= by)


def test_the_alert_is_told_firing_when_it_fired_and_the_ack_counted_from_then(
        rec: ShiftRecord) -> None:
    inc = incidents(rec)[0]
    page = inc.page
    assert inc.model == FRAUD and page.acked_at is not None
    fired = _fired(rec, page.alerts[0], FRAUD, page.opened_at)
    assert fired < page.opened_at, "the page reaches the player after its alert fires"
    told = _story(rec, "incident")
    assert f"fired on {FRAUD} at {hhmm(fired)}" in told.situation
    assert f"fired on {FRAUD} at {hhmm(page.opened_at)}" not in told.situation
    assert f"{page.acked_at - fired} min after the alert fired" in told.action


def test_the_diagnosis_is_told_after_the_fix_it_followed(rec: ShiftRecord) -> None:
    action = _story(rec, "incident").action
    assert action.index("I ran hotfix restart_pods") < action.index("diagnosed a model fault")


def test_an_incident_is_open_at_the_time_only_if_it_was_when_they_asked(
        rec: ShiftRecord) -> None:
    """The canary was asked for before anything paged; its deadline passed with fraud-scorer's
    incident open, which made it 'an incident open at the time' of a question nobody had
    answered."""
    canary = next(it for it in rec.facts.items if it.kind == "canary")
    assert canary.outcome == "missed" and not _open(rec, canary.arrives_at)
    assert _open(rec, canary.deadline) == [FRAUD], "the deadline passed with an incident open"
    written = _story(rec, "tradeoff")
    assert "open at the time" not in written.situation
    told = next(it for it in rec.facts.items if it.kind in ("deploy", "canary")
                and f"At {hhmm(it.arrives_at)} {it.requester}" in written.situation)
    assert ("When they asked, the incident on" in written.situation) == bool(
        _open(rec, told.arrives_at))
    said = spoken_shift(rec, "tradeoff")
    assert said is not None and canary.model in said.text
    assert "open when they asked" not in said.text and "By the time I decided" not in said.text


def test_a_deadline_let_pass_is_not_told_as_a_trade_weighed_or_made(rec: ShiftRecord) -> None:
    said = spoken_shift(rec, "tradeoff")
    assert said is not None and "passed without a decision" in said.text
    assert "I did not pretend to get both" not in said.text
    assert "I weighed what the gate measured" not in said.text


def test_a_push_back_nobody_answered_is_told_as_unanswered(rec: ShiftRecord) -> None:
    talks = rec.facts.conversations
    assert talks and not any(cv.said for cv in talks)
    for text in (markdown(rec, "disagreement"), spoken_markdown(rec, "disagreement")):
        assert "nothing of the kind happened" not in text
        assert f"{talks[0].person}, the {talks[0].role}" in text and "went unanswered" in text


def test_a_night_with_no_move_of_mine_is_not_told_as_acting_before_looking(
        rec: ShiftRecord) -> None:
    """The second incident (ad-ctr) paged after the player went off the pager: never looked at,
    never touched, and never told as a page that reached them (the lesson learned was once
    told of it: "I was paged ... I never acknowledged that page, which I should have")."""
    second = incidents(rec)[1]
    assert not second.looks and not second.moves and not second.diagnosis
    learned = spoken_shift(rec, "learned")
    assert learned is not None and "ad-ctr" not in learned.text, learned.text
    assert "before acting" not in learned.text and "I acted before" not in learned.text
    told = spoken_shift(rec, "prioritisation")
    assert told is not None and f"The incident on ad-ctr paged at {clock(second.opened_at)}, " \
        "after I had gone off the pager" in told.text


def test_the_spoken_night_reads_out_no_id(rec: ShiftRecord) -> None:
    for s in spoken_shift_stories(rec):
        assert speakable(s.text), s.question
        assert not re.search(r"\b[pqc]\d+\b", s.text), s.question


def test_both_numbers_sheets_count_the_same_silent_faults(rec: ShiftRecord) -> None:
    """`shift numbers` left the two silent faults out of the error budget; `numbers` called
    them 'no silent fault' and gave each the model's whole night of error budget."""
    from oncall.scoring.shift import score_shift
    from oncall.store.shifts import ShiftSave
    from oncall.story import numbers_sheet
    from oncall.story.career import career_sheet
    from oncall.story.factcheck import check_numbers

    save = ShiftSave(record=rec, card=score_shift(rec), saved_at="2026-03-19T07:00:00+00:00")
    quiet = len(rec.key.incidents)
    assert quiet == 2
    sheet = numbers_sheet([], [save])
    quality = next(ln for ln in sheet.splitlines() if ln.startswith("| Quality budget spent"))
    assert f"{quiet} silent faults" in quality and "no silent fault" not in quality
    rows = [ln for ln in sheet.split("## Incidents")[1].splitlines() if "(night)" in ln]
    assert len(rows) == quiet and all("error budget" not in ln for ln in rows), rows
    assert check_numbers(sheet, [], [save]) == []
    career = career_sheet([save])
    assert f"{quiet} silent fault(s) left out" in career
    assert "over 0 incident model-nights" in career, "a silent fault spends no error budget"


@pytest.fixture(scope="module")
def held() -> ShiftRecord:
    """Seed 3: recsys-ranker's release is asked for at 01:36, with fraud-scorer's incident
    (paged at 01:21) open; the player reads its gate report and answers citing it, which holds
    the release back; then goes off the pager."""
    s = Shift(3)
    while not any(it.kind == "deploy" and it.arrived for it in s.record.facts.items):
        s.do({"do": "wait", "minutes": 10})
    ask = next(it for it in s.record.facts.items if it.kind == "deploy")
    report = s.do({"do": "take", "item": ask.id})
    for cmd in ({"do": "reply", "about": ask.id, "evidence": [report.id]}, {"do": "end"}):
        assert s.do(cmd).ok, cmd
    assert ask.outcome == "held"
    return s.record


def test_a_release_held_with_an_incident_open_is_told_so(held: ShiftRecord) -> None:
    ask = next(it for it in held.facts.items if it.kind == "deploy")
    [model] = _open(held, ask.arrives_at)
    written = _story(held, "tradeoff")
    assert f"When they asked, the incident on {model} had been open since" in written.situation
    said = spoken_shift(held, "tradeoff")
    assert said is not None
    assert "An incident was already open when they asked" in said.text
    assert "I did not pretend to get both: one side waited" in said.text, "held: it is true"


def test_a_colleague_is_quoted_without_their_name_again(held: ShiftRecord) -> None:
    """The chat line leads with its speaker (`Name (team): ...`); the story names them already."""
    cv = next(cv for cv in held.facts.conversations if cv.said)
    assert cv.opening.startswith(f"{cv.person} (") and cv.said[-1].says.startswith(cv.person)
    told = _story(held, "disagreement")
    assert f'"{cv.person}' not in told.situation and f'"{cv.person}' not in told.result
    assert f'{cv.person} answered: "' in told.result


def test_an_answer_citing_the_gate_report_is_told_by_its_name(held: ShiftRecord) -> None:
    said = spoken_shift(held, "disagreement")
    assert said is not None
    assert "I answered with the gate report, and that convinced them" in said.text
    assert "of my own observations" not in said.text


def test_the_judge_holds_the_nights_own_disagreement_true(held: ShiftRecord) -> None:
    """'That convinced them' of a release manager the night talked with is a contact: the
    rehearsal judge failed the game's own answer ('no contact with any team') because their team
    (personalization) is no team an incident escalates to."""
    from oncall.story.interview import Session

    said = spoken_shift(held, "disagreement")
    assert said is not None and "convinced them" in said.text
    verdict = Session(held.game, "disagreement", shift=held).answer(said.text)
    assert verdict.fact_check, verdict.text()


def test_a_deadline_on_another_day_is_said_with_its_day() -> None:
    """A feature request's deadline is a working day after the night: `by 17:00` alone, told
    of a night, names that afternoon."""
    from oncall.story.clauses import clock_on

    assert clock_on(41 * 60) == "Wednesday at 17:00"
    assert clock_on(127) == "2:07"


def test_a_push_back_on_a_move_is_told_where_it_came() -> None:
    """Seed 2, a panicking player: the owner pushed back on the rollback at 01:02, after the
    restart and the scale-up and before the rollback went out; it was told after every move."""
    rec = Panicker(Shift(2)).play(max_steps=40).record
    cv = next(cv for cv in rec.facts.conversations if cv.held and cv.said)
    said = spoken_shift(rec, "incident")
    assert said is not None
    text = said.text
    back = text.index(f"the {cv.role} pushed back on my rollback")
    assert text.index("I scaled the model up") < back < text.index("I rolled the model back")
