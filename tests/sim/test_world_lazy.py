"""What the world leaves until it is needed, or shares, changes nothing. The night's alert
values are computed a few hours at a time, as the clock gets there: the values kept after any
number of steps are the values of the whole night computed at once, and the alerts a late look
finds are those the rules find on the series themselves. A fresh world shares the fleet as drawn
and plays on a copy of its own."""

from __future__ import annotations

import copy

import numpy as np

from oncall.content import loader
from oncall.game.engine import world_spec
from oncall.sim.alerts import RULES
from oncall.sim.faults import Intervention
from oncall.sim.world import REACH_STEP, World, _copy_fleet


def world(sid: str, seed: int = 7) -> World:
    sc = loader.scenario(sid)
    return World(seed, world_spec(sc, sc.difficulty))


def test_values_computed_step_by_step_equal_the_night_at_once() -> None:
    stepped, whole = world("fraud-1"), world("fraud-1")
    stepped._values.clear()  # from the first minute: the fault's alert crosses in a later step
    lo, hi = whole._horizon
    assert hi - lo > 4 * REACH_STEP, "the night must take several steps"
    compared = crossed = 0
    for m in whole.fleet.models.values():
        for rule in RULES:
            if not rule.applies(m) or rule.name == "CertificateExpiringSoon":
                continue
            for t1 in range(lo + 1, hi, 97):
                stepped._rule_values(rule, m, t1)
            a, b = stepped._rule_values(rule, m, hi), whole._rule_values(rule, m, hi)
            assert stepped._values[(rule.name, m.name)][1] == hi
            compared += 1
            if a is None or b is None:
                assert a is None and b is None, (rule.name, m.name)
                continue
            crossed += 1
            for x, y in zip(a, b, strict=True):
                assert x.tobytes() == y.tobytes(), (rule.name, m.name)
    assert compared > 100 and crossed >= 1


def test_a_late_look_finds_what_the_rules_find_on_the_series() -> None:
    w = world("feed-1")
    for minutes in (REACH_STEP - 7, 2 * REACH_STEP + 11, 16 * 60):
        w.now = w.page_at + minutes
        t0, t1 = w.now - 360, w.now + 1
        direct = sorted((e for m in w.fleet.models.values() for r in RULES if r.applies(m)
                         for e in r.episodes(w, m, min(t0, t1 - r.history), t1)
                         if t1 - r.history >= t0 or e.ended_at is None or e.ended_at > t0),
                        key=lambda e: (e.fired_at, e.rule, e.model))
        assert w.episodes(t0, t1) == direct
        assert all(np.isfinite(e.peak) for e in direct)


def _mutables(obj: object, seen: dict[int, object]) -> None:
    """Every list, dict and dataclass reachable from obj, by id (archetypes excluded: shared)."""
    from oncall.sim.catalogue import Archetype

    if isinstance(obj, Archetype) or id(obj) in seen:
        return
    if isinstance(obj, dict):
        seen[id(obj)] = obj
        for v in obj.values():
            _mutables(v, seen)
    elif isinstance(obj, list | tuple):
        if isinstance(obj, list):
            seen[id(obj)] = obj
        for v in obj:
            _mutables(v, seen)
    elif hasattr(obj, "__dataclass_fields__"):
        seen[id(obj)] = obj
        for name in obj.__dataclass_fields__:
            _mutables(getattr(obj, name), seen)


def test_a_fresh_world_plays_on_a_fleet_of_its_own() -> None:
    w = world("fraud-1")
    fresh = w.fresh()
    assert fresh._drawn is w._drawn and _copy_fleet(w._drawn) == w._drawn
    live: dict[int, object] = {}
    _mutables(fresh.fleet, live)
    for other in (w._drawn, w.fleet):
        theirs: dict[int, object] = {}
        _mutables(other, theirs)
        assert not live.keys() & theirs.keys(), "a list, dict or record shared between fleets"
    assert len(live) > 100


def test_bounds_hold_beyond_the_values_the_rules_compute_with_the_statistics() -> None:
    checked = 0
    for sid, seed in (("fraud-1", 7), ("feed-1", 3), ("eta-2", 11)):
        w = world(sid, seed)
        lo, hi = w._horizon
        touched = {i.model for i in w.incidents.values()} | {n.model for n in w.noise}
        for m in w.fleet.models.values():
            for rule in RULES:
                if not rule.applies(m):
                    continue
                first = lo - rule.history
                bound = rule.bound(w, m, first, hi)
                if bound is None:
                    assert rule.kind != "relative" or rule.metric.endswith(":*")
                    continue
                _, v = rule.values(w, m, first, hi)  # draws and fits the model
                if m.name not in touched:
                    if rule.op == ">":
                        assert float(v.max()) <= bound + 1e-12, (sid, rule.name, m.name)
                        assert bound < rule.threshold(m) / 2
                    else:
                        assert float(v.min()) >= bound - 1e-12, (sid, rule.name, m.name)
                        assert bound > rule.threshold(m)
                checked += 1
    assert checked > 30


def test_a_world_fits_only_the_models_its_night_touches_and_finds_the_same_alerts() -> None:
    lazy, eager = world("fraud-1"), world("fraud-1")
    touched = {i.model for i in lazy.incidents.values()} | {n.model for n in lazy.noise}
    assert {n for n, s in lazy._stats.items() if s._drawn is not None} <= touched
    for name in eager.fleet.models:
        assert eager.stats(name).fitted.intercept == eager.stats(name).intercept  # all fitted
    eager._stays_clear = lambda *a: False  # type: ignore[method-assign]
    eager._values.clear()
    for minutes in (0, 200, 700, 1300):
        t = lazy.page_at + minutes
        assert lazy.episodes(t - 360, t + 1) == eager.episodes(t - 360, t + 1), minutes


def _values(w: World) -> dict[tuple[str, str], object]:
    return {k: (v[0], v[1], None if v[2] is None else [a.tolist() for a in v[2]])
            for k, v in w._values.items()}


def test_a_fresh_world_starts_from_the_alert_values_as_built() -> None:
    for sid in ("fraud-1", "night-two-pages"):
        w = world(sid)
        anew = World(w.seed, w.spec)
        assert w._built.keys() > w._values.keys() and _values(anew) == _values(w)
        inc = w.fault
        w.now += 30
        w.apply(Intervention(kind="rollback", model=inc.model))  # the course changes
        w.firing()
        fresh = w.fresh()
        assert all(fresh._values[k] is v for k, v in w._built.items()
                   if k[0] != "CertificateExpiringSoon"), "computed again"
        assert _values(fresh) == _values(anew)
        assert fresh.page_at == anew.page_at
        assert [(e.rule, e.model, e.fired_at) for e in fresh.firing()] == \
            [(e.rule, e.model, e.fired_at) for e in anew.firing()]


def test_a_copied_model_keeps_every_field_of_its_model_its_versions_and_deploys() -> None:
    """_copy_model builds each record field by field: a field added to Model, Version or Deploy
    must be copied too, whatever its value."""
    from dataclasses import fields

    from oncall.sim.fleet import Deploy, Model, Version
    from oncall.sim.world import _copy_model

    def filled(cls: type, **given: object) -> object:
        own = {f.name: {"k": i} if str(f.type).startswith("dict") else f"{f.name}-{i}"
               for i, f in enumerate(fields(cls))}  # a value of its own for every field
        return cls(**(own | given))

    w = world("fraud-1")
    src = w._drawn.models["fraud-scorer"]
    v = filled(Version)
    d = filled(Deploy, shadow=True, canary_pct=7, at=-5)
    m = filled(Model, archetype=src.archetype, versions=[v], deploys=[d])
    copy = _copy_model(m)  # type: ignore[arg-type]
    assert copy == m and copy is not m
    assert copy.versions[0] is not v and copy.deploys[0] is not d
    assert copy.deploys[0].config is not d.config  # type: ignore[attr-defined]


def test_a_fresh_world_copies_the_models_it_reads_and_only_those() -> None:
    """A postmortem's replays read a few models of a big fleet: the fresh world copies those,
    when first read, from the fleet as drawn (never written), and a copy of that world goes
    on copying from the same drawn fleet."""
    import copy as copying

    w = world("fraud-1")
    fresh = w.fresh()
    copied = {n for n, m in dict.items(fresh.fleet.models) if m is not None}
    assert w.fault.model in copied and len(copied) < len(w.fleet.models) - 5
    other = next(n for n in fresh.fleet.names() if n not in copied)
    mine = fresh.model(other)
    assert mine == w._drawn.models[other] and mine is not w._drawn.models[other]
    assert fresh.model(other) is mine  # copied once
    mine.deploys.append(mine.deploys[-1])
    assert len(w._drawn.models[other].deploys) == len(mine.deploys) - 1  # the drawn is not written

    clone = copying.deepcopy(fresh)
    assert clone.model(other) == mine and clone.model(other) is not mine
    later = next(n for n in fresh.fleet.names() if n not in copied and n != other)
    assert clone.model(later) == w._drawn.models[later] == fresh.model(later)
    assert clone.model(later) is not fresh.model(later)
    assert [m.name for m in fresh.fleet.models.values()] == w.fleet.names()
    assert dict(fresh.fleet.models.items()) == fresh.fleet.models  # every model, copied
    assert all(m is not None for m in dict.values(fresh.fleet.models))


def test_a_rule_on_a_series_drawn_from_nothing_is_bounded_by_its_own_values() -> None:
    """Restarts, NaN predictions, unseen categories and a feature's age read no noise and
    nothing a model drew: on a model nothing touches, the bound is the most of the rule's very
    values, so a look at the fleet can skip them without missing a firing."""
    from oncall.sim import telemetry as tm

    w = world("feed-1")
    touched = {i.model for i in w.incidents.values()} | {n.model for n in w.noise}
    healthy = [w.model(n) for n in w.fleet.names() if n not in touched][:4]
    t0, t1 = w.page_at - 360, w.page_at + 1
    bounded = set()
    for m in healthy:
        for rule in RULES:
            if not rule.applies(m) or rule.op != ">" or rule.kind not in ("level", "increase"):
                continue
            if tm.drawn_from_nothing(rule.metric.removesuffix("*"), np.arange(1)) is None:
                continue
            bound = rule.bound(w, m, t0, t1)
            assert bound == float(rule.values(w, m, t0, t1)[1].max()), (rule.name, m.name)
            assert w._stays_clear(rule, m, t0, t1)
            bounded.add(rule.name)
    assert {"PodCrashLooping", "ModelNaNPredictions", "FeatureFreshnessStale"} <= bounded


def test_a_deep_copy_of_a_model_is_the_default_deep_copy() -> None:
    """Models, versions and deploys copy themselves field by field (`fleet._deepcopy`) as
    `copy.deepcopy` would through `__reduce_ex__`: equal, their own lists and dicts, a deploy
    held twice still one object; archetypes and feature specs (frozen) are shared."""
    import dataclasses

    from oncall.sim.fleet import Deploy, Model, Version, build_fleet

    m = build_fleet(7, 14).models["fraud-scorer"]
    held = (m, m.deploys[-1])
    clone, deploy = copy.deepcopy(held)
    assert clone == m and deploy is clone.deploys[-1] and deploy is not m.deploys[-1]
    assert clone.archetype is m.archetype and clone.features[0] is m.features[0]
    assert copy._reconstruct(m, {}, *m.__reduce_ex__(4)) == clone  # type: ignore[attr-defined]
    clone.deploys[0].config["max_replicas"] = -1
    clone.versions[0].hyperparameters["x"] = 1
    assert m.deploys[0].config["max_replicas"] != -1 and "x" not in m.versions[0].hyperparameters
    for cls in (Model, Version, Deploy):
        assert [f.name for f in dataclasses.fields(cls)] == list(cls.__slots__)
        assert cls.__deepcopy__ is not None
