"""The fixtures of proposed tests are written as a check first reads them: each file is the one
written when all are written at once, whatever the order they are read in, and every test's
verdict on them is the same as on the whole set written up front."""

from __future__ import annotations

import pytest

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.remediations import BY_ID, fit, testfiles
from oncall.sim.world import World


def _worlds(sid: str, n: int) -> list[World]:
    """`n` worlds of the scenario, each built afresh (nothing drawn shared between them)."""
    played = Game(loader.scenario(sid), 7).world
    return [World(played.seed, played.spec) for _ in range(n)]


@pytest.mark.parametrize("sid", ["fraud-1", "ads-3"])
def test_fixtures_read_lazily_are_the_files_and_verdicts_written_at_once(sid: str) -> None:
    first, second, third = _worlds(sid, 3)
    model = first.model(first.fault.model)
    at_once = dict(testfiles.fixtures(first, model))  # every file, in the export's order

    backwards = testfiles.fixtures(second, model)
    read = {path: backwards[path] for path in reversed(list(backwards))}
    assert list(backwards) == list(at_once) and read == at_once

    tests = [rid for rid, rem in BY_ID.items()
             if rem.kind == "test" and fit(rid, third, model) is None]
    assert tests
    lazy = testfiles.fixtures(third, model)
    for rid in tests:
        for source in testfiles.sources(model) if testfiles.is_contract(rid) else [None]:
            assert testfiles.blind(rid, lazy, source) == \
                testfiles.blind(rid, at_once, source), (rid, source)


def test_a_load_tests_verdict_writes_only_the_files_its_checks_read() -> None:
    world, = _worlds("ads-3", 1)
    model = world.model(world.fault.model)
    files = testfiles.fixtures(world, model)
    assert testfiles.blind("test-serving-load", files) is None  # it catches this incident
    assert files.made() == ["tests/fixtures/model.json", "tests/fixtures/healthy/telemetry.csv",
                            "tests/fixtures/faulty/telemetry.csv"]
