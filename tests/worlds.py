"""Worlds, games and scripted plays built once per test process and handed out as copies.

Building a game (fleet, telemetry statistics, alert values over the night) costs most of a
second, and many families build the same (scenario, seed, difficulty) again and again. Here
each is built once per process; every caller gets its own deep copy, so a test may play it
as it likes without another test seeing the moves (the copies share the built game's numpy
arrays, made read-only: a write to one raises). `tests/test_worlds.py` checks that a copy
plays byte for byte like a game built afresh. Under pytest-xdist each worker keeps its own
cache, of the last few builds only: nothing is shared between processes, so no test depends on
which ran before it.

    from worlds import fresh_game, scripted_play
    g = fresh_game("fraud-1", 7)            # a Game nobody else holds
    lines = scripted_play("fraud-1", "right")  # the headless answers, as parsed JSON lines
"""

from __future__ import annotations

import copy
import gc
import io
import json
import types
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pytest

from oncall.content import loader
from oncall.content.scenario import Scenario
from oncall.game import generator
from oncall.game.engine import Game

BUILT_KEPT = 8
"""Built games a process keeps (least recently used dropped first): a scenario's tests run
together on one worker (its xdist group) on three seeds, so a few suffice, and a worker does not
hold every world of the library (each is tens of MB)."""


@lru_cache(maxsize=BUILT_KEPT)
def _built(sid: str, seed: int, difficulty: str | None) -> tuple[Game, dict[int, Any]]:
    """The game, and a deepcopy memo that hands out its numpy arrays as they are: they are made
    read-only, so a copy shares them and a write to one fails loudly instead of leaking into
    another test. Copying the arrays was most of the cost of a copy."""
    game = Game(loader.scenario(sid), seed, difficulty)  # the loader caches scenarios itself
    arrays = _arrays(game)
    for array in arrays:
        array.flags.writeable = False
    return game, {id(array): array for array in arrays}


def _arrays(root: object) -> list[np.ndarray]:
    """Every numpy array reachable from `root` through containers and instances."""
    seen: set[int] = set()
    found: list[np.ndarray] = []
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _OPAQUE):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            found.append(item)
        else:
            stack.extend(gc.get_referents(item))
    return found


_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
           types.MethodType, str, bytes, int, float)
"""What holds no game state of its own (code, classes, modules) or no arrays (scalars)."""


def by_scenario(sids: list[str]) -> list[Any]:
    """Scenario ids as parameters whose tests share one xdist worker (`scenario-SID`), and with
    it that worker's builds of the scenario: the conformance, invariant and monitor-reach tests
    of a scenario build each (scenario, seed) once between them."""
    return [pytest.param(sid, marks=pytest.mark.xdist_group(f"scenario-{sid}")) for sid in sids]


def fresh_game(sid: str, seed: int, difficulty: str | None = None) -> Game:
    """A game at its page, as `Game(loader.scenario(sid), seed, difficulty)` builds it."""
    game, arrays = _built(sid, seed, difficulty)
    return copy.deepcopy(game, dict(arrays))


def copy_game(game: Game, sid: str, seed: int, difficulty: str | None = None) -> Game:
    """A deep copy of a game `fresh_game(sid, seed, difficulty)` handed out, played or not,
    sharing the build's read-only arrays (a game played from a build dropped since is copied
    whole)."""
    _, arrays = _built(sid, seed, difficulty)
    return copy.deepcopy(game, dict(arrays))


@cache
def _played(sid: str, which: str, seed: int) -> str:
    from oncall import headless

    sc = loader.scenario(sid)
    script = "\n".join(json.dumps(c) for c in getattr(sc.playbook, which))
    out = io.StringIO()
    headless.run(sc, seed, None, io.StringIO(script), out, save=False)
    return out.getvalue()


def scripted_play(sid: str, which: str, seed: int = 7) -> list[dict[str, Any]]:
    """The headless protocol's lines for a scenario's `right` or `wrong` playbook (no save)."""
    return [json.loads(line) for line in _played(sid, which, seed).splitlines()]


GENERATED_GROUP = pytest.mark.xdist_group("generated-nights")
"""The tests of `generated_night` nights share one worker, and with it each night drawn once."""


@cache
def _generated(seed: int, difficulty: str) -> Scenario:
    return generator.generate(seed, difficulty)


def generated_night(seed: int, difficulty: str) -> Scenario:
    """`generator.generate(seed, difficulty)` (a few tenths of a second: the draw tries its key
    on trial plays), drawn once per test process and handed out as a copy: the generator's own
    tests and the monitor-reach tests ask for the same nights."""
    return _generated(seed, difficulty).model_copy(deep=True)
