"""A random night's draw plays every check on a copy of the night at its page instead of a new
build: the nights it draws are the ones fresh builds draw, id for id."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
from fuzz_budget import budget

from oncall.game import engine, generator
from oncall.game.engine import Game
from oncall.sim.world import World, WorldSpec

DIFFICULTIES = ("easy", "normal", "hard")


def rebuilt(game: Game) -> Game:
    """What each check played on before: the night built anew from its scenario and seed (not
    copied from a world this process built before either: `built.as_built`)."""
    with mock.patch.object(engine, "as_built", new_build):
        return Game(game.scenario, game.seed)


def new_build(seed: int, spec: WorldSpec) -> World:
    world = World(seed, spec)
    world.firing()
    return world


@pytest.mark.parametrize("seed", range(budget(3, 20)))
def test_a_night_drawn_on_copies_is_the_night_drawn_on_new_builds(seed: int) -> None:
    night_id = generator.random_id(seed, DIFFICULTIES[seed % 3])
    drawn = generator.scenario(night_id)
    with mock.patch.object(generator, "copy", SimpleNamespace(deepcopy=rebuilt)):
        built = generator.scenario(night_id)
    assert drawn.model_dump(mode="json") == built.model_dump(mode="json")
