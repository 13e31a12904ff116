"""A big fleet: the fleet table shows every model with an alert firing and a page of the others,
and counts the rest; a look at the whole fleet's alerts passes by the models it already knows
stay quiet, and finds exactly the alerts the rules find model by model."""

from __future__ import annotations

import numpy as np

from oncall.content import loader
from oncall.game import tools
from oncall.game.engine import world_spec
from oncall.sim import fleet as fl
from oncall.sim.alerts import RULES
from oncall.sim.catalogue import ARCHETYPES
from oncall.sim.names import Names
from oncall.sim.world import World


def big_world(size: int, sid: str = "fraud-1", seed: int = 7) -> World:
    """The scenario's world in a fleet grown to `size` models: the drawn fleet plus copies of
    the archetypes under new names, each with a seeded history (as bench_incident grows one)."""
    sc = loader.scenario(sid)
    spec = world_spec(sc, sc.difficulty)
    base = fl.build_fleet(seed, spec.fleet_size, spec.total_rps,
                          must_include=tuple(i.model for i in spec.incidents))
    rng = np.random.default_rng([seed, 1, size])
    names = Names(seed + 1)
    for i in range(len(base.models), size):
        arch = ARCHETYPES[i % len(ARCHETYPES)]
        model = fl.Model(name=f"{arch.name}-{i:04d}", archetype=arch, owner=names.person(),
                         oncall_contact=names.person(), hardware=arch.hardware,
                         gpu_type=fl.GPU_TYPES[0] if arch.hardware == "gpu" else None,
                         replicas=3, rps=float(rng.uniform(10, 40)), slo=0.999,
                         latency_slo_ms=round(arch.p99_ms * 1.6, 0))
        fl._history(model, rng, names)
        base.models[model.name] = model
    return World(seed, spec, fleet=base)


def test_the_fleet_table_of_a_big_fleet_shows_a_page_and_counts_the_rest() -> None:
    w = big_world(tools.FLEET_ROWS + 25)
    text, data = tools.fleet(w)
    alerting = {e.model for e in w.firing()}
    shown = [r["model"] for r in data["models"]]
    assert alerting and alerting <= set(shown)
    assert len(shown) == max(tools.FLEET_ROWS, len(alerting))
    assert shown == [n for n in w.fleet.names() if n in set(shown)], "fleet order kept"
    more = data["more"]
    assert more["models"] == len(w.fleet.models) - len(shown) == more["gpu"] + more["cpu"]
    assert f"and {more['models']} more models" in text.splitlines()[-1]
    rows = text.splitlines()[2:2 + len(shown)]
    assert [line.split()[0] for line in rows] == shown, "each name stands apart from its hw"
    for row in data["models"][:3]:  # each row is the model's own series, as a dashboard reads
        rps = float(w.series(row["model"], "rps", w.now - 5, w.now)[1].mean())
        assert row["rps"] == round(rps, 5)


def test_a_fleet_within_a_page_is_shown_whole() -> None:
    sc = loader.scenario("fraud-1")
    w = World(7, world_spec(sc, sc.difficulty))
    text, data = tools.fleet(w)
    assert [r["model"] for r in data["models"]] == w.fleet.names()
    assert "more" not in data and "more models" not in text


def test_models_known_quiet_are_passed_by_and_the_alerts_are_the_same() -> None:
    w = big_world(60)
    for step in (0, 7, 60, 200, 420):
        w.advance(step)
        t = w.now
        fast = w.episodes(t - 360, t + 1)
        assert w._quiet, "no model was found quiet"
        slow = w.episodes(t - 360, t + 1, rules=list(RULES))  # rule by rule, every model
        assert slow
        assert [(e.rule, e.model, e.fired_at, e.ended_at) for e in fast] == \
            [(e.rule, e.model, e.fired_at, e.ended_at) for e in slow]
    touched = {i.model for i in w.incidents.values()}
    assert not touched & w._quiet.keys()
