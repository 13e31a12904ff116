"""The shared test cache hands out games that play exactly like games built afresh."""

from __future__ import annotations

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
