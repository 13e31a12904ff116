"""A night's stories and numbers say only what its record holds, from one night played once:
the two numbers sheets agree on which faults were silent."""

from __future__ import annotations

import pytest

from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord

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
