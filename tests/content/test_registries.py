"""The registries are data: causes, fixes, teams, alert rules and remediations are read from
`registries/*.yaml` (and an added folder's), one broken entry is one line with its line number,
and a content folder adds a cause, a fix, a team and an alert that pages without Python."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from oncall import cli
from oncall.content import loader
from oncall.game.conformance import check
from oncall.game.engine import Game
from oncall.sim import registry
from oncall.sim.alerts import RULES, RULES_BY_NAME
from oncall.sim.catalogue import FAULTS_BY_ID, FIXES, TEAMS

AUTHORED = Path(__file__).parent / "authored"


@pytest.fixture
def clean_content():  # type: ignore[no-untyped-def]
    os.environ.pop(loader.CONTENT_ENV, None)
    loader.clear_caches()
    yield
    os.environ.pop(loader.CONTENT_ENV, None)
    loader.clear_caches()


def _folder(tmp: Path, **files: str) -> Path:
    (tmp / "registries").mkdir(parents=True)
    for name, text in files.items():
        (tmp / "registries" / f"{name}.yaml").write_text(text)
    return tmp


def test_shipped_alerts_page_as_before_critical_ones_and_only_those() -> None:
    assert {r.name for r in RULES if r.pages} == \
        {r.name for r in RULES if r.severity == "critical"}
    assert not RULES_BY_NAME["ModelHighP99Latency"].pages


def test_an_added_folder_brings_a_cause_a_fix_a_team_and_a_warning_that_pages(
        clean_content: None) -> None:
    assert "D9" not in FAULTS_BY_ID and "rerun_dedup_job" not in FIXES
    loader.use_content([AUTHORED])
    assert FAULTS_BY_ID["D9"].name == "duplicated events"
    assert "rerun_dedup_job" in FIXES and "streaming-platform" in TEAMS
    g = Game(loader.scenario("authored-dedup-1"), 7)
    (page,) = g.record.facts.page_alerts
    assert (page.rule, page.severity) == ("ModelPredictionMeanDrift", "warning")
    assert g.do({"do": "ack"}).ok
    assert g.do({"do": "diagnose", "category": "data", "cause": "D9", "evidence": []}).ok
    assert g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "rerun_dedup_job"}).ok
    assert "streaming-platform" in g.do({"do": "help"}).data["teams"]
    loader.clear_caches()
    os.environ.pop(loader.CONTENT_ENV)
    loader.clear_caches()
    assert "D9" not in FAULTS_BY_ID and "ModelPredictionMeanDrift" not in RULES_BY_NAME


@pytest.mark.parametrize("sid", ["authored-dedup-1", "authored-ceiling-1"])
def test_the_authored_scenarios_keep_their_promises(sid: str, clean_content: None) -> None:
    loader.use_content([AUTHORED])
    assert check(sid, seeds=(7,)) == []


def test_a_broken_entry_is_one_line_with_its_line_number_and_the_rest_load(
        tmp_path: Path, clean_content: None, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path / "mine", fixes=(
        "fixes:\n"
        "- {id: drain_queue, about: drain the consumer queue}\n"
        "- id: purge_cache\n"
        "  abuot: purge the cache\n"
        "- {id: restart_pods, about: a second restart}\n"))
    assert cli.main(["validate", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    file = str(folder / "registries" / "fixes.yaml")
    assert f"{file}: line 3: fixes.1.about: Field required" in lines
    assert f"{file}: line 4: fixes.1.abuot: unknown field (check the spelling; `oncall " \
        "schema` lists the fields)" in lines
    assert any(ln.startswith(f"{file}: fixes.restart_pods: fix 'restart_pods' is already")
               for ln in lines)
    assert "drain_queue" in FIXES and "purge_cache" not in FIXES
    assert FIXES["restart_pods"] == "rolling restart of the model's pods"


def test_registry_mistakes_each_name_the_field_and_what_is_valid(
        tmp_path: Path, clean_content: None, capsys: pytest.CaptureFixture[str]) -> None:
    alert = yaml.safe_load((AUTHORED / "registries" / "alerts.yaml").read_text())["alerts"][0]
    wrong_metric = {**alert, "name": "QueueDepthHigh", "metric": "queue_depth", "kind": "level"}
    no_pages = {k: v for k, v in alert.items() if k != "pages"} | {"name": "NoPagesKey"}
    bad_field = {**alert, "name": "BadSummary", "summary": "{model} at {value}"}
    folder = _folder(
        tmp_path / "mine",
        alerts=yaml.safe_dump({"alerts": [wrong_metric, no_pages, bad_field]}),
        causes="causes:\n- {id: D10, category: infra, name: a cause in the wrong letter}\n",
        remediations="remediations:\n- {id: mon-queue-depth, kind: monitor, title: alert on "
                     "queue depth, ml_test_score: Mon6}\n",
        teams="- just a list\n")
    assert cli.main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    reg = str(folder / "registries")
    assert f"{reg}/alerts.yaml: alerts.QueueDepthHigh.metric: no model has the series " \
        "'queue_depth'; valid: " in out
    assert re.search(rf"{re.escape(reg)}/alerts.yaml: line \d+: alerts.1.pages: Field required",
                     out)
    assert "alerts.2: summary: {value} is not filled in; valid: {model}, {threshold}" in out
    assert "causes.0: a cause id starting with D is a data cause, not infra" in out
    assert f"{reg}/remediations.yaml: line 2: remediations.0: monitor: a monitor remediation " \
        "needs `monitor:` (`oncall schema remediation`)" in out
    assert f"{reg}/teams.yaml: expected one top-level key `teams:`" in out


def test_an_added_alert_needs_its_runbook(tmp_path: Path, clean_content: None,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path / "mine",
                     alerts=(AUTHORED / "registries" / "alerts.yaml").read_text())
    assert cli.main(["validate", str(folder)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line == (f"{folder / 'runbooks' / 'ModelPredictionMeanDrift.md'}: alert rule "
                    "ModelPredictionMeanDrift has no runbook")


@pytest.mark.parametrize("what", ["cause", "fix", "team", "alert", "remediation"])
def test_each_registry_has_a_schema_its_shipped_file_follows(
        what: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", what]) == 0
    doc = json.loads(capsys.readouterr().out)
    key = registry.KINDS[what][0]
    item = doc["properties"][key]["items"]
    shipped = yaml.safe_load((loader.content_root() / "registries" / f"{key}.yaml").read_text())
    for entry in shipped[key]:
        assert set(item["required"]) <= set(entry) <= set(item["properties"]), entry
    if what == "alert":
        assert "pages" in item["required"]


def test_schema_of_scenarios_and_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "kind"]) == 0
    assert "remap" in json.dumps(json.loads(capsys.readouterr().out))
    assert cli.main(["schema", "scenario"]) == 0
    assert "D8" in capsys.readouterr().out


def test_registry_files_validate_alone_and_a_stray_file_is_named(
        tmp_path: Path, clean_content: None, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = loader.content_root() / "registries"
    assert cli.main(["validate", str(shipped)]) == 0
    assert capsys.readouterr().out == "all content files are valid\n"
    folder = _folder(tmp_path / "mine", teams="teams:\n- {id: dba-oncall, about: databases}\n",
                     playbooks="plays: []\n")
    assert cli.main(["validate", str(folder)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line == (f"{folder / 'registries' / 'playbooks.yaml'}: not a registry file; valid: "
                    "causes.yaml, fixes.yaml, teams.yaml, alerts.yaml, remediations.yaml")
    assert cli.main(["validate", str(folder / "registries" / "teams.yaml")]) == 0
