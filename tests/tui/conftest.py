"""Fixtures for the TUI tests: an isolated home for saves and the app built by `make_app`."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.tui.app import OncallApp, make_app


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def incident_app(home: Path) -> OncallApp:
    return make_app(seed=1, scenario="fraud-1", home=home)
