"""`oncall export`: the postmortem's remediations as a folder a team could open a pull request
with: Prometheus rule files with their recording rules, runbooks, pytest files with their
conftest and CSV fixtures exported from the incident, the postmortem, and a README.

The world is rebuilt from the record's seed and scenario, so the fixtures are the incident's own
rows and telemetry: a healthy window before the fault and a faulty one from the page on, with no
intervention applied.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from oncall.game.commands import VERBS
from oncall.game.record import Record
from oncall.game.remediations import (
    BY_ID,
    MONITORS,
    Generated,
    Tuning,
    check_tuning,
    claim,
    clean_world,
    generate,
    support,
    testfiles,
)
from oncall.game.remediations.runbooks import RUNBOOK_BASE
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.clock import date_of, hhmm
from oncall.sim.impact import describe

if TYPE_CHECKING:
    from oncall.sim.faults import Incident
    from oncall.sim.world import World


class ExportError(Exception):
    """The export could not be written; the message names the folder and the reason."""


def world_of(record: Record) -> World:
    """The incident's world as it was at the page, rebuilt from the seed and the scenario (or
    the one this process built already: nobody acts on it)."""
    from oncall.game.engine import world_spec
    from oncall.game.generator import scenario

    return clean_world(record.seed, world_spec(scenario(record.scenario), record.difficulty))


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
    out["POSTMORTEM.md"] = postmortem(record, made, world)
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
    tampered = next(((a.path, why) for a in record.facts.artifacts
                     if (why := unsafe(a.path))), None)
    if tampered:
        raise ExportError(f"{dest}: refusing a tampered save: its artifact path "
                          f"{tampered[0][:80]!r} {tampered[1]}; nothing was written")
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


SAID = ("message", "note")
"""Free text a command carries, quoted in its row."""
INVESTIGATIONS: dict[str, str] = {
    "dashboard": "looked at the {metric} chart of {model}",
    "logs": "read the logs of {model}",
    "deploys": "read the deploy history of {model}",
    "pipelines": "checked the feature pipelines feeding {model}",
    "infra": "checked the nodes and pods of {model}",
    "drift": "compared {feature} of {model} with its training data",
    "labels": "checked the labels arriving for {model}",
    "runbook": "read the {alert} runbook",
    "fleet": "Looked over the fleet",
}
"""Investigation commands in plain words; the answer's first line follows, where it sums up."""
SUMMED_UP = frozenset({"logs", "infra", "labels"})
"""Investigations whose answer opens with a one-line summary worth quoting."""
ROW = 400
"""The longest timeline row, in characters: longer ones end at a word, with an ellipsis."""


def _words(text: str, limit: int = ROW) -> str:
    """One table cell: a single line, pipes escaped, cut at a word if it is too long."""
    text = " ".join(text.split()).replace("|", "/")
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _first(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""


def _defaults(verb: str) -> dict[str, str]:
    """The arguments a command of this verb takes when they are not given: the record keeps a
    command without them (`commands.to_dict`), and the timeline must say what was done."""
    cls = VERBS.get(verb)
    if cls is None:
        return {}
    return {name: str(f.default) for name, f in cls.model_fields.items()
            if isinstance(f.default, (str, int, float)) and not isinstance(f.default, bool)}


FEATURES = {"all": "every feature", "prediction": "the predictions"}
"""A drift test's `feature` in words where it is not a column's name."""


def _fill(template: str, command: dict[str, Any]) -> str:
    values = {"metric": "error rate", "model": "the model", "alert": "alert's",
              **_defaults(str(command.get("do"))), **{k: str(v) for k, v in command.items()}}
    if "feature" in values:
        values["feature"] = FEATURES.get(values["feature"], values["feature"])
    return template.format_map(values)


DIAGNOSIS = re.compile(r": (\w+) fault, \S+ \((.+?)\), citing")


def _diagnosis(text: str, cited: list[str], clocks: dict[str, str]) -> str:
    m = DIAGNOSIS.search(text)
    what = f"a {m.group(1)} fault: {m.group(2)}" if m else "a diagnosis"
    seen = [clocks[o] for o in cited if o in clocks]
    return f"Diagnosed {what}" + (f", on the evidence gathered at {', '.join(seen)}"
                                  if seen else "") + "."


def _entry_row(command: dict[str, Any], text: str, clocks: dict[str, str],
               models: dict[str, str]) -> str | None:
    """One command of the record in plain words (None: it does not belong in a timeline)."""
    verb = str(command.get("do"))
    said = next((str(command[k]) for k in SAID if command.get(k)), "")
    answer = _first(text)
    if verb in INVESTIGATIONS:
        row = "Investigation: " + _fill(INVESTIGATIONS[verb], command)
        if verb == "drift":
            found = _drift_found(text)
            return row + (f": {found}." if found else ".")
        return row + (f" ({answer.rstrip(':.')})." if verb in SUMMED_UP and answer else ".")
    if verb == "ack":
        return "The on-call acknowledged the page."
    if verb == "severity":
        return f"Severity declared: SEV-{command.get('level')}."
    if verb == "update":
        return f'Status update posted: "{said}"'
    if verb == "ticket":
        return (f"Ticket filed for {command.get('alert')} on {command.get('model')}, for "
                f"working hours" + (f': "{said}"' if said else "."))
    if verb == "diagnose":
        return _diagnosis(text, [str(o) for o in command.get("evidence", [])], clocks)
    if verb == "rollback":
        return f"Mitigation: rolled back {command.get('model')}. {answer}"
    if verb == "hotfix":
        fix = str(command.get("fix", "")).replace("_", " ")
        return f"Mitigation: {fix} on {command.get('model')}. {answer}"
    if verb == "escalate":
        return f"Escalated to {command.get('team')}" + (f': "{said}"' if said else ".")
    if verb == "resolve":
        model = models.get(str(command.get("incident", "main")), "")
        return f"The on-call resolved the {model} incident." if model else \
            "The on-call resolved the incident."
    return None


def _drift_found(text: str) -> str:
    """What a drift test found, in words: whether the feature drifted and its mean against
    training, or how many of the model's features drifted ("" when the answer says neither)."""
    many = re.search(r"(\d+) features? over .*?; (\d+) drifted", text)
    if many:
        n, drifted = int(many.group(1)), int(many.group(2))
        return (f"none of its {n} features had drifted" if not drifted else
                f"{drifted} of its {n} features had drifted")
    verdict = re.search(r"=> (DRIFT|no drift)", text)
    if not verdict:
        return ""
    found = "it had drifted" if verdict.group(1) == "DRIFT" else "no drift"
    mean = re.search(r"mean ([\d.,]+) vs training ([\d.,]+)", text)
    return found + (f", mean {mean.group(1)} against {mean.group(2)} in training" if mean
                    else "")


def _event_row(ev: dict[str, Any], models: set[str]) -> str | None:
    """Something that happened while time passed, in plain words (None: not for the timeline)."""
    kind, text, model = ev.get("kind"), str(ev.get("text", "")), ev.get("model")
    if kind == "message":
        return f"Reply from {ev.get('by')}: \"{text}\""
    if kind == "alert" and model in models:
        return f"{ev.get('rule')} also fired on {model}."
    if kind == "resolved_alert" and model in models:
        return f"{ev.get('rule')} on {model} stopped firing."
    if kind in ("escalation", "handover"):
        return text[:1].upper() + text[1:] + "."
    return None


Row = tuple[int, int, str]
"""A timeline row: its minute, its order among rows of that minute, and its words."""


def _triggers(world: World, inc: Incident) -> list[Row]:
    """The changes that set the incident off, from the world's history: the deploys and the
    pipeline runs its fault made."""
    model = world.model(inc.model)
    rows: list[Row] = []
    for d in model.deploys:
        if d.revision in inc.revisions:
            who = f", promoted by {d.promoted_by}" if d.promoted_by else ""
            note = f': "{d.note}"' if d.note else "."
            rows.append((d.at, 0, f"Trigger: {inc.model} {d.model_version} went live{who}{note}"))
    for c in inc.changes:
        rows.append((int(c["at"]), 0, f"Trigger: {c.get('change') or c.get('source')}."))
    return rows


def _onsets(record: Record, world: World | None) -> list[Row]:
    """The trigger, onset and page of each incident of the night."""
    f = record.facts
    trigger = f.postmortem.trigger if f.postmortem else ""
    if world is None:
        return [(f.onset_at, 1, f"Onset on {f.target_model}: {record.answers.cause_name}"
                 + (f' (trigger, as this postmortem names it: "{trigger}")' if trigger else "")
                 + "."), (f.page_at, 3, "The on-call was paged.")]
    from oncall.sim.catalogue import FAULTS_BY_ID

    rows: list[Row] = []
    for inc in world.incidents.values():
        main = inc is world.fault
        rows += _triggers(world, inc)
        cause = record.answers.cause_name if main else FAULTS_BY_ID[inc.kind.catalogue].name
        rows.append((min(inc.onset - inc.lead, inc.onset), 1,
                     f"Onset on {inc.model}: {cause}; its first effect in the telemetry."))
        page = f.page_at if main else next(
            (i.page_at for i in f.incidents if i.id == inc.id), inc.page_at)
        if page is not None:
            rows.append((page, 3, "The on-call was paged" + (
                "." if main else f" for {inc.model}, a second incident.")))
    if not any(r[2].startswith("Trigger") for r in rows) and trigger:
        rows.append((f.onset_at, 0, f'Trigger, as this postmortem names it: "{trigger}"'))
    return rows


def _recoveries(record: Record) -> list[Row]:
    """When each incident's fix took effect and when its service level came back."""
    f = record.facts
    facts = [(f.target_model, f.mitigated_at, f.impact)] + [
        (i.model, i.mitigated_at, i.impact) for i in f.incidents if i.id != "main"]
    rows: list[Row] = []
    for model, mitigated, imp in facts:
        if mitigated is not None:
            rows.append((mitigated, 6, f"The fault on {model} stopped (mitigated); it began "
                                       "to recover."))
        if "recovered_at" in imp:
            rows.append((int(imp["recovered_at"]), 6, f"{model} back within its service "
                                                      "level."))
    return rows


def timeline(record: Record, world: World | None = None) -> list[str]:
    """The night's timeline from the record, in time order and plain words: each incident's
    trigger and onset (from the world, when it is known: the fault's history and its first sign
    in the telemetry), the alerts that paged, the investigation, each decision, the replies,
    the mitigation, the recovery and the resolution."""
    f = record.facts
    incidents = {i.id: i.model for i in f.incidents} or {"main": f.target_model}
    rows = _onsets(record, world) + _recoveries(record)
    rows += [(a.fired_at, 2, f"Detection: {a.rule} fired on {a.model} ({a.severity}), value "
                             f"{a.value:.3g} against its threshold of {a.threshold:g} {a.unit}.")
             for a in f.page_alerts]
    clocks = {e.observation.id: e.observation.clock for e in record.entries if e.observation.id}
    for e in record.entries:
        if not e.observation.ok:
            continue
        row = _entry_row(e.command, e.observation.text, clocks, incidents)
        if row:
            rows.append((e.observation.t, 5, row))
        for ev in e.observation.events:
            row = _event_row(ev, set(incidents.values()))
            if row:
                rows.append((int(ev.get("t", e.observation.t)), 5, row))
    rows.sort(key=lambda r: (r[0], r[1]))
    return ["| time | event |", "| --- | --- |",
            *(f"| {hhmm(t)} | {_words(text)} |" for t, _, text in rows)]


PRIORITY = {"repair": 1, "mitigate": 1, "prevent": 2, "detect": 2, "investigate": 3}
"""An action item's priority by its type (P1 to P3), before the incident's weight moves it."""
HEAVY_BUDGET_PCT = 5.0
"""A share of a 30-day budget (error or quality) that one incident may not spend unremarked:
spending at least this much raises its items a priority."""


def weight(record: Record) -> tuple[int, str]:
    """How much the record's severity and impact move action items' priorities (-1 lower, 0,
    +1 raise) and why, in words."""
    f = record.facts
    imps = [f.impact] + [i.impact for i in f.incidents if i.id != "main"]
    failed = sum(i.get("requests_failed", 0) for i in imps)
    spent = max((max(i.get("budget_consumed_pct", 0), i.get("quality_budget_consumed_pct", 0))
                 for i in imps), default=0.0)
    sev = f"SEV-{f.severity}" if f.severity else "no severity declared"
    figures = f"{sev}, {spent:g}% of a 30-day budget spent, {failed:,.0f} failed requests"
    if f.severity is not None and f.severity <= 2:
        return 1, f"{figures}: raised one step for the {sev}"
    if spent >= HEAVY_BUDGET_PCT:
        return 1, f"{figures}: raised one step for spending {HEAVY_BUDGET_PCT:g}% or more"
    if not failed and not spent and not any(i.get("minutes_outside_quality_slo", 0)
                                            for i in imps):
        return -1, f"{sev}, no failed requests and no budget spent: lowered one step"
    return 0, figures


def priority(kind: str, shift: int) -> str:
    """The proposed priority of an action item of type `kind`, moved by the incident's
    weight: P0 (fix now) to P3."""
    return f"P{min(3, max(0, PRIORITY.get(kind, 3) - shift))}"


def _status(record: Record, open_items: int, items: int) -> str:
    """The SRE template's status, from the record: complete once the incident is resolved, and
    whether its action items are all filed."""
    f = record.facts
    if f.resolved_at is None:
        state = "Incident handed over unresolved" if f.handed_over else \
            "Incident not resolved by the on-call"
    else:
        state = f"Complete (resolved at {hhmm(f.resolved_at)}, {f.resolved_at - f.page_at} " \
                "min after the page)"
    if not items:
        return f"{state}; no action items"
    if open_items:
        return f"{state}; action items in progress, {items - open_items} of {items} filed"
    return f"{state}; all {items} action items filed"


REPLY_FROM = re.compile(r"^([A-Z][\w.'-]+(?: [A-Z][\w.'-]+)+) \(([^)]{1,60})\):")
"""A colleague's reply that opens with their name and role: "Mario Hernandez (ad-ctr owner):"."""


def authors(record: Record, team: str | None) -> str:
    """Who wrote the postmortem and who took part, from the record: the on-call who took the
    page, and each colleague whose reply the record holds, named as their reply signs."""
    f = record.facts
    oncall = f"the {team + ' ' if team else ''}on-call engineer who took the {hhmm(f.page_at)} " \
             f"page on {f.target_model}"
    seen: dict[str, str] = {}
    for e in record.entries:
        for ev in e.observation.events:
            if ev.get("kind") != "message":
                continue
            m = REPLY_FROM.match(str(ev.get("text", "")))
            who = f"{m.group(1)} ({m.group(2)}, {ev.get('by')})" if m else str(ev.get("by"))
            seen.setdefault(who, who)
    if not seen:
        return oncall
    return f"{oncall}; with input from {', '.join(seen)}, who answered the escalation"


def impact_lines(record: Record) -> list[str]:
    """The record's impact figures: one sentence for a single incident, one line per incident
    for a night of several."""
    f = record.facts
    if not f.incidents:
        said = describe(f.impact)
        return [f"From the record: {said}."] if said else []
    return ["From the record, per incident:", "",
            *(f"- {i.model}: {describe(i.impact) or 'no figures recorded'}." for i in
              f.incidents)]


def postmortem(record: Record, made: Generated, world: World | None = None) -> str:
    """The postmortem in the Google SRE template, with the record's own numbers; `world`, the
    incident rebuilt, dates the onset from the fault's first sign and names the model's team."""
    f = record.facts
    pm = f.postmortem
    assert pm is not None
    shift, why = weight(record)
    items = ["| action item | type | owner | priority | tracking |",
             "| --- | --- | --- | --- | --- |"] + [
        f"| {_words(a.item)} | {a.type} | {_words(a.owner)} | {priority(a.type, shift)} "
        f"| {_words(a.tracking) if a.tracking else 'not filed yet'} |" for a in pm.action_items]
    untracked = sum(1 for a in pm.action_items if not a.tracking)
    files = [f"- `{a.path}` ({a.remediation}: {BY_ID[a.remediation].title})"
             for a in made.artifacts if a.remediation in BY_ID]
    skipped = [f"- {rid}: not generated: {why}." for rid, why in made.not_generated.items()]
    replays = [f"- {claim(r)}." for r in f.replays]
    team = world.model(f.target_model).team if world is not None else None
    lines = [
        f"# Postmortem: {record.title}", "",
        f"**Date:** {date_of(f.page_at):%Y-%m-%d}  ",
        f"**Authors:** {authors(record, team)}  ",
        f"**Status:** {_status(record, untracked, len(pm.action_items))}  ",
        f"**Severity:** {'SEV-' + str(f.severity) if f.severity else 'not declared'}  ",
        f"**Model:** {f.target_model}  ",
        f"**Scenario / seed:** {record.scenario} / {record.seed}", "",
        "## Summary", "", pm.summary or "-", "",
        "## Impact", "", pm.impact or "-", "", *impact_lines(record), "",
        "## Root Causes", "", pm.root_cause or "-", "",
        "## Trigger", "", pm.trigger or "-", "",
        "## Resolution", "", pm.resolution or "-", "",
        "## Detection", "", pm.detection or "-", "",
        "## Action Items", "", *items, "",
        f"Priorities are proposed from each item's type (repair and mitigate P1, prevent and "
        f"detect P2, investigate P3), moved by the incident's weight ({why}); the review sets "
        "them. File each item and put its bug in the tracking column.", "",
        "## Lessons Learned", "",
        "### What went well", "", pm.lessons.went_well or "-", "",
        "### What went wrong", "", pm.lessons.went_wrong or "-", "",
        "### Where we got lucky", "", pm.lessons.lucky or "-", "",
        "## What would have caught it earlier", "", pm.caught_earlier or "-", "",
        *(["Replayed over the week before the page:", "", *replays, ""] if replays else []),
        "## Timeline", "", "Times are UTC, on the night of the page unless dated.", "",
        *timeline(record, world), "",
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
