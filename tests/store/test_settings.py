"""The settings file: the theme survives a restart, a broken file is named and left alone."""

from __future__ import annotations

from pathlib import Path

from oncall.store.settings import Settings, load_settings, save_settings, settings_path


def test_the_theme_round_trips_and_the_file_holds_only_what_was_set(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (Settings(), None)
    path = save_settings(Settings(theme="nord"), tmp_path)
    assert path == settings_path(tmp_path) and path.read_text() == '{\n  "theme": "nord"\n}\n'
    assert load_settings(tmp_path) == (Settings(theme="nord"), None)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_broken_settings_file_is_ignored_with_its_reason_and_kept(tmp_path: Path) -> None:
    path = settings_path(tmp_path)
    path.write_text('{"theme": 3, "colour": "red"}')
    settings, problem = load_settings(tmp_path)
    assert settings == Settings() and problem is not None
    assert str(path) in problem and "theme" in problem
    assert path.read_text() == '{"theme": 3, "colour": "red"}'
