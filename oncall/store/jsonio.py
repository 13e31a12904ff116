"""Deterministic JSON: the same data always gives the same bytes.

Records are compared byte for byte across processes (the determinism test) and diffed by people,
so keys are sorted, separators fixed and non-ASCII kept readable.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

TMP_SUFFIX = ".tmp"
ORPHAN_AGE_S = 3600.0
"""A temp file older than this is an orphan even if its writer's pid is alive (pid reuse)."""


def dump_json(data: Any, *, indent: int | None = None) -> str:
    """Canonical JSON of a pydantic model or plain data; `indent` only changes whitespace.

    Anything that cannot be written as JSON (too deep, a non-finite float, a lone surrogate)
    raises ValueError with a one-line reason, never RecursionError or a serializer's own type.
    """
    separators = (",", ":") if indent is None else (",", ": ")
    try:
        if isinstance(data, BaseModel):
            data = data.model_dump(mode="json")
        text = json.dumps(data, sort_keys=True, separators=separators, ensure_ascii=False,
                          indent=indent, allow_nan=False)
        text.encode("utf-8")
    except RecursionError:
        raise ValueError("cannot be written as JSON: nested too deeply") from None
    except (ValueError, TypeError) as exc:  # PydanticSerializationError is a ValueError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"cannot be written as JSON: {reason[:200]}") from None
    return text


def write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, only if `path` does not exist yet.

    The bytes go to a temporary file in the same folder, are flushed and fsynced, then linked into
    place: a crash leaves either no file or a whole one, and an existing file is never replaced.
    Returns False when `path` already exists (the caller picks another name).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's pid is in the name, so a later start can tell an orphan (its writer was
    # killed) from a file another running process is still writing.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                    suffix=TMP_SUFFIX)
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # someone else's process, or cannot tell: leave its file alone
    return True


def sweep_orphans(folder: Path, *, now: float | None = None, prefix: str = ".") -> list[Path]:
    """Delete temp files that atomic writes left behind when their process was killed.

    A temp file is an orphan when the pid in its name is no longer running, or when it is older
    than ORPHAN_AGE_S. Never raises: a folder that cannot be read or cleaned is left as it is.
    Only names starting with `prefix` are considered. Returns the files removed.
    """
    removed: list[Path] = []
    try:
        candidates = [p for p in folder.iterdir()
                      if p.name.startswith(prefix) and p.name.endswith(TMP_SUFFIX)]
    except OSError:
        return removed
    now = time.time() if now is None else now
    for tmp in candidates:
        parts = tmp.name[: -len(TMP_SUFFIX)].split(".")
        pid = int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None
        try:
            old = now - tmp.lstat().st_mtime > ORPHAN_AGE_S
            if old or pid is None or not _pid_alive(pid):
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed
