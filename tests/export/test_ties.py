"""A value exactly at its threshold: the replay compares strictly, so it says quiet there, and
Prometheus, running the exported rule over the exported series, must say the same. Each
monitor a right play proposes is tuned to the very value its replay reads at the minute the
default's condition starts (every digit of it in the rule file), and its promtool unit test,
which checks that minute, passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from export_helpers import EXPORTS_GROUP, SCENARIOS, SEED, Exports, promtool_passes
from fuzz_budget import budget
from worlds import copy_game, fresh_game

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.remediations.monitors import MONITORS, Tuning, exact
from oncall.sim.clock import hhmm
from oncall.store.export import export

pytestmark = EXPORTS_GROUP


def _proposing() -> list[str]:
    """The scenarios whose right play proposes a monitor."""
    return [sid for sid in SCENARIOS if any(
        rid in MONITORS for cmd in loader.scenario(sid).playbook.right
        if cmd.get("do") == "postmortem" for rid in cmd.get("remediations", []))]


def _tied(sid: str, exports: Exports) -> dict[str, tuple[float, int]]:
    """Per replayed monitor of the right play, a threshold exactly on a value it reads (at the
    minute the default's condition starts) and that minute."""
    record, _ = exports.get(sid)
    world = exports.clean_world(sid)
    model = world.model(record.facts.target_model)
    out = {}
    for rep in record.facts.replays:
        if rep.fired_at is None or rep.threshold is None or rep.for_min is None:
            continue
        mon = MONITORS[rep.remediation]
        start = rep.fired_at - rep.for_min
        for label, _rule, t, v in mon.series(world, model, start, start + 1,
                                             Tuning(rep.threshold, rep.for_min)):
            lo, hi = mon.bounds
            if label == rep.feature and lo <= float(v[0]) <= hi:
                out[rep.remediation] = (float(v[0]), int(t[0]))
    return out


def play_until(sid: str, commands: list[dict[str, Any]]) -> Game:
    """The scenario's game after `commands` (the right play's, up to its postmortem)."""
    g = fresh_game(sid, SEED)
    for cmd in commands:
        obs = g.do(cmd)
        assert obs.ok, (cmd, obs.text)
    return g


def test_a_value_exactly_at_its_threshold_is_quiet_in_the_replay_and_in_promtool(
        tmp_path: Path, exports: Exports) -> None:
    folders: dict[Path, str] = {}  # the folder of each tied case, and its monitor
    tied, checked = 0, 0
    # A scenario's cases follow its own export, so its game is built once (`worlds` keeps the
    # last few builds, not all of them), and played up to its postmortem once: each case plays
    # its tuned postmortem, and what follows it, on a copy.
    # By default each monitor is tried at its tie once, on the first scenario that replays it
    # (a second scenario ties the same rule at another value); --fuzz-long tries every one.
    seen: set[str] = set()

    def first_time(rid: str) -> bool:
        fresh = budget(0, 1) == 1 or rid not in seen
        seen.add(rid)
        return fresh

    cases_to_try = ((sid, rid, tuned) for sid in _proposing()
                    for rid, tuned in _tied(sid, exports).items() if first_time(rid))
    before: tuple[str, Game] | None = None
    for sid, rid, (threshold, minute) in cases_to_try:
        right = loader.scenario(sid).playbook.right
        at = next(i for i, c in enumerate(right) if c["do"] == "postmortem")
        if before is None or before[0] != sid:
            before = (sid, play_until(sid, right[:at]))
        rep = next(r for r in exports.get(sid)[0].facts.replays if r.remediation == rid)
        tuned = {"threshold": threshold, "for_min": rep.for_min}
        g = copy_game(before[1], sid, SEED)
        pm = {**right[at], "tuning": {**right[at].get("tuning", {}), rid: tuned}}
        for cmd in [pm, *right[at + 1:]]:
            obs = g.do(cmd)
            assert obs.ok, (cmd, obs.text)
        rep = next(r for r in g.record.facts.replays if r.remediation == rid)
        assert rep.threshold == threshold
        assert rep.fired_at is None or rep.fired_at - (rep.for_min or 0) > minute, \
            "the replay is quiet at the value equal to its threshold"
        folder = tmp_path / f"{sid}-{rid}"
        export(g.record, folder)
        rules = (folder / f"monitoring/{rep.model}-{rid}.rules.yml").read_text()
        assert exact(threshold) in rules, "every digit of the threshold"
        unit = yaml.safe_load((folder / f"monitoring/{rep.model}-{rid}.test.yml").read_text())
        cases = {int(c["eval_time"].removesuffix("m")): c["exp_alerts"]
                 for c in unit["tests"][1]["alert_rule_test"]}
        if rep.fired_at is not None:  # the first minute expected to fire is the replay's
            fired = min(m for m, exp in cases.items() if exp)
            tie = fired - (rep.fired_at - minute)
            if tie >= min(cases):  # the test starts before it: it checks it, quiet
                assert cases.get(tie) == [], f"{rid}: {hhmm(minute)} checked, quiet"
                checked += 1
        folders[folder] = rid
        tied += 1
    if not folders:
        pytest.skip("no right play replays a monitor")
    assert tied >= budget(12, 20) and checked >= tied - 3, \
        (tied, checked, "most are tried on their tie")
    # Each folder's tuned monitor (its other monitors are as the right play exported them,
    # which test_export_folder runs through promtool)
    assert len(promtool_passes(list(folders), only=folders)) == tied
