"""Checks of scenario files that need the game's registries: remediations and the command
language of the scripted plays. `oncall validate` runs these after the content checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oncall.content import loader
from oncall.content.loader import ContentError, Problem
from oncall.game import commands, remediations
from oncall.sim import registry
from oncall.sim.registry import KINDS


def validate(paths: list[Path] | None = None) -> list[Problem]:
    """Every problem in the given scenario or fault-kind files (or folders of them), content and
    game. With no paths: the library (shipped and added content), its fault kinds and runbooks.

    Each file is read once and told apart by its content, wherever it lies. A broken kind is
    reported once, by its own file: the scenarios that use it add no line of their own."""
    from oncall.content.checks import broken_kind_of, check_registries, check_runbooks
    from oncall.content.kinds import faults_dirs, parse_kind

    problems: list[Problem] = []
    if not paths:
        paths = [*loader.incidents_dirs(), *faults_dirs()]
        problems += check_registries() + _unimplemented() + check_runbooks()
    files: list[Path] = []
    folders = [p for p in paths if is_content_folder(p)]
    folders += [f.parent.parent for f in paths if f.is_file() and f.parent.name in
                ("faults", "incidents") and is_content_folder(f.parent.parent)
                and f.parent.parent.resolve() != loader.content_root().resolve()
                and f.parent.parent not in folders]
    if folders:  # a content folder: its kinds join the library its scenarios are checked with
        loader.use_content(folders)
        problems += check_registries(folders) + _unimplemented(folders) + check_runbooks(folders)
        problems += [p for f in folders if (f / "registries").is_dir()
                     for p in _registry_files(f / "registries", read=False)]
    for p in paths:
        if (p.name if p.is_dir() else p.parent.name) == "registries":
            if p.parent.parent not in folders and p.parent not in folders:
                problems += _registry_files(p)
            continue
        if p in folders:
            files += [f for sub in ("faults", "incidents") for f in sorted(p.glob(f"{sub}/*.yaml"))]
        else:
            files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    scenario_files: list[tuple[Path, dict[str, Any]]] = []
    broken_kinds: set[str] = set()
    for f in files:
        try:
            data = loader.read_mapping(f, "scenario or fault-kind")
            if loader.is_kind(data):
                try:
                    parse_kind(f, data)
                except ContentError:
                    broken_kinds.add(f.stem)
                    raise
            else:
                scenario_files.append((f, data))
        except ContentError as exc:
            problems += exc.problems
    for f, data in scenario_files:
        try:
            scenario = loader.parse_scenario(f, data)
            loader.check_against_kinds(scenario, f)
        except ContentError as exc:
            problems += [p for p in exc.problems
                         if broken_kind_of(p.reason) not in broken_kinds]
            continue
        problems += _game_checks(scenario, str(f))
    return problems


def is_content_folder(path: Path) -> bool:
    """A folder laid out like the shipped content (faults/, incidents/, registries/)."""
    return path.is_dir() and any((path / sub).is_dir()
                                 for sub in ("faults", "incidents", "registries"))


REGISTRY_FILES = {key: what for what, (key, _, _) in KINDS.items()}
"""A registry file's name (its top-level key) and the registry it holds."""


def _registry_files(path: Path, read: bool = True) -> list[Problem]:
    """The problems of registry files (a `registries/` folder or one of its files), each read
    as the registry its name says (`read=False`: only files no registry is named for)."""
    out = []
    for f in sorted(path.glob("*.yaml")) if path.is_dir() else [path]:
        if f.stem not in REGISTRY_FILES:
            out.append(Problem(str(f), "", "not a registry file; valid: " + ", ".join(
                f"{k}.yaml" for k in REGISTRY_FILES)))
        elif read:
            out += registry.read_file(f, REGISTRY_FILES[f.stem])[1]
    return out


def _unimplemented(folders: list[Path] | None = None) -> list[Problem]:
    """The registry's monitor and test remediations with no implementation (with folders: only
    those the folders add)."""
    origin = registry.registries().origin
    mine = None if folders is None else {f.resolve() for f in folders}
    out = []
    for rid, why in remediations.unimplemented():
        src = origin[("remediation", rid)]
        if mine is None or src.parents[1].resolve() in mine:
            out.append(Problem(str(src), f"remediations.{rid}.kind", why))
    return out


def _pages(scenario: loader.Scenario, file: str) -> list[Problem]:
    """A scenario of an added folder whose fault pages nobody cannot be played: built on one
    seed here (the conformance harness plays several), its file and field named, not a crash
    at `play`. The shipped scenarios are played by the test suite."""
    from oncall.game.conformance import signal_not_paged
    from oncall.game.engine import Game
    from oncall.sim.world import NoPage

    if Path(file).resolve().parent == loader.incidents_dir().resolve():
        return []
    try:
        g = Game(scenario, 7)
    except NoPage as exc:
        return [Problem(file, "fault", f"{exc} (seed 7)")]
    unpaged = signal_not_paged(scenario, g.record.facts.page_alerts, " (seed 7)")
    return [Problem(file, "answers.signal_alert", unpaged)] if unpaged else []


def _game_checks(scenario: loader.Scenario, file: str) -> list[Problem]:
    out = _pages(scenario, file)
    known = ", ".join(remediations.BY_ID)
    for j, rid in enumerate(scenario.answers.remediations):
        if rid not in remediations.BY_ID:
            out.append(Problem(file, f"answers.remediations.{j}",
                               f"unknown remediation {rid!r}; valid: {known}"))
    for which in ("right", "wrong"):
        phases: set[commands.Phase] = {"paged"}
        for j, cmd in enumerate(getattr(scenario.playbook, which)):
            where = f"playbook.{which}.{j}"
            for k, rid in enumerate(cmd.get("remediations", []) if isinstance(cmd, dict) else []):
                if rid not in remediations.BY_ID:
                    out.append(Problem(file, f"{where}.remediations.{k}",
                                       f"unknown remediation {rid!r}; valid: {known}"))
            errors, parsed = [], None
            for phase in sorted(phases):
                try:
                    parsed = commands.parse(cmd, phase)
                    break
                except commands.CommandError as exc:
                    errors.append(str(exc))
            if parsed is None:
                out.append(Problem(file, where, errors[0]))
                continue
            phases = _next_phases(phases, parsed)
    return out


def _next_phases(phases: set[commands.Phase], cmd: commands.Command) -> set[commands.Phase]:
    """The phases the incident may be in after a command (a resolve of one incident of several
    may or may not close the night)."""
    verb = cmd.do  # type: ignore[attr-defined]
    if verb == "ack":
        return {"active" if p == "paged" else p for p in phases}
    if verb == "resolve":
        return {"active", "resolved"} if getattr(cmd, "incident", None) else {"resolved"}
    if verb == "postmortem":
        return {"ended"}
    return phases


def scenario_schema() -> dict[str, Any]:
    """The scenario format's JSON Schema, with the registries as enums, so an editor offers only
    fault kinds, causes, fixes, teams, models, alerts and remediations that exist."""
    from oncall.content.kinds import fault_kinds
    from oncall.content.scenario import Scenario
    from oncall.sim.alerts import RULES_BY_NAME
    from oncall.sim.catalogue import ARCHETYPES_BY_NAME, FAULTS_BY_ID, FIXES, TEAMS

    schema = Scenario.model_json_schema()
    defs = schema["$defs"]

    def enum(obj: dict[str, Any], field: str, values: Any, nullable: bool = False) -> None:
        prop = obj["properties"][field]
        keep = {k: prop[k] for k in ("title", "description", "default") if k in prop}
        choice: dict[str, Any] = {"type": "string", "enum": sorted(values)}
        obj["properties"][field] = {**keep, **({"anyOf": [choice, {"type": "null"}]}
                                               if nullable else choice)}

    enum(defs["FaultSpec"], "kind", fault_kinds())
    enum(defs["FaultSpec"], "model", ARCHETYPES_BY_NAME)
    enum(defs["Move"], "fix", FIXES, nullable=True)
    enum(defs["Move"], "team", TEAMS, nullable=True)
    enum(defs["Move"], "model", ARCHETYPES_BY_NAME, nullable=True)
    enum(defs["Answers"], "cause", FAULTS_BY_ID)
    enum(defs["Alternative"], "cause", FAULTS_BY_ID)
    enum(defs["Answers"], "signal_alert", RULES_BY_NAME)
    enum(defs["Answers"], "escalate_to", TEAMS, nullable=True)
    rem = defs["Answers"]["properties"]["remediations"]
    rem["items"] = {"type": "string", "enum": sorted(remediations.BY_ID)}
    return schema
