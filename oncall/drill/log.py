"""The drill log: an append-only table of events, one row per command, in SQLite or PostgreSQL.

    drills(id, scenario, seed, difficulty, version, created_at, head)
    events(drill, seq, who, role, command, at)      primary key (drill, seq)

An append bumps the drill's `head` and inserts the event with that number in one transaction.
The update takes the drill's row lock (PostgreSQL) or the database's write lock (SQLite), so
appends to one drill are serialised: sequence numbers have no gaps, commit in order, and two
writers at once lose nothing. A reader that has seen seq n only ever needs the rows after n.

The store is a URL: `sqlite:///path/file.sqlite` (or a bare path) or `postgresql://…` (needs
the optional `psycopg`, `pip install 'oncall[drill-pg]'`). The default is a SQLite file under
the oncall home, in WAL mode so readers never block the writer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS drills (id TEXT PRIMARY KEY, scenario TEXT NOT NULL, "
    "seed BIGINT NOT NULL, difficulty TEXT NOT NULL, version TEXT NOT NULL, "
    "created_at TEXT NOT NULL, head BIGINT NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS events (drill TEXT NOT NULL REFERENCES drills(id), "
    "seq BIGINT NOT NULL, who TEXT NOT NULL, role TEXT NOT NULL, command TEXT NOT NULL, "
    "at TEXT NOT NULL, PRIMARY KEY (drill, seq))",
)
DEFAULT_FILE = "drills.sqlite"
BUSY_MS = 30_000


class LogError(Exception):
    """The store cannot be opened or the drill is unknown; one line for the player."""


@dataclass(frozen=True)
class DrillInfo:
    id: str
    scenario: str
    seed: int
    difficulty: str
    version: str
    created_at: str


@dataclass(frozen=True)
class Event:
    seq: int
    who: str
    role: str
    command: dict[str, Any]
    at: str

    @property
    def verb(self) -> str:
        verb = self.command.get("do")
        return verb if isinstance(verb, str) else ""


def _now() -> str:
    """When a drill was made or a seat's command reached the log: kept with it for the people
    who read it, and the order drills are listed in. No game logic reads it: a drill replays
    by `seq` on the simulated clock, so the same log plays the same night in any process."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def default_url(home: Path | None) -> str:
    from oncall.store.locations import home_dir

    return f"sqlite:///{home_dir(home) / DEFAULT_FILE}"


class DrillLog:
    """One connection to the store. Not shared between threads: each thread opens its own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        if self.postgres:
            try:
                import psycopg
            except ImportError:
                raise LogError("--store: a postgresql:// store needs psycopg "
                               "(pip install 'oncall[drill-pg]')") from None
            try:
                self._conn: Any = psycopg.connect(url)
            except psycopg.Error as exc:
                raise LogError(f"--store {url}: cannot connect: "
                               f"{str(exc).strip().splitlines()[0]}") from None
            self._ph = "%s"
        else:
            path = Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(path, timeout=BUSY_MS / 1000,
                                             isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            except (OSError, sqlite3.Error) as exc:
                raise LogError(f"--store {path}: cannot open: {exc}") from None
            self._ph = "?"
        self._schema()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> DrillLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------
    def _q(self, sql: str) -> str:
        return sql.replace("?", self._ph)

    def _begin(self) -> Any:
        if self.postgres:
            return self._conn.cursor()
        cur = self._conn.cursor()
        for attempt in range(50):  # BEGIN IMMEDIATE can meet a lock the busy handler skips
            try:
                cur.execute("BEGIN IMMEDIATE")
                return cur
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.02)
        return cur

    def _commit(self) -> None:
        if self.postgres:
            self._conn.commit()
        else:
            self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self.postgres:
            self._conn.rollback()
        else:
            self._conn.execute("ROLLBACK")

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cur = self._conn.cursor()
        cur.execute(self._q(sql), args)
        rows = list(cur.fetchall())
        if self.postgres:
            self._conn.commit()  # end the read's transaction: the next read sees new rows
        return rows

    def _schema(self) -> None:
        cur = self._begin()
        try:
            for stmt in SCHEMA:
                cur.execute(stmt)
            self._commit()
        except Exception:
            self._rollback()
            raise

    # -- the drill ---------------------------------------------------------------------------
    def create(self, scenario: str, seed: int, difficulty: str, version: str,
               drill_id: str | None = None) -> DrillInfo:
        info = DrillInfo(id=drill_id or new_id(), scenario=scenario, seed=seed,
                         difficulty=difficulty, version=version, created_at=_now())
        cur = self._begin()
        try:
            cur.execute(self._q("INSERT INTO drills (id, scenario, seed, difficulty, version, "
                                "created_at, head) VALUES (?, ?, ?, ?, ?, ?, 0)"),
                        (info.id, scenario, seed, difficulty, version, info.created_at))
            self._commit()
        except Exception:
            self._rollback()
            raise
        return info

    def info(self, drill_id: str) -> DrillInfo:
        rows = self._read("SELECT id, scenario, seed, difficulty, version, created_at "
                          "FROM drills WHERE id = ?", (drill_id,))
        if not rows:
            raise LogError(f"drill {drill_id!r}: no such drill in {self.url} "
                           "(`oncall drill new` makes one)")
        r = rows[0]
        return DrillInfo(id=r[0], scenario=r[1], seed=int(r[2]), difficulty=r[3], version=r[4],
                         created_at=r[5])

    def drills(self) -> list[DrillInfo]:
        rows = self._read("SELECT id FROM drills ORDER BY created_at, id", ())
        return [self.info(r[0]) for r in rows]

    def append(self, drill_id: str, who: str, role: str, command: dict[str, Any]) -> Event:
        """Add one event at the end of the drill's log, in one transaction; its seq."""
        text = json.dumps(command, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        at = _now()
        cur = self._begin()
        try:
            cur.execute(self._q("UPDATE drills SET head = head + 1 WHERE id = ?"), (drill_id,))
            if cur.rowcount != 1:
                raise LogError(f"drill {drill_id!r}: no such drill in {self.url}")
            cur.execute(self._q("SELECT head FROM drills WHERE id = ?"), (drill_id,))
            seq = int(cur.fetchone()[0])
            cur.execute(self._q("INSERT INTO events (drill, seq, who, role, command, at) "
                                "VALUES (?, ?, ?, ?, ?, ?)"),
                        (drill_id, seq, who, role, text, at))
            self._commit()
        except Exception:
            self._rollback()
            raise
        return Event(seq=seq, who=who, role=role, command=json.loads(text), at=at)

    def events(self, drill_id: str, after: int = 0) -> list[Event]:
        """The drill's events after seq `after`, in order."""
        rows = self._read("SELECT seq, who, role, command, at FROM events WHERE drill = ? "
                          "AND seq > ? ORDER BY seq", (drill_id, after))
        return [Event(seq=int(r[0]), who=r[1], role=r[2], command=json.loads(r[3]), at=r[4])
                for r in rows]


def new_id() -> str:
    """A short drill id to read aloud: `d-` and six hex digits (not part of any game)."""
    return "d-" + os.urandom(3).hex()


def open_log(store: str | None, home: Path | None) -> DrillLog:
    return DrillLog(store or default_url(home))
