"""A status update posted once the fix is in, before the incident is resolved ("config
reverted, watching"), is a status update of that incident in a shift, as it is in a single
incident, on the card and in the stories; the cadence asked for still counts the stretch from
the page to the mitigation."""

from __future__ import annotations

import json

import pytest

from oncall.game.shift import Shift
from oncall.scoring.shift import score_shift
from oncall.story.shiftfacts import incidents

NIGHT = [{"do": "wait", "minutes": 30}] * 3 + [
    {"do": "ack", "page": "p1"}, {"do": "deploys", "model": "churn-model"},
    {"do": "diagnose", "category": "infra", "cause": "I9", "evidence": ["obs-2"]},
    {"do": "hotfix", "model": "churn-model", "fix": "revert_config"}]
UPDATE = {"do": "update", "message": "churn-model: a shadow deploy wrote its scores to the live "
                                     "table; config reverted, watching the scores"}


def _updates(moves: list[dict[str, object]]) -> tuple[float, str, int]:
    s = Shift(seed=77, length=240)
    for move in moves:
        out = s.do(move)
        for _ in range(6):  # a resolve waits until the alert has cleared
            if out.ok or move["do"] != "resolve":
                break
            s.do({"do": "wait", "minutes": 10})
            out = s.do(move)
        assert out.ok or move["do"] == "end", (json.dumps(move), out.text)
    card = score_shift(s.record)
    found = next(f for sec in card.sections for f in sec.findings if f.name == "updates")
    told = incidents(s.record)  # what the shift's stories say of the page's incident
    assert [inc.page.id for inc in told] == ["p1"]
    return found.points, found.text, len(told[0].updates)


@pytest.mark.parametrize("resolved", [False, True])
def test_an_update_after_the_fix_and_before_the_resolve_counts(resolved: bool) -> None:
    after_fix = [*NIGHT, UPDATE, {"do": "wait", "minutes": 20},
                 *([{"do": "resolve"}] if resolved else []), {"do": "end"}]
    points, text, told = _updates(after_fix)
    assert points == 10 and text.startswith("1 status update(s) from a page to its "
                                            "resolution"), text
    assert told == 1


def test_an_update_after_the_resolve_or_none_at_all_does_not() -> None:
    late = [*NIGHT, {"do": "wait", "minutes": 20}, {"do": "resolve"}, UPDATE, {"do": "end"}]
    for moves in (late, [*NIGHT, {"do": "end"}]):
        points, text, told = _updates(moves)
        assert points == 0 and text.startswith("0 status update(s)") and told == 0, text
