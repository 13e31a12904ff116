"""Fault kinds are data: every shipped definition validates, and a broken one is reported with
its file, field and reason."""

from __future__ import annotations

from pathlib import Path

import yaml

from oncall.content.kinds import fault_kinds, faults_dir, validate_kinds
from oncall.sim.catalogue import FAULTS_BY_ID


def test_every_shipped_kind_validates_and_names_a_catalogue_entry_of_its_category() -> None:
    kinds = fault_kinds()
    assert len(kinds) >= 8
    for k in kinds.values():
        assert FAULTS_BY_ID[k.catalogue].category == k.category


def test_a_broken_definition_gets_one_problem_per_mistake(tmp_path: Path) -> None:
    data = yaml.safe_load((faults_dir() / "gpu_oom.yaml").read_text())
    data["catalogue"] = "M1"  # a model fault, but the kind says infra
    data["metrics"][0]["value"] = "params.batch_sise"
    data["transform"] = "my_transform"
    bad = tmp_path / "faults" / "gpu_oom.yaml"
    bad.parent.mkdir()
    bad.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in validate_kinds([bad])]
    assert any("undeclared parameter(s) batch_sise" in p for p in problems), problems
    data["metrics"][0]["value"] = 0.995
    bad.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in validate_kinds([bad])]
    assert any(": category: M1 (bad canary version) is a model fault, not infra" in p
               for p in problems), problems
    assert any(": transform: no custom transform 'my_transform'" in p for p in problems)
