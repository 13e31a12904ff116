"""Finished incidents on disk: written once, atomically, never overwritten; read with clear errors.

A save holds the record and the card it earned. The record alone is enough to re-score (scoring is
a pure function of it); the card is kept so a later rubric change can be seen, not silently
applied. `saved_at` is wall-clock metadata and lives only here, never inside the record.
"""

import datetime as dt
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from oncall.game.record import RECORD_FORMAT, Entry, Record
from oncall.scoring import score
from oncall.scoring.card import Scorecard
from oncall.store.jsonio import dump_json, sweep_orphans, write_new
from oncall.store.locations import incidents_dir

SAVE_FORMAT = 1
MAX_ERRORS_SHOWN = 3


class RefusedLines(BaseModel):
    """Lines refused before the game saw them: not in the record (a replay does not need them),
    only counted here, with the first few quoted (shortened)."""

    model_config = ConfigDict(extra="forbid")

    lines: int = Field(ge=1)
    chars: int = Field(ge=0, description="their length in characters, all together")
    first: list[Annotated[str, StringConstraints(max_length=400)]] = Field(max_length=3)


class IncidentSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = SAVE_FORMAT
    record: Record
    scorecard: Scorecard
    saved_at: str
    refused: RefusedLines | None = None


class SaveError(Exception):
    """A save that cannot be read; the message is one line naming the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = " ".join(reason.splitlines())
        super().__init__(f"{path}: {self.reason}")


MAX_SLUG = 48
MAX_SEED_DIGITS = 20
MAX_SAVE_BYTES = 64 * 1024 * 1024
"""A save bigger than this is refused unread (a record is a few hundred kilobytes; the session
ends a game whose record reaches 8 MB, so every save the game writes stays far below it)."""
MAX_SAVE_DEPTH = 64
"""Deepest nesting a save may hold: commands nest at most 32 levels (deeper ones are refused
before the game), and a save wraps them in a few more."""
DIFFICULTIES = ("easy", "normal", "hard")
SEED_MAX = 2**63 - 1


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:MAX_SLUG].strip("-")
    return slug or "incident"


def save_stem(record: Record) -> str:
    """`<scenario>-seed<seed>`, bounded in length whatever the scenario id or the seed.

    A seed too long to spell out keeps its first digits and a hash of the whole, so distinct
    seeds still get distinct names and the file name stays far below any file system's limit.
    """
    seed = str(record.seed)
    if len(seed) > MAX_SEED_DIGITS:
        digest = hashlib.sha256(seed.encode()).hexdigest()[:10]
        seed = f"{seed[:8]}x{digest}"
    return f"{_slug(record.scenario)}-seed{seed}"


def save_text(record: Record, scorecard: Scorecard, *, saved_at: dt.datetime | None = None,
              refused: dict[str, Any] | None = None) -> str:
    """The save file's exact text; ValueError if the record cannot be written as JSON."""
    when = saved_at or dt.datetime.now(dt.UTC)
    save = IncidentSave(record=record, scorecard=scorecard,
                        saved_at=when.isoformat(timespec="seconds"),
                        refused=None if refused is None else RefusedLines(**refused))
    return model_text(save)


def model_text(save: BaseModel) -> str:
    """A save's text: canonical JSON, indented; an empty `refused` is left out (as older saves
    have it). ValueError if it cannot be written, or would be too large to read back."""
    data = save.model_dump(mode="json")
    if data.get("refused") is None:
        data.pop("refused", None)
    text = dump_json(data, indent=2) + "\n"
    if len(text) > MAX_SAVE_BYTES // 4:  # characters: up to 4 bytes each in UTF-8
        size = len(text.encode("utf-8"))
        if size > MAX_SAVE_BYTES:
            raise ValueError(f"too large to read back ({size:,} bytes; saves are read up to "
                             f"{MAX_SAVE_BYTES:,})")
    return text


def save_incident(record: Record, scorecard: Scorecard, home: Path,
                  *, saved_at: dt.datetime | None = None,
                  refused: dict[str, Any] | None = None) -> Path:
    """Write `<home>/incidents/<scenario>-seed<seed>-<n>.json` with the first free n (from 1).

    Raises OSError when the folder cannot take it and ValueError when the record cannot be
    written as JSON; nothing is left behind in either case.
    """
    text = save_text(record, scorecard, saved_at=saved_at, refused=refused)
    return write_numbered(incidents_dir(home), save_stem(record), text)


def write_numbered(folder: Path, stem: str, text: str) -> Path:
    """Write `<folder>/<stem>-<n>.json` atomically with the first free n (from 1)."""
    n = 1
    while True:
        path = folder / f"{stem}-{n}.json"
        if not path.exists() and write_new(path, text):
            return path
        n += 1


WRITTEN_FOLDERS = ("incidents", "shifts", "stories")
"""The folders under a home that the game writes files into atomically (temp file, rename)."""


def sweep_everywhere(home: Path | None) -> None:
    """Start-up: remove what killed writers left under the oncall home (`home` as given to the
    command, None for the default) and in the fallback folder. Never raises."""
    from oncall.store.locations import fallback_dir, home_dir

    try:
        sweep(home_dir(home))
        spare = fallback_dir()
        if spare is not None:
            sweep(spare)
    except Exception:  # tidying never stops a game
        pass


def sweep(home: Path) -> list[Path]:
    """Remove temp files that killed writers left in every folder the game writes under `home`
    (the settings file's folder is swept when settings are written); never raises."""
    removed: list[Path] = []
    for name in WRITTEN_FOLDERS:
        removed += sweep_orphans(home / name)
    return removed


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, str) and not part.isidentifier():
            part = repr(part[:40])  # a key typed by hand: show it quoted, on one line
            out += f"[{part}]"
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _validation_reason(err: ValidationError) -> str:
    errors = err.errors(include_url=False)
    shown = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in errors[:MAX_ERRORS_SHOWN])
    more = len(errors) - MAX_ERRORS_SHOWN
    return f"invalid save: {shown}" + (f" (and {more} more)" if more > 0 else "")


def read_json(path: Path) -> dict[str, Any]:
    """A save file's JSON object; SaveError with a one-line reason for anything else."""
    try:
        raw = _read_regular(path)
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
    except RecursionError:
        raise SaveError(path, "not a save: JSON nested too deeply") from None
    except ValueError as e:  # e.g. an integer beyond the interpreter's digit limit
        raise SaveError(path, f"not a save: {str(e).split(';')[0][:120]}") from None
    if not isinstance(data, dict):
        raise SaveError(path, f"not a save: the top level is a JSON {type(data).__name__}, "
                              "expected an object")
    if _deeper_than(data, MAX_SAVE_DEPTH):
        raise SaveError(path, f"invalid save: nested more than {MAX_SAVE_DEPTH} levels deep "
                              "(a game never writes that)")
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether JSON data nests deeper than `limit`; iterative, so any depth is safe to ask."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def load_save(path: Path) -> IncidentSave:
    """Read a save; any problem raises SaveError and leaves the file exactly as it was."""
    path = Path(path)
    data = read_json(path)
    check_formats(path, data, SAVE_FORMAT, RECORD_FORMAT)
    return validated(path, data, IncidentSave, lambda save: _record_problem(save.record),
                     lambda save: score(save.record))


def check_formats(path: Path, data: dict[str, Any], save_format: int, record_format: int,
                  kind: str = "") -> None:
    """Refuse a save or a record of a format this version does not read, before reading it."""
    version = data.get("format")
    if version != save_format:
        found = "no format version" if version is None else f"format version {_short(version)}"
        raise SaveError(path, f"{found}; this version of oncall reads {kind}format {save_format}")
    record = data.get("record")
    if isinstance(record, dict) and record.get("format", record_format) != record_format:
        raise SaveError(path, f"record format version {_short(record.get('format'))}; this "
                              f"version of oncall reads {kind}record format {record_format}")


M = TypeVar("M", bound=BaseModel)


def validated(path: Path, data: dict[str, Any], model: type[M], problem: Callable[[M], str],
              rescore: Callable[[M], object]) -> M:
    """`data` as a save `model`, with what its types allow but a game never writes (`problem`)
    refused, and scored (`rescore`): a save is only worth keeping if it can be scored, as
    replay, stories and numbers rely on it. SaveError with a one-line reason otherwise."""
    try:
        save = model.model_validate(data)
    except ValidationError as e:
        raise SaveError(path, _validation_reason(e)) from None
    except (RecursionError, ValueError, TypeError) as e:
        raise SaveError(path, f"invalid save: {type(e).__name__}") from None
    found = problem(save)
    if found:
        raise SaveError(path, f"invalid save: {found}")
    try:
        rescore(save)
    except Exception as e:
        where = _validation_reason(e) if isinstance(e, ValidationError) else type(e).__name__
        raise SaveError(path, f"invalid save: the record cannot be scored ({where})") from None
    return save


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; a FIFO, device or oversized file is refused unopened."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError("not a regular file (a pipe or a device)")
    if st.st_size > MAX_SAVE_BYTES:
        raise OSError(f"too large for a save ({st.st_size:,} bytes)")
    with open(path, "rb") as f:
        return f.read(MAX_SAVE_BYTES + 1)


def _record_problem(record: Record) -> str:
    """What a well-formed record cannot hold although its types allow it; "" if none."""
    return run_problem(record.difficulty, record.seed, record.entries)


def run_problem(difficulty: str, seed: int, entries: list[Entry]) -> str:
    """What a game's or a night's record cannot hold although its types allow it; "" if none."""
    if difficulty not in DIFFICULTIES:
        return f"record.difficulty: {_short(difficulty)} is not one of {', '.join(DIFFICULTIES)}"
    if not 0 <= seed <= SEED_MAX:
        return f"record.seed: {_short(seed)} is outside 0..2**63-1"
    for i, entry in enumerate(entries):
        verb = entry.command.get("do")
        if verb is not None and not isinstance(verb, str):
            return f"record.entries[{i}].command.do: not a command name"
    return ""


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
