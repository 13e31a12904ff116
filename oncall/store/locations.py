"""Every path the game writes to is decided here, so there is one answer to "where are my saves?".

Order: an explicit override (the `--home` flag), then `ONCALL_HOME`, then `saves/` beside the
code when running from a source checkout (so a developer's saves stay in the project and out of
git via .gitignore), else the platform's user data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "ONCALL_HOME"
APP_NAME = "oncall"


def checkout_root(package_dir: Path | None = None) -> Path | None:
    """The source checkout the `oncall` package runs from, or None for an installed wheel.

    A checkout is recognised by what a wheel never has beside the package: pyproject.toml and
    the incidents/ folder.
    """
    package = package_dir if package_dir is not None else Path(__file__).resolve().parent.parent
    root = package.parent
    if (root / "pyproject.toml").is_file() and (root / "incidents").is_dir():
        return root
    return None


def home_dir(override: Path | None = None) -> Path:
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(ENV_HOME, "").strip()
    if env:
        return Path(env).expanduser()
    root = checkout_root()
    if root is not None:
        return root / "saves"
    from platformdirs import user_data_dir  # only the installed game needs it

    return Path(user_data_dir(APP_NAME, appauthor=False))


def incidents_dir(home: Path) -> Path:
    """Finished incidents, one JSON file each."""
    return home / "incidents"


def logs_dir(home: Path) -> Path:
    """Where an unexpected error's traceback is written (the player sees its short id)."""
    return home / "logs"


def fallback_dir() -> Path | None:
    """Where a finished incident goes when its home cannot take it: a folder in the system temp
    folder; None when the system has no usable temp folder (none writable). Never raises."""
    import tempfile

    try:
        return Path(tempfile.gettempdir()) / f"{APP_NAME}-fallback"
    except Exception:  # FileNotFoundError: "No usable temporary directory found"
        return None


def settings_file(home: Path | None = None) -> Path:
    """The player's settings (the theme): beside the saves when a home is given (`--home`,
    `ONCALL_HOME`), else in the platform's config folder."""
    if home is not None:
        return Path(home).expanduser() / "settings.json"
    env = os.environ.get(ENV_HOME, "").strip()
    if env:
        return Path(env).expanduser() / "settings.json"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "settings.json"
