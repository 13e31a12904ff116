"""Fixtures for the TUI tests: an isolated home for saves and the app built by `make_app`."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from oncall.tui.app import OncallApp, make_app


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def incident_app(home: Path) -> OncallApp:
    return make_app(seed=1, scenario="fraud-1", home=home)


SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "ONCALL_UPDATE_SNAPSHOTS"


class Snapshot:
    """Compares the app's screen, as `App.export_screenshot` writes it (SVG text), with the
    file stored under tests/tui/snapshots/. `ONCALL_UPDATE_SNAPSHOTS=1 pytest tests/tui` writes
    the files anew; review them (open the SVG in a browser) before committing."""

    def __init__(self, out: Path) -> None:
        self.out = out

    async def __call__(self, pilot: Pilot[None], name: str) -> None:
        import os

        from textual.widgets import Input, TextArea

        app = pilot.app
        for widget in app.screen.query("Input, TextArea"):  # a blinking cursor is not layout
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
        app.clear_notifications()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        svg = app.export_screenshot(title=name)
        stored = SNAPSHOTS / f"{name}.svg"
        if os.environ.get(UPDATE) == "1" or not stored.exists():
            if os.environ.get("CI") and not stored.exists():
                raise AssertionError(f"no stored snapshot {stored}; run with {UPDATE}=1")
            SNAPSHOTS.mkdir(exist_ok=True)
            stored.write_text(svg, encoding="utf-8")
            return
        if stored.read_text(encoding="utf-8") != svg:
            got = self.out / f"{name}.svg"
            got.write_text(svg, encoding="utf-8")
            raise AssertionError(f"screen {name!r} differs from {stored}; this run's is {got} "
                                 f"(open both in a browser; {UPDATE}=1 accepts the new one)")


@pytest.fixture
def snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Snapshot:
    """The cursor never blinks while a snapshot test runs: its half-second timer would draw the
    cursor or not depending on when the screen is taken."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    return Snapshot(tmp_path)
