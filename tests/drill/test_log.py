"""The drill log: append-only, gapless, and two writers at once lose no command."""

from __future__ import annotations

import multiprocessing
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from oncall.drill.log import DrillLog, LogError

WRITERS, EACH = 4, 25


def _write(url: str, drill: str, who: str) -> None:
    with DrillLog(url) as log:
        for i in range(EACH):
            log.append(drill, who, "operations", {"do": "wait", "minutes": 1, "i": i})


def _write_in_threads(url: str, drill: str) -> None:
    threads = [threading.Thread(target=_write, args=(url, drill, f"w{w}"))
               for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _check_all_there(url: str, drill: str) -> None:
    with DrillLog(url) as log:
        events = log.events(drill)
        assert [e.seq for e in events] == list(range(1, WRITERS * EACH + 1))
        for w in range(WRITERS):
            mine = [e.command["i"] for e in events if e.who == f"w{w}"]
            assert mine == list(range(EACH)), "each writer's commands, all there, in its order"
        assert [e.seq for e in log.events(drill, after=WRITERS * EACH - 3)] == \
            list(range(WRITERS * EACH - 2, WRITERS * EACH + 1))


def test_threads_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite'}"
    with DrillLog(url) as log:
        drill = log.create("ads-1", 7, "normal", "test").id
    _write_in_threads(url, drill)
    _check_all_there(url, drill)
    mode = DrillLog(url)._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    url = str(tmp_path / "d.sqlite")  # a bare path is a SQLite file too
    with DrillLog(url) as log:
        drill = log.create("ads-1", 7, "normal", "test").id
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write, args=(url, drill, f"w{w}")) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    _check_all_there(url, drill)


def test_unknown_drill_is_one_line(tmp_path: Path) -> None:
    with DrillLog(str(tmp_path / "d.sqlite")) as log:
        with pytest.raises(LogError, match="no such drill"):
            log.info("d-000000")
        with pytest.raises(LogError, match="no such drill"):
            log.append("d-000000", "ann", "scribe", {"do": "note"})
        assert log.events("d-000000") == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def postgres():  # type: ignore[no-untyped-def]
    """A throw-away PostgreSQL server on a Unix socket (as the postgres user when run as root);
    skipped when psycopg or the server binaries are missing."""
    pytest.importorskip("psycopg")
    initdb = shutil.which("initdb") or "/usr/local/bin/initdb"
    pg_ctl = shutil.which("pg_ctl") or "/usr/local/bin/pg_ctl"
    if not (os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK)):
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="oncall-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("run as root and there is no postgres user to run the server")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    try:
        subprocess.run([*as_user, initdb, "-D", str(data), "-U", "oncall", "--auth=trust",
                        "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(root / "pg.log"),
                        "-o", f"-p {port} -k {root} -c listen_addresses=''", "start"],
                       check=True, capture_output=True)
        yield f"postgresql://oncall@/postgres?host={root}&port={port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_same_schema_no_lost_command(postgres: str) -> None:
    with DrillLog(postgres) as log:
        drill = log.create("ads-1", 2**63 - 1, "normal", "test").id
        assert log.info(drill).seed == 2**63 - 1
    _write_in_threads(postgres, drill)
    _check_all_there(postgres, drill)
