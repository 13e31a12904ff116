"""The JSON-lines protocol as a script or a bot sees it, through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from oncall_cli import run_oncall


def run(lines: list[str], *args: str, env_home: Path | None = None) -> list[dict]:
    proc = run_oncall(
        [*(["--home", str(env_home)] if env_home else []),
         "play", "--headless", "--seed", "5", "--scenario", "search-1", *args],
        input="\n".join(lines) + "\n")
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

    sc = loader.scenario("search-1")
    out = run([json.dumps(c) for c in sc.playbook.right], env_home=tmp_path)
    last = out[-1]
    assert last["kind"] == "postmortem" and last["scorecard"]["total"] > 80
    saved = Path(last["saved"])
    assert saved.is_file() and saved.is_relative_to(tmp_path)


# -- issue #12: nothing a player types or a disk does ends a night -----------------------------
def raw_run(data: bytes, *args: str, env: dict[str, str] | None = None,
            seed: str = "5", scenario: str = "search-1") -> subprocess.CompletedProcess:
    return run_oncall(["play", "--headless", "--seed", seed, "--scenario", scenario, *args],
                      input=data, text=False, env={**os.environ, **(env or {})})


def replies(proc: subprocess.CompletedProcess) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr, proc.stderr
    lines = proc.stdout.decode("utf-8").splitlines()
    return [json.loads(x) for x in lines]


def test_malformed_lines_get_one_json_line_each_and_the_session_goes_on() -> None:
    bad = [b'{"do": ["ack"]}', b'{"do": {"x": 1}}', b"[" * 1000 + b"]" * 1000,
           b'{"do": ' + b"9" * 5000 + b"}", b'{"do": "help"}\xff\xfe', b"\xc3",
           b'{"do": "ack", "x": NaN}', b'{"do": "ack", "x": 1e999}', b'"\\ud800"',
           b'{"do": "' + b"x" * 1_000_000 + b'"}', b'{"do":"ack"}']
    out = replies(raw_run(b"\n".join(bad) + b"\n", "--no-save",
                          env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                               "PYTHONIOENCODING": "ascii:strict"}))
    assert len(out) == 1 + len(bad)
    assert all(o["kind"] == "error" and o["ok"] is False for o in out[1:-1])
    assert [o["line"] for o in out[1:-1]] == list(range(1, len(bad)))
    assert "not UTF-8" in out[5]["error"] and "nested too deeply" in out[3]["error"]
    assert len(out[10]["error"]) < 2000
    assert out[-1]["kind"] == "ack" and out[-1]["ok"]


def test_a_drift_test_that_does_not_fit_the_column_is_an_error_not_an_exit() -> None:
    lines = [b'{"do":"ack"}',
             b'{"do":"drift","model":"fraud-scorer","feature":"prediction","test":"chi2"}',
             b'{"do":"status"}']
    out = replies(raw_run(b"\n".join(lines) + b"\n", "--no-save", seed="7",
                          scenario="fraud-1"))
    assert len(out) == 4 and out[2]["ok"] is False and out[3]["kind"] == "status"


def test_a_save_that_cannot_be_written_still_delivers_the_card_and_the_record(
        tmp_path: Path) -> None:
    from oncall.content import loader

    home = tmp_path / "home"
    home.write_text("a file where the home folder should be")
    temp = tmp_path / "temp"
    temp.mkdir()
    script = "\n".join(json.dumps(c) for c in loader.scenario("search-1").playbook.right)
    proc = raw_run(script.encode() + b"\n", env={"ONCALL_HOME": str(home), "TMPDIR": str(temp)})
    last = replies(proc)[-1]
    assert last["kind"] == "postmortem" and last["scorecard"]["total"] > 80
    assert last["saved_fallback"] is True and "home" in last["save_error"]
    saved = Path(last["saved"])
    assert saved.is_relative_to(temp) and saved.is_file()
    rep = run_oncall(["replay", str(saved)])
    assert rep.returncode == 0 and "reproduces exactly" in rep.stdout


def test_help_and_status_answer_after_the_postmortem(tmp_path: Path) -> None:
    from oncall.content import loader

    sc = loader.scenario("search-1")
    out = run([*(json.dumps(c) for c in sc.playbook.right), '{"do": "help"}',
               '{"do": "status"}', '{"do": "ack"}'], env_home=tmp_path)
    assert out[-4]["kind"] == "postmortem"
    assert out[-3]["kind"] == "help" and out[-2]["kind"] == "status"
    assert out[-1]["kind"] == "error" and "ended" in out[-1]["error"]


def test_a_record_with_non_object_lines_replays_exactly(tmp_path: Path) -> None:
    from oncall.content import loader

    sc = loader.scenario("search-1")
    script = [json.dumps(c) for c in sc.playbook.right]
    script[1:1] = ['"x"', "[1]", "5", "null", '{"do": ["ack"]}', '{"nodo": 1}']
    out = run(script, env_home=tmp_path)
    saved = Path(out[-1]["saved"])
    rep = run_oncall(["replay", str(saved)])
    assert rep.returncode == 0 and "reproduces exactly" in rep.stdout, rep.stdout
