"""The incident's world with nobody acting (`remediations.clean`) is built once per seed and spec
and shared by every game of it, the tuning lab and the export; what the postmortem makes from the
shared one is what a world built afresh gives, byte for byte, whatever the player did; the cache
is bounded and a content reload starts it again."""

from __future__ import annotations

import pytest

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game, world_spec
from oncall.sim.world import World

SID = "fraud-1"
KEY = ["mon-feature-range", "test-feature-schema", "runbook-input-shift"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    remediations._BY_SPEC.clear()


def _made(world: World) -> tuple[list[tuple[str, str]], list[str], dict[str, str]]:
    made = remediations.generate(KEY, world, {}, None, fresh=True)
    return ([(a.path, a.content) for a in made.artifacts],
            [r.model_dump_json() for r in made.replays],
            remediations.support(world, made, {}))


def test_games_of_one_seed_and_spec_share_one_clean_world_equal_to_a_fresh_build() -> None:
    sc = loader.scenario(SID)
    played, other = Game(sc, 7), Game(sc, 7)
    for cmd in sc.playbook.right:
        if cmd["do"] != "postmortem":
            assert played.do(cmd).ok, cmd
    shared = remediations.clean(played.world)
    assert shared is not played.world and shared.now == other.world.now
    assert remediations.clean(other.world) is shared
    assert remediations.clean_world(7, world_spec(sc, None)) is shared
    assert remediations.clean(shared) is shared
    assert remediations.clean(Game(sc, 8).world) is not shared
    first = _made(shared)
    assert _made(shared) == first  # the fixtures kept per world hand back the same files
    assert first[2], "the monitor's promtool test and the test's fixtures are written"
    assert _made(World(7, world_spec(sc, None))) == first  # no cache: the same bytes


def test_the_cache_keeps_the_last_few_and_a_content_reload_builds_again() -> None:
    specs = [world_spec(loader.scenario(SID), None)] * (remediations.CLEAN_KEPT + 1)
    kept = [remediations.clean_world(seed, spec) for seed, spec in enumerate(specs)]
    assert len(remediations._BY_SPEC) == remediations.CLEAN_KEPT
    assert remediations.clean_world(len(specs) - 1, specs[-1]) is kept[-1]
    assert remediations.clean_world(0, specs[0]) is not kept[0], "the oldest was dropped"
    newest = remediations.clean_world(len(specs) - 1, specs[-1])
    loader.clear_caches()
    assert remediations.clean_world(len(specs) - 1, specs[-1]) is not newest
