"""Finished night shifts on disk: `<home>/shifts/`, written once, atomically, never overwritten.

A shift save holds the shift record and the card it earned; the record alone re-scores to the
same card. Saves that do not load are named with the reason and left untouched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from oncall.game.shiftrecord import SHIFT_FORMAT, ShiftRecord
from oncall.scoring.shift import ShiftCard, score_shift
from oncall.store.saves import (
    RefusedLines,
    SaveError,
    _natural,
    _record_problem,
    _short,
    _slug,
    check_formats,
    model_text,
    read_json,
    run_problem,
    validated,
    write_numbered,
)
from oncall.store.saves import sweep as sweep_all

SHIFT_SAVE_FORMAT = 1
MIN_LENGTH, MAX_LENGTH = 120, 12 * 60
"""A shift runs 2 h to 12 h (minutes), as `--length` accepts."""
WEEK = 7 * 24 * 60


class ShiftSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = SHIFT_SAVE_FORMAT
    record: ShiftRecord
    card: ShiftCard
    saved_at: str
    refused: RefusedLines | None = None


def shifts_dir(home: Path) -> Path:
    return home / "shifts"


def shift_text(record: ShiftRecord, card: ShiftCard, *, saved_at: dt.datetime | None = None,
               refused: dict[str, Any] | None = None) -> str:
    when = saved_at or dt.datetime.now(dt.UTC)
    return model_text(ShiftSave(record=record, card=card,
                                saved_at=when.isoformat(timespec="seconds"),
                                refused=None if refused is None else RefusedLines(**refused)))


def save_shift(record: ShiftRecord, card: ShiftCard, home: Path,
               *, saved_at: dt.datetime | None = None,
               refused: dict[str, Any] | None = None) -> Path:
    """Write `<home>/shifts/shift-<difficulty>-<length>m-seed<seed>-<n>.json` with the first
    free n, atomically."""
    text = shift_text(record, card, saved_at=saved_at, refused=refused)
    stem = f"shift-{_slug(record.difficulty)}-{record.length}m-seed{str(record.seed)[:20]}"
    return write_numbered(shifts_dir(home), stem, text)


def sweep(home: Path) -> list[Path]:
    """Remove temp files of shift saves (and the others under `home`) whose writer was killed."""
    return sweep_all(home)


def load_shift(path: Path) -> ShiftSave:
    """One shift save, checked as an incident save is (the same one-line reasons), and scored:
    or SaveError naming the file and the reason. The file is never changed."""
    path = Path(path)
    data = read_json(path)
    _read_format_1(data)
    check_formats(path, data, SHIFT_SAVE_FORMAT, SHIFT_FORMAT, "shift ")
    return validated(path, data, ShiftSave, lambda save: _shift_problem(save.record),
                     lambda save: score_shift(save.record))


def _read_format_1(data: Any) -> None:
    """A record of shift format 1 read as format 2, in place (the file is never changed).

    Format 1 held a colleague's answer at the minute the colleague answered, as `t`: the
    player said it that answer's delay earlier (`answered_after`, on the answer's own entry).
    And it counted the budget the secondary on-call's takeover saved as saved by mitigating:
    a night of format 1 does not say which share was the player's, so the whole of it on a
    model handed over is read as the secondary's, and none is claimed for the player. Shapes
    this does not expect are left as they are, for the checks to name."""
    record = data.get("record") if isinstance(data, dict) else None
    if not isinstance(record, dict) or record.get("format") != 1:
        return
    entries, facts = record.get("entries"), record.get("facts")
    if not isinstance(entries, list) or not isinstance(facts, dict):
        return
    for cv in _dicts(facts.get("conversations")):
        for said in _dicts(cv.get("said")):
            t, entry = said.get("t"), said.get("entry")
            if "answered_at" in said or type(t) is not int or type(entry) is not int or \
                    not 0 <= entry < len(entries):
                continue
            obs = entries[entry].get("observation") if isinstance(entries[entry], dict) else None
            answer = obs.get("data") if isinstance(obs, dict) else None
            delay = answer.get("answered_after") if isinstance(answer, dict) else None
            if type(delay) is int:
                said["answered_at"], said["t"] = t, t - delay
    budget = facts.get("budget")
    saved = budget.get("saved_pct") if isinstance(budget, dict) else None
    if isinstance(budget, dict) and isinstance(saved, dict):
        handed = {it.get("model") for it in _dicts(facts.get("items"))
                  if it.get("kind") == "incident" and it.get("outcome") == "handed over"}
        budget["secondary_saved_pct"] = {m: v for m, v in saved.items() if m in handed}
        budget["saved_pct"] = {m: 0.0 if m in handed else v for m, v in saved.items()}
    record["format"] = SHIFT_FORMAT


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _shift_problem(record: ShiftRecord) -> str:
    """What a well-formed shift record cannot hold although its types allow it; "" if none."""
    problem = run_problem(record.difficulty, record.seed, record.entries)
    if problem:
        return problem
    if not MIN_LENGTH <= record.length <= MAX_LENGTH:
        return (f"record.length: {_short(record.length)} minutes is outside "
                f"{MIN_LENGTH}..{MAX_LENGTH}")
    f = record.facts
    if not 0 <= f.start <= WEEK:
        return f"record.facts.start: {_short(f.start)} is outside 0..{WEEK} (minutes)"
    if f.end != f.start + record.length:
        return (f"record.facts.end: {_short(f.end)} is not the start plus the length "
                f"({f.start + record.length})")
    game = _record_problem(record.game)
    return f"record.game.{game.removeprefix('record.')}" if game else ""


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
