"""A player who goes away mid-game: a terminal closed (SIGHUP), a process stopped (SIGTERM), a
browser tab closed under `oncall serve` (textual-serve's `quit`), a headless reader gone. The run
is saved as abandoned, and `oncall replay` reads it."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from oncall import cli
from oncall.store.saves import list_saves, load_save

SCENARIO, SEED = "search-1", "5"


class Reader:
    """Everything a child writes to `fd`, read on a thread; `idle` waits for it to go quiet."""

    def __init__(self, fd: int) -> None:
        self.fd, self.data, self.last = fd, bytearray(), time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.data += chunk
            self.last = time.monotonic()

    def shows(self, marker: bytes, since: int = 0, limit: float = 120.0) -> int:
        """Wait until `marker` is written after offset `since`; the offset after it."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            at = self.data.find(marker, since)
            if at >= 0:
                self.idle()  # let the screen finish what it was drawing
                return at + len(marker)
            time.sleep(0.02)
        raise AssertionError(f"the game never showed {marker!r}: {bytes(self.data[-400:])!r}")

    def idle(self, quiet: float = 0.15, limit: float = 10.0) -> None:
        """Wait until nothing has been written for `quiet` seconds (at most `limit`)."""
        end = time.monotonic() + limit
        while time.monotonic() < end and time.monotonic() - self.last < quiet:
            time.sleep(0.02)


def tui(args: list[str], prefix: list[str] | None = None, env: dict[str, str] | None = None
        ) -> tuple[subprocess.Popen[bytes], Reader, int]:
    """The game's TUI in a real terminal (a pty), as a player starts it."""
    master, slave = pty.openpty()
    env = {**(env or os.environ), "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    proc = subprocess.Popen([*(prefix or []), sys.executable, "-m", "oncall", *args],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    return proc, Reader(master), master


def played_and_left(args: list[str], sig: signal.Signals, prefix: list[str] | None = None,
                    env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start an incident, acknowledge the page, then `sig`: the exit status and the output."""
    proc, out, master = tui(args, prefix, env)
    try:
        at = out.shows(b"ACK in")  # the page is on screen
        os.write(master, b"a")  # acknowledge: the war room opens, one command is recorded
        out.shows(b"acked", at)
        proc.send_signal(sig)
        code = proc.wait(timeout=120)
        out.thread.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return code, out.data.decode("utf-8", "replace").replace("\r", "")


def abandoned_save_replays(home: Path) -> None:
    saves = list_saves(home)
    assert len(saves) == 1, saves
    save = load_save(saves[0])
    assert save.record.facts.abandoned_at is not None and save.record.ended
    assert any(e.command.get("do") == "ack" for e in save.record.entries)
    assert cli.main(["replay", str(saves[0])]) == 0


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_terminal_closed_mid_incident_leaves_an_abandoned_save_that_replays(
        tmp_path: Path, sig: signal.Signals) -> None:
    home = tmp_path / "home"
    code, _ = played_and_left(["--home", str(home), "play", "--scenario", SCENARIO,
                               "--seed", SEED], sig)
    assert code == 0
    abandoned_save_replays(home)


def test_a_browser_tab_closed_mid_incident_leaves_an_abandoned_save(tmp_path: Path) -> None:
    """textual-serve runs each tab's game under its web driver and, when the tab's socket
    closes, sends it a `quit` packet: the same bytes are sent here."""
    home = tmp_path / "home"

    def packet(kind: bytes, payload: bytes) -> bytes:
        return kind + len(payload).to_bytes(4, "big") + payload

    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
           "COLUMNS": "100", "ROWS": "30"}
    proc = subprocess.Popen([sys.executable, "-m", "oncall", "--home", str(home), "play",
                             "--scenario", SCENARIO, "--seed", SEED],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    out = Reader(proc.stdout.fileno())
    try:
        at = out.shows(b"ACK in")
        proc.stdin.write(packet(b"D", b"a"))
        proc.stdin.flush()
        out.shows(b"acked", at)
        proc.stdin.write(packet(b"M", json.dumps({"type": "quit"}).encode()))
        proc.stdin.flush()
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    abandoned_save_replays(home)


def test_a_headless_session_ended_from_outside_is_saved_as_abandoned(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "oncall", "--home", str(home), "play",
                             "--headless", "--scenario", SCENARIO, "--seed", SEED],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    assert json.loads(proc.stdout.readline())["kind"] == "page"
    proc.stdin.write('{"do": "ack"}\n')
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["kind"] == "ack"
    proc.send_signal(signal.SIGTERM)  # waiting on stdin for the next command
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM
    last = json.loads(out.splitlines()[-1])
    assert last["kind"] == "abandoned" and last["saved"] and last["scorecard"]["total"] >= 0
    assert err.count("\n") == 1 and "SIGTERM" in err and "saved as abandoned to" in err
    abandoned_save_replays(home)
