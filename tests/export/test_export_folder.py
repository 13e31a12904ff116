"""`oncall export` on every scenario's right play: a folder a team could commit. Rule files
parse as PromQL and read only exposed series or recording rules they define, every alert has
its runbook, the generated tests pass on the healthy window and fail on the faulty one, and the
exported threshold fires when the record says it did."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from export_helpers import (
    EXPORTS_GROUP,
    SCENARIOS,
    Exports,
    catches_its_fault,
    has_tests,
    promtool_passes,
)

from oncall.game import remediations
from oncall.game.remediations.monitors import EXPOSED
from oncall.sim.clock import hhmm
from oncall.sim.impact import describe
from oncall.store import export

pytest.importorskip("promql_parser")
from promql_names import selectors

pytestmark = EXPORTS_GROUP

SEVERITIES = {"critical", "warning", "ticket"}
RUNBOOK_SECTIONS = ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation", "## Escalation"]
SRE_SECTIONS = ["## Summary", "## Impact", "## Root Causes", "## Trigger", "## Resolution",
                "## Detection", "## Action Items", "## Lessons Learned", "## Timeline"]



def rule_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "monitoring").glob("*.rules.yml")
                  if not p.name.endswith(".recording.rules.yml"))


@pytest.mark.parametrize("sid", SCENARIOS)
def test_rule_files_parse_read_only_defined_series_and_link_their_runbook(
        sid: str, exports: Exports) -> None:
    record, folder = exports.get(sid)
    monitors = [a for a in record.facts.artifacts if a.kind == "monitor"]
    assert len(rule_files(folder)) == len(monitors)
    if not monitors:
        return
    recording = folder / f"monitoring/{record.facts.target_model}.recording.rules.yml"
    records = yaml.safe_load(recording.read_text())["groups"]
    assert len(records) == 1 and records[0]["name"] == f"{record.facts.target_model}-recording"
    defined = set()
    for rule in records[0]["rules"]:
        used = selectors(rule["expr"])
        assert used <= set(EXPOSED), f"{rule['record']} reads {used - set(EXPOSED)}"
        assert f'model="{record.facts.target_model}"' in rule["expr"], "one model's series"
        defined.add(rule["record"])
    for path in rule_files(folder):
        doc = yaml.safe_load(path.read_text())
        assert all("alert" in r for g in doc["groups"] for r in g["rules"]), "no recording"
        for group in doc["groups"]:
            for rule in group["rules"]:
                used = selectors(rule["expr"])
                unknown = used - set(EXPOSED) - defined
                assert not unknown, f"{path.name}: {rule['alert']} reads undefined {unknown}"
                assert rule["labels"]["severity"] in SEVERITIES
                notes = rule["annotations"]
                assert notes["summary"] and "$value | printf" in notes["description"]
                assert "humanize" not in notes["description"]
                url = notes["runbook_url"]
                assert url == f"https://runbooks.example.com/ml-platform/{rule['alert']}.md"
                book = folder / "runbooks" / f"{rule['alert']}.md"
                assert book.read_text().startswith(f"# {rule['alert']}\n")


@pytest.mark.parametrize("sid", SCENARIOS)
def test_runbooks_follow_the_operator_layout_with_promql_and_kubectl(
        sid: str, exports: Exports) -> None:
    _, folder = exports.get(sid)
    for book in sorted((folder / "runbooks").glob("*.md")):
        text = book.read_text()
        title = text.splitlines()[0]
        assert re.fullmatch(r"# [A-Z][A-Za-z0-9]+", title), f"{book.name}: title {title!r}"
        positions = [text.index(s) for s in RUNBOOK_SECTIONS]
        assert positions == sorted(positions), book.name
        diagnosis = text[text.index("## Diagnosis"):text.index("## Mitigation")]
        assert "```promql" in diagnosis and ("kubectl" in diagnosis), book.name
        for block in re.findall(r"```promql\n(.*?)```", diagnosis, re.S):
            for query in re.split(r"\n   (?=\S)(?!/)", block.strip()):
                assert selectors(" ".join(query.split())), f"{book.name}: {query!r}"


@pytest.mark.parametrize("sid", SCENARIOS)
def test_postmortem_follows_the_sre_template_with_the_records_timeline(
        sid: str, exports: Exports) -> None:
    record, folder = exports.get(sid)
    text = (folder / "POSTMORTEM.md").read_text()
    positions = [text.index(s) for s in SRE_SECTIONS]
    assert positions == sorted(positions)
    head = text[:text.index("## Summary")]
    for field in ("**Date:**", "**Authors:**", "**Status:**"):
        assert field in head, field
    f = record.facts
    assert f"on-call engineer who took the {hhmm(f.page_at)} page on {f.target_model}" in head
    assert "add names" not in head and "Draft" not in head, "no placeholder"
    assert f"**Status:** Complete (resolved at {hhmm(f.resolved_at or 0)}, " in head
    impact = text[text.index("## Impact"):text.index("## Root Causes")]
    for model, imp in [(f.target_model, f.impact)] + [(i.model, i.impact) for i in f.incidents]:
        assert describe(imp) in impact and (not f.incidents or f"- {model}: " in impact), model
    assert re.search(r"\. [a-z]", impact) is None, "every sentence starts with a capital"
    pm = record.facts.postmortem
    assert pm is not None and pm.summary in text
    items = text[text.index("## Action Items"):text.index("## Lessons Learned")]
    assert "| action item | type | owner | priority | tracking |" in items
    for a in pm.action_items:
        assert re.search(rf"\| {re.escape(a.item)} \| {a.type} \| {re.escape(a.owner)} \| "
                         r"P[0-3] \| ", items), a.item
    rows = [r for r in text[text.index("## Timeline"):].splitlines() if r.startswith("| ")][2:]
    times = [r.split(" | ")[0].removeprefix("| ") for r in rows]
    earlier = [t for t in times if len(t) > 5]  # a day before the night, "Mar 16 21:18"
    assert times[:len(earlier)] == earlier
    assert times[len(earlier):] == sorted(times[len(earlier):]), "in time order"
    onset = next(i for i, r in enumerate(rows) if "| Onset on " in r)
    paged = next(i for i, r in enumerate(rows) if "The on-call was paged." in r)
    assert onset < paged, "from the onset"
    kinds = " ".join(rows)
    for step in ("Detection:", "paged", "acknowledged", "Investigation:", "Diagnosed",
                 f"resolved the {f.target_model} incident"):
        assert step in kinds, step
    if f.mitigated_at is not None:
        assert f"| {hhmm(f.mitigated_at)} | The fault on {f.target_model} stopped" in kinds
    assert "`" not in kinds and "obs-" not in kinds, "plain words, no game commands"
    assert not re.search(r"\b(category|cause|model|feature|evidence|n)=", kinds), "no arguments"
    for r in rows:
        cell = r.split(" | ", 1)[1].removesuffix(" |")
        assert len(cell) <= 400 and (cell[-1] in ".\"…)"), f"cut mid-word: {cell[-40:]!r}"
    for e in record.entries:
        if e.command.get("do") in ("ack", "resolve"):
            assert f"| {e.observation.clock} | " in kinds
    replies = [ev for e in record.entries for ev in e.observation.events
               if ev["kind"] == "message"]
    for ev in replies:
        assert f"Reply from {ev['by']}" in kinds


def test_two_exports_never_record_the_same_series(exports: Exports) -> None:
    """Recording rules share their names across models (`feature_mean:training`), but each
    model's file selects that model's series and keeps `model` in its result: a repository that
    merges every export holds one recording file per model (every export of a model writes the
    same file) and no series recorded twice."""
    files: dict[str, str] = {}
    series: dict[tuple[str, str], str] = {}
    for sid in SCENARIOS:
        _, folder = exports.get(sid)
        for path in (folder / "monitoring").glob("*.recording.rules.yml"):
            text = path.read_text()
            assert files.setdefault(path.name, text) == text, f"{path.name} differs in {sid}"
    assert len(files) > 10
    for name, text in files.items():
        model = name.removesuffix(".recording.rules.yml")
        for rule in yaml.safe_load(text)["groups"][0]["rules"]:
            expr = rule["expr"]
            assert set(re.findall(r'model="([^"]+)"', expr)) == {model}, (name, expr)
            assert all("model" in by.split(", ") for by in re.findall(r"by \(([^)]*)\)", expr))
            key = (rule["record"], model)
            assert series.setdefault(key, name) == name, f"{key} recorded by two files"


def test_priorities_follow_the_records_severity_and_impact(exports: Exports) -> None:
    """The same action items rank higher after a SEV-1 that spent budget than after a SEV-4
    that cost nothing: the priority reads the record, not only the item's type."""
    record, _ = exports.get("ads-1")
    pm = record.facts.postmortem
    assert pm is not None
    types = [a.type for a in pm.action_items]

    def ranks(severity: int, impact: dict[str, float]) -> list[str]:
        r = record.model_copy(deep=True)
        r.facts.severity, r.facts.impact = severity, impact
        shift, _ = export.weight(r)
        return [export.priority(t, shift) for t in types]

    heavy = ranks(1, {"requests_failed": 5000.0, "budget_consumed_pct": 12.0})
    light = ranks(4, {"requests_failed": 0.0, "budget_consumed_pct": 0.0})
    usual = ranks(3, {"requests_failed": 10.0, "budget_consumed_pct": 1.0})
    assert all(h < u < lt for h, u, lt in zip(heavy, usual, light, strict=True))
    assert ranks(3, {"requests_failed": 10.0, "budget_consumed_pct": 7.5}) == heavy
    assert heavy[types.index("repair")] == "P0" and light[types.index("prevent")] == "P3"


WITH_TESTS = [sid for sid in SCENARIOS if has_tests(sid)]


@pytest.mark.parametrize("sid", WITH_TESTS)
def test_exported_tests_pass_on_the_healthy_window_and_fail_on_the_faulty_one(
        sid: str, exports: Exports) -> None:
    record, folder = exports.get(sid)
    files = [a.path for a in record.facts.artifacts if a.kind == "test"]
    assert files, "the right play's tests fit the model and were generated"
    catches_its_fault(folder, files)


THRESHOLD = re.compile(r"[<>] \(?([0-9.e+-]+)")


@pytest.mark.parametrize("sid", SCENARIOS)
def test_the_exported_rule_fires_when_the_record_says(sid: str, exports: Exports) -> None:
    """Read the threshold and `for` back from the rule file and replay them over the incident
    as it ran with nobody acting: the same minute, the same alarms."""
    record, folder = exports.get(sid)
    if not record.facts.replays:
        pytest.skip("no monitor proposed")
    world = exports.clean_world(sid)
    for rep in record.facts.replays:
        path = folder / f"monitoring/{rep.model}-{rep.remediation}.rules.yml"
        alert = yaml.safe_load(path.read_text())["groups"][-1]["rules"][0]
        threshold = float(THRESHOLD.findall(alert["expr"])[-1])
        for_min = int(alert["for"].removesuffix("m"))
        assert (threshold, for_min) == (rep.threshold, rep.for_min)
        again = remediations.replay(rep.remediation, world,
                                    remediations.Tuning(threshold, for_min))
        assert again is not None
        assert (again.fired_at, again.false_alarms_week) == (rep.fired_at, rep.false_alarms_week)


def test_promtool_checks_and_unit_tests_every_exported_rule(exports: Exports) -> None:
    """Prometheus's own tools on every scenario's export: the rule files load, and each alert's
    unit test (per-pod series from the incident) fires when the replay says, in one batch."""
    folders = [exports.get(sid)[1] for sid in SCENARIOS]
    tests = promtool_passes(folders)
    assert len(tests) == len(rule_files_of(folders)) > 10


def rule_files_of(folders: list[Path]) -> list[Path]:
    return [p for f in folders for p in rule_files(f)]


def test_the_timeline_names_what_a_drift_test_tested(exports: Exports) -> None:
    """fraud-1's right play tests the prediction (`drift` with no feature: its default) and
    then txn_amount_cents; POSTMORTEM.md said the first "compared every feature on
    fraud-scorer", which it never did."""
    _, folder = exports.get("fraud-1")
    text = (folder / "POSTMORTEM.md").read_text()
    assert "compared every feature" not in text
    assert "Investigation: compared the predictions of fraud-scorer with its training data: it " \
           "had drifted" in text
    assert "Investigation: compared txn_amount_cents of fraud-scorer with its training " \
           "data" in text
    every = export._entry_row({"do": "drift", "model": "fraud-scorer", "feature": "all"},
                              "", {}, {})
    assert every == "Investigation: compared every feature of fraud-scorer with its training data."
