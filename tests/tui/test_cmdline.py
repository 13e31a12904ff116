"""Typed command lines into engine commands (no app needed)."""

from __future__ import annotations

import pytest

from oncall.tui.cmdline import LineError, parse_line


@pytest.mark.parametrize(("line", "expected"), [
    ("dashboard fraud-scorer pred_mean window=90",
     {"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean", "window": "90"}),
    ("drift fraud-scorer txn_amount_cents test=psi",
     {"do": "drift", "model": "fraud-scorer", "feature": "txn_amount_cents", "test": "psi"}),
    ("diagnose data D4 obs-7 obs-8",
     {"do": "diagnose", "category": "data", "cause": "D4", "evidence": ["obs-7", "obs-8"]}),
    ("diagnose data D4 evidence=obs-7,obs-8",
     {"do": "diagnose", "category": "data", "cause": "D4", "evidence": ["obs-7", "obs-8"]}),
    ("update all clear now", {"do": "update", "message": "all clear now"}),
    ('escalate data-engineering "please revert v13" model=fraud-scorer',
     {"do": "escalate", "team": "data-engineering", "message": "please revert v13",
      "model": "fraud-scorer"}),
    (":wait 10", {"do": "wait", "minutes": "10"}),
    ("ack", {"do": "ack"}),
    ("bogus x", {"do": "bogus", "args": ["x"]}),
])
def test_parse_line(line: str, expected: dict[str, object]) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize("line", ["", 'update "open', "postmortem", "deploys a b"])
def test_unreadable_lines(line: str) -> None:
    with pytest.raises(LineError):
        parse_line(line)
