"""The remediation catalogue: what a postmortem can add, the files each one writes, and the
counterfactual replay of proposed monitors over the seeded week before the page.

A remediation that does not fit the incident's model (a GPU alert for a CPU model, a canary gate
where no canary ran) writes nothing and is not replayed; the reason goes back to the player.
Ids follow the ML Test Score (Breck et al., 2017) where one applies, so the postmortem speaks the
language interviewers know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import yaml

from oncall.game.record import Artifact, Replay
from oncall.game.remediations import runbooks, testfiles
from oncall.game.remediations.monitors import (
    MONITORS,
    Monitor,
    Tuning,
    check_tuning,
    replay_monitor,
    rule_file,
)
from oncall.sim.alerts import RULES_BY_NAME

if TYPE_CHECKING:
    from oncall.sim.fleet import Model
    from oncall.sim.world import World

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
    "fit",
    "generate",
    "replay",
    "tune",
    "tuning_of",
]


@dataclass(frozen=True, slots=True)
class Remediation:
    id: str
    kind: Literal["monitor", "test", "runbook"]
    title: str
    ml_test_score: str
    runbook: dict[str, str] = field(default_factory=dict)
    """For a runbook: its Meaning, Impact, Mitigation and Escalation."""
    steps: tuple[str, ...] = ()
    """For a runbook: the keys of its diagnosis steps (`runbooks.STEPS`)."""


def _rb(meaning: str, impact: str, mitigation: str, escalation: str) -> dict[str, str]:
    return {"meaning": meaning, "impact": impact, "mitigation": mitigation,
            "escalation": escalation}


CATALOGUE: tuple[Remediation, ...] = (
    Remediation("mon-feature-range", "monitor", "alert on feature means leaving their training "
                "range (catches unit changes and broken producers)", "Mon2"),
    Remediation("mon-null-rate", "monitor", "alert on feature null rates over 5%", "Mon2"),
    Remediation("mon-prediction-shift", "monitor", "alert earlier on prediction mean moving 30% "
                "from training", "Mon7"),
    Remediation("mon-canary-errors", "monitor", "alert on the canary revision's own error ratio",
                "In6"),
    Remediation("mon-gpu-headroom", "monitor", "alert when GPU memory passes 90%", "Mon6"),
    Remediation("mon-burn-slow", "monitor", "add the 6h/30m slow-burn budget alert", "Mon7"),
    Remediation("test-feature-schema", "test", "a feature schema test: types, units and value "
                "ranges checked on every producer release (data contract)", "D1"),
    Remediation("test-canary-gate", "test", "a canary gate: the new version's error ratio and "
                "score distribution are compared with stable before any traffic shift", "In6"),
    Remediation("test-serving-load", "test", "a load test of every serving config change at peak "
                "traffic on the production hardware", "Mon6"),
    Remediation("test-golden-set", "test", "golden-set predictions checked for every new model "
                "artifact before serving", "In4"),
    Remediation("runbook-input-shift", "runbook", "a runbook for prediction shifts: check feature "
                "ranges and upstream changelogs before touching the model", "Mon1",
                _rb("Predictions moved while the model did not change: an input probably did.",
                    "Decisions made on wrong inputs; errors and latency stay flat, so nothing "
                    "else pages.",
                    "Pin the producer's previous schema or convert the unit at ingestion; page "
                    "data engineering to revert. Do not roll back or retrain the model.",
                    "data-engineering (the producer's owners) with the feature, the factor and "
                    "the release."), ("prediction", "feature_ratio")),
    Remediation("runbook-revision-split", "runbook", "a runbook for canary regressions: split by "
                "revision, pause the canary first, debug later", "In7",
                _rb("A new revision on a canary slice behaves worse than stable.",
                    "The canary share of requests fails or is scored wrongly; the error budget "
                    "burns.",
                    "Set the canary weight to 0 (pause the rollout) or roll back, then tell the "
                    "owners with the evidence.",
                    "The model owners, with the revision split."), ("canary",)),
    Remediation("runbook-crashloop-config", "runbook", "a runbook for crash loops: read the "
                "last config diff before adding capacity", "Mon6",
                _rb("Model workers run out of memory and crash-loop.",
                    "Capacity drops, 5xx and p99 rise; every new replica crashes the same way.",
                    "Revert the config (or lower the batch size). Raising host memory or adding "
                    "replicas does not help.",
                    "The model owners for the config change."), ("gpu", "memory")),
    Remediation("mon-memory-headroom", "monitor", "alert when a container's memory working set "
                "passes 85% of its limit", "Mon6"),
    Remediation("test-soak", "test", "a soak test of every serving release: memory must level "
                "off under hours of steady load", "Mon6"),
    Remediation("test-dependency-fallback", "test", "a test that serving stays within its SLO, "
                "on cached features, when a dependency is slow or down", "In3"),
    Remediation("runbook-node-loss", "runbook", "a runbook for a lost node: cordon, drain, "
                "check the spare capacity, then tell the platform team", "In7",
                _rb("A node stopped reporting Ready; the pods on it stop serving and their "
                    "replacements may not fit.",
                    "Capacity drops by the node's share: latency and errors rise until the pods "
                    "run elsewhere.",
                    "Cordon and drain the node (`kubectl cordon NODE && kubectl drain NODE "
                    "--ignore-daemonsets --delete-emptydir-data`) so its pods reschedule; "
                    "rolling back the model does nothing for a dead node.",
                    "infra-sre to replace the hardware."), ("node", "errors")),
    Remediation("mon-scrape-health", "monitor", "alert within 2 minutes when any serving "
                "target is missing from Prometheus (monitoring of the monitoring)", "Mon6"),
    Remediation("runbook-stalled-rollout", "runbook", "a runbook for stalled rollouts: undo the "
                "rollout before touching the pods that still serve", "In7",
                _rb("A rolling update stopped halfway: new pods do not become ready, old ones "
                    "were already removed.",
                    "Capacity drops by the share the rollout took down; the remaining pods shed "
                    "load.",
                    "Undo the rollout (`kubectl rollout undo`) so the pods that still serve are "
                    "kept; never restart them while a dependency they load from is down.",
                    "The owner of the dependency the new pods wait for."), ("rollout", "errors")),
    Remediation("runbook-alert-tuning", "runbook", "a runbook for alerts that page without a "
                "fault: what makes them tickets, and how to tune their windows", "Mon7",
                _rb("An alert paged and cleared on its own, with no change behind it and "
                    "nothing to fix.",
                    "None for users; a woken on-call and less trust in the pager.",
                    "Do not roll back or hotfix. Ticket the alert for tuning (a longer `for`, a "
                    "burn-rate window, a ticket severity for slow trends) and note what was "
                    "checked.",
                    "None at night; the alert's owners in working hours."), ("errors",)),
    Remediation("mon-category-coverage", "monitor", "alert when a categorical feature carries "
                "values never seen in training in over 2% of requests", "Mon2"),
    Remediation("mon-feature-freshness", "monitor", "alert when a feature has not been "
                "materialised for 20 minutes", "Mon4"),
    Remediation("mon-label-volume", "monitor", "alert when a model receives under half its "
                "usual labels (the label pipeline stopped or lags)", "Mon7"),
    Remediation("mon-quality-trend", "monitor", "a warning when F1 on arrived labels drifts 20% "
                "from training over 30 minutes", "Mon7"),
    Remediation("test-serving-skew", "test", "a skew test: logged serving requests scored from "
                "the training pipeline's features must match before a version is promoted",
                "Mon3"),
    Remediation("runbook-quality-labels", "runbook", "a runbook for quality alerts: read label "
                "coverage and inputs before touching the model", "Mon7",
                _rb("A quality metric computed on arrived labels moved: the model, the world or "
                    "the labels changed.",
                    "Depends on which: wrong decisions if the model or the world changed, none "
                    "if only the labels did.",
                    "Broken labels: escalate to data engineering and ticket the alert; leave the "
                    "model alone. Concept drift: the model owners retrain behind a validation "
                    "gate. A bad version: roll back.",
                    "data-engineering for labels; the model owners otherwise."),
                ("labels", "quality")),
)
BY_ID: dict[str, Remediation] = {r.id: r for r in CATALOGUE}


def fit(rid: str, world: World, model: Model) -> str | None:
    """Why a remediation cannot apply to the model (None: it applies)."""
    if rid in MONITORS:
        return MONITORS[rid].fit(world, model)
    if rid in testfiles.TESTS:
        return testfiles.TESTS[rid].fit(world, model)
    return None


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


@dataclass
class Generated:
    artifacts: list[Artifact]
    replays: list[Replay]
    not_generated: dict[str, str]
    """Remediations that did not fit the model, with the reason."""


def _monitor_files(rid: str, mon: Monitor, model: Model, tune: Tuning) -> list[Artifact]:
    runbook_path = f"runbooks/{mon.alert}.md"
    doc = yaml.safe_dump(
        rule_file(mon, model, tune, f"{model.name}-{rid}", runbook_path), sort_keys=False)
    steps = (mon.runbook["diagnosis"],)
    return [Artifact(remediation=rid, kind="monitor",
                     path=f"monitoring/{model.name}-{rid}.rules.yml", content=doc),
            Artifact(remediation=rid, kind="runbook", path=runbook_path,
                     content=runbooks.render(mon.alert, model, mon.expression(model, tune),
                                             mon.runbook, steps))]


def files(rid: str, model: Model, tune: Tuning | None = None, paged_by: str | None = None,
          taken: set[str] | None = None) -> list[Artifact]:
    """The files one remediation writes for a model (its fit is the caller's to check)."""
    rem = BY_ID[rid]
    if rid in MONITORS:
        return _monitor_files(rid, MONITORS[rid], model, tune or MONITORS[rid].default)
    if rem.kind == "test":
        suffix = rid.removeprefix("test-").replace("-", "_")
        return [Artifact(
            remediation=rid, kind="test",
            path=f"tests/test_{model.name.replace('-', '_')}_{suffix}.py",
            content=testfiles.test_file(rid, f"{rem.title} ({rem.ml_test_score})", model))]
    alert = paged_by or "ModelHigh5xxRatio"
    path = f"runbooks/{alert}.md"
    if path in (taken or set()):
        path = f"runbooks/{alert}-{rid}.md"
    rule = RULES_BY_NAME.get(alert)
    expr = rule.expression(model) if rule else alert
    return [Artifact(remediation=rid, kind="runbook", path=path,
                     content=runbooks.render(alert, model, expr, rem.runbook, rem.steps))]


def generate(rids: list[str], world: World, tuning: dict[str, Tuning],
             paged_by: str | None) -> Generated:
    """The files the postmortem's remediations write for the incident's model, the replays of
    its monitors, and why any remediation was left out. `paged_by` is the alert that paged on
    the model: a runbook remediation writes that alert's runbook."""
    model = world.model(world.fault.model)
    out = Generated([], [], {})
    for rid in dict.fromkeys(rids):  # a remediation named twice writes its files once
        reason = fit(rid, world, model)
        if reason is not None:
            out.not_generated[rid] = reason
            continue
        tune = tuning_of(rid, tuning) if rid in MONITORS else None
        taken = {a.path for a in out.artifacts}
        out.artifacts += files(rid, model, tune, paged_by, taken)
        if rid in MONITORS:
            rep = replay(rid, world, tune)
            if rep is not None:
                out.replays.append(rep)
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


@dataclass(frozen=True, slots=True)
class Lab:
    """The tuning lab's answer: a line of text and the data a chart draws."""

    text: str
    data: dict[str, object]


def tune(rid: str, world: World, tuning: Tuning) -> Lab:
    """Replay one monitor with a threshold and `for`: when it fires on this incident, how often
    it fired falsely in the week before, and its series (peaks kept) for a chart."""
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
