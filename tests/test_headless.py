"""The JSON-lines protocol as a script or a bot sees it, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(lines: list[str], *args: str, env_home: Path | None = None) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "oncall", *(["--home", str(env_home)] if env_home else []),
         "play", "--headless", "--seed", "5", "--scenario", "search-gpu-oom", *args],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return [json.loads(x) for x in proc.stdout.splitlines()]


def test_page_first_then_help_describes_the_protocol() -> None:
    out = run(['{"do": "help"}'], "--no-save")
    assert out[0]["kind"] == "page" and out[0]["data"]["alerts"]
    helped = out[1]["data"]
    verbs = {c["do"] for c in helped["commands"]}
    assert {"ack", "dashboard", "drift", "diagnose", "rollback", "hotfix", "escalate"} <= verbs
    drift = next(c for c in helped["commands"] if c["do"] == "drift")
    assert drift["args"]["model"]["required"] is True
    assert "D4" in helped["causes"] and "lower_batch_size" in helped["fixes"]


def test_bad_lines_get_json_errors_and_the_session_continues() -> None:
    out = run(["this is not json", '{"do": "teleport"}', '["ack"]',
               '{"do": "rollback"}', '{"do": "ack"}'], "--no-save")
    errors = out[1:5]
    assert all(e["kind"] == "error" and e["ok"] is False for e in errors)
    assert "line 1: not JSON" in errors[0]["error"]
    assert "teleport" in errors[1]["error"] and "ack" in errors[1]["valid"]
    assert "rollback: model" in errors[3]["error"]
    assert out[5]["kind"] == "ack" and out[5]["ok"]


def test_full_play_ends_with_the_scorecard_and_a_save(tmp_path: Path) -> None:
    from oncall.content import loader

    sc = loader.scenario("search-gpu-oom")
    out = run([json.dumps(c) for c in sc.playbook.right], env_home=tmp_path)
    last = out[-1]
    assert last["kind"] == "postmortem" and last["scorecard"]["total"] > 80
    saved = Path(last["saved"])
    assert saved.is_file() and saved.is_relative_to(tmp_path)
