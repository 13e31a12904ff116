"""Every reader is total (issue #12): scenario files and saves turn any bad input into one
error naming the file and the reason, never an exception of another type."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from record_factory import d4_play

from oncall.content.loader import MAX_SCENARIO_BYTES, ContentError, parse_scenario
from oncall.scoring import score
from oncall.store.saves import SaveError, load_save, save_incident

BAD_YAML = {
    "latin1.yaml": "id: caf\xe9\n".encode("latin-1"),
    "deep.yaml": b"a: " + b"[" * 5000 + b"]" * 5000,
    "deepmap.yaml": b"".join(b"  " * i + b"k:\n" for i in range(3000)),
    "digits.yaml": b"a: " + b"9" * 5000,
    "bomb.yaml": b"a: &a [1, 2, 3]\nb: [" + b", ".join([b"*a"] * 500) + b"]\n",
    "huge.yaml": b"a: 1\n" + b"#" * (MAX_SCENARIO_BYTES + 10),
    "list.yaml": b"- 1\n- 2\n",
    "tab.yaml": b"a:\n\t- 1\n",
}


@pytest.mark.parametrize("name", [*BAD_YAML, "folder.yaml", "fifo.yaml", "missing.yaml"])
def test_a_bad_scenario_file_is_one_problem_naming_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name in BAD_YAML:
        path.write_bytes(BAD_YAML[name])
    elif name == "folder.yaml":
        path.mkdir()
    elif name == "fifo.yaml":
        os.mkfifo(path)
    with pytest.raises(ContentError) as err:
        parse_scenario(path)
    problems = err.value.problems
    assert problems and all(p.file == str(path) for p in problems)
    assert all("\n" not in str(p) for p in problems)


def good_save(tmp_path: Path) -> Path:
    record = d4_play()
    return save_incident(record, score(record), tmp_path)


def edited(path: Path, edit: object) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["record"].__setitem__("difficulty", "insane"), "record.difficulty"),
    (lambda d: d["record"].__setitem__("seed", -1), "record.seed"),
    (lambda d: d["record"].__setitem__("seed", 2**63), "record.seed"),
    (lambda d: d["record"]["entries"][0]["command"].__setitem__("do", ["ack"]), "command.do"),
    (lambda d: d.__setitem__("format", [1]), "format version"),
    (lambda d: d["record"].__setitem__("format", {"a": 1}), "record format version"),
])
def test_a_tampered_save_is_refused_with_the_field(tmp_path: Path, edit: object,
                                                   expected: str) -> None:
    path = edited(good_save(tmp_path), edit)
    before = path.read_bytes()
    with pytest.raises(SaveError, match=expected):
        load_save(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(("content", "expected"), [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"format": ' + b"9" * 5000 + b"}", "not a save"),
    (b'{"format": 1, "record": ' + b"[" * 900 + b"]" * 900 + b"}", "invalid save"),
])
def test_saves_too_deep_or_too_long_to_read_are_refused(tmp_path: Path, content: bytes,
                                                        expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(SaveError, match=expected):
        load_save(path)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    with pytest.raises(SaveError, match="not a regular file"):
        load_save(path)
