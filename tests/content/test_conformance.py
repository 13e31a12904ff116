"""The conformance harness (`oncall.game.conformance`) on every scenario of the library, on several
seeds (all of the harness's under `--fuzz-long`): the page fires in its window, right moves
mitigate and wrong ones do not (a control clears by itself), the expected evidence is shown by a
named tool, and an empty observation is no evidence; and a recorded play replays byte-identically
in new processes. Adding a scenario never means editing this file; `oncall validate --conformance
DIR` runs the same checks on a folder. Games come from `worlds.fresh_game` (built once per process,
copied per use), and each scenario's tests are kept on one xdist worker, so a (scenario, seed)
world is built once.
"""

from __future__ import annotations

import json

import fuzz_budget
import new_processes
import pytest
from worlds import by_scenario, fresh_game

from oncall.content import loader
from oncall.game import conformance

SCENARIOS = sorted(loader.scenarios())
SEEDS = conformance.SEEDS if fuzz_budget.LONG else (1, 2, 7)
"""Every seed of the harness under `--fuzz-long`; by default the seeds `test_invariants.py`
plays, whose worlds the scenario's worker has built already."""
BY_SCENARIO = by_scenario(SCENARIOS)
"""Scenario ids whose tests share one worker, and with it that worker's cached worlds."""


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_page_fires_within_the_stated_window(sid: str, seed: int) -> None:
    assert conformance.page_fires(sid, seed, fresh_game) == []


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_every_right_move_mitigates_and_no_wrong_move_does(sid: str, seed: int) -> None:
    assert conformance.moves_behave(sid, seed, fresh_game) == []


@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_every_expected_signal_is_shown_by_a_named_tool(sid: str) -> None:
    assert conformance.signals_shown(sid, 7, fresh_game) == []


@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_an_observation_that_shows_nothing_is_no_evidence(sid: str) -> None:
    assert conformance.nothing_is_no_evidence(sid, 7, fresh_game) == []


def test_the_harness_reports_a_broken_promise() -> None:
    """A scenario whose key lies (a wrong move listed as right) fails the harness."""
    sc = loader.scenario("support-1")
    liar = sc.model_copy(update={"answers": sc.answers.model_copy(
        update={"right": sc.answers.wrong[:1]})})

    def make(sid: str, seed: int):  # type: ignore[no-untyped-def]
        g = fresh_game(sid, seed)
        g.scenario = liar
        return g

    from unittest import mock

    with mock.patch.object(conformance.generator, "scenario", lambda _: liar):
        found = conformance.moves_behave("support-1", 7, make)
    assert found and found[0].startswith("answers.right.0: ") and "still on" in found[0]


# One pair of processes plays every scenario (tests/new_processes.py); the group keeps them on
# one worker.
@new_processes.GROUP
@pytest.mark.parametrize("sid", SCENARIOS)
def test_a_recorded_play_replays_byte_identically_in_new_processes(sid: str) -> None:
    one, other = (run["plays"] for run in new_processes.runs())
    (code, first), (code2, second) = one[sid], other[sid]
    assert code == code2 == 0
    assert first == second
    lines = first.splitlines()
    assert len(lines) == len(loader.scenario(sid).playbook.right) + 1
    assert all(json.loads(line).get("ok", True) for line in lines), "the right play runs clean"
    assert '"signals"' not in first, "evidence tags stay inside the record"
