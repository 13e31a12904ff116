"""Checks of scenario files that need the game's registries: remediations and the command
language of the scripted plays. `oncall validate` runs these after the content checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oncall.content import loader
from oncall.content.loader import ContentError, Problem
from oncall.game import commands, remediations


def validate(paths: list[Path] | None = None) -> list[Problem]:
    """Every problem in the given scenario or fault-kind files (or folders of them), content and
    game. With no paths: the shipped scenarios, fault kinds and runbooks."""
    from oncall.content.checks import check_runbooks
    from oncall.content.kinds import faults_dir, validate_kinds

    problems: list[Problem] = []
    if not paths:
        paths = [loader.incidents_dir(), faults_dir()]
        problems += check_runbooks()
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    kind_files = [f for f in files if f.parent.name == "faults"]
    problems += validate_kinds(kind_files)
    problems += _kind_remediations(kind_files)
    for f in files:
        if f in kind_files:
            continue
        try:
            scenario = loader.parse_scenario(f)
        except ContentError as exc:
            problems += exc.problems
            continue
        problems += loader.validate([f])
        problems += _game_checks(scenario, str(f))
    return problems


def _kind_remediations(paths: list[Path]) -> list[Problem]:
    """Every remediation a fault kind keys its nights to exists."""
    from oncall.content.kinds import parse_kind

    out = []
    for path in paths:
        try:
            kind = parse_kind(path)
        except ContentError:
            continue  # reported by validate_kinds
        out += [Problem(str(path), f"remediations.{j}", f"unknown remediation {rid!r}; valid: "
                        f"{', '.join(remediations.BY_ID)}")
                for j, rid in enumerate(kind.remediations) if rid not in remediations.BY_ID]
    return out


def _game_checks(scenario: loader.Scenario, file: str) -> list[Problem]:
    out = []
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
