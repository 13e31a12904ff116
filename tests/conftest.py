"""Shared fixtures: every test gets its own saves folder, and nothing reads the user's.

The suite runs on pytest-xdist workers (see `addopts` in pyproject.toml): what the fuzz tests
counted in each worker is sent back to the controller, which prints the totals.
"""

from __future__ import annotations

import gc
import inspect
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_FOLDERS = itertools.count()


@pytest.fixture
def tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of the test's own in the run's temporary folder, numbered by a counter. pytest's
    own `tmp_path` numbers it by listing every folder the process made so far (`mktemp`), so
    with about 800 tests a worker the listings grew to some 2% of the suite's CPU."""
    path = tmp_path_factory.getbasetemp() / f"t{next(_FOLDERS)}"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("ONCALL_HOME", str(home))
    # The save fallback and the error log's last resort live in the temp folder: give each test
    # its own, in this process and in the processes it starts.
    temp = tmp_path.with_name(f"{tmp_path.name}-sys")
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    # Validated content is cached in the run's own folder (`_run_cache`), never in the user's.
    monkeypatch.setenv(CACHE_ENV, _RUN_CACHE[0])
    # Content folders a test adds (`--content` sets ONCALL_CONTENT for the process) end with it:
    # every test starts on the shipped library. The variable is dropped directly, not through
    # monkeypatch, whose undo would put back a folder it saw at teardown.
    _shipped_library_only()
    yield home
    _shipped_library_only()


def _shipped_library_only() -> None:
    if os.environ.pop("ONCALL_CONTENT", None) is not None or _library_strayed():
        from oncall.content.loader import clear_caches

        clear_caches()


def _library_strayed() -> bool:
    """The cached registries hold an added folder's entries, the cached kind registry holds a
    kind from outside the shipped folder, or a shipped kind that failed to parse while a test
    had patched what kinds are checked against: any would change every later random night
    drawn in this worker."""
    from oncall.content.kinds import fault_kinds, faults_dir
    from oncall.content.loader import ContentError, content_root
    from oncall.sim import registry

    if registry.registries.cache_info().currsize and any(
            not _same(p.parents[1], content_root())
            for p in registry.registries().sources.values()):
        return True  # a registry holds an added folder's causes, fixes, teams or alerts
    if not fault_kinds.cache_info().currsize:
        return False
    reg = fault_kinds()
    shipped = faults_dir()
    return (any(not _same(p.parent, shipped) for p in reg._paths.values())
            or any(isinstance(v, ContentError) for v in reg._parsed.values()))


def _same(a: Path, b: Path) -> bool:
    """The same folder; asking the file system only when the paths differ as written (this
    runs twice for every test)."""
    return a == b or a.resolve() == b.resolve()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="run the fuzz and kill tests with their long budgets and the "
                          "conformance checks on every seed (minutes)")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores. The TUI, browser and subprocess tests spend
    much of their time waiting (on Textual's idle loop, a page, a child process): with a worker
    per core a core sits idle through those waits, and a third worker fills them (on two cores
    the suite took 188 s with two workers and 174 s with three, at about the same CPU)."""
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1) + 1


CACHE_ENV = "ONCALL_CACHE"
"""Where the game keeps validated content between runs (`oncall.sim.datafile.CACHE_ENV`; the
name is written out here so that setting it imports nothing of the game)."""
_RUN_CACHE: list[str] = []


def _run_cache(config: pytest.Config) -> None:
    """Validated content is cached, for this run only, in a temporary folder, from before the
    test modules are collected (collecting them reads the library: without this the user's
    cache folder would be read and written). The first process makes it and removes it at the
    end; xdist workers, started after this hook, inherit it through the environment and share
    it (a cache file is replaced whole, so a reader never sees half of one)."""
    inherited = os.environ.get(CACHE_ENV, "")
    if hasattr(config, "workerinput") and inherited and Path(inherited).is_dir():
        _RUN_CACHE[:] = [inherited]
        return
    folder = tempfile.mkdtemp(prefix="oncall-test-cache-")
    os.environ[CACHE_ENV] = folder
    _RUN_CACHE[:] = [folder]
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_configure(config: pytest.Config) -> None:
    from fuzz_budget import configure

    _run_cache(config)
    _keep_bytecode()
    long = bool(config.getoption("--fuzz-long"))
    configure(long=long)
    _hypothesis_profile(long)
    config.addinivalue_line(
        "markers", "heavy: a test of several seconds, handed to a worker before the quick ones")


def _hypothesis_profile(long: bool) -> None:
    """The README's test command draws the same examples on every run (a failure there is the
    code's, and reproduces); `--fuzz-long` explores new ones each run. Loaded before any test
    module is imported, so every test's own `@settings` inherits it."""
    from hypothesis import settings

    settings.register_profile("repeatable", derandomize=True, database=None)
    settings.register_profile("explore")
    settings.load_profile("explore" if long else "repeatable")


def _keep_bytecode() -> None:
    """Compiled modules are kept (in `__pycache__`, which git ignores) even where
    PYTHONDONTWRITEBYTECODE is set: otherwise every xdist worker and every process a test starts
    (a CLI run, a seat, a saver killed mid-write) compiles the game and the test modules again,
    most of a second of CPU each. Set here, before the workers start, so they and their children
    inherit it. (Not a PYTHONPYCACHEPREFIX: under one, the installed packages' own compiled
    files are not read and every library would be compiled again.)"""
    if not sys.dont_write_bytecode:
        return
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heavy tests first, then the others with the ones that drive an app spread evenly among
    the rest. xdist (`--dist loadgroup`) hands out its groups first, biggest first, then the
    other tests in this order; a test of many seconds handed out last would keep one worker busy
    while the other has nothing left to do. An app's test waits on Textual's loop for much of
    its time: in file order they all came last, and for the last 30 s all three workers waited
    on apps at once while a core sat idle."""
    heavy = [item for item in items if item.get_closest_marker("heavy") is not None]
    rest = [item for item in items if item.get_closest_marker("heavy") is None]
    apps = [item for item in rest if _drives_an_app(item)]
    others = [item for item in rest if not _drives_an_app(item)]
    placed = sorted([((k + 0.5) / len(apps), 1, k) for k in range(len(apps))]
                    + [(k / len(others), 0, k) for k in range(len(others))])
    items[:] = heavy + [(apps if kind else others)[k] for _, kind, k in placed]


def _drives_an_app(item: pytest.Item) -> bool:
    return inspect.iscoroutinefunction(getattr(item, "obj", None))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collecting made (the modules, the library, the parameters) lives as long as the
    process: the collector stops scanning it (`gc.freeze`, as `oncall.cli` does once a command's
    imports are done), and collects the young generation every 10,000 allocations instead of
    700. The tests make little cyclic garbage; with the defaults the collector took about 2% of
    their CPU (1.3 s of 62 s on tests/content and tests/story, then 0.3 s), at the same peak
    memory."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


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
