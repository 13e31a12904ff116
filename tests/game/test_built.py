"""A night a process starts again starts from a copy of its world as built: no second build from
the third start on, the same record a new build plays, and each copy plays on its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from unittest import mock

import pytest

from oncall.content import loader
from oncall.game import built
from oncall.game.engine import Game
from oncall.scoring import score
from oncall.sim.world import World


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    built.forget()
    yield
    built.forget()


def played(game: Game, moves: str) -> str:
    for move in getattr(game.scenario.playbook, moves):
        game.do(move)
    return json.dumps(game.record.model_dump(mode="json"), sort_keys=True)


@pytest.mark.parametrize("sid", ["fraud-1", "night-two-pages", "ads-3"])
def test_a_night_started_again_is_copied_and_plays_the_record_a_new_build_plays(
        sid: str) -> None:
    scenario = loader.scenario(sid)
    with mock.patch.object(built, "World", wraps=World) as builds:
        first = Game(scenario, 7)
        second = Game(scenario, 7)  # built anew, and kept
        assert builds.call_count == 2
        copies = [Game(scenario, 7) for _ in range(3)]
        assert builds.call_count == 2, "a night built twice is copied after"
    new = played(first, "right")
    # A copy plays on its own: wrong moves on one leave the kept world and the others as built.
    wrong = played(copies[0], "wrong")
    assert wrong != new
    assert played(copies[1], "right") == new == played(second, "right")
    assert played(Game(scenario, 7), "wrong") == wrong
    assert score(copies[1].record).total == score(first.record).total


def test_another_seed_difficulty_or_start_is_another_night() -> None:
    scenario = loader.scenario("fraud-1")
    with mock.patch.object(built, "World", wraps=World) as builds:
        for _ in range(3):
            Game(scenario, 7)
        assert builds.call_count == 2
        Game(scenario, 8)
        Game(scenario, 7, "hard")
        Game(scenario, 7, start=scenario.faults[0].onset_minute - 30)
        assert builds.call_count == 5


def test_a_copy_shares_nothing_it_writes_with_the_kept_world() -> None:
    scenario = loader.scenario("credit-3")
    Game(scenario, 3)
    Game(scenario, 3)
    kept = next(iter(built._KEPT.values()))[1]
    def state() -> tuple[object, ...]:
        return (kept.now, [len(i.course.events) for i in kept.incidents.values()],
                {k: id(v) for k, v in kept._values.items()}, len(kept.pending),
                kept.extra_cost_per_hour)

    at_page = state()
    game = Game(scenario, 3)
    played(game, "right")
    assert game.world is not kept and game.world.now > kept.now
    assert state() == at_page
