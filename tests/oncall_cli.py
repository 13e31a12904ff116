"""`python -m oncall ARGS` for the tests, each command in a new process, without an
interpreter's start and the game's imports (most of a second of CPU each).

`run_oncall(args, ...)` answers like `subprocess.run([sys.executable, "-m", "oncall", *args],
capture_output=True, ...)`: the command runs in a process forked from one server per test
process that has imported the game's modules and read no content; the child takes the
caller's environment, working folder and standard streams, runs `oncall/__main__.py`, and
exits as an interpreter would (threads joined, exit handlers run, streams flushed), so the
exit status, stdout and stderr are the command's own.

What a fork shares with its server, and a fresh `python -m oncall` does not: the imported
modules and the hash seed. A test about either (import costs, what a command imports, bytes
that must not depend on the hash seed, signals to a running command) starts a real process.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVER = r"""
import atexit, io, json, os, runpy, sys, tempfile, threading, traceback

import numpy, pydantic, yaml  # the libraries every command loads, and the game's modules
import oncall.cli, oncall.headless, oncall.session, oncall.store.saves, oncall.store.export
import oncall.content.loader as loader
from oncall.content.kinds import fault_kinds

# Importing read no content: a child starts with the caches a fresh process starts with.
assert not loader._library.cache_info().currsize and not fault_kinds.cache_info().currsize

STREAMS = [(s.encoding, s.errors) for s in (sys.stdin, sys.stdout, sys.stderr)]
jobs, answers = sys.stdin, sys.stdout


def stream(fd, mode):
    (encoding, errors), raw = STREAMS[fd], io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    # stderr is line-buffered, stdout block-buffered: as an interpreter's, off a terminal
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, line_buffering=fd == 2)


def exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def child(job):
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    tempfile.tempdir = None
    for fd, path, flags in ((0, job["stdin"], os.O_RDONLY),
                            (1, job["stdout"], os.O_WRONLY | os.O_TRUNC),
                            (2, job["stderr"], os.O_WRONLY | os.O_TRUNC)):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = sys.__stdin__ = stream(0, "r")
    sys.stdout = sys.__stdout__ = stream(1, "w")
    sys.stderr = sys.__stderr__ = stream(2, "w")
    sys.argv = list(job["args"])  # runpy puts the path of oncall/__main__.py first
    try:
        runpy.run_module("oncall", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = exit_code(stop.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    for thread in threading.enumerate():  # what an interpreter does on its way out
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except BaseException:
            code = code or 120
    os._exit(code)


for line in jobs:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            child(job)
        finally:
            os._exit(121)
    print(json.dumps({"pid": pid}), file=answers, flush=True)
    status = os.waitpid(pid, 0)[1]
    print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), file=answers, flush=True)
"""

_server: list[subprocess.Popen[bytes]] = []
_unread = bytearray()
"""What the server has answered and no caller has read yet."""


def _running_server() -> subprocess.Popen[bytes]:
    if not _server or _server[0].poll() is not None:
        _server[:] = [subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, bufsize=0)]
        _unread.clear()
        atexit.register(_stop, _server[0])
    return _server[0]


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the server and wait for it (so its CPU time counts in the test run's)."""
    assert server.stdin is not None
    server.stdin.close()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _answer(server: subprocess.Popen[bytes], timeout: float) -> dict[str, int]:
    """The server's next line, or {} when none came in `timeout` seconds."""
    assert server.stdout is not None
    deadline = time.monotonic() + timeout
    while b"\n" not in _unread:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([server.stdout], [], [], left)[0]:
            return {}
        chunk = os.read(server.stdout.fileno(), 65536)
        if not chunk:
            raise AssertionError(f"the oncall command server ended (status {server.wait()})")
        _unread.extend(chunk)
    end = _unread.index(b"\n")
    line = bytes(_unread[:end])
    del _unread[:end + 1]
    return json.loads(line)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_oncall(args: list[str] | tuple[str, ...], *, input: str | bytes | None = None,
               text: bool = True, env: dict[str, str] | None = None,
               cwd: str | Path | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """`subprocess.run([sys.executable, "-m", "oncall", *args], capture_output=True, ...)`,
    in a forked process (stdin: `input`, or an empty file)."""
    server = _running_server()
    assert server.stdin is not None
    with tempfile.TemporaryDirectory(prefix="oncall-cli-") as folder:
        files = {name: Path(folder) / name for name in ("stdin", "stdout", "stderr")}
        data = input.encode() if isinstance(input, str) else (input or b"")
        for name, path in files.items():
            path.write_bytes(data if name == "stdin" else b"")
        job = {"args": ["oncall", *map(str, args)], "cwd": str(cwd or os.getcwd()),
               "env": dict(os.environ if env is None else env),
               **{name: str(path) for name, path in files.items()}}
        server.stdin.write(json.dumps(job).encode() + b"\n")
        pid = _answer(server, 60)["pid"]
        done = _answer(server, timeout)
        if not done:
            os.kill(pid, signal.SIGKILL)
            _answer(server, 60)
            raise subprocess.TimeoutExpired([sys.executable, "-m", "oncall", *args], timeout)
        out, err = files["stdout"].read_bytes(), files["stderr"].read_bytes()
    cmd = [sys.executable, "-m", "oncall", *args]
    if text:  # as subprocess decodes: the locale's encoding, universal newlines
        encoding = locale.getpreferredencoding(False)
        return subprocess.CompletedProcess(cmd, done["code"], _lines(out.decode(encoding)),
                                           _lines(err.decode(encoding)))
    return subprocess.CompletedProcess(cmd, done["code"], out, err)
