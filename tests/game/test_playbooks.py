"""The scenarios' scripted plays through the headless protocol: right plays score well, the
tempting wrong play scores much worse, and the intervention section says why."""

from __future__ import annotations

import pytest
from worlds import scripted_play as play

IDS = ["fraud-1", "feed-1", "search-1"]


def sections(card: dict) -> dict[str, float]:
    return {s["name"]: s["points"] for s in card["sections"]}


@pytest.mark.parametrize("sid", IDS)
def test_right_play_scores_at_least_80_percent_and_wrong_play_25_less(sid: str) -> None:
    right = play(sid, "right")
    wrong = play(sid, "wrong")
    assert all(line.get("ok", True) for line in right), [x for x in right if not x.get("ok")]
    r, w = right[-1]["scorecard"], wrong[-1]["scorecard"]
    assert list(sections(r)) == ["alert", "diagnosis", "intervention", "postmortem",
                                 "self_awareness", "temperament"]
    assert r["total"] >= 0.8 * r["max"]
    assert w["total"] <= r["total"] - 25
    assert sections(w)["intervention"] < sections(r)["intervention"]
    feedback = " ".join(f for s in w["sections"] if s["name"] == "intervention"
                        for f in s["feedback"])
    assert feedback, "the wrong play's intervention feedback names what went wrong"
