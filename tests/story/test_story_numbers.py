"""The numbers sheet adds up what the saved incidents show, and nothing else."""

from __future__ import annotations

from record_factory import d4_play, m1_play

from oncall.game.record import Intervened, Record
from oncall.scoring import score
from oncall.store.saves import IncidentSave
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
