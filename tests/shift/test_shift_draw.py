"""A shift seed draws the same night whatever else the library holds: adding a scenario (or a
`--content` folder) changes only the nights the new scenario wins."""

from __future__ import annotations

import pytest

from oncall.content import loader
from oncall.game import shiftplan


def nights(seeds: range) -> dict[tuple[int, str], list[str]]:
    return {(seed, d): [k.scenario for k in shiftplan.incident_scenario(seed, 360, d, 0)[1]]
            for seed in seeds for d in ("normal", "hard")}


def test_adding_a_scenario_changes_only_the_nights_it_wins(
        monkeypatch: pytest.MonkeyPatch) -> None:
    full = nights(range(1, 41))
    every = loader.scenario_ids()
    # The library without two scenarios that shifts use, as if they were added later.
    added = {"fraud-2", "search-3"}
    assert added <= {sid for drawn in full.values() for sid in drawn}
    monkeypatch.setattr(loader, "scenario_ids", lambda: [i for i in every if i not in added])
    smaller = nights(range(1, 41))
    changed = [k for k in full if full[k] != smaller[k]]
    assert changed, "the removed scenarios won some nights"
    for k in changed:
        assert added & set(full[k]), (k, full[k], smaller[k])
    # Most nights never drew them and are drawn exactly as before.
    assert len(changed) < len(full) // 3


def test_the_draw_order_spreads_the_library() -> None:
    drawn = {d[0] for d in nights(range(1, 61)).values()}
    assert len(drawn) >= 15, sorted(drawn)


def test_the_order_is_a_function_of_the_salt_and_the_ids_alone() -> None:
    ids = ["a", "b", "c", "d", "e"]
    order = shiftplan._rank(12345, ids)
    assert sorted(order) == sorted(ids)
    assert shiftplan._rank(12345, list(reversed(ids))) == order
    assert [i for i in shiftplan._rank(12345, [*ids, "f"]) if i != "f"] == order
    assert any(shiftplan._rank(s, ids) != order for s in range(5))
