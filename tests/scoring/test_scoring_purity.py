"""Scoring is a pure function of the record: same record, same card, in any process."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from record_factory import d4_play, m1_play

import oncall.scoring
from oncall.game.record import Record
from oncall.scoring import score
from oncall.store.jsonio import dump_json

RECORDS = {
    "perfect": lambda: d4_play(),
    "wrong": lambda: d4_play(first_move="wrong", extra_moves=2),
    "silent": lambda: d4_play(diagnose=False, postmortem=None, updates=False, severity=None),
    "canary": m1_play,
}


@pytest.mark.parametrize("name", RECORDS)
def test_scoring_twice_gives_the_same_card_and_leaves_the_record_alone(name: str) -> None:
    record = RECORDS[name]()
    before = dump_json(record)
    assert score(record) == score(record)
    assert dump_json(record) == before


@pytest.mark.parametrize("name", RECORDS)
def test_a_json_round_trip_of_the_record_rescores_equal(name: str) -> None:
    record = RECORDS[name]()
    again = Record.model_validate_json(dump_json(record))
    assert dump_json(score(again)) == dump_json(score(record))


def test_the_card_embedded_in_the_postmortem_observation_does_not_change_the_score() -> None:
    record = d4_play()
    card = score(record)
    record.entries[-1].observation.scorecard = card.model_dump(mode="json")
    assert score(record) == card


def test_the_rubric_reads_no_clock_no_randomness_and_no_files() -> None:
    banned = {"time", "datetime", "random", "os", "pathlib", "io", "uuid", "textual"}
    folder = Path(oncall.scoring.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            assert not banned & set(names), f"{path.name} imports {banned & set(names)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{path.name} opens a file"
