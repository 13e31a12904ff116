"""The numbers sheet adds up what the saved incidents show, and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from record_factory import d4_play, m1_play
from shift_players import NIGHTS_GROUP

from oncall.game.record import Intervened, Record
from oncall.game.shiftrecord import ShiftRecord
from oncall.scoring import score
from oncall.store.saves import IncidentSave
from oncall.store.shifts import ShiftSave
from oncall.story import numbers_sheet


def saved(record: Record) -> IncidentSave:
    return IncidentSave(record=record, scorecard=score(record),
                        saved_at="2026-03-18T09:30:00+00:00")


def row(sheet: str, name: str) -> str:
    line = next(li for li in sheet.splitlines() if li.startswith(f"| {name} |"))
    return line.split("|")[2].strip()


def test_the_sheet_counts_what_the_saves_show() -> None:
    costly = m1_play()
    costly.facts.interventions.insert(0, Intervened(
        t=133, kind="hotfix", command={"do": "hotfix", "model": "recsys-ranker",
                                       "fix": "scale_up"},
        effect="none", effective_at=133, message="The extra pods cost money.",
        evidence_before=1))
    costly.facts.extra_cost_per_hour = 38.0
    idle = d4_play(first_move="none", ack_after=6, diagnose=False)
    saves = [saved(d4_play()), saved(costly), saved(idle)]
    sheet = numbers_sheet(saves)
    assert row(sheet, "Incidents handled") == "3 (data 2, model 1)"
    assert row(sheet, "Median time to acknowledge") == "3 min (3 of 3 acknowledged)"
    mitigated = [(s.record.facts.mitigated_at or 0) - s.record.facts.page_at for s in saves[:2]]
    assert row(sheet, "Median time to mitigate") == \
        f"{sum(mitigated) / 2:g} min (2 of 3 mitigated by me)"
    assert row(sheet, "Drift catches").startswith("1 ")
    assert row(sheet, "Rollbacks") == "1 (1 fixed the fault)"
    assert row(sheet, "Escalations") == "2 to data-engineering, model-owners"
    assert row(sheet, "Cost decisions") == "1 incident with extra spend ($38 an hour in all)"
    mean = sum(s.scorecard.percent for s in saves) / 3
    assert row(sheet, "Mean score") == f"{mean:.1f}% over 3 incidents"
    assert sheet.count("| 2026-03-18 |") == 3


def test_no_saves_gives_an_honest_empty_sheet() -> None:
    assert "No incidents saved yet." in numbers_sheet([])


def test_the_library_shows_best_scores_and_never_a_cause() -> None:
    from oncall.content import loader
    from oncall.story.library import library, table

    scenarios = loader.scenarios()
    entries = library(scenarios, [])
    assert len(entries) == len(scenarios) and all(e.best is None for e in entries)
    text = table(entries)
    causes = {s.answers.cause for s in scenarios.values()}
    assert not any(f" {c} " in text for c in causes)
    assert "control" not in text


def test_a_run_saved_twice_counts_once_and_the_owners_fix_is_theirs() -> None:
    from oncall.story.numbers import mitigated_by

    once = saved(d4_play())
    again = saved(d4_play())
    owners = d4_play(first_move="none")
    owners.facts.interventions.append(Intervened(
        t=150, kind="escalate", command={"do": "escalate", "team": "data-engineering"},
        effect="fixes", effective_at=160, message="data-engineering: reverted.",
        evidence_before=1))
    owners.facts.mitigated_at = 160
    assert mitigated_by(owners) == "owners" and mitigated_by(once.record) == "me"
    sheet = numbers_sheet([once, again, saved(owners)])
    assert row(sheet, "Incidents handled") == "2 (data 2); 1 re-saved run(s) counted once"
    assert row(sheet, "Median time to mitigate").endswith("(1 of 2 mitigated by me)")
    assert row(sheet, "Who stopped the fault").startswith("me 1, the owners I escalated to 1,")
    assert sheet.count("| 2026-03-18 |") == 2


def _shift_save(rec: ShiftRecord) -> ShiftSave:
    from oncall.scoring.shift import score_shift

    return ShiftSave(record=rec, card=score_shift(rec), saved_at="2026-03-19T07:00:00+00:00")


@NIGHTS_GROUP  # on the worker of the played nights
def test_nights_add_their_incidents_and_their_releases_and_every_row_is_checked(
        night: Callable[..., ShiftRecord]) -> None:
    from played import right_play

    from oncall.story.factcheck import check_numbers

    saves = [saved(right_play(sid)) for sid in ("fraud-1", "pricing-3", "credit-2")]
    shifts = [_shift_save(night("calm", 3)), _shift_save(night("passive", 0))]
    sheet = numbers_sheet(saves, shifts)
    assert check_numbers(sheet, saves, shifts) == []
    assert row(sheet, "Incidents handled").startswith("6 (")
    assert "3 of them on night shifts" in row(sheet, "Incidents handled")
    assert row(sheet, "Night shifts worked") == "2 (12 hours on call)"
    releases = [it.outcome for s in shifts for it in s.record.facts.items
                if it.kind in ("deploy", "canary")]
    assert row(sheet, "Deploys and canaries handled") == \
        f"{len(releases)} at night: {releases.count('promoted')} promoted, " \
        f"{releases.count('held')} held, {releases.count('missed')} left past their deadline, " \
        f"{releases.count(None)} still open when the night ended"
    silent = next(ln for ln in sheet.splitlines() if ln.startswith("| 2026-03-18 | fraud-1 |"))
    assert "silent:" in silent and "quality budget" in silent and "error budget" not in silent
    assert "silent fault" in row(sheet, "Quality budget spent (silent faults)")
    assert "stopped by itself 1" in row(sheet, "Who stopped the fault"), \
        "a burst that ended on its own is not still running"
    # The summary is held to the rows: a total, a count or a median that does not add up fails.
    total = row(sheet, "Requests affected").split(" ")[0]
    assert total[0].isdigit()
    for wrong in (sheet.replace(f"| Requests affected | {total}", "| Requests affected | 99,999,",
                                1),
                  sheet.replace("| Incidents handled | 6 (", "| Incidents handled | 7 (", 1),
                  sheet.replace("| Median time to acknowledge | 1 min",
                                "| Median time to acknowledge | 4 min", 1)):
        assert wrong != sheet
        assert any(p.startswith("summary ") for p in check_numbers(wrong, saves, shifts))


@NIGHTS_GROUP  # on the worker of the played nights
def test_a_night_incident_reads_its_impact_from_the_record_when_it_holds_one(
        night: Callable[..., ShiftRecord]) -> None:
    from oncall.game.record import IncidentFact

    rec = night("calm", 3).model_copy(deep=True)
    facts = rec.game.facts
    first = facts.incidents[0] if facts.incidents else None
    assert first is not None, "this night has two incidents, each with its own facts"
    facts.incidents[0] = IncidentFact(**{**first.model_dump(), "impact": {
        "requests_affected": 4200.0, "requests_failed": 900.0, "budget_consumed_pct": 0.4}})
    sheet = numbers_sheet([], [_shift_save(rec)])
    assert "| 4,200 requests, 0.4% error budget |" in sheet
    assert row(sheet, "Requests affected").startswith("4,200, 900 of them failed")


@NIGHTS_GROUP  # on the worker of the played nights
def test_the_shift_career_sheet_never_credits_a_silent_fault_with_budget_saved(
        night: Callable[..., ShiftRecord]) -> None:
    from oncall.story.career import _silent, career_sheet

    rec = night("calm", 4)
    [key] = rec.key.incidents
    assert _silent(key) and rec.facts.budget["saved_pct"][key.model] == 0.0
    saved_line = next(ln for ln in career_sheet([_shift_save(rec)]).splitlines()
                      if ln.startswith("- Error budget saved"))
    assert "none to count" in saved_line and "0%" not in saved_line
    assert "1 silent fault(s) left out" in saved_line
