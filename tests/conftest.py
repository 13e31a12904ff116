"""Shared fixtures: every test gets its own saves folder, and nothing reads the user's.

The suite runs on pytest-xdist workers (see `addopts` in pyproject.toml): what the fuzz tests
counted in each worker is sent back to the controller, which prints the totals.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("ONCALL_HOME", str(home))
    # The save fallback and the error log's last resort live in the temp folder: give each test
    # its own, in this process and in the processes it starts.
    temp = tmp_path_factory.mktemp("systemp")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    # Content folders a test adds (`--content` sets ONCALL_CONTENT for the process) end with it:
    # the next test in this worker reads the shipped library only.
    monkeypatch.delenv("ONCALL_CONTENT", raising=False)
    yield home
    if os.environ.pop("ONCALL_CONTENT", None) is not None:
        from oncall.content.loader import clear_caches

        clear_caches()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="run the fuzz and kill tests with their long budgets (minutes)")


def pytest_configure(config: pytest.Config) -> None:
    from fuzz_budget import configure

    configure(long=bool(config.getoption("--fuzz-long")))


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        from fuzz_budget import COUNTS, SECONDS

        workeroutput["fuzz"] = {"counts": dict(COUNTS), "seconds": dict(SECONDS)}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    from fuzz_budget import COUNTS, SECONDS

    sent = getattr(node, "workeroutput", {}).get("fuzz", {})
    COUNTS.update(sent.get("counts", {}))
    SECONDS.update(sent.get("seconds", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from fuzz_budget import summary

    lines = summary()
    if lines:
        terminalreporter.section("fuzz")
        for line in lines:
            terminalreporter.write_line(line)
