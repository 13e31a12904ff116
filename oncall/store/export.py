"""`oncall export`: the postmortem's remediations as a folder a team could open a pull request
with: Prometheus rule files with their recording rules, runbooks, pytest files with their
conftest and CSV fixtures exported from the incident, the postmortem, and a README.

The world is rebuilt from the record's seed and scenario, so the fixtures are the incident's own
rows and telemetry: a healthy window before the fault and a faulty one from the page on, with no
intervention applied.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from oncall.game.record import Record
from oncall.game.remediations import (
    BY_ID,
    MONITORS,
    Generated,
    Tuning,
    check_tuning,
    claim,
    generate,
    support,
    testfiles,
)
from oncall.game.remediations.runbooks import RUNBOOK_BASE
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.clock import date_of, hhmm
from oncall.sim.impact import describe

if TYPE_CHECKING:
    from oncall.sim.world import World


class ExportError(Exception):
    """The export could not be written; the message names the folder and the reason."""


def world_of(record: Record) -> World:
    """The incident's world as it was at the page, rebuilt from the seed and the scenario."""
    from oncall.game.engine import world_spec
    from oncall.game.generator import scenario
    from oncall.sim.world import World

    return World(record.seed, world_spec(scenario(record.scenario), record.difficulty))


def _tuning(record: Record) -> dict[str, Tuning]:
    """The postmortem's tuned monitors, checked again: a save may have been edited."""
    pm = record.facts.postmortem
    assert pm is not None
    out = {}
    for rid, t in pm.tuning.items():
        if rid not in MONITORS:
            continue
        mon = MONITORS[rid]
        tune = Tuning(mon.default.threshold if t.threshold is None else t.threshold,
                      mon.default.for_min if t.for_min is None else t.for_min)
        problem = check_tuning(rid, mon, tune)
        if problem:
            raise ValueError(f"postmortem.tuning: {problem}")
        out[rid] = tune
    return out


def build(record: Record, runbook_base: str = RUNBOOK_BASE) -> tuple[World, Generated]:
    """The remediations' files made again from the registry for the incident's world (as it ran
    with nobody acting): nothing the save holds becomes a path or a file."""
    f = record.facts
    pm = f.postmortem
    assert pm is not None
    world = world_of(record)
    if f.target_model != world.fault.model:
        raise ValueError(f"facts.target_model: {f.target_model!r} is not the model this "
                         f"incident's fault is on ({world.fault.model})")
    paged_by = next((a.rule for a in f.page_alerts
                     if a.model == f.target_model and a.rule in RULES_BY_NAME), None)
    rids = [r for r in pm.remediations if r in BY_ID]
    return world, generate(rids, world, _tuning(record), paged_by, runbook_base, fresh=True)


def files(record: Record, runbook_base: str = RUNBOOK_BASE) -> dict[str, str]:
    """Every file of the export, by path relative to its folder."""
    world, made = build(record, runbook_base)
    out = {a.path: a.content for a in made.artifacts}
    out.update(support(world, made, _tuning(record), runbook_base))
    roots = [d for d in ("tests", "contracts") if any(p.startswith(d + "/") for p in out)]
    if roots:
        out["pytest.ini"] = f"[pytest]\ntestpaths = {' '.join(roots)}\n"
    out["POSTMORTEM.md"] = postmortem(record, made)
    out["README.md"] = readme(record, out, world)
    return out


def unsafe(rel: str) -> str | None:
    """Why a relative path could land outside the export folder (None: it cannot)."""
    if not rel or "\0" in rel:
        return "empty or holds a NUL"
    pure = PurePosixPath(rel)
    if pure.is_absolute() or "\\" in rel or str(pure) != rel:
        return "not a plain relative path"
    if any(part in ("", ".", "..") or len(part.encode()) > NAME_MAX for part in pure.parts):
        return "has an empty, '.', '..' or over-long part"
    return None


NAME_MAX = 255
"""The longest file name most file systems take, in bytes."""


def _check_dest(dest: Path) -> int | None:
    """The mode of an existing empty destination to keep (None: it does not exist yet)."""
    if len(os.fsencode(dest.name)) > NAME_MAX:
        raise ExportError(f"{str(dest)[:60]}...: the folder name is longer than {NAME_MAX} "
                          "bytes; choose a shorter one")
    try:
        if not dest.exists():
            return None
        if not dest.is_dir() or any(dest.iterdir()):
            raise ExportError(f"{dest}: exists and is not an empty folder; choose a new one")
        return stat.S_IMODE(dest.stat().st_mode)
    except OSError as exc:
        raise ExportError(f"{dest}: cannot read it: {exc.strerror or exc}") from None


def export(record: Record, dest: Path, runbook_base: str = RUNBOOK_BASE) -> list[Path]:
    """Write the export into `dest`, which must not exist or be empty. The files go to a
    temporary folder beside it first, so a failed export leaves nothing half-written; the folder
    gets the permissions a new folder gets (the user's umask), or keeps an empty one's."""
    if not record.ended or record.facts.postmortem is None:
        raise ExportError(f"{dest}: the incident has no postmortem yet, so nothing to export")
    keep = _check_dest(dest)
    from oncall.content.loader import ContentError
    from oncall.game.generator import GenerationError

    try:
        content = files(record, runbook_base)
    except (ContentError, GenerationError, ValueError, KeyError) as exc:
        raise ExportError(f"{dest}: cannot rebuild the incident's files from the save: "
                          f"{exc}") from None
    bad = {rel: why for rel in content if (why := unsafe(rel))}
    if bad:
        rel, why = next(iter(bad.items()))
        raise ExportError(f"{dest}: refusing to write {rel!r}: {why}")
    try:
        parent = dest.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".oncall-export-{secrets.token_hex(6)}"
        tmp.mkdir()  # a plain mkdir: the user's umask decides its permissions
    except OSError as exc:
        raise ExportError(f"{dest}: cannot write there: {exc.strerror or exc}") from None
    try:
        root = tmp.resolve()
        for rel, text in content.items():
            path = tmp / rel
            if not path.resolve().is_relative_to(root):
                raise ExportError(f"{dest}: refusing to write {rel!r}: it leaves the folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if keep is not None:
            tmp.chmod(keep)
            dest.rmdir()
        os.replace(tmp, dest)
    except (OSError, ValueError) as exc:
        raise ExportError(f"{dest}: cannot write there: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return [dest / rel for rel in content]


TIMELINE_VERBS = {"ack", "severity", "update", "ticket", "diagnose", "rollback", "hotfix",
                  "escalate", "resolve"}
SAID = ("message", "note")
"""Free text a command carries; the timeline quotes it after the command instead of inside."""


def _cmd(command: dict[str, Any]) -> str:
    args = " ".join(f"{k}={v}" for k, v in command.items()
                    if k not in ("do", *SAID) and not isinstance(v, (list, dict))
                    and v not in (None, ""))
    return f"`{command.get('do')}{' ' + args if args else ''}`"


def timeline(record: Record) -> list[str]:
    """The incident's timeline from the record, in time order: the alerts that paged, each
    decision the on-call made with what the game answered, and when the service came back."""
    f = record.facts
    rows = [(a.fired_at, f"{a.rule} fired on {a.model} ({a.severity}): value {a.value:g} "
                         f"against {a.threshold:g} {a.unit}") for a in f.page_alerts]
    rows.append((f.page_at, "The on-call was paged."))
    for e in record.entries:
        verb = str(e.command.get("do"))
        if verb not in TIMELINE_VERBS or not e.observation.ok:
            continue
        said = next((str(e.command[k]) for k in SAID if e.command.get(k)), "")
        text = e.observation.text.strip()
        answer = text.splitlines()[0] if text and verb != "update" else ""
        rows.append((e.observation.t, " ".join(x for x in (
            f"{_cmd(e.command)}:", f'"{said}"' if said else "", answer) if x)))
    if f.mitigated_at is not None:
        rows.append((f.mitigated_at, "Service level back (mitigated)."))
    rows.sort(key=lambda r: r[0])
    return ["| time | event |", "| --- | --- |",
            *(f"| {hhmm(t)} | {text.replace('|', '/')[:300]} |" for t, text in rows)]


def postmortem(record: Record, made: Generated) -> str:
    """The postmortem in the Google SRE template, with the record's own numbers."""
    f = record.facts
    pm = f.postmortem
    assert pm is not None
    imp = f.impact
    impact_numbers = describe(imp) + "." if imp else ""
    items = ["| action item | type | owner |", "| --- | --- | --- |"] + [
        f"| {a.item} | {a.type} | {a.owner} |" for a in pm.action_items]
    files = [f"- `{a.path}` ({a.remediation}: {BY_ID[a.remediation].title})"
             for a in made.artifacts if a.remediation in BY_ID]
    skipped = [f"- {rid}: not generated: {why}." for rid, why in made.not_generated.items()]
    replays = [f"- {claim(r)}." for r in f.replays]
    lines = [
        f"# Postmortem: {record.title}", "",
        f"**Date:** {date_of(f.page_at):%Y-%m-%d}  ",
        f"**Model:** {f.target_model}  ",
        f"**Status:** {'resolved at ' + hhmm(f.resolved_at) if f.resolved_at else 'open'}  ",
        f"**Severity:** {'SEV-' + str(f.severity) if f.severity else 'not declared'}  ",
        f"**Scenario / seed:** {record.scenario} / {record.seed}", "",
        "## Summary", "", pm.summary or "-", "",
        "## Impact", "", " ".join(x for x in (pm.impact, impact_numbers) if x) or "-", "",
        "## Root Causes", "", pm.root_cause or "-", "",
        "## Trigger", "", pm.trigger or "-", "",
        "## Resolution", "", pm.resolution or "-", "",
        "## Detection", "", pm.detection or "-", "",
        "## Action Items", "", *items, "",
        "## Lessons Learned", "",
        "### What went well", "", pm.lessons.went_well or "-", "",
        "### What went wrong", "", pm.lessons.went_wrong or "-", "",
        "### Where we got lucky", "", pm.lessons.lucky or "-", "",
        "## What would have caught it earlier", "", pm.caught_earlier or "-", "",
        *(["Replayed over the week before the page:", "", *replays, ""] if replays else []),
        "## Timeline", "", *timeline(record), "",
        "## Supporting information", "",
        *(files or ["- No remediation files."]), *skipped, "",
    ]
    return "\n".join(lines)


def readme(record: Record, content: dict[str, str], world: World) -> str:
    f = record.facts
    rules = sorted(p for p in content if p.startswith("monitoring/") and p.endswith(".rules.yml"))
    units = sorted(p for p in content if p.endswith(".test.yml"))
    books = sorted(p for p in content if p.startswith("runbooks/"))
    tests = sorted(p for p in content if p.endswith(".py") and "/test_" in p)
    out = [f"# Remediations: {record.title}", "",
           f"What the postmortem of the {f.target_model} incident adds (POSTMORTEM.md).", ""]
    if rules:
        out += ["## Monitoring", "",
                "Prometheus rule files: one alert each, and the model's recording rules (the "
                "same file in every export of this model). Each alert has a `promtool test "
                "rules` unit test: per-pod series from the incident's healthy and faulty "
                "windows, expecting the alert to stay quiet on the first and fire on the second "
                "at the minute the postmortem's replay claims:", "",
                *[f"- `{p}`" for p in rules + units], "",
                "```sh", "promtool check rules monitoring/*.rules.yml",
                "promtool test rules monitoring/*.test.yml", "```", "",
                "Each `runbook_url` is the runbook base the export was given and `/ALERT.md`; "
                "re-export with `oncall export SAVE DIR --runbook-base URL` to point them at "
                "your own.", ""]
    if books:
        out += ["## Runbooks", "", *[f"- `{p}`" for p in books], ""]
    if tests:
        h, fw = (testfiles.windows(world)[k] for k in ("healthy", "faulty"))
        out += ["## Tests", "", *[f"- `{p}`" for p in tests], "",
                "`contracts/SOURCE/` is a producer's data contract: copy the folder into the "
                "producer's repository so its CI checks a sample of each release's output "
                "(`output` in its conftest) against `contract.json`. `tests/` runs where the "
                "model is built and served.",
                "Here both read CSV fixtures exported from the incident, picked by "
                "`ONCALL_FIXTURES`:", "",
                f"- `healthy` (default): {hhmm(h[0])}-{hhmm(h[1])}, before the fault; every "
                "test passes.",
                f"- `faulty`: {hhmm(fw[0])}-{hhmm(fw[1])}, from the page on, with no fix "
                "applied; the tests fail and say why.", "",
                "```sh", "python -m pytest", "ONCALL_FIXTURES=faulty python -m pytest",
                "```", "", "They need pytest and numpy only (`pytest.ini` makes this folder "
                "the tests' root, so a parent project's settings do not apply).", ""]
    return "\n".join(out)
