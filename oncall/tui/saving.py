"""The TUI's door to the store and the stories.

The store and story packages are written alongside the TUI; the imports are guarded so that a
missing or broken one shows as a message on screen instead of taking the game down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def home(override: Path | None) -> Path:
    from oncall.store import home_dir

    return home_dir(override)


def career(override: Path | None) -> tuple[list[tuple[Path, Any]], list[str]]:
    """(path, save) for every readable save, and one line per unreadable one."""
    try:
        from oncall.store import SaveError, list_saves, load_save
    except ImportError as exc:
        return [], [f"the store is not available ({exc})"]
    found: list[tuple[Path, Any]] = []
    errors: list[str] = []
    for path in list_saves(home(override)):
        try:
            found.append((path, load_save(path)))
        except SaveError as exc:
            errors.append(str(exc))
    return found, errors


def story(path: Path) -> str:
    """The STAR story of a save as Markdown, or a Markdown note saying why there is none."""
    try:
        from oncall.store import SaveError, load_save
        from oncall.story import star_story
    except ImportError as exc:
        return f"# No story\n\nStories are not available yet ({exc})."
    try:
        return star_story(load_save(path))
    except SaveError as exc:
        return f"# No story\n\n{exc}"
