"""Deterministic JSON: the same data always gives the same bytes.

Records are compared byte for byte across processes (the determinism test) and diffed by people,
so keys are sorted, separators fixed and non-ASCII kept readable.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def dump_json(data: Any, *, indent: int | None = None) -> str:
    """Canonical JSON of a pydantic model or plain data; `indent` only changes whitespace."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(data, sort_keys=True, separators=separators, ensure_ascii=False,
                      indent=indent, allow_nan=False)


def write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, only if `path` does not exist yet.

    The bytes go to a temporary file in the same folder, are flushed and fsynced, then linked into
    place: a crash leaves either no file or a whole one, and an existing file is never replaced.
    Returns False when `path` already exists (the caller picks another name).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if path exists: no check-then-write race
        except FileExistsError:
            return False
        except OSError:
            # File systems without hard links: replace, after a check (a narrow race only).
            if path.exists():
                return False
            os.replace(tmp, path)
        _fsync_dir(path.parent)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Make the new directory entry durable; not every platform can open a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
