"""The commands a user types, end to end through `python -m oncall`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from oncall.content import loader


def oncall(*args: str, home: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "oncall", *(["--home", str(home)] if home else []), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_version_names_textual() -> None:
    out = oncall("--version").stdout
    assert out.startswith("oncall ") and "Textual" in out


def test_scenarios_json_and_answers_with_right_and_wrong_plays() -> None:
    ids = [s["id"] for s in json.loads(oncall("scenarios", "--json").stdout)]
    assert ids == sorted(loader.scenarios())
    shown = json.loads(oncall("scenarios", "show", "recsys-bad-canary", "--answers",
                              "--json").stdout)
    assert shown["answers"]["cause"] == "M1"
    assert shown["right"][0] == {"do": "ack"} and shown["wrong"]
    hidden = json.loads(oncall("scenarios", "show", "recsys-bad-canary", "--json").stdout)
    assert "answers" not in hidden


def test_unknown_scenario_is_a_clear_error() -> None:
    proc = oncall("play", "--headless", "--scenario", "nope")
    assert proc.returncode == 2 and "unknown scenario 'nope'" in proc.stderr


def test_validate_prints_every_problem_with_file_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load((loader.incidents_dir() / "search-gpu-oom.yaml").read_text())
    data["id"] = "broken"
    data["fault"]["kind"] = "meteor_strike"
    data["answers"]["severity"] = 9
    bad = tmp_path / "broken.yaml"
    bad.write_text(yaml.safe_dump(data))
    proc = oncall("validate", str(bad))
    assert proc.returncode == 1
    assert f"{bad}: fault.kind:" in proc.stdout and f"{bad}: answers.severity:" in proc.stdout
    assert oncall("validate").returncode == 0


def test_schema_is_json_schema_of_the_scenario() -> None:
    schema = json.loads(oncall("schema").stdout)
    assert schema["title"] == "Scenario" and "fault" in schema["properties"]


def test_save_replays_exactly_and_tells_a_story(tmp_path: Path) -> None:
    sc = loader.scenario("recsys-bad-canary")
    script = "\n".join(json.dumps(c) for c in sc.playbook.right)
    lines = oncall("play", "--headless", "--seed", "3", "--scenario", sc.id, home=tmp_path,
                   stdin=script).stdout.splitlines()
    saved = Path(json.loads(lines[-1])["saved"])
    replay = oncall("replay", str(saved))
    assert replay.returncode == 0 and "reproduces exactly" in replay.stdout
    story = oncall("story", home=tmp_path).stdout
    assert "ErrorBudgetBurnFast" in story and "recsys-ranker" in story
    assert "numbers" not in oncall("numbers", home=tmp_path).stderr


def test_corrupt_save_gets_a_clear_message_and_is_left_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "incidents" / "broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"format": 1, "record": ')
    before = bad.read_bytes()
    proc = oncall("replay", str(bad))
    assert proc.returncode == 2 and str(bad) in proc.stderr
    assert bad.read_bytes() == before
