"""Cross-checks of a scenario against the registries: its fault kind, the catalogue, the fixes,
teams, alert rules and runbooks, and the evidence signals the kind can show.

Schema validation says a field has the right shape; these say it names something that exists and
fits. Every problem names the file, the field path and the valid choices.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oncall.content.loader import Problem, runbooks_dir
from oncall.content.scenario import FaultSpec, Move, Scenario
from oncall.sim import registry
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.catalogue import ARCHETYPES_BY_NAME, FAULTS_BY_ID, FIXES, TEAMS
from oncall.sim.faultdef import FaultKind
from oncall.sim.faults import static_signal_ids

KIND_BROKEN = "the fault kind"
"""How a scenario's problem starts when its kind's own file is broken: `oncall validate` drops it
when it reports that file, so one mistake is one line."""
_BROKEN_KIND = re.compile(rf"{KIND_BROKEN} '([^']*)' does not validate")


def broken_kind_of(reason: str) -> str | None:
    """The kind a scenario's problem says is broken, or None for any other problem (an answer
    that disagrees with its kind starts with the same words)."""
    m = _BROKEN_KIND.match(reason)
    return m.group(1) if m else None


def _choices(valid: Any, limit: int = 40) -> str:
    items = list(valid)
    more = f" (and {len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def check_params(kind: FaultKind, spec: FaultSpec, where: str) -> list[str | tuple[str, str]]:
    """Problems with a fault's parameters, as (field path, reason)."""
    out: list[str | tuple[str, str]] = []
    arch = ARCHETYPES_BY_NAME.get(spec.model)
    unfit = kind.unfit(arch) if arch is not None else None
    if unfit:
        out.append((f"{where}.model", unfit))
    for name in spec.params:
        if name not in kind.params:
            out.append((f"{where}.params.{name}", f"unknown parameter of {kind.id}; valid: "
                        f"{_choices(kind.params) or 'none'}"))
    for name, p in kind.params.items():
        v = spec.params.get(name, p.default)
        path = f"{where}.params.{name}"
        if v is None:
            out.append((path, f"required by {kind.id} ({p.about or p.type})"))
            continue
        if p.type in ("float", "int"):
            if isinstance(v, float) and not math.isfinite(v):
                out.append((path, f"not a finite number: {v}"))
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (
                    p.type == "int" and not float(v).is_integer()):
                out.append((path, f"must be a{'n' if p.type == 'int' else ''} {p.type}, got "
                            f"{v!r}"))
                continue
            if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
                out.append((path, f"{v} is outside {p.min:g}..{p.max:g}" if p.min is not None
                            and p.max is not None else f"{v} is out of range"))
        elif p.type == "feature":
            feats = {f.name: f for f in arch.features} if arch else {}
            ok = [n for n, f in feats.items() if p.feature_kind in (None, f.kind)]
            if v not in ok:
                out.append((path, f"{v!r} is not a{' ' + p.feature_kind if p.feature_kind else ''}"
                            f" feature of {spec.model}; valid: {_choices(ok)}"))
        elif not isinstance(v, str):
            out.append((path, f"must be text, got {v!r}"))
        if p.choices and v not in p.choices:
            out.append((path, f"{v!r} is not one of {_choices(p.choices)}"))
    return out


def _move(m: Move, path: str) -> list[tuple[str, str]]:
    out = []
    if m.fix is not None and m.fix not in FIXES:
        out.append((f"{path}.fix", f"unknown fix {m.fix!r}; valid: {_choices(FIXES)}"))
    if m.team is not None and m.team not in TEAMS:
        out.append((f"{path}.team", f"unknown team {m.team!r}; valid: {_choices(TEAMS)}"))
    if m.model is not None and m.model not in ARCHETYPES_BY_NAME:
        out.append((f"{path}.model", f"unknown model {m.model!r}"))
    if m.kind == "hotfix" and m.fix is None:
        out.append((f"{path}.fix", f"a hotfix names its fix; valid: {_choices(FIXES)}"))
    if m.kind == "escalate" and m.team is None:
        out.append((f"{path}.team", f"an escalation names its team; valid: {_choices(TEAMS)}"))
    return out


def _command(cmd: dict[str, Any], path: str) -> list[tuple[str, str]]:
    out = []
    fix, team, alert = cmd.get("fix"), cmd.get("team"), cmd.get("alert")
    if fix is not None and fix not in FIXES:
        out.append((f"{path}.fix", f"unknown fix {fix!r}; valid: {_choices(FIXES)}"))
    if team is not None and team not in TEAMS:
        out.append((f"{path}.team", f"unknown team {team!r}; valid: {_choices(TEAMS)}"))
    if alert is not None and alert not in RULES_BY_NAME:
        out.append((f"{path}.alert", f"unknown alert {alert!r}; valid: {_choices(RULES_BY_NAME)}"))
    return out


def check_scenario(s: Scenario, kinds: Mapping[str, FaultKind], file: str) -> list[Problem]:
    """Every way the scenario disagrees with its fault kind and the registries."""
    found: list[tuple[str, str] | str] = []
    main_kind: FaultKind | None = None
    for i, spec in enumerate(s.faults):
        where = "fault" if i == 0 else f"also.{i - 1}"
        kind = kinds.get(spec.kind)
        broken = getattr(kinds, "broken", lambda _: None)(spec.kind)
        if broken is not None:
            found.append((f"{where}.kind", f"{KIND_BROKEN} {spec.kind!r} does not validate "
                          f"({broken.problems[0].file})"))
            continue
        if kind is None:
            found.append((f"{where}.kind", f"unknown fault kind {spec.kind!r}; valid: "
                          f"{_choices(sorted(kinds))}"))
            continue
        if i == 0:
            main_kind = kind
        found += check_params(kind, spec, where)
    a = s.answers
    if main_kind is not None:
        info = FAULTS_BY_ID[main_kind.catalogue]
        if a.cause != main_kind.catalogue:
            found.append(("answers.cause", f"the fault kind {main_kind.id} is catalogue "
                          f"{main_kind.catalogue} ({info.name}), not {a.cause}; valid: "
                          f"{main_kind.catalogue}"))
        if a.category != main_kind.category:
            found.append(("answers.category", f"the fault kind {main_kind.id} is a "
                          f"{main_kind.category} fault, not {a.category}; valid: "
                          f"{main_kind.category}"))
        if a.severity != main_kind.severity:
            found.append(("answers.severity", f"the fault kind {main_kind.id} is SEV-"
                          f"{main_kind.severity}, not SEV-{a.severity}: every night of a kind "
                          f"is keyed alike; valid: {main_kind.severity}"))
        for j, rid in enumerate(a.remediations):
            if rid not in main_kind.remediations:
                found.append((f"answers.remediations.{j}", f"{rid!r} is not a remediation of "
                              f"{main_kind.id}; valid: {_choices(main_kind.remediations)}"))
        valid = static_signal_ids(main_kind, s.fault.params, s.fault.model)
        for j, ev in enumerate(a.evidence):
            if ev not in valid:
                found.append((f"answers.evidence.{j}", f"unknown signal {ev!r} for "
                              f"{main_kind.id} on {s.fault.model}; valid: {_choices(valid)}"))
    if a.signal_alert not in RULES_BY_NAME:
        found.append(("answers.signal_alert", f"unknown alert {a.signal_alert!r}; valid: "
                      f"{_choices(RULES_BY_NAME)}"))
    if a.escalate_to is not None and a.escalate_to not in TEAMS:
        found.append(("answers.escalate_to", f"unknown team {a.escalate_to!r}; valid: "
                      f"{_choices(TEAMS)}"))
    for which in ("right", "wrong"):
        for j, m in enumerate(getattr(a, which)):
            found += _move(m, f"answers.{which}.{j}")
        for j, cmd in enumerate(getattr(s.playbook, which)):
            found += _command(cmd, f"playbook.{which}.{j}")
    return [Problem(file, p[0], p[1]) if isinstance(p, tuple) else Problem(file, "", p)
            for p in found]


def _runbook_path(alert: str) -> Path | None:
    """Where an alert's runbook is read from: an added folder's own, else the shipped one."""
    from oncall.content.loader import added_dirs

    for folder in [*(d / "runbooks" for d in reversed(added_dirs())), runbooks_dir()]:
        if (folder / f"{alert}.md").is_file():
            return folder / f"{alert}.md"
    return None


def check_runbooks(folders: list[Path] | None = None) -> list[Problem]:
    """Every alert rule has a runbook with the four sections (with folders: every runbook an
    added content folder holds has them and names an alert rule, and every alert rule the
    folder adds has a runbook)."""
    from oncall.content.loader import RUNBOOK_SECTIONS, runbook_sections

    out = []
    origin = registry.registries().origin
    if folders is None:
        paths = [_runbook_path(name) or runbooks_dir() / f"{name}.md" for name in RULES_BY_NAME]
    else:
        paths = [p for f in folders for p in sorted((f / "runbooks").glob("*.md"))]
        mine = {f.resolve() for f in folders}
        paths += [origin[("alert", name)].parents[1] / "runbooks" / f"{name}.md"
                  for name in RULES_BY_NAME if _runbook_path(name) is None
                  and origin[("alert", name)].parents[1].resolve() in mine]
    # a monitor remediation's alert has its runbook too (its absence is the remediation's problem)
    alerts = [*RULES_BY_NAME, *(rem.monitor.alert for rem in registry.entries(
        "remediation").values() if rem.monitor is not None)]
    for path in paths:
        if not path.is_file():
            out.append(Problem(str(path), "", f"alert rule {path.stem} has no runbook"))
            continue
        if path.stem not in alerts:
            out.append(Problem(str(path), "", f"no alert rule {path.stem!r}; valid: "
                               f"{_choices(alerts)}"))
            continue
        missing = [s for s in RUNBOOK_SECTIONS
                   if s not in runbook_sections(path.read_text(encoding="utf-8"))]
        if missing:
            out.append(Problem(str(path), "", f"missing section(s): {', '.join(missing)}"))
    return out


def check_registries(folders: list[Path] | None = None) -> list[Problem]:
    """Every problem of the registry files (with folders: only theirs): entries that do not
    validate, ids reused, and alert rules reading a series no model has."""
    from oncall.content.kindcheck import model_metrics
    from oncall.sim.catalogue import ARCHETYPES

    reg = registry.registries()
    mine = None if folders is None else {f.resolve() for f in folders}

    def ours(file: str | Path) -> bool:
        return mine is None or Path(file).resolve().parents[1] in mine

    out = [p for p in reg.problems if ours(p.file)]
    series = sorted({m for a in ARCHETYPES for m in model_metrics(a)})
    families = sorted({m.split(":")[0] + ":*" for m in series if ":" in m})
    alerts: dict[str, registry.AlertDef] = reg.entries["alert"]
    for name, a in alerts.items():
        src = reg.origin[("alert", name)]
        if ours(src) and a.metric not in series and a.metric not in families:
            valid = families + [m for m in series if ":" not in m]
            out.append(Problem(str(src), f"alerts.{name}.metric", f"no model has the series "
                               f"{a.metric!r}; valid: {_choices(valid, 60)}"))
    return out
