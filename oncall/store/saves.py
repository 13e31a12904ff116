"""Finished incidents on disk: written once, atomically, never overwritten; read with clear errors.

A save holds the record and the card it earned. The record alone is enough to re-score (scoring is
a pure function of it); the card is kept so a later rubric change can be seen, not silently
applied. `saved_at` is wall-clock metadata and lives only here, never inside the record.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from oncall.game.record import RECORD_FORMAT, Record
from oncall.scoring.card import Scorecard
from oncall.store.jsonio import dump_json, write_new
from oncall.store.locations import incidents_dir

SAVE_FORMAT = 1
MAX_ERRORS_SHOWN = 3


class IncidentSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = SAVE_FORMAT
    record: Record
    scorecard: Scorecard
    saved_at: str


class SaveError(Exception):
    """A save that cannot be read; the message is one line naming the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "incident"


def save_incident(record: Record, scorecard: Scorecard, home: Path,
                  *, saved_at: dt.datetime | None = None) -> Path:
    """Write `<home>/incidents/<scenario>-seed<seed>-<n>.json` with the first free n (from 1)."""
    when = saved_at or dt.datetime.now(dt.UTC)
    save = IncidentSave(record=record, scorecard=scorecard,
                        saved_at=when.isoformat(timespec="seconds"))
    text = dump_json(save, indent=2) + "\n"
    folder = incidents_dir(home)
    stem = f"{_slug(record.scenario)}-seed{record.seed}"
    n = 1
    while True:
        path = folder / f"{stem}-{n}.json"
        if not path.exists() and write_new(path, text):
            return path
        n += 1


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _validation_reason(err: ValidationError) -> str:
    errors = err.errors(include_url=False)
    shown = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in errors[:MAX_ERRORS_SHOWN])
    more = len(errors) - MAX_ERRORS_SHOWN
    return f"invalid save: {shown}" + (f" (and {more} more)" if more > 0 else "")


def load_save(path: Path) -> IncidentSave:
    """Read a save; any problem raises SaveError and leaves the file exactly as it was."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SaveError(path, "no such file") from None
    except IsADirectoryError:
        raise SaveError(path, "is a folder, not a save file") from None
    except OSError as e:
        raise SaveError(path, f"cannot be read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SaveError(path, f"not UTF-8 text (byte {e.start})") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as e:
        raise SaveError(path, f"not JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    if not isinstance(data, dict):
        raise SaveError(path, f"not a save: the top level is a JSON {type(data).__name__}, "
                              "expected an object")
    version = data.get("format")
    if version != SAVE_FORMAT:
        found = "no format version" if version is None else f"format version {version!r}"
        raise SaveError(path, f"{found}; this version of oncall reads format {SAVE_FORMAT}")
    record = data.get("record")
    if isinstance(record, dict) and record.get("format", RECORD_FORMAT) != RECORD_FORMAT:
        raise SaveError(path, f"record format version {record.get('format')!r}; this version of "
                              f"oncall reads record format {RECORD_FORMAT}")
    try:
        return IncidentSave.model_validate(data)
    except ValidationError as e:
        raise SaveError(path, _validation_reason(e)) from None


def _natural(path: Path) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.name)]


def list_saves(home: Path) -> list[Path]:
    """Save files by name, numbers compared as numbers (`-2` before `-10`); temp files skipped."""
    folder = incidents_dir(home)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")),
                  key=_natural)


def load_saves(home: Path) -> tuple[list[IncidentSave], list[SaveError]]:
    """Every readable save, and an error for each unreadable one (a career view shows both)."""
    saves: list[IncidentSave] = []
    errors: list[SaveError] = []
    for path in list_saves(home):
        try:
            saves.append(load_save(path))
        except SaveError as e:
            errors.append(e)
    return saves, errors
