"""Fixtures for the TUI tests: an isolated home for saves and the app built by `make_app`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import Snapshot

from oncall.tui.app import OncallApp, make_app


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def incident_app(home: Path) -> OncallApp:
    return make_app(seed=1, scenario="fraud-1", home=home)


@pytest.fixture
def snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Snapshot:
    """The cursor never blinks while a snapshot test runs: its half-second timer would draw the
    cursor or not depending on when the screen is taken."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    return Snapshot(tmp_path)
