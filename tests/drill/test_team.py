"""Four headless seats (subprocesses) in four roles play one drill through the shared log; one
is killed mid-drill and rejoins. The drill's record is the record of the same commands played
alone, and `oncall replay` reproduces its card."""

from __future__ import annotations

import io
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from oncall import cli, headless
from oncall.content import loader
from oncall.drill.roles import OWNER

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
    out = subprocess.run([sys.executable, "-m", "oncall", "--home", str(home), "drill", "new",
                          "--scenario", SCENARIO, "--seed", str(SEED)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _solo(commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = io.StringIO()
    session = headless.run(loader.scenario(SCENARIO), SEED, None,
                           io.StringIO("\n".join(json.dumps(c) for c in commands)), out,
                           save=False)
    assert session.ended
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_four_roles_one_drill_kill_and_rejoin_same_as_solo(tmp_path: Path) -> None:
    home = tmp_path / "home"
    drill = _new_drill(home)
    assert drill.startswith("d-")
    names = {"commander": "ann", "operations": "bob", "communications": "cy", "scribe": "di"}
    clients = {role: Client(home, drill, role, name) for role, name in names.items()}
    for c in clients.values():
        c.until(lambda ln: ln.get("kind") == "drill" and ln.get("mine"))

    # a verb out of role is refused, names its owner, and never reaches the log
    refused = clients["commander"].send({"do": "logs", "model": "ad-ctr"}, 0)
    assert refused["kind"] == "error" and "operations lead" in refused["error"]
    refused = clients["scribe"].send({"do": "update", "message": "hi"}, 0)
    assert "communications lead" in refused["error"]

    script = loader.scenario(SCENARIO).playbook.right
    seq, answers, killed = len(names), [], False
    for i, command in enumerate(script):
        role = OWNER[command["do"]]
        if role == "operations" and i >= 6 and not killed:
            clients[role].proc.kill()  # mid-drill, between two of its commands
            clients[role].proc.wait(WAIT)
            clients[role] = Client(home, drill, role, names[role])
            back = clients[role].until(lambda ln, after=seq: ln.get("kind") == "drill"
                                       and ln.get("mine") and ln["seq"] > after)
            seq = back["seq"]
            caught = [ln["seq"] for ln in clients[role].seen if "seq" in ln]
            assert caught == list(range(1, seq + 1)), "the rejoined seat replays the whole log"
            killed = True
        line = clients[role].send(command, seq)
        assert line.get("ok"), line
        assert line["who"] == names[role] and line["role"] == role
        seq = line["seq"]
        answers.append(line)
    assert killed
    ends = {role: c.close() for role, c in clients.items()}

    solo = _solo(script)[1:]
    strip = ("seq", "who", "role", "command", "mine", "saved")
    assert [{k: v for k, v in ln.items() if k not in strip} for ln in answers] == solo
    for role, lines in ends.items():
        end = [ln for ln in lines if ln.get("kind") == "drill-end"]
        assert len(end) == 1, role
        assert end[0]["team"]["score"] == solo[-1]["scorecard"]
        assert {c["role"] for c in end[0]["roles"]} == set(names)
    saved = answers[-1]["saved"]
    assert Path(saved).is_relative_to(home)
    assert json.loads(Path(saved).read_text())["record"] == _record(script)
    assert cli.main(["replay", saved]) == 0


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
