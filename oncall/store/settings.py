"""The player's settings (the theme they picked), kept between runs in one small JSON file.

The file lives in the platform's config folder (`~/.config/oncall/settings.json` on Linux), or
beside the saves when a home is given (`--home`, `ONCALL_HOME`), so a test or a second profile
keeps its own. Written atomically: a crash leaves the old file or the new one, never half of one.
A file that does not read (broken JSON, an unknown field) is ignored with its reason, never lost:
it is only replaced when the player changes a setting.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from oncall.store.jsonio import TMP_SUFFIX, dump_json, sweep_orphans
from oncall.store.locations import settings_file

FILE_NAME = "settings.json"
MAX_BYTES = 64 * 1024


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str | None = None
    """A Textual theme name; None keeps the app's default."""


def settings_path(home: Path | None = None) -> Path:
    return settings_file(home)


def load_settings(home: Path | None = None) -> tuple[Settings, str | None]:
    """The settings, and why the file was ignored (None when it read, or does not exist)."""
    path = settings_path(home)
    try:
        if path.stat().st_size > MAX_BYTES:
            return Settings(), f"{path}: too large for a settings file, ignored"
        return Settings.model_validate_json(path.read_bytes()), None
    except FileNotFoundError:
        return Settings(), None
    except OSError as exc:
        return Settings(), f"{path}: cannot be read ({exc.strerror or exc}), ignored"
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        return Settings(), f"{path}: {where}: {err['msg']}, ignored"


def save_settings(settings: Settings, home: Path | None = None) -> Path:
    """Write the settings atomically (temp file, fsync, rename); raises OSError if it cannot."""
    path = settings_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_orphans(path.parent, prefix=f".{FILE_NAME}.")  # a writer killed earlier left these
    text = dump_json(settings.model_dump(exclude_defaults=True), indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}.{os.getpid()}.",
                               suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
