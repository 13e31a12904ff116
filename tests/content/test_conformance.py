"""The conformance harness: every scenario file, on several seeds, keeps the promises a scenario
makes. Adding a scenario never means editing this file.

- the page fires within the scenario's stated window after the onset;
- every `right` move mitigates and no `wrong` move does (a control, a page with nothing to
  fix, instead clears by itself within an hour and no move `fixes` it);
- every evidence signal the answer key expects is shown by a named tool's observation;
- an observation that shows nothing (an empty grep) carries no evidence;
- a recorded play replays byte-identically in new processes.

Games come from `worlds.fresh_game` (built once per process, copied per use), and each
scenario's tests are kept on one xdist worker, so a (scenario, seed) world is built once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from typing import Any

import pytest
from worlds import fresh_game

from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.content.scenario import Move, Scenario
from oncall.game import generator
from oncall.game.engine import Game

SCENARIOS = sorted(loader.scenarios())
SEEDS = (1, 2, 7, 99, 2024)
BY_SCENARIO = [pytest.param(sid, marks=pytest.mark.xdist_group(f"scenario-{sid}"))
               for sid in SCENARIOS]
"""Scenario ids whose tests share one worker, and with it that worker's cached worlds."""


def move_command(sc: Scenario, m: Move) -> dict[str, Any]:
    return generator.move_command({"model": sc.fault.model, **m.model_dump(exclude_none=True)})


def settle(g: Game, minutes: int) -> None:
    while minutes > 0:
        step = min(30, minutes)
        assert g.do({"do": "wait", "minutes": step}).ok
        minutes -= step


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_page_fires_within_the_stated_window(sid: str, seed: int) -> None:
    sc = loader.scenario(sid)
    g = fresh_game(sid, seed)
    f = g.record.facts
    assert f.onset_at <= f.page_at <= f.onset_at + sc.fault.page_within
    assert any(a.severity == "critical" and a.model == sc.fault.model for a in f.page_alerts)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_every_right_move_mitigates_and_no_wrong_move_does(sid: str, seed: int) -> None:
    sc = loader.scenario(sid)
    if sc.answers.control:
        check_control(sc, seed)
        return
    for which, should_fix in (("right", True), ("wrong", False)):
        for m in getattr(sc.answers, which):
            g = fresh_game(sid, seed)
            g.do({"do": "ack"})
            obs = g.do(move_command(sc, m))
            assert obs.ok, obs.text
            settle(g, 45)
            fixed = g.world.recovered(g.world.fault.id)
            effect = g.record.facts.interventions[-1].effect
            assert fixed == should_fix, f"{which} move {m.model_dump(exclude_none=True)}: " \
                f"effect {effect}, recovered {fixed}"
            assert (effect == "fixes") == should_fix


def check_control(sc: Scenario, seed: int) -> None:
    """A control: left alone, the page clears by itself within an hour (no critical alert on the
    model, the effect gone, no fix recorded), and no wrong move reports a fix."""
    from oncall.sim.alerts import RULES_BY_NAME

    g = fresh_game(sc.id, seed)
    g.do({"do": "ack"})
    settle(g, 60)
    assert g.world.recovered(g.world.fault.id), "a control clears by itself"
    assert g.world.fault.course.fixed_at() is None
    assert not [e.rule for e in g.world.firing() if e.model == sc.fault.model
                and RULES_BY_NAME[e.rule].severity == "critical"]
    for m in sc.answers.wrong:
        g = fresh_game(sc.id, seed)
        g.do({"do": "ack"})
        obs = g.do(move_command(sc, m))
        assert obs.ok, obs.text
        settle(g, 45)
        effect = g.record.facts.interventions[-1].effect
        assert effect != "fixes", f"wrong move {m.model_dump(exclude_none=True)} fixed a control"


@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_every_expected_signal_is_shown_by_a_named_tool(sid: str) -> None:
    sc = loader.scenario(sid)
    kind = fault_kinds()[sc.fault.kind]
    g = fresh_game(sid, 7)
    g.do({"do": "ack"})
    ns = g.world.fault.ns
    from oncall.sim.faults import fill

    for expected in sc.answers.evidence:
        defs = [s for s in kind.signals if fill(s.id, ns) == expected]
        assert defs, f"{expected} is not a signal of {kind.id}"
        shown = []
        for s in defs:
            obs = g.do(generator.signal_command(s, sc.fault.model, ns))
            assert obs.ok, obs.text
            shown += obs.signals
        assert expected in shown, f"no {kind.id} tool showed {expected}"


@pytest.mark.parametrize("sid", BY_SCENARIO)
def test_an_observation_that_shows_nothing_is_no_evidence(sid: str) -> None:
    sc = loader.scenario(sid)
    g = fresh_game(sid, 7)
    g.do({"do": "ack"})
    empty = g.do({"do": "logs", "model": sc.fault.model, "grep": "zzzz-nothing-matches"})
    assert empty.ok and empty.data["total"] == 0
    assert empty.signals == []
    other = next(m for m in g.world.fleet.names() if m != sc.fault.model)
    assert g.do({"do": "deploys", "model": other}).signals == []


PLAY_EVERY_SCENARIO = """
import io, json, sys
from oncall import cli
from oncall.content import loader
out = {}
for sid in sys.argv[1:]:
    script = "\\n".join(json.dumps(c) for c in loader.scenario(sid).playbook.right) + "\\n"
    sys.stdin, sys.stdout = io.StringIO(script), io.StringIO()
    code = cli.main(["play", "--headless", "--seed", "7", "--scenario", sid, "--no-save"])
    out[sid] = [code, sys.stdout.getvalue()]
    sys.stdout = sys.__stdout__
json.dump(out, sys.stdout)
"""


@cache
def _plays(hashseed: str) -> dict[str, list]:
    """Every scenario's right play through `oncall play --headless` in one new process."""
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    out = subprocess.run([sys.executable, "-c", PLAY_EVERY_SCENARIO, *SCENARIOS], text=True,
                         capture_output=True, env=env, timeout=600, check=True)
    return json.loads(out.stdout)


# One pair of processes plays every scenario; the group keeps them on one worker.
@pytest.mark.xdist_group("replay-processes")
@pytest.mark.parametrize("sid", SCENARIOS)
def test_a_recorded_play_replays_byte_identically_in_new_processes(sid: str) -> None:
    (code, first), (code2, second) = _plays("1")[sid], _plays("4242")[sid]
    assert code == code2 == 0
    assert first == second
    lines = first.splitlines()
    assert len(lines) == len(loader.scenario(sid).playbook.right) + 1
    assert all(json.loads(line).get("ok", True) for line in lines), "the right play runs clean"
    assert '"signals"' not in first, "evidence tags stay inside the record"
