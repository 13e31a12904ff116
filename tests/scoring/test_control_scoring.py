"""Controls: pages with nothing to fix. Restraint and a ticket score; a rollback or hotfix costs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from oncall.content import loader
from oncall.content.scenario import Answers
from oncall.game.engine import Game
from oncall.scoring import score

CONTROLS = sorted(s for s in loader.scenarios() if loader.scenario(s).answers.control)


def play(sid: str, commands: list[dict[str, Any]], seed: int = 7) -> Game:
    g = Game(loader.scenario(sid), seed)
    for cmd in commands:
        g.do(cmd)
    return g


def test_the_library_has_controls() -> None:
    assert len(CONTROLS) >= 3


@pytest.mark.parametrize("sid", CONTROLS)
def test_the_scripted_right_play_holds_back_and_tickets(sid: str) -> None:
    sc = loader.scenario(sid)
    g = play(sid, sc.playbook.right)
    card = score(g.record)
    assert card.section("intervention").points == 25
    assert card.total >= 85
    assert not [i for i in g.record.facts.interventions if i.kind != "escalate"]


@pytest.mark.parametrize("sid", CONTROLS)
def test_a_rollback_on_a_control_costs_and_fixes_nothing(sid: str) -> None:
    sc = loader.scenario(sid)
    right = list(sc.playbook.right)
    i = next(j for j, c in enumerate(right) if c["do"] == "diagnose")
    wrong = [*right[:i + 1], {"do": "rollback", "model": sc.fault.model}, *right[i + 1:]]
    calm = score(play(sid, right).record).section("intervention").points
    g = play(sid, wrong)
    rolled = score(g.record).section("intervention")
    assert g.record.facts.interventions[0].effect != "fixes"
    assert rolled.points <= calm - 8
    assert any("nothing to fix" in line for line in rolled.feedback)


@pytest.mark.parametrize("sid", CONTROLS)
def test_holding_back_without_a_ticket_is_no_decision(sid: str) -> None:
    sc = loader.scenario(sid)
    quiet = [c for c in sc.playbook.right
             if not (c["do"] == "ticket" and c.get("alert") == sc.answers.signal_alert)]
    part = score(play(sid, quiet).record).section("intervention")
    # Doing nothing and filing nothing is not restraint: only "no harm" (4) remains.
    assert part.points == 4


def _answers(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "category": "infra", "cause": "N1", "explanation": "x", "signal_alert": "ModelHigh5xxRatio",
        "evidence": ["a"], "wrong": [{"kind": "rollback"}], "severity": 4,
        "remediations": ["mon-burn-slow"], "control": True}
    return {**base, **over}


def test_a_control_has_no_right_moves_and_a_fault_needs_one() -> None:
    Answers.model_validate(_answers())
    with pytest.raises(ValidationError, match="must stay empty"):
        Answers.model_validate(_answers(right=[{"kind": "rollback"}]))
    with pytest.raises(ValidationError, match="at least one move"):
        Answers.model_validate(_answers(control=False, cause="I1"))


@pytest.mark.parametrize("sid", CONTROLS[:1])
@pytest.mark.parametrize(("resolution", "earns"), [
    ("We applied the mitigation from the runbook and the alerts cleared.", False),
    ("Rolled back the model and the alerts cleared.", False),
    ("No rollback or hotfix was needed: the alert cleared by itself and was ticketed.", True),
    ("The alert cleared on its own; we did not roll it back.", True),
    ("We rolled back nothing: the page cleared on its own and is ticketed.", True),
    ("A hotfix was not needed; ticketed for the owners.", True),
])
def test_a_control_resolution_that_claims_a_fix_no_one_made_earns_nothing(
        sid: str, resolution: str, earns: bool) -> None:
    sc = loader.scenario(sid)
    right = [c if c["do"] != "postmortem" else {**c, "resolution": resolution}
             for c in sc.playbook.right]
    post = score(play(sid, right).record).section("postmortem")
    claimed = [line for line in post.feedback if "a resolution reports what happened" in line]
    assert bool(claimed) is not earns, post.feedback
    if not earns:
        assert "nothing was broken" in claimed[0]
