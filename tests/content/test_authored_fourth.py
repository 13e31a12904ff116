"""A fourth authored folder, written from the docs alone: an int8 export promoted in place of
the full-precision model (a new version at 100%, an affine squash of the logits, a loader's log
line), and a canary whose config names a secret key the cluster lacks (its pods crash at
start). The first's key cites `inputs-stable`, a drift signal judged from text ("0 drifted")
that only the drift suite over every feature prints: conformance ran the prediction's test for
it and said the signal was never shown. The second needed pods effects that name the canary's
own pods. What playing them found is held here."""

from __future__ import annotations

from pathlib import Path

import pytest
from content_folders import content_folder

from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.game import checks, conformance, generator
from oncall.game.engine import Game
from oncall.scoring import score
from oncall.story.spoken import spoken_stories

FOLDER = Path(__file__).parent / "authored_fourth"


@pytest.fixture
def folder():  # type: ignore[no-untyped-def]
    with content_folder(FOLDER):
        yield


def test_the_folder_validates_and_keeps_its_promises(folder: None) -> None:
    assert checks.validate([FOLDER]) == []
    assert conformance.run([FOLDER], seeds=(7,)) == []


def test_a_drift_signal_read_from_text_is_looked_for_in_both_views(folder: None) -> None:
    kind = fault_kinds()["quantized_artifact"]
    stable = next(s for s in kind.signals if s.id == "inputs-stable")
    looks = generator.signal_commands(stable, "fraud-scorer", {})
    assert [c["feature"] for c in looks] == ["prediction", "all"]
    g = Game(loader.scenario("quant-1"), 7)
    g.do({"do": "ack"})
    shown = [g.do(c).signals for c in looks]
    assert "inputs-stable" not in shown[0] and "inputs-stable" in shown[1], shown
    drifted = next(s for s in kind.signals if s.id == "pred-drift")
    assert [c["feature"] for c in generator.signal_commands(drifted, "fraud-scorer", {})] == \
        ["prediction"]


def _played(which: str) -> Game:
    sc = loader.scenario("quant-1")
    g = Game(sc, 7)
    for cmd in getattr(sc.playbook, which):
        obs = g.do(cmd)
        assert obs.ok or which == "wrong", cmd  # a wrong play's resolve is refused
    return g


def test_the_right_play_outscores_the_wrong_and_its_story_tells_the_late_update(
        folder: None) -> None:
    right, wrong = _played("right"), _played("wrong")
    assert score(right.record).total >= 75 > 40 >= score(wrong.record).total
    # Its one update went out after the rollback had stopped the fault.
    f = right.record.facts
    assert f.mitigated_at is not None and min(f.updates_at) >= f.mitigated_at
    said = spoken_stories(right.record)[0].text
    assert "I posted one status update, at 2:33, once the fault had stopped." in said, said
    assert "I kept the people who depended on it informed" not in said


def test_the_canary_pods_that_crash_are_the_ones_whose_lines_say_so(folder: None) -> None:
    """A canary that cannot read its secret: `pods` had no way to name the canary's own pods,
    so a share of the stable pods showed CrashLoopBackOff while a canary pod listed as Running
    wrote the 'exiting 1' lines. With `scope: canary` the infra view and the logs agree, and
    once the canary is rolled back its pods are gone from both."""
    g = Game(loader.scenario("canary-secret-1"), 7)
    g.do({"do": "ack"})
    infra = g.do({"do": "infra", "model": "churn-model"})
    crashing = {p["name"] for r in infra.data["revisions"] if r["role"] == "canary"
                for p in r["pods"] if p["status"] == "CrashLoopBackOff"}
    assert crashing and all(p["status"] == "Running" for p in infra.data["pods"])
    assert "2 pods, 1 not Running" in infra.text
    lines = g.do({"do": "logs", "model": "churn-model", "level": "ERROR"}).data["lines"]
    assert lines and {ln["pod"] for ln in lines} <= crashing
    g.do({"do": "rollback", "model": "churn-model"})
    g.do({"do": "wait", "minutes": 10})
    after = g.do({"do": "infra", "model": "churn-model"}).data
    assert not after["revisions"] and all(p["status"] == "Running" for p in after["pods"])
    assert not g.do({"do": "logs", "model": "churn-model", "level": "ERROR",
                     "window": 5}).data["lines"]
