"""The remediation catalogue: what a postmortem can add, the files each one writes, and the
counterfactual replay of proposed monitors over the seeded week before the page.

A remediation that does not fit the incident's model (a GPU alert for a CPU model, a canary gate
where no canary ran) writes nothing and is not replayed; the reason goes back to the player.
Ids follow the ML Test Score (Breck et al., 2017) where one applies, so the postmortem speaks the
language interviewers know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple
from weakref import WeakKeyDictionary

import numpy as np

from oncall.game.record import Artifact, Replay
from oncall.game.remediations import promtests, runbooks, testfiles
from oncall.game.remediations.match import described
from oncall.game.remediations.monitors import (
    MONITORS,
    Monitor,
    Tuning,
    check_tuning,
    recording_file,
    replay_monitor,
    rule_file,
)
from oncall.sim import registry
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.catalogue import RegistryList, RegistryView
from oncall.sim.datafile import dump_yaml
from oncall.sim.kept import Kept
from oncall.sim.registry import RemediationDef

if TYPE_CHECKING:
    from oncall.game.built import Key
    from oncall.sim.fleet import Model
    from oncall.sim.world import World, WorldSpec

__all__ = [
    "BY_ID",
    "CATALOGUE",
    "MONITORS",
    "Generated",
    "Lab",
    "Monitor",
    "Remediation",
    "Tuning",
    "check_tuning",
    "claim",
    "clean",
    "clean_world",
    "described",
    "fit",
    "generate",
    "replay",
    "tune",
    "tuning_of",
]


Remediation = RemediationDef
"""What a postmortem can add (`registries/remediations.yaml`)."""


def _entries() -> dict[str, RemediationDef]:
    return registry.entries("remediation")  # type: ignore[no-any-return]


CATALOGUE: Sequence[RemediationDef] = RegistryList(lambda: list(_entries().values()))
BY_ID: Mapping[str, RemediationDef] = RegistryView(_entries)


def unimplemented() -> list[tuple[str, str]]:
    """What the registry's monitors and tests lack, as (id, reason): every monitor's alert needs
    its runbook (runbooks/ALERT.md), as every alert rule does. The rest is checked as the data
    is read (`oncall schema remediation`)."""
    from oncall.content import loader

    out = []
    for rid, mon in MONITORS.items():
        try:
            loader.runbook(mon.alert)
        except loader.ContentError:
            out.append((rid, f"no runbook for its alert {mon.alert!r}: add "
                        f"runbooks/{mon.alert}.md (sections Meaning, Impact, Diagnosis, "
                        "Mitigation)"))
    return out


def fit(rid: str, world: World, model: Model) -> str | None:
    """Why a remediation cannot apply to the model (None: it applies). Whether a test would see
    the fault is judged when the files are made (`generate`), on the incident's fixtures."""
    if rid in MONITORS:
        return MONITORS[rid].fit(world, model)
    return testfiles.fit(rid, world, model)


def tuning_of(rid: str, tuning: dict[str, Tuning]) -> Tuning:
    return tuning.get(rid) or MONITORS[rid].default


def replay(rid: str, world: World, tuning: Tuning | None = None) -> Replay | None:
    """Replay a proposed monitor over the week before the page on the faulty model (None if it
    is not a monitor or cannot apply). Firings before the fault's first effect are false
    alarms; the first firing after it is the lead claimed against the page."""
    model = world.model(world.fault.model)
    if rid not in MONITORS or fit(rid, world, model) is not None:
        return None
    mon = MONITORS[rid]
    tune = tuning or mon.default
    onset = world.fault.onset - world.fault.lead
    result = replay_monitor(mon, world, model, tune, onset)
    at = result.first[0] if result.first else None
    return Replay(remediation=rid, rule=mon.alert, model=model.name,
                  expr=mon.expression(model, tune), fired_at=at,
                  lead_minutes=(world.page_at - at) if at is not None else None,
                  false_alarms_week=len(result.false_alarms), threshold=tune.threshold,
                  for_min=tune.for_min, unit=mon.unit, default_threshold=mon.default.threshold,
                  default_for_min=mon.default.for_min,
                  feature=result.first[1] if result.first else None)


class Generated(NamedTuple):
    artifacts: list[Artifact]
    replays: list[Replay]
    not_generated: dict[str, str]
    """Remediations that did not fit the model, with the reason."""


def rule_path(model: Model, rid: str) -> str:
    return f"monitoring/{model.name}-{rid}.rules.yml"


def recording_path(model: Model) -> str:
    return f"monitoring/{model.name}.recording.rules.yml"


def _runbook(alert: str, model: Model, expr: str) -> Artifact:
    rid = next((m for m, mon in MONITORS.items() if mon.alert == alert), "")
    return Artifact(remediation=rid, kind="runbook", path=f"runbooks/{alert}.md",
                    content=runbooks.render(alert, model, expr))


def files(rid: str, model: Model, tune: Tuning | None = None, paged_by: str | None = None,
          runbook_base: str = runbooks.RUNBOOK_BASE) -> list[Artifact]:
    """The files one remediation writes for a model (its fit is the caller's to check): a
    monitor's rule file and its alert's runbook; a test's file (a data contract: one per
    producer); a runbook remediation's runbook of the alert that paged."""
    rem = BY_ID[rid]
    if rid in MONITORS:
        mon = MONITORS[rid]
        tune = tune or mon.default
        doc = dump_yaml(rule_file(mon, model, tune, f"{model.name}-{rid}",
                                       runbooks.url(runbook_base, mon.alert)), sort_keys=False)
        book = _runbook(mon.alert, model, mon.expression(model, tune))
        return [Artifact(remediation=rid, kind="monitor", path=rule_path(model, rid),
                         content=doc), book.model_copy(update={"remediation": rid})]
    title = f"{rem.title} ({rem.ml_test_score})"
    if rem.kind == "test":
        srcs: list[str | None] = list(testfiles.sources(model)) \
            if testfiles.is_contract(rid) else [None]
        return [Artifact(remediation=rid, kind="test", path=testfiles.test_path(rid, model, s),
                         content=testfiles.test_file(rid, title, model, s)) for s in srcs]
    alert = paged_by if paged_by is not None and paged_by in RULES_BY_NAME else \
        "ModelHigh5xxRatio"
    rule = RULES_BY_NAME[alert]
    return [_runbook(alert, model, rule.expression(model)).model_copy(
        update={"remediation": rid})]


def _source_of(art: Artifact) -> str | None:
    return art.path.split("/")[1] if art.path.startswith("contracts/") else None


def generate(rids: list[str], world: World, tuning: dict[str, Tuning], paged_by: str | None,
             runbook_base: str = runbooks.RUNBOOK_BASE, fresh: bool = False) -> Generated:
    """The files the postmortem's remediations write for the incident's model, the replays of
    its monitors, and why any remediation was left out. `paged_by` is the alert that paged on
    the model: a runbook remediation writes that alert's runbook. A test is judged on the
    incident's own fixtures (a fresh world: the fault as it ran, with no fix): one that fails
    before the fault or passes after the page is not offered. `fresh`: the world is already
    the incident as it ran with nobody acting."""
    world = world if fresh else clean(world)
    model = world.model(world.fault.model)
    out = Generated([], [], {})
    fixture_files: Mapping[str, str] | None = None
    for rid in dict.fromkeys(rids):  # a remediation named twice writes its files once
        reason = fit(rid, world, model)
        if reason is not None:
            out.not_generated[rid] = reason
            continue
        tune = tuning_of(rid, tuning) if rid in MONITORS else None
        made = files(rid, model, tune, paged_by, runbook_base)
        if BY_ID[rid].kind == "test":
            if fixture_files is None:
                fixture_files = fixtures(world, model)
            why = {a.path: testfiles.blind(rid, fixture_files, _source_of(a)) for a in made}
            made = [a for a in made if why[a.path] is None]
            if not made:
                out.not_generated[rid] = next(iter(why.values())) or ""
                continue
        taken = {a.path for a in out.artifacts}
        out.artifacts.extend(a for a in made if a.path not in taken)
        if rid in MONITORS:
            rep = replay(rid, world, tune)
            if rep is not None:
                out.replays.append(rep)
    return out


CLEAN_KEPT = 4
"""Clean worlds a process keeps by seed and spec (least recently used dropped first): each is
tens of MB, and a night's incidents, a replayed save and its export need only a few."""
_CLEAN: WeakKeyDictionary[World, World] = WeakKeyDictionary()
_BY_SPEC: Kept[Key, tuple[object, World]] = Kept(CLEAN_KEPT)
"""Clean worlds by night (`built.night`), each beside the registries it was built under."""


def clean(world: World) -> World:
    """The incident's world as it ran with nobody acting: the same seed and spec, fresh (made
    once per seed and spec: every game of the incident, its replays and its export share it).
    Replays, the tuning lab and the tests' fixtures all read it, so what the postmortem claims
    is what an export's tests check, whatever the on-call did meanwhile."""
    found = _CLEAN.get(world)
    if found is None:
        found = _kept(world.seed, world.spec, world.fresh)
        if found is not world:  # a clean world is its own; a weak key must not be its value
            _CLEAN[world] = found
    return found


def clean_world(seed: int, spec: WorldSpec) -> World:
    """The world of `seed` and `spec` with nobody acting, as `World(seed, spec)` builds it,
    shared with every game of the same seed and spec (`clean`). Nothing may act on it."""
    from oncall.sim.world import World

    return _kept(seed, spec, lambda: World(seed, spec))


def _kept(seed: int, spec: WorldSpec, build: Callable[[], World]) -> World:
    from oncall.game.built import night

    key, regs = night(seed, spec)
    hit = _BY_SPEC.get(key)
    return hit[1] if hit is not None else _BY_SPEC.put(key, (regs, build()))[1]


_FIXTURES: WeakKeyDictionary[World, dict[str, testfiles.Fixtures]] = WeakKeyDictionary()


def fixtures(world: World, model: Model) -> Mapping[str, str]:
    """`testfiles.fixtures` of a world nobody acts on (a clean one), made once per model (each
    file as it is first read): the postmortem judges its tests on them and the export writes
    them."""
    made = _FIXTURES.setdefault(world, {})
    if model.name not in made:
        made[model.name] = testfiles.fixtures(world, model)
    return made[model.name]


def support(world: World, made: Generated, tuning: dict[str, Tuning],
            runbook_base: str = runbooks.RUNBOOK_BASE) -> dict[str, str]:
    """The files an export adds around the remediations' own: the model's recording rules and a
    `promtool test rules` file per monitor, the tests' conftests and the fixtures they read.
    `world` is the incident as it ran with nobody acting."""
    model = world.model(world.fault.model)
    out: dict[str, str] = {}
    monitors = [a.remediation for a in made.artifacts if a.kind == "monitor"]
    if monitors:
        out[recording_path(model)] = dump_yaml(recording_file(model), sort_keys=False)
    for rid in monitors:
        rep = next((r for r in made.replays if r.remediation == rid), None)
        path = rule_path(model, rid).removesuffix(".rules.yml") + ".test.yml"
        out[path] = promtests.test_file(
            MONITORS[rid], world, model, tuning_of(rid, tuning),
            [recording_path(model), rule_path(model, rid)],
            runbooks.url(runbook_base, MONITORS[rid].alert), rep)
    tests = [a for a in made.artifacts if a.kind == "test"]
    if tests:
        fixture_files = fixtures(world, model)
        if any(not a.path.startswith("contracts/") for a in tests):
            out["tests/conftest.py"] = testfiles.conftest()
            out.update({k: fixture_files[k] for k in fixture_files if k.startswith("tests/")})
        for src in {s for a in tests if (s := _source_of(a))}:
            out[f"contracts/{src}/conftest.py"] = testfiles.contract_conftest()
            out.update({k: fixture_files[k] for k in fixture_files
                        if k.startswith(f"contracts/{src}/")})
    return out


def claim(rep: Replay) -> str:
    """What a replay says, in one line: the one sentence the game claims about a monitor."""
    lead = rep.lead_minutes
    when = (f"{lead} min before the page" if lead is not None and lead > 0
            else f"{-lead} min after the page" if lead is not None and lead < 0
            else "at the page" if lead is not None else "never during this incident")
    tuned = f" (threshold {rep.threshold:g} {rep.unit}, for {rep.for_min}m)" \
        if rep.threshold is not None else ""
    on = f" on {rep.feature}" if rep.feature else ""
    return (f"{rep.rule}{tuned}: would have fired{on} {when}, {rep.false_alarms_week} false "
            f"alarm{'s' if rep.false_alarms_week != 1 else ''} in the week before")


CHART_POINTS = 240


class Lab(NamedTuple):
    """The tuning lab's answer: a line of text and the data a chart draws."""

    text: str
    data: dict[str, object]


def tune(rid: str, world: World, tuning: Tuning) -> Lab:
    """Replay one monitor with a threshold and `for`: when it fires on this incident, how often
    it fired falsely in the week before, and its series (peaks kept) for a chart."""
    world = clean(world)
    model = world.model(world.fault.model)
    mon = MONITORS[rid]
    reason = fit(rid, world, model)
    if reason is not None:
        return Lab(f"{rid} does not apply: {reason}.",
                   {"remediation": rid, "applicable": False, "reason": reason})
    rep = replay(rid, world, tuning)
    assert rep is not None
    onset = world.fault.onset - world.fault.lead
    firing = replay_monitor(mon, world, model, tuning, onset)
    t, v, label = firing.series
    step = max(1, -(-len(t) // CHART_POINTS))
    n = len(t) // step * step
    pool = np.max if mon.op == ">" else np.min
    chart_t = t[:n:step].tolist()
    chart_v = [round(float(x), 6) for x in pool(v[:n].reshape(-1, step), axis=1)] if n else []
    return Lab(claim(rep), {
        "remediation": rid, "applicable": True, "replay": rep.model_dump(),
        "chart": {"t": chart_t, "v": chart_v, "feature": label, "step_min": step,
                  "threshold": tuning.threshold, "page_at": world.page_at,
                  "fired_at": rep.fired_at,
                  "false_alarms_at": [t for t, f in firing.false_alarms if f == label],
                  "false_alarms_elsewhere": [t for t, f in firing.false_alarms if f != label]}})
