"""Where saves go: the --home flag, then ONCALL_HOME, then the checkout, then the user folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import oncall
from oncall.store import locations
from oncall.store.locations import checkout_root, home_dir, incidents_dir


def test_an_explicit_override_beats_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCALL_HOME", str(tmp_path / "env"))
    assert home_dir(tmp_path / "flag") == tmp_path / "flag"


def test_the_environment_beats_the_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCALL_HOME", str(tmp_path / "env"))
    assert checkout_root() is not None  # the tests run from the checkout
    assert home_dir() == tmp_path / "env"


def test_a_checkout_keeps_saves_beside_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCALL_HOME", raising=False)
    root = Path(oncall.__file__).resolve().parent.parent
    assert home_dir() == root / "saves"


def test_a_blank_environment_variable_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCALL_HOME", "  ")
    assert home_dir() == Path(oncall.__file__).resolve().parent.parent / "saves"


def test_an_installed_game_uses_the_user_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCALL_HOME", raising=False)
    monkeypatch.setattr(locations, "checkout_root", lambda: None)
    monkeypatch.setattr("platformdirs.user_data_dir",
                        lambda name, appauthor=None: str(tmp_path / "data" / name))
    assert home_dir() == tmp_path / "data" / "oncall"


def test_checkout_detection_needs_pyproject_and_incidents(tmp_path: Path) -> None:
    package = tmp_path / "oncall"
    package.mkdir()
    assert checkout_root(package) is None
    (tmp_path / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    assert checkout_root(package) is None  # site-packages never has incidents/ beside it
    (tmp_path / "incidents").mkdir()
    assert checkout_root(package) == tmp_path


def test_incidents_live_in_their_own_folder(tmp_path: Path) -> None:
    assert incidents_dir(tmp_path) == tmp_path / "incidents"
