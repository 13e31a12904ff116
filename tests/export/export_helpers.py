"""Every scenario's right play, played once per session and exported once. The tests that read
these exports are kept on one xdist worker (`EXPORTS_GROUP`), so each is played once."""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from worlds import fresh_game

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game, world_spec
from oncall.game.record import Record
from oncall.sim.world import World
from oncall.store.export import export

SEED = 7
EXPORTS_GROUP = pytest.mark.xdist_group("exports")
"""The mark of every test that takes the session's `exports`: they share one worker."""
SCENARIOS = sorted(loader.scenarios())


def play(sid: str, postmortem: dict[str, object] | None = None, seed: int = SEED) -> Game:
    """The scenario's right play; `postmortem` replaces fields of its postmortem command."""
    sc = loader.scenario(sid)
    g = fresh_game(sid, seed)  # a copy of the process's one build of (sid, seed)
    for cmd in sc.playbook.right:
        if cmd.get("do") == "postmortem" and postmortem is not None:
            cmd = {**cmd, **postmortem}
        obs = g.do(cmd)
        assert obs.ok, (cmd, obs.text)
    return g


class Exports:
    """The records and export folders of the right plays (not their games: a played game holds
    tens of MB, and its record and folder are all the tests read)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[str, Record] = {}

    def get(self, sid: str) -> tuple[Record, Path]:
        if sid not in self.records:
            self.records[sid] = play(sid).record
            export(self.records[sid], self.root / sid)
        return self.records[sid], self.root / sid

    @staticmethod
    def clean_world(sid: str) -> World:
        """The right play's incident as it ran with nobody acting (`remediations.clean`): what
        its replays and exported tests read. Playing does not change a world's seed or spec, so
        the world of the scenario's spec gives the same (kept by `remediations` for the
        export's sake; a world, not a game: nothing has to be played to the page)."""
        return remediations.clean_world(SEED, world_spec(loader.scenario(sid), None))


def has_tests(sid: str) -> bool:
    """Whether the scenario's right play proposes a test."""
    return any(r.startswith("test-") for cmd in loader.scenario(sid).playbook.right
               if cmd.get("do") == "postmortem" for r in cmd.get("remediations", []))


PYTEST_RUNNER = r"""
import json, os, sys
import numpy, pytest  # what every exported folder imports, loaded once for all of them
for line in sys.stdin:
    job = json.loads(line)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # a new process for each run, as `python -m pytest` in the folder would be
        os.close(r)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(w, 1)
        os.dup2(w, 2)
        os.chdir(job["folder"])
        os.environ["ONCALL_FIXTURES"] = job["window"]
        code = pytest.main(["-q", "-rf", "-p", "no:cacheprovider"])
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))
    os.close(w)
    with os.fdopen(r, "rb") as out:
        text = out.read().decode("utf-8", "replace")
    status = os.waitpid(pid, 0)[1]
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "out": text}), flush=True)
"""
"""Runs pytest in exported folders, each run in a process forked from one that has imported
pytest and numpy already: a run costs its tests, not an interpreter's start (a third of a
second each, twice per scenario)."""
_runner: list[subprocess.Popen[str]] = []


def _pytest_runner() -> subprocess.Popen[str]:
    if not _runner or _runner[0].poll() is not None:
        # No plugin but pytest itself: the folder needs nothing else (and starts 4x faster).
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        _runner[:] = [subprocess.Popen([sys.executable, "-c", PYTEST_RUNNER], env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       text=True)]
        atexit.register(_runner[0].stdin.close)  # type: ignore[union-attr]
    return _runner[0]


def run_pytest(folder: Path, window: str) -> subprocess.CompletedProcess[str]:
    """The exported tests, run as a team would run them (`python -m pytest` in the folder), on
    one window's fixtures."""
    runner = _pytest_runner()
    assert runner.stdin is not None and runner.stdout is not None
    runner.stdin.write(json.dumps({"folder": str(folder), "window": window}) + "\n")
    runner.stdin.flush()
    ready, _, _ = select.select([runner.stdout], [], [], 120)
    if not ready:
        runner.kill()
        raise AssertionError(f"pytest in {folder} ({window}) did not end in 120 s")
    line = runner.stdout.readline()
    assert line, f"the pytest runner ended before running {folder} ({window})"
    done = json.loads(line)
    return subprocess.CompletedProcess(["pytest"], done["code"], done["out"], "")


def catches_its_fault(folder: Path, files: list[str]) -> None:
    """Every exported test file passes on the healthy fixtures and fails on the faulty ones."""
    healthy = run_pytest(folder, "healthy")
    assert healthy.returncode == 0, healthy.stdout[-2000:]
    faulty = run_pytest(folder, "faulty")
    assert faulty.returncode == 1, faulty.stdout[-2000:]
    failed = {line.split("::")[0].removeprefix("FAILED ") for line in faulty.stdout.splitlines()
              if line.startswith("FAILED ")}
    assert failed == set(files), f"every generated test file catches the fault: {failed}"
    assert "AssertionError" in faulty.stdout


PROMTOOL_GO = {"GOGC": "400", "GOMAXPROCS": "1"}
"""promtool's Go runtime collects garbage a fifth as often and on one thread: the same answers
for about a sixth less CPU (every scenario's unit tests: 7.0 s -> 5.8 s; its heap peaks near
370 MB instead of 80 MB)."""


def promtool_passes(folders: list[Path], only: dict[Path, str] | None = None) -> list[str]:
    """`promtool check rules` and `promtool test rules` over the folders' exports, in one batch
    each (skipped, saying so, where promtool is not installed); the unit-test files run.
    `only` names, for some folders, the one monitor whose files are run there (with the
    model's recording rules): the others are as another folder exported them."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus); "
                    "the rule files were not run through Prometheus")

    def files(folder: Path, kind: str) -> list[str]:
        found = sorted((folder / "monitoring").glob(f"*.{kind}.yml"))
        if only is not None and folder in only:
            found = [p for p in found if p.name.endswith((f"-{only[folder]}.{kind}.yml",
                                                          f".recording.{kind}.yml"))]
        return [str(p) for p in found]

    rules = sorted(p for f in folders for p in files(f, "rules"))
    tests = sorted(p for f in folders for p in files(f, "test"))
    if rules:
        check = subprocess.run([promtool, "check", "rules", *rules], capture_output=True,
                               text=True, timeout=300, env={**os.environ, **PROMTOOL_GO})
        assert check.returncode == 0, (check.stdout + check.stderr)[-3000:]
    if tests:
        run = subprocess.run([promtool, "test", "rules", *tests], capture_output=True,
                             text=True, timeout=600, env={**os.environ, **PROMTOOL_GO})
        assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
        assert run.stdout.count("SUCCESS") == len(tests)
    return tests
