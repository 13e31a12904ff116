"""Shared fixtures: every test gets its own saves folder, and nothing reads the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ONCALL_HOME", str(home))
    # The save fallback and the error log's last resort live in the temp folder: give each test
    # its own, in this process and in the processes it starts.
    temp = tmp_path_factory.mktemp("systemp")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    return home


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="run the fuzz and kill tests with their long budgets (minutes)")


def pytest_configure(config: pytest.Config) -> None:
    from fuzz_budget import configure

    configure(long=bool(config.getoption("--fuzz-long")))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from fuzz_budget import summary

    lines = summary()
    if lines:
        terminalreporter.section("fuzz")
        for line in lines:
            terminalreporter.write_line(line)
