"""The registries' entries are kept on disk under each file's bytes and the game's code: a
process reads them back without parsing or validating the YAML, and an edited file, or one with
a problem, is read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.sim import registry
from oncall.sim.datafile import CACHE_ENV, content_root


def _copy_registries(into: Path) -> Path:
    folder = into / "content"
    (folder / "registries").mkdir(parents=True)
    for src in registry.registries_dir(content_root()).glob("*.yaml"):
        (folder / "registries" / src.name).write_text(src.read_text())
    return folder


def test_registry_entries_are_read_back_from_disk_until_a_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    root = _copy_registries(tmp_path)
    first = registry.load([root])
    assert not first.problems and list((tmp_path / "cache").glob("registries-*.pickle"))

    def never(path: Path, what: str) -> object:
        raise AssertionError(f"{path} parsed again")

    with monkeypatch.context() as m:
        m.setattr(registry, "read_file", never)
        again = registry.load([root])
    assert again.entries == first.entries and again.origin == first.origin

    teams = root / "registries" / "teams.yaml"
    teams.write_text(teams.read_text().replace("{id: model-owners, ",
                                               "{id: model-owners, colour: red, "))
    edited = registry.load([root])
    assert edited.problems and all(p.file == str(teams) for p in edited.problems)
    assert registry.load([root]).problems == edited.problems  # a problem is never kept


def test_the_registry_cache_can_be_turned_off(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    root = _copy_registries(tmp_path)
    assert registry.load([root]).entries == registry.registries().entries
    assert not list(tmp_path.glob("**/registries-*.pickle"))


class _Counted:
    """A value that counts how often it is unpickled."""

    loads = 0

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _load_counted, ()


def _load_counted() -> _Counted:
    _Counted.loads += 1
    return _Counted()


def test_a_kept_value_is_unpickled_only_when_asked_for(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that needs one file's value of a namespace (one scenario of the library) does
    not rebuild every other one; a value is rebuilt once however often it is asked for, and a
    file's other bytes find nothing."""
    from oncall.sim.datafile import DiskCache

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    first = DiskCache("counted", [])
    for name in ("a", "b", "c"):
        first.put(tmp_path / name, f"digest-{name}", _Counted())
    _Counted.loads = 0
    again = DiskCache("counted", [])
    assert _Counted.loads == 0
    assert isinstance(again.get(tmp_path / "b", "digest-b"), _Counted)
    assert again.get(tmp_path / "b", "digest-b") is again.get(tmp_path / "b", "digest-b")
    assert _Counted.loads == 1
    assert again.get(tmp_path / "a", "other bytes") is None and _Counted.loads == 1
