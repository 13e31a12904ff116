"""One drill through the shared log, as a team plays it: three headless seats (subprocesses)
and one terminal seat (the TUI) in four roles, each issuing only its role's verbs; the
operations seat is killed mid-drill and rejoins. The drill's record is the record of the same
commands played alone, and `oncall replay` reproduces its card. The seat that ends the incident
can die at that moment: the record is still saved, by a seat that saw the end, a later join or
`oncall drill save`."""

from __future__ import annotations

import asyncio
import io
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from oncall_cli import run_oncall
from textual.widgets import Input

from oncall import cli, headless
from oncall.content import loader
from oncall.drill.log import DrillLog, default_url
from oncall.drill.roles import OWNER, verbs
from oncall.drill.table import Seat
from oncall.tui.drill import DrillApp, SeatScreen

SCENARIO, SEED = "ads-1", 7
WAIT = 60.0


class Client:
    """One `oncall drill join --headless` process; a thread collects its lines."""

    def __init__(self, home: Path, drill: str, role: str, name: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "oncall", "--home", str(home), "drill", "join", drill,
             "--role", role, "--name", name, "--headless", "--linger", "30"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def until(self, test: Any) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            self.seen.append(line)
            if test(line):
                return line

    def send(self, command: dict[str, Any], after: int) -> dict[str, Any]:
        """Send one command; its own answer (an error line, or the first of its own events
        after seq `after`)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self.until(lambda ln: ln.get("kind") == "error" or (
            ln.get("mine") and ln.get("seq", 0) > after and ln["command"] == command))

    def close(self) -> list[dict[str, Any]]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.until(lambda ln: ln.get("kind") == "drill-leave")
        assert self.proc.wait(WAIT) == 0
        return self.seen


def _new_drill(home: Path) -> str:
    out = run_oncall(["--home", str(home), "drill", "new", "--scenario", SCENARIO, "--seed",
                      str(SEED)])
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _solo(commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = io.StringIO()
    session = headless.run(loader.scenario(SCENARIO), SEED, None,
                           io.StringIO("\n".join(json.dumps(c) for c in commands)), out,
                           save=False)
    assert session.ended
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.heavy
async def test_three_headless_and_one_tui_seat_one_drill_same_as_solo(tmp_path: Path) -> None:
    home = tmp_path / "home"
    drill = _new_drill(home)
    assert drill.startswith("d-")
    names = {"commander": "ann", "operations": "bob", "communications": "cy", "scribe": "di"}
    clients = {role: Client(home, drill, role, names[role])
               for role in ("commander", "operations", "communications")}
    for c in clients.values():
        c.until(lambda ln: ln.get("kind") == "drill" and ln.get("mine"))
    app = DrillApp(DrillLog(default_url(home)), home, drill, "scribe", names["scribe"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SeatScreen) and screen.seat.role == "scribe"
        field = screen.query_one("#drill-command", Input)

        async def typed(line: str) -> None:
            field.value = line
            await pilot.press("enter")
            await pilot.pause()

        # a verb out of role is refused, names its owner, and never reaches the log
        refused = clients["commander"].send({"do": "logs", "model": "ad-ctr"}, 0)
        assert refused["kind"] == "error" and "operations lead" in refused["error"]
        await typed("update all fine")
        assert any("communications lead's call" in line for line in screen.shown)

        script = loader.scenario(SCENARIO).playbook.right
        seq, answers, killed = len(names), [], False
        for i, command in enumerate(script):
            role = OWNER[command["do"]]
            if role == "scribe":
                await typed(json.dumps(command))
                mine = screen.seat.table.seq
                assert mine > seq, screen.shown[-3:]
                # the commander's seat shows the terminal seat's command as it landed
                line = await asyncio.to_thread(
                    clients["commander"].until, lambda ln, s=mine: ln.get("seq") == s)
                assert line["who"] == names[role] and line["role"] == role
                seq = mine
                answers.append(line)
                continue
            if role == "operations" and i >= 6 and not killed:
                clients[role].proc.kill()  # mid-drill, between two of its commands
                clients[role].proc.wait(WAIT)
                clients[role] = Client(home, drill, role, names[role])
                back = clients[role].until(lambda ln, after=seq: ln.get("kind") == "drill"
                                           and ln.get("mine") and ln["seq"] > after)
                seq = back["seq"]
                caught = [ln["seq"] for ln in clients[role].seen if "seq" in ln]
                assert caught == list(range(1, seq + 1)), "the rejoined seat replays the log"
                killed = True
            line = await asyncio.to_thread(clients[role].send, command, seq)
            assert line.get("ok"), line
            assert line["who"] == names[role] and line["role"] == role
            seq = line["seq"]
            answers.append(line)
        assert killed and any(OWNER[c["do"]] == "scribe" for c in script)
        ends = {role: await asyncio.to_thread(c.close) for role, c in clients.items()}
        await pilot.pause()
        tui_saved = [ln for ln in screen.shown if ln.startswith("Saved the drill's record to ")]
        assert any(ln.startswith("scribe: ") for ln in screen.shown), "the role cards"

    with DrillLog(default_url(home)) as log:
        for ev in log.events(drill):
            assert ev.verb in (*verbs(ev.role), "join"), (ev.who, ev.role, ev.verb)
        assert {ev.who: ev.role for ev in log.events(drill)} == {n: r for r, n in names.items()}
    solo = _solo(script)[1:]
    strip = ("seq", "who", "role", "command", "mine", "saved")
    assert [{k: v for k, v in ln.items() if k not in strip} for ln in answers] == solo
    for role, lines in ends.items():
        end = [ln for ln in lines if ln.get("kind") == "drill-end"]
        assert len(end) == 1, role
        assert end[0]["team"]["score"] == solo[-1]["scorecard"]
        assert {c["role"] for c in end[0]["roles"]} == set(names)
    # every seat saved the record as it saw the end: one file, the same path everywhere
    paths = {ln["saved"] for lines in ends.values() for ln in lines if ln.get("kind") ==
             "drill-end"} | {ln.removeprefix("Saved the drill's record to ") for ln in tui_saved}
    assert len(paths) == 1 and len(tui_saved) == 1
    saved = Path(paths.pop())
    assert saved.is_relative_to(home) and saved.name.endswith(f"-{drill}.json")
    assert list((home / "incidents").glob("*.json")) == [saved]
    assert json.loads(saved.read_text())["record"] == _record(script)
    assert cli.main(["replay", str(saved)]) == 0


DIE_AFTER_APPEND = """
import os, signal, sys
from oncall.content import loader
from oncall.drill.log import DrillLog
from oncall.drill.table import Seat
url, drill, command = sys.argv[1], sys.argv[2], sys.argv[3]
log = DrillLog(url)
info = log.info(drill)
seat = Seat(log, info, loader.scenario(info.scenario), "di", "scribe")
problem, ev, _ = seat.issue(__import__("json").loads(command))
assert problem is None and seat.table.session.ended, problem
os.kill(os.getpid(), signal.SIGKILL)  # the incident has ended: die before saving
"""


@pytest.mark.heavy
def test_the_seat_that_ends_the_incident_dies_and_the_record_is_still_saved(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    drill = _new_drill(home)
    url = default_url(home)
    script = loader.scenario(SCENARIO).playbook.right
    last = script[-1]
    assert OWNER[last["do"]] == "scribe", "the scribe's postmortem ends the incident"
    with DrillLog(url) as log:
        info = log.info(drill)
        seats = {r: Seat(log, info, loader.scenario(SCENARIO), n, r)
                 for r, n in [("commander", "ann"), ("operations", "bob"),
                              ("communications", "cy")]}
        for command in script[:-1]:
            assert seats[OWNER[command["do"]]].issue(command)[0] is None
    dead = subprocess.run([sys.executable, "-c", DIE_AFTER_APPEND, url, drill, json.dumps(last)],
                          capture_output=True, text=True, timeout=120)
    assert dead.returncode == -signal.SIGKILL, dead.stderr[-2000:]
    with DrillLog(url) as log:
        assert log.events(drill)[-1].command == last, "the ending command is in the log"
    assert not (home / "incidents").exists(), "the ending seat died before saving"

    # a seat that joins later sees the end and saves the record
    late = run_oncall(["--home", str(home), "drill", "join", drill, "--role", "facilitator",
                       "--name", "fay", "--headless", "--linger", "0"], input="")
    assert late.returncode == 0, late.stderr[-2000:]
    end = [json.loads(ln) for ln in late.stdout.splitlines() if '"drill-end"' in ln]
    assert len(end) == 1 and end[0]["team"]["score"] == _solo(script)[-1]["scorecard"]
    saved = Path(end[0]["saved"])
    assert list((home / "incidents").glob("*.json")) == [saved]
    assert json.loads(saved.read_text())["record"] == _record(script)

    # `oncall drill save` rebuilds it from the log: in another home, and again (no new file)
    other = tmp_path / "other"
    for _ in range(2):
        assert cli.main(["--home", str(other), "drill", "save", drill, "--store", url]) == 0
        again = Path(capsys.readouterr().out.strip())
        assert again.parent == other / "incidents" and again.name == saved.name
        assert json.loads(again.read_text())["record"] == _record(script)
    assert len(list((other / "incidents").glob("*.json"))) == 1
    assert cli.main(["replay", str(again)]) == 0


def test_drill_save_before_the_end_says_so(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    drill = _new_drill(home)
    assert cli.main(["--home", str(home), "drill", "save", drill]) == 2
    err = capsys.readouterr().err
    assert "has not ended" in err and len(err.strip().splitlines()) == 1
    assert not (home / "incidents").exists()


def _record(commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from oncall.session import Session

    s = Session(loader.scenario(SCENARIO), SEED, None, save=False)
    for c in commands:
        s.do(c)
    return s.record.model_dump(mode="json")


@pytest.mark.parametrize("argv, message", [
    (["drill", "join", "d-000000", "--role", "scribe", "--name", "x", "--headless"],
     "no such drill"),
    (["drill", "new"], "--scenario"),
    (["drill", "new", "--scenario", "no-such-thing"], "--scenario"),
    (["drill", "story"], "give the drill id"),
])
def test_usage_errors_are_one_line(tmp_path: Path, argv: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--home", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
