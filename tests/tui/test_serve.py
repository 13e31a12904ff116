"""`oncall serve`: the command each browser connection runs, and arguments checked up front."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from oncall import cli
from oncall.tui.serve import command


def test_each_connection_runs_this_interpreter_on_these_saves(tmp_path: Path) -> None:
    words = shlex.split(command(tmp_path / "my saves"))
    assert words == [sys.executable, "-m", "oncall", "--home", str(tmp_path / "my saves")]
    words = shlex.split(command(None, seed=7, scenario="fraud-1", difficulty="hard"))
    assert words[3:] == ["play", "--scenario", "fraud-1", "--seed", "7", "--difficulty", "hard"]


@pytest.mark.parametrize("port", ["0", "70000"])
def test_a_port_out_of_range_is_refused_with_its_reason(
        port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--port", port]) == 2
    err = capsys.readouterr().err
    assert f"serve: --port: {port} is not a port (1 to 65535)" in err


def test_serve_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "serve" in capsys.readouterr().out
