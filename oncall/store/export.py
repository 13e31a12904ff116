"""`oncall export`: the postmortem's remediations as a folder a team could open a pull request
with: Prometheus rule files with their recording rules, runbooks, pytest files with their
conftest and CSV fixtures exported from the incident, the postmortem, and a README.

The world is rebuilt from the record's seed and scenario, so the fixtures are the incident's own
rows and telemetry: a healthy window before the fault and a faulty one from the page on, with no
intervention applied.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.game.record import Record
from oncall.game.remediations import BY_ID, claim, testfiles
from oncall.sim.clock import date_of, hhmm

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


def files(record: Record) -> dict[str, str]:
    """Every file of the export, by path relative to its folder."""
    f = record.facts
    out = {a.path: a.content for a in f.artifacts}
    if any(a.kind == "test" for a in f.artifacts):
        world = world_of(record)
        model = world.model(f.target_model)
        out["tests/conftest.py"] = testfiles.CONFTEST
        out["pytest.ini"] = "[pytest]\ntestpaths = tests\n"
        for name, text in testfiles.fixtures(world, model).items():
            out[f"tests/fixtures/{name}"] = text
    out["POSTMORTEM.md"] = postmortem(record)
    out["README.md"] = readme(record, out)
    return out


def export(record: Record, dest: Path) -> list[Path]:
    """Write the export into `dest`, which must not exist or be empty. The files go to a
    temporary folder beside it first, so a failed export leaves nothing half-written."""
    if not record.ended or record.facts.postmortem is None:
        raise ExportError(f"{dest}: the incident has no postmortem yet, so nothing to export")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ExportError(f"{dest}: exists and is not an empty folder; choose a new one")
    from oncall.content.loader import ContentError
    from oncall.game.generator import GenerationError

    try:
        content = files(record)
    except (ContentError, GenerationError) as exc:
        raise ExportError(f"{dest}: cannot rebuild the incident's world: {exc}") from None
    parent = dest.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=parent))
    except OSError as exc:
        raise ExportError(f"{dest}: cannot write there: {exc.strerror or exc}") from None
    try:
        for rel, text in content.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        os.replace(tmp, dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"{dest}: cannot write there: {exc.strerror or exc}") from None
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


def postmortem(record: Record) -> str:
    """The postmortem in the Google SRE template, with the record's own numbers."""
    f = record.facts
    pm = f.postmortem
    assert pm is not None
    imp = f.impact
    impact_numbers = (
        f"{imp.get('requests_affected', 0):,.0f} requests affected, "
        f"{imp.get('requests_failed', 0):,.0f} failed, {imp.get('budget_consumed_pct', 0)}% of "
        f"the 30-day error budget consumed." if imp else "")
    items = ["| action item | type | owner |", "| --- | --- | --- |"] + [
        f"| {a.item} | {a.type} | {a.owner} |" for a in pm.action_items]
    files = [f"- `{a.path}` ({a.remediation}: {BY_ID[a.remediation].title})"
             for a in f.artifacts if a.remediation in BY_ID]
    skipped = [f"- {rid}: not generated: {why}." for rid, why in f.not_generated.items()]
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


def readme(record: Record, content: dict[str, str]) -> str:
    f = record.facts
    has_tests = "tests/conftest.py" in content
    rules = sorted(p for p in content if p.startswith("monitoring/"))
    books = sorted(p for p in content if p.startswith("runbooks/"))
    out = [f"# Remediations: {record.title}", "",
           f"What the postmortem of the {f.target_model} incident adds (POSTMORTEM.md).", ""]
    if rules:
        out += ["## Monitoring", "",
                "Prometheus rule files; each carries the recording rules its alert reads:", "",
                *[f"- `{p}`" for p in rules], "",
                "```sh", "promtool check rules monitoring/*.rules.yml", "```", ""]
    if books:
        out += ["## Runbooks", "", *[f"- `{p}`" for p in books], ""]
    if has_tests:
        h, fw = (testfiles.windows(world_of(record))[k] for k in ("healthy", "faulty"))
        out += ["## Tests", "",
                "The tests read CSV fixtures exported from the incident (`tests/fixtures/`): the "
                "training reference, and a live window picked by `ONCALL_FIXTURES`:", "",
                f"- `healthy` (default): {hhmm(h[0])}-{hhmm(h[1])}, before the fault; every "
                "test passes.",
                f"- `faulty`: {hhmm(fw[0])}-{hhmm(fw[1])}, from the page on, with no fix "
                "applied; the tests written for this fault fail and say why.", "",
                "```sh", "python -m pytest", "ONCALL_FIXTURES=faulty python -m pytest",
                "```", "", "They need pytest and numpy only (`pytest.ini` makes this folder "
                "the tests' root, so a parent project's settings do not apply).", ""]
    return "\n".join(out)
