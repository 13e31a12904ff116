"""Fault kinds (faults/*.yaml): load and validate the definitions the fault engine interprets.

The folder is the registry: a new kind is a new file. Problems are reported as
`file: field.path: reason`, like scenarios.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from oncall.content.loader import ContentError, Problem, content_root, load_folder
from oncall.sim.catalogue import FAULTS_BY_ID
from oncall.sim.faultdef import FaultKind


def faults_dir() -> Path:
    return content_root() / "faults"


def parse_kind(path: Path) -> FaultKind:
    name = str(path)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(name, "", f"cannot read: {exc}")]) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ContentError([Problem(name, "", f"not valid YAML: {str(exc)[:200]}")]) from None
    if not isinstance(data, dict):
        raise ContentError([Problem(name, "", "expected a mapping of fault-kind fields")])
    try:
        kind = FaultKind.model_validate(data)
    except ValidationError as exc:
        raise ContentError([
            Problem(name, ".".join(str(p) for p in err["loc"]) or "(top)",
                    str(err["msg"]).removeprefix("Value error, "))
            for err in exc.errors()]) from None
    problems = []
    if path.stem != kind.id:
        problems.append(Problem(name, "id", f"id {kind.id!r} must match the file name "
                                f"{path.stem!r}"))
    info = FAULTS_BY_ID.get(kind.catalogue)
    if info is None:
        problems.append(Problem(name, "catalogue", f"unknown catalogue id {kind.catalogue!r}; "
                                f"valid: {', '.join(FAULTS_BY_ID)}"))
    elif info.category != kind.category:
        problems.append(Problem(name, "category", f"{kind.catalogue} ({info.name}) is a "
                                f"{info.category} fault, not {kind.category}"))
    from oncall.sim.faults import TRANSFORMS

    if kind.transform is not None and kind.transform not in TRANSFORMS:
        problems.append(Problem(name, "transform", f"no custom transform {kind.transform!r} is "
                                f"registered; valid: {', '.join(TRANSFORMS) or 'none'}"))
    if problems:
        raise ContentError(problems)
    return kind


@cache
def _registry() -> tuple[dict[str, FaultKind], tuple[Problem, ...]]:
    return load_folder(faults_dir(), parse_kind)


def fault_kinds() -> dict[str, FaultKind]:
    """Every valid fault kind by id. A broken definition is left out (scenarios that use it are
    then reported as naming an unknown kind); `kind_problems` and `oncall validate` say why."""
    return _registry()[0]


def kind_problems() -> list[Problem]:
    return list(_registry()[1])


def validate_kinds(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for p in paths:
        try:
            parse_kind(p)
        except ContentError as exc:
            problems += exc.problems
    return problems
