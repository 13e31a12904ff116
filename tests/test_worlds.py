"""The shared test cache hands out games that play exactly like games built afresh."""

from __future__ import annotations

import copy

from worlds import fresh_game, scripted_play

from oncall.content import loader
from oncall.game.engine import Game


def right_play(game: Game) -> dict[str, object]:
    """The record of the scenario's right playbook played on `game`."""
    for cmd in game.scenario.playbook.right:
        game.do(cmd)
    return game.record.model_dump(mode="json")


def test_a_cached_copy_plays_byte_for_byte_like_a_new_game_and_keeps_the_cache_clean() -> None:
    first = fresh_game("fraud-1", 7)
    built = Game(loader.scenario("fraud-1"), 7)
    assert right_play(first) == right_play(built)
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
    built = Game(sc, 7)
    assert right_play(copy.deepcopy(original)) == right_play(built)
    assert original.record.entries == [] and original.now == built.record.facts.page_at
