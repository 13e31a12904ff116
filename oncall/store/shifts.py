"""Finished night shifts on disk: `<home>/shifts/`, written once, atomically, never overwritten.

A shift save holds the shift record and the card it earned; the record alone re-scores to the
same card. Saves that do not load are named with the reason and left untouched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from oncall.game.shiftrecord import ShiftRecord
from oncall.scoring.shift import ShiftCard
from oncall.store.jsonio import dump_json, write_new
from oncall.store.saves import SaveError, _natural, _read_regular, _validation_reason

SHIFT_SAVE_FORMAT = 1


class ShiftSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = SHIFT_SAVE_FORMAT
    record: ShiftRecord
    card: ShiftCard
    saved_at: str


def shifts_dir(home: Path) -> Path:
    return home / "shifts"


def shift_text(record: ShiftRecord, card: ShiftCard, *, saved_at: dt.datetime | None = None
               ) -> str:
    when = saved_at or dt.datetime.now(dt.UTC)
    return dump_json(ShiftSave(record=record, card=card,
                               saved_at=when.isoformat(timespec="seconds")), indent=2) + "\n"


def save_shift(record: ShiftRecord, card: ShiftCard, home: Path,
               *, saved_at: dt.datetime | None = None) -> Path:
    """Write `<home>/shifts/shift-<difficulty>-seed<seed>-<n>.json` with the first free n."""
    text = shift_text(record, card, saved_at=saved_at)
    folder = shifts_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"shift-{record.difficulty}-{record.length}m-seed{str(record.seed)[:20]}"
    n = 1
    while True:
        path = folder / f"{stem}-{n}.json"
        if not path.exists() and write_new(path, text):
            return path
        n += 1


def load_shift(path: Path) -> ShiftSave:
    """One shift save, or SaveError naming the file and the reason."""
    try:
        text = _read_regular(path).decode("utf-8")
    except FileNotFoundError:
        raise SaveError(path, "no such file") from None
    except IsADirectoryError:
        raise SaveError(path, "is a folder, not a save file") from None
    except OSError as exc:
        raise SaveError(path, f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SaveError(path, f"not UTF-8 text (byte {exc.start})") from None
    try:
        return ShiftSave.model_validate_json(text)
    except ValidationError as exc:
        raise SaveError(path, _validation_reason(exc)) from None
    except (RecursionError, ValueError) as exc:
        raise SaveError(path, f"invalid save: {type(exc).__name__}") from None


def load_shifts(home: Path) -> tuple[list[ShiftSave], list[SaveError]]:
    """Every shift save that loads, oldest name first, and the problems of those that do not."""
    folder = shifts_dir(home)
    paths = sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")),
                   key=_natural) if folder.is_dir() else []
    saves, errors = [], []
    for p in paths:
        try:
            saves.append(load_shift(p))
        except SaveError as exc:
            errors.append(exc)
    return saves, errors
