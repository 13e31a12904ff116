"""`run_oncall` (the forked command the CLI tests use) answers as `python -m oncall` in a new
interpreter does: the same exit status, stdout and stderr, stdin read, environment and working
folder taken from the caller."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from oncall_cli import run_oncall

PLAY = '{"do": "ack"}\nnot json\n{"do": "status"}\n'


@pytest.mark.parametrize(("args", "stdin"), [
    (["play", "--headless", "--seed", "5", "--scenario", "search-1", "--no-save"], PLAY),
    (["play", "--headless", "--scenario", "nope"], ""),  # a usage error: status 2, one line
    (["replay", "missing.json"], ""),  # a path relative to the working folder
])
def test_a_forked_command_answers_as_a_new_interpreter(args: list[str], stdin: str,
                                                        tmp_path: Path) -> None:
    fresh = subprocess.run([sys.executable, "-m", "oncall", "--home", str(tmp_path), *args],
                           input=stdin, capture_output=True, text=True, cwd=tmp_path,
                           timeout=120)
    forked = run_oncall(["--home", str(tmp_path), *args], input=stdin, cwd=tmp_path)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode, fresh.stdout, fresh.stderr)
    assert fresh.stdout or fresh.stderr


def test_the_environment_is_the_callers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCALL_HOME", str(tmp_path / "elsewhere"))
    script = '{"do": "ack"}\n{"do": "abandon"}\n'
    done = run_oncall(["play", "--headless", "--seed", "5", "--scenario", "search-1"],
                      input=script)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "elsewhere").rglob("*.json")), "saved under the caller's ONCALL_HOME"
