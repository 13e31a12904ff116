"""The shared test cache hands out games that play exactly like games built afresh."""

from __future__ import annotations

import copy

from worlds import fresh_game, scripted_play

from oncall.content import loader
from oncall.game.engine import Game


def test_a_cached_copy_plays_byte_for_byte_like_a_new_game_and_keeps_the_cache_clean() -> None:
    sc = loader.scenario("fraud-1")
    first = fresh_game("fraud-1", 7)
    for cmd in sc.playbook.right:
        first.do(cmd)
    built = Game(sc, 7)
    for cmd in sc.playbook.right:
        built.do(cmd)
    assert first.record.model_dump(mode="json") == built.record.model_dump(mode="json")
    again = fresh_game("fraud-1", 7)
    assert again.record.entries == [] and again.now == built.record.facts.page_at
    assert again is not first


def test_scripted_plays_are_copies_too() -> None:
    lines = scripted_play("fraud-1", "right")
    lines.clear()
    lines = scripted_play("fraud-1", "right")
    assert lines[-1]["scorecard"]["total"] > 0
    assert len(lines) == len(loader.scenario("fraud-1").playbook.right) + 1


def test_copies_of_one_game_play_apart() -> None:
    """Copies share the fitted statistics and alert values they only read; a move on one
    changes nothing another copy sees."""
    sc = loader.scenario("fraud-1")
    original = Game(sc, 7)
    moved = copy.deepcopy(original)
    moved.do({"do": "ack"})
    moved.do({"do": "rollback", "model": sc.fault.model})
    moved.do({"do": "wait", "minutes": 30})
    played = copy.deepcopy(original)
    for cmd in sc.playbook.right:
        played.do(cmd)
    built = Game(sc, 7)
    for cmd in sc.playbook.right:
        built.do(cmd)
    assert played.record.model_dump(mode="json") == built.record.model_dump(mode="json")
    assert original.record.entries == [] and original.now == built.record.facts.page_at
