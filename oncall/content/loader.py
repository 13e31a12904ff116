"""Find, load and validate the shipped content: scenarios (YAML) and runbooks (Markdown).

Every problem is reported as `file: field.path: reason`, never as a traceback, and `validate`
collects all of them rather than stopping at the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from oncall.content.scenario import Scenario

RUNBOOK_SECTIONS = ("Meaning", "Impact", "Diagnosis", "Mitigation")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}" if self.field else \
            f"{self.file}: {self.reason}"


class ContentError(Exception):
    """One or more problems in content files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def content_root() -> Path:
    """The folder holding incidents/ and runbooks/: inside the wheel, or the checkout."""
    pkg = Path(__file__).resolve().parent.parent
    bundled = pkg / "_content"
    return bundled if (bundled / "incidents").is_dir() else pkg.parent


def incidents_dir() -> Path:
    return content_root() / "incidents"


def runbooks_dir() -> Path:
    return content_root() / "runbooks"


def parse_scenario(path: Path) -> Scenario:
    """Load one scenario file; raise ContentError naming the file, the field and the reason."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError([Problem(name, "", f"cannot read: {exc.strerror or exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ContentError([Problem(name, where, f"not valid YAML: "
                                    f"{getattr(exc, 'problem', None) or exc}")]) from None
    if not isinstance(data, dict):
        raise ContentError([Problem(name, "", "expected a mapping of scenario fields at the top")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ContentError([
            Problem(name, ".".join(str(p) for p in err["loc"]) or "(top)", _reason(err))
            for err in exc.errors()
        ]) from None
    if path.stem != scenario.id:
        raise ContentError([Problem(name, "id", f"id {scenario.id!r} must match the file name "
                                    f"{path.stem!r}")])
    return scenario


def _reason(err: object) -> str:
    e = dict(err)  # type: ignore[call-overload]
    msg = str(e.get("msg", "invalid"))
    if e.get("type") == "extra_forbidden":
        return "unknown field (check the spelling; `oncall schema` lists the fields)"
    return msg.removeprefix("Value error, ")


@cache
def scenarios() -> dict[str, Scenario]:
    """All shipped scenarios by id. Broken files raise ContentError with every problem."""
    found: dict[str, Scenario] = {}
    problems: list[Problem] = []
    for path in sorted(incidents_dir().glob("*.yaml")):
        try:
            s = checked_scenario(path)
        except ContentError as exc:
            problems += exc.problems
            continue
        found[s.id] = s
    if problems:
        raise ContentError(problems)
    return found


def scenario(scenario_id: str) -> Scenario:
    known = scenarios()
    if scenario_id not in known:
        raise ContentError([Problem("--scenario", "", f"unknown scenario {scenario_id!r}; known: "
                                    f"{', '.join(sorted(known))}")])
    return known[scenario_id]


def validate(paths: list[Path]) -> list[Problem]:
    """Every problem in the given scenario files (or folders of them)."""
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    problems: list[Problem] = []
    for f in files:
        try:
            checked_scenario(f)
        except ContentError as exc:
            problems += exc.problems
    return problems


def checked_scenario(path: Path) -> Scenario:
    """A scenario that parses and agrees with its fault kind and every registry."""
    from oncall.content.checks import check_scenario
    from oncall.content.kinds import fault_kinds

    s = parse_scenario(path)
    problems = check_scenario(s, fault_kinds(), str(path))
    if problems:
        raise ContentError(problems)
    return s


@cache
def runbook(alert: str) -> str:
    """The Markdown runbook of an alert rule."""
    path = runbooks_dir() / f"{alert}.md"
    if not path.is_file():
        raise ContentError([Problem(str(path), "", f"no runbook for alert {alert!r}")])
    return path.read_text(encoding="utf-8")


def runbook_sections(text: str) -> dict[str, str]:
    """Split a runbook into its `## Section` bodies."""
    parts = re.split(r"^##\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
