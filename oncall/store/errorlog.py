"""The error log: where an unexpected error's traceback goes, so a player's night never ends in
one. Timestamps here are the machine's: a log is for people, never read back by the game."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

LOG_NAME = "errors.log"


def new_error_id() -> str:
    return f"err-{os.urandom(2).hex()}"


def log_error(home: Path | None, error_id: str, what: str, exc: BaseException) -> Path | None:
    """Append a traceback to the log under the oncall home (else the fallback folder).

    Returns the log's path, or None if no log could be written anywhere. Never raises.
    """
    from oncall.store.locations import fallback_dir, home_dir, logs_dir

    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        import traceback  # only when something went wrong: no game's start pays for it

        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except Exception:  # a traceback that cannot be formatted (deep recursion): its type
        tb = f"{type(exc).__name__} (the traceback could not be formatted)\n"
    text = f"--- {error_id} at {when}: {what[:500]}\n{tb}\n"
    folders: list[Path] = []
    with contextlib.suppress(Exception):  # a log must never raise
        folders.append(logs_dir(home_dir(home)))
    spare = fallback_dir()
    if spare is not None:
        folders.append(spare)
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / LOG_NAME
            with open(path, "a", encoding="utf-8", errors="backslashreplace") as f:
                f.write(text)
            return path
        except Exception:  # OSError, ValueError, a path that is not a path: try the next
            continue
    return None
