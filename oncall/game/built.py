"""Worlds as a game starts from them, built once per seed and spec in a process when asked for
again.

A world's build (its fleet drawn, its incidents set up, every rule's values up to the first
page computed so the page can be told) is a function of the seed, the spec and the content in
play, and most of a game's start. A process that starts the same night more than once (a retry,
a replay, a night shift's items, the conformance checks of a content folder, a draw that looks
at a night again) starts each game after the first from a copy of the world as it was built
(`World.__deepcopy__`: the copy shares what is only ever read, and plays on its own).

A night started once costs no more than before: the kept copy is made the second time a night
is asked for, so a player's single game never pays for it.
"""

from __future__ import annotations

import copy

from oncall.sim import registry
from oncall.sim.kept import Kept
from oncall.sim.world import World, WorldSpec

KEPT = 4
"""Worlds as built a process keeps (least recently used dropped first): each holds its alert
values and shares its models' fitted statistics with the games copied from it."""
SEEN = 256
"""Nights a process remembers having built once (a key each, no world)."""

Key = tuple[int, str, int]
_KEPT: Kept[Key, tuple[object, World]] = Kept(KEPT)
_SEEN: Kept[Key, bool] = Kept(SEEN)


def night(seed: int, spec: WorldSpec) -> tuple[Key, object]:
    """A night's key, (seed, the spec as written, the registries in play), and those
    registries, to be held beside what is kept under it so their id stays theirs: content
    reloaded (an added folder) is another night."""
    regs = registry.registries()
    return (seed, repr(spec), id(regs)), regs


def as_built(seed: int, spec: WorldSpec) -> World:
    """A world of its own for a new game of `seed` and `spec`, at its first page, with the
    alerts firing then computed: built, or copied from the world as built when this process
    has built the same night before (under the same content)."""
    key, regs = night(seed, spec)
    kept = _KEPT.get(key)
    if kept is not None:
        return copy.deepcopy(kept[1])
    again = _SEEN.get(key) is not None
    _SEEN.put(key, True)
    world = World(seed, spec)
    world.firing()
    if again:
        _KEPT.put(key, (regs, copy.deepcopy(world)))
    return world


def forget() -> None:
    """Drop every kept world and what was seen (a test that counts builds starts clean)."""
    _KEPT.clear()
    _SEEN.clear()
