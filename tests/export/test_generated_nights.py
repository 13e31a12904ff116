"""Exports of generated nights' right plays, as Prometheus and pytest run them: every rule file
loads, every alert's unit test passes, and every exported test file passes on the night's
healthy fixtures and fails on its faulty ones (a test that cannot see its fault is not offered).

A few nights by default, chosen to cover the rounding-prone monitors and a data contract;
`pytest --fuzz-long` (or ONCALL_EXPORT_NIGHTS=N) runs the first N seeds instead (50 long)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from export_helpers import catches_its_fault, promtool_passes
from fuzz_budget import budget

from oncall.game.engine import Game
from oncall.game.generator import random_id, scenario
from oncall.store.export import export

DEFAULT = [28, 6]
"""random-28: a category-coverage alert whose value sits on an annotation rounding boundary;
random-6: a unit change with a feature-range alert and a producer's data contract."""


def seeds() -> list[int]:
    n = int(os.environ.get("ONCALL_EXPORT_NIGHTS", "0")) or budget(0, 50)
    return list(range(n)) if n else DEFAULT


@pytest.mark.parametrize("seed", seeds())
def test_a_generated_nights_export_runs_in_promtool_and_its_tests_catch_the_fault(
        seed: int, tmp_path: Path) -> None:
    sc = scenario(random_id(seed))
    g = Game(sc, seed)
    for cmd in sc.playbook.right:
        obs = g.do(cmd)
        assert obs.ok, (cmd, obs.text)
    folder = tmp_path / "export"
    export(g.record, folder)
    facts = g.record.facts
    tests = [a.path for a in facts.artifacts if a.kind == "test"]
    proposed = [r for r in facts.postmortem.remediations if r.startswith("test-")] \
        if facts.postmortem else []
    for rid in proposed:
        made = [a for a in facts.artifacts if a.remediation == rid]
        assert made or rid in facts.not_generated, f"{rid}: written or refused with a reason"
    if tests:
        catches_its_fault(folder, tests)
    monitors = [a for a in facts.artifacts if a.kind == "monitor"]
    if monitors:
        assert len(promtool_passes([folder])) == len(monitors)
