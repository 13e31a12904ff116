"""Saves are written atomically, never overwrite, and fail loudly but harmlessly when corrupt."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from record_factory import d4_play, m1_play

from oncall.game.record import Record
from oncall.scoring import score
from oncall.store import jsonio
from oncall.store.jsonio import dump_json, write_new
from oncall.store.saves import (
    SAVE_FORMAT,
    IncidentSave,
    SaveError,
    list_saves,
    load_save,
    load_saves,
    save_incident,
)

WHEN = dt.datetime(2026, 3, 18, 9, 30, tzinfo=dt.UTC)


def save(home: Path, record: Record | None = None) -> Path:
    record = record or d4_play()
    return save_incident(record, score(record), home, saved_at=WHEN)


def test_a_save_loads_back_and_rescores_to_the_same_card(tmp_path: Path) -> None:
    record = d4_play()
    path = save_incident(record, score(record), tmp_path)
    assert path == tmp_path / "incidents" / "d4-unit-change-seed7-1.json"
    loaded = load_save(path)
    assert loaded.format == SAVE_FORMAT
    assert dump_json(loaded.record) == dump_json(record)
    assert score(loaded.record) == loaded.scorecard
    dt.datetime.fromisoformat(loaded.saved_at)  # wall-clock metadata, ISO 8601
    assert "saved_at" not in dump_json(loaded.record)


def test_a_second_save_never_overwrites_the_first(tmp_path: Path) -> None:
    first = save(tmp_path)
    before = first.read_bytes()
    second = save(tmp_path, d4_play(first_move="wrong"))
    assert second.name == "d4-unit-change-seed7-2.json"
    assert first.read_bytes() == before


def test_saves_are_deterministic_json_with_no_temp_files_left(tmp_path: Path) -> None:
    a, b = save(tmp_path), save(tmp_path)
    assert a.read_bytes() == b.read_bytes()
    assert not [p for p in (tmp_path / "incidents").iterdir() if p.name.startswith(".")]
    data = json.loads(a.read_text(encoding="utf-8"))
    assert list(data) == sorted(data)


def test_dump_json_is_canonical() -> None:
    record = d4_play()
    text = dump_json(record)
    assert text == dump_json(Record.model_validate_json(text))
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False)
    assert dump_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert dump_json({"b": 1, "a": 2}, indent=2) == '{\n  "a": 2,\n  "b": 1\n}'


def test_a_corrupt_file_in_the_way_is_skipped_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir(parents=True)
    corrupt = folder / "d4-unit-change-seed7-1.json"
    corrupt.write_bytes(b'{"format": 1, "record": {"seed": ')
    path = save(tmp_path)
    assert path.name == "d4-unit-change-seed7-2.json"
    assert corrupt.read_bytes() == b'{"format": 1, "record": {"seed": '


def test_a_corrupt_save_gives_a_one_line_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    raw = b'{"format": 1,\n  "record": {"seed": 7,,}}'
    path.write_bytes(raw)
    with pytest.raises(SaveError) as err:
        load_save(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    assert "not JSON" in message and "line 2, column" in message
    assert err.value.path == path
    assert path.read_bytes() == raw


@pytest.mark.parametrize(("content", "expected"), [
    (None, "no such file"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"[1, 2]", "top level is a JSON list"),
    (b'{"format": 9, "record": {}}', "format version 9; this version of oncall reads format 1"),
    (b'{"record": {}}', "no format version"),
])
def test_unreadable_saves_say_why(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "x.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SaveError, match=expected):
        load_save(path)
    if content is not None:
        assert path.read_bytes() == content


def test_a_save_that_fails_validation_names_the_field_path(tmp_path: Path) -> None:
    path = save(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["record"]["facts"]["page_at"]
    data["record"]["facts"]["interventions"][0]["effect"] = "magic"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(SaveError) as err:
        load_save(path)
    message = str(err.value)
    assert "record.facts.page_at: Field required" in message
    assert "record.facts.interventions[0].effect" in message
    assert path.read_bytes() == before


def test_a_record_of_another_format_version_is_refused(tmp_path: Path) -> None:
    path = save(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["record"]["format"] = 2
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SaveError, match="record format version 2"):
        load_save(path)


def test_a_crash_while_writing_leaves_no_save_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(jsonio.os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        save(tmp_path)
    assert list((tmp_path / "incidents").iterdir()) == []


def test_write_new_refuses_an_existing_path(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    assert write_new(target, "one")
    assert not write_new(target, "two")
    assert target.read_text(encoding="utf-8") == "one"
    assert sorted(os.listdir(tmp_path)) == ["a.json"]


def test_list_saves_sorts_numbers_as_numbers_and_skips_temp_files(tmp_path: Path) -> None:
    paths = [save(tmp_path) for _ in range(11)]
    (tmp_path / "incidents" / ".d4-unit-change-seed7-12.json.abc.tmp").write_text("{}")
    assert list_saves(tmp_path) == paths
    assert list_saves(tmp_path / "nowhere") == []


def test_load_saves_returns_good_saves_and_errors_for_bad_ones(tmp_path: Path) -> None:
    good = save(tmp_path, m1_play())
    bad = tmp_path / "incidents" / "zz-broken.json"
    bad.write_text("{", encoding="utf-8")
    saves, errors = load_saves(tmp_path)
    assert [s.record.scenario for s in saves] == ["m1-bad-canary"]
    assert [e.path for e in errors] == [bad]
    assert isinstance(saves[0], IncidentSave) and good.exists()
