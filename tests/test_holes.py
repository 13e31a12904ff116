"""Small holes a hostile or unlucky user found: each is now a one-line reason, never an internal
error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oncall import cli

PLAY = [sys.executable, "-m", "oncall", "play", "--headless", "--scenario", "search-1",
        "--seed", "5", "--no-save"]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0] and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("seed", ["²", "①", "٣", "1²"])
def test_unicode_digits_are_not_a_seed(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in (["play", "--headless"], ["shift", "--headless"]):
        assert cli.main([*cmd, "--seed", seed]) == 2
        line = one_line(capsys.readouterr().err)
        assert "--seed:" in line and "is not an integer from 0 to 2**63-1" in line


def test_a_save_nested_600_deep_is_an_invalid_save(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    nest: object = 0
    for _ in range(600):
        nest = [nest]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"format": 1, "record": {"entries": [{"command": nest}]},
                                "scorecard": {}, "saved_at": ""}))
    for command in (["replay", str(path)], ["story", str(path)], ["export", str(path)],
                    ["shift", "story", str(path)]):
        assert cli.main(command) == 2
        line = one_line(capsys.readouterr().err)
        assert str(path) in line and "nested more than 64 levels deep" in line


def test_a_closed_stdout_is_one_line() -> None:
    proc = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *PLAY], input=b"",
                          capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert "the standard output is closed" in one_line(proc.stderr.decode())


def test_a_full_stdout_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(PLAY, input=b'{"do": "ack"}\n', stdout=full,
                              stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 1
    line = one_line(proc.stderr.decode())
    assert "takes no more lines (No space left on device)" in line


def test_scenarios_show_takes_a_random_night_and_blames_no_flag(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scenarios", "show", "random-5-normal"]) == 0
    assert "(random-5-normal)" in capsys.readouterr().out
    assert cli.main(["scenarios", "show", "nope"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("oncall: scenarios show: unknown scenario 'nope'")
    assert "--scenario" not in line


def test_shift_status_and_help_refuse_arguments_as_play_does() -> None:
    from oncall.session import ShiftSession

    night = ShiftSession(3, 120, save=False)
    for verb in ("status", "help"):
        assert night.do({"do": verb}).ok
        obs = night.do({"do": verb, "bogus": 1})
        assert not obs.ok and "bogus" in (obs.error or ""), obs.error


def test_a_full_stdout_under_any_command_is_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "oncall", "--home", str(tmp_path),
                               "scenarios", "--json"], stdout=full, stderr=subprocess.PIPE,
                              timeout=120)
    assert proc.returncode == 1
    line = one_line(proc.stderr.decode())
    assert line == "oncall: cannot write to the standard output: No space left on device"
