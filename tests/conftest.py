"""Shared fixtures: every test gets its own saves folder, and nothing reads the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ONCALL_HOME", str(home))
    # The save fallback and the error log's last resort live in the temp folder: keep them in
    # the test's own folder, in this process and in the processes it starts.
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    return home
