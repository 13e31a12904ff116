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


def nights(override: Path | None) -> tuple[list[tuple[Path, Any]], list[str]]:
    """(path, save) for every readable night-shift save, and one line per unreadable one."""
    from oncall.store import SaveError
    from oncall.store.shifts import load_shift, shifts_dir

    folder = shifts_dir(home(override))
    found: list[tuple[Path, Any]] = []
    errors: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.name.startswith("."):
            continue
        try:
            found.append((path, load_shift(path)))
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
        if path.parent.name == "shifts":
            from oncall.store.shifts import load_shift
            from oncall.story.shift import markdown

            return markdown(load_shift(path).record)
        return star_story(load_save(path))
    except SaveError as exc:
        return f"# No story\n\n{exc}"


def export_story(save_path: Path, override: Path | None) -> Path:
    """Write the save's STAR story to `<home>/stories/<save name>.md` (the first free name:
    never over an earlier export), atomically. Raises OSError or SaveError with the reason."""
    from oncall.store import load_save
    from oncall.store.jsonio import write_new
    from oncall.story import star_story

    text = star_story(load_save(save_path))
    folder = home(override) / "stories"
    n = 1
    while True:
        path = folder / f"{save_path.stem}{'' if n == 1 else f'-{n}'}.md"
        if not path.exists() and write_new(path, text):
            return path
        n += 1
