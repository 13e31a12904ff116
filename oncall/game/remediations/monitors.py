"""Proposed monitors: one Prometheus alert each, written as a rule file that carries every
recording rule it reads, and replayed over the seeded week before the page.

A monitor reads a family of series (one per feature, or one per model) and fires one alert per
series, as Prometheus does with a `feature` label. The replay evaluates exactly the threshold and
`for` written into the rule file, with the sim's own firing semantics (`Rule.episodes_of`), so
the minute the postmortem claims is the minute the exported rule would have fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from oncall.sim import registry
from oncall.sim.alerts import Rule, Severity
from oncall.sim.alerts import _rolling_mean as rolling_mean
from oncall.sim.catalogue import RegistryView
from oncall.sim.clock import WEEK
from oncall.sim.telemetry import feature_mean

if TYPE_CHECKING:
    from oncall.sim.catalogue import FeatureSpec
    from oncall.sim.fleet import Model
    from oncall.sim.monitordef import MonitorSpec
    from oncall.sim.world import World

EXPOSED: dict[str, str] = {
    "model_requests_total": "counter of requests by model, revision and status code",
    "model_request_duration_seconds_bucket": "request latency histogram",
    "model_prediction_mean": "mean score served in the last minute",
    "model_predictions_total": "counter of predictions served",
    "model_predictions_nan_total": "counter of NaN predictions",
    "model_feature_mean": "mean of a continuous feature over the last minute's requests",
    "model_feature_null_ratio": "share of the last minute's requests missing a feature",
    "model_feature_unseen_category_ratio": "share of requests with a category unseen in training",
    "feature_store_last_materialized_timestamp_seconds": "when a feature was last materialised",
    "model_quality_f1": "F1 on the labels joined so far",
    "model_labels_joined_total": "counter of labels joined to logged predictions",
    "model_registry_training_prediction_mean": "mean score on the training reference",
    "model_registry_training_f1": "F1 on the training reference",
    "model_registry_training_feature_mean": "a feature's mean on the training reference",
    "model_registry_training_feature_stddev": "a feature's standard deviation on the training "
                                              "reference",
    "DCGM_FI_DEV_FB_USED": "GPU framebuffer used (MiB), from the DCGM exporter",
    "DCGM_FI_DEV_FB_FREE": "GPU framebuffer free (MiB), from the DCGM exporter",
    "DCGM_FI_DEV_GPU_UTIL": "GPU utilisation (percent), from the DCGM exporter",
    "container_memory_working_set_bytes": "cAdvisor working set of a container",
    "kube_pod_container_resource_limits": "kube-state-metrics container limits",
    "kube_pod_container_status_restarts_total": "kube-state-metrics restart counter",
    "probe_ssl_earliest_cert_expiry": "blackbox exporter certificate expiry",
    "node_filesystem_avail_bytes": "node exporter: bytes free on a filesystem of a node",
    "container_cpu_cfs_periods_total": "cAdvisor: CFS quota periods a container ran in",
    "container_cpu_cfs_throttled_periods_total": "cAdvisor: periods in which it was throttled",
    "node_filesystem_size_bytes": "node exporter: size of a filesystem of a node",
    "up": "whether Prometheus scraped the target",
    "kube_horizontalpodautoscaler_status_current_replicas": "kube-state-metrics: replicas an "
                                                            "autoscaler runs",
    "kube_horizontalpodautoscaler_spec_max_replicas": "kube-state-metrics: an autoscaler's "
                                                      "replica ceiling",
}
"""The series the simulated exporters expose, by Prometheus name. A rule file may read these and
the recording rules it defines, nothing else."""

RECORDS: dict[str, str] = {
    "slo:errors_per_request:ratio_rate30m":
        'sum by (model) (rate(model_requests_total{{model="{model}",code=~"5.."}}[30m])) / '
        'sum by (model) (rate(model_requests_total{{model="{model}"}}[30m]))',
    "slo:errors_per_request:ratio_rate6h":
        'sum by (model) (rate(model_requests_total{{model="{model}",code=~"5.."}}[6h])) / '
        'sum by (model) (rate(model_requests_total{{model="{model}"}}[6h]))',
    "model_prediction_mean:training":
        'max by (model) (model_registry_training_prediction_mean{{model="{model}"}})',
    "model_quality_f1:training": 'max by (model) (model_registry_training_f1{{model="{model}"}})',
    "feature_mean:training":
        'max by (model, feature) (model_registry_training_feature_mean{{model="{model}"}})',
    "feature_stddev:training":
        'max by (model, feature) (model_registry_training_feature_stddev{{model="{model}"}})',
}
"""Recording rules a monitor may read (`level:metric:operations`), each defined from exposed
series and filtered to one model: every export of a model writes the same recording file, and
two models' files never record the same series."""


def recorded(expr: str) -> list[str]:
    """The recording rules an expression reads, each matched as a whole metric name."""
    return sorted(n for n in RECORDS if re.search(rf"(?<![\w:]){re.escape(n)}(?![\w:])", expr))


Series = tuple[str | None, Rule, np.ndarray, np.ndarray]
"""One series an alert evaluates: its `feature` label, the sim rule, minutes and values."""


class Tuning(NamedTuple):
    """A monitor's threshold and `for` duration, as the rule file will carry them."""

    threshold: float
    for_min: int


class Monitor(NamedTuple):
    """One alert a postmortem can add."""

    alert: str
    severity: Severity
    summary: str
    """One line for the pager; `{model}`, `{threshold}` and `{feature}` are filled in."""
    description: str
    """Why it matters; the rule file adds the value, the threshold and the `for`."""
    expr: str
    """PromQL with `{model}`, `{threshold}` and `{budget}`; the window is part of the
    expression, and every series a pod exports is aggregated before it is compared."""
    unit: str
    op: Literal[">", "<"]
    default: Tuning
    bounds: tuple[float, float]
    """Thresholds that mean something for this alert (a tuned value must lie within)."""
    metric: str
    """The sim metric it reads; `name:*` reads one series per feature that `family` selects."""
    window: int = 1
    kind: Literal["level", "burn", "relative", "zshift", "targets"] = "level"
    burn_windows: tuple[int, int] = (60, 5)
    revision: str | None = None
    family: Callable[[FeatureSpec], bool] = lambda f: True
    applies: Callable[[Model], str | None] = lambda m: None
    """Why the monitor cannot watch this model, whatever the incident (None: it can)."""
    needs_canary: bool = False
    """It watches a canary revision, so it fits only where one served."""
    reference: Callable[[World, Model], float] | None = None
    by: tuple[str, ...] = ("model",)
    """The labels the expression's result carries (beside the rule's own)."""
    now: str = "{value}"
    """The value in words for the description; `{value}` is the alert's `$value`."""

    def features(self, model: Model) -> list[FeatureSpec]:
        return [f for f in model.features if self.family(f)] if self.per_feature else []

    @property
    def per_feature(self) -> bool:
        return self.metric.endswith(":*")

    def fit(self, world: World, model: Model) -> str | None:
        """Why the monitor cannot apply to the model in this incident (None: it applies)."""
        return self.applies(model) or (_no_canary(world, model) if self.needs_canary else None)

    def expression(self, model: Model, tuning: Tuning) -> str:
        return self.expr.format(model=model.name, threshold=exact(tuning.threshold),
                                budget=exact(1 - model.slo))

    def rule(self, model: Model, tuning: Tuning, metric: str | None = None,
             reference: Callable[[World, Model], float] | None = None) -> Rule:
        """The sim's rule for one series of the monitor, with the tuned threshold and `for`.
        A `zshift` or `targets` monitor computes its own values and uses the rule only for
        firing."""
        thr = tuning.threshold
        kind = {"zshift": "relative", "targets": "level"}.get(self.kind, self.kind)
        return Rule(self.alert, metric or self.metric, self.op, tuning.for_min, self.severity,
                    self.summary, self.expr, self.unit, lambda m: thr, window=self.window,
                    kind=kind, revision=self.revision,  # type: ignore[arg-type]
                    burn_windows=self.burn_windows, reference=reference or self.reference)

    def series(self, world: World, model: Model, t0: int, t1: int,
               tuning: Tuning) -> list[Series]:
        """Each series the alert evaluates over [t0, t1): its `feature` label (None for a
        per-model alert), the sim rule, the minutes and the expression's value at each."""
        if self.kind == "targets":
            # Each pod is scraped or not: the share up is a whole number of pods.
            rule = self.rule(model, tuning)
            t, raw = world.series(model.name, self.metric, t0, t1, self.revision)
            return [(None, rule, t, np.round(raw * model.replicas) / model.replicas)]
        if not self.per_feature:
            rule = self.rule(model, tuning)
            return [(None, rule, *rule.values(world, model, t0, t1))]
        out: list[Series] = []
        features = self.features(model)
        if self.kind == "zshift":  # every feature's noise over the span drawn in one batch
            world.prefetch([self.metric[:-1] + f.name for f in features], t0 - self.window, t1,
                           [model.name])
        for f in features:
            metric = self.metric[:-1] + f.name
            rule = self.rule(model, tuning, metric)
            if self.kind == "zshift":
                t, raw = world.series(model.name, metric, t0 - self.window, t1, self.revision)
                mu, sd = training_moments(world, model, f)
                v = np.abs(rolling_mean(raw, self.window) - mu) / sd
                out.append((f.name, rule, t[self.window:], v[self.window:]))
            else:
                out.append((f.name, rule, *rule.values(world, model, t0, t1)))
        return out

    def shown(self, world: World, model: Model, t: int, value: float) -> float:
        """What `$value` is when the alert fires: the expression's left-hand side, which for a
        burn-rate alert is the long window's error ratio, not its multiple of the budget."""
        if self.kind != "burn":
            return value
        _, raw = world.series(model.name, self.metric, t + 1 - self.burn_windows[0], t + 1,
                              self.revision)
        return float(rolling_mean(raw, self.burn_windows[0])[-1])


def exact(x: float) -> str:
    """A number as a rule file carries it: short where that is the same float, else every digit
    it takes, so Prometheus compares against exactly the threshold the replay used."""
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def training_moments(world: World, model: Model, spec: FeatureSpec) -> tuple[float, float]:
    """A continuous feature's mean and standard deviation on the training reference, as the
    registry exports them."""
    ref = world.stats(model.name).reference[spec.name].astype(float)
    return feature_mean(spec), float(np.std(ref)) or 1.0


def canary_spans(model: Model, t0: int, t1: int) -> list[tuple[int, int]]:
    """The parts of [t0, t1) in which a canary revision serves a slice of the model's traffic:
    from each canary deploy to the deploy after it."""
    deploys = sorted(model.deploys, key=lambda d: d.at)
    spans = []
    for i, d in enumerate(deploys):
        if d.canary_pct in (0, 100):
            continue
        lo, hi = max(d.at, t0), min(deploys[i + 1].at if i + 1 < len(deploys) else t1, t1)
        if lo < hi:
            spans.append((lo, hi))
    return spans


def replay_window(world: World) -> tuple[int, int]:
    """The week before the page and the hour after it."""
    return world.page_at - WEEK, world.page_at + 60


def _no_canary(world: World, model: Model) -> str | None:
    if canary_spans(model, *replay_window(world)):
        return None
    return (f"{model.name} ran no canary revision in the week before the page or during the "
            "incident, so a canary monitor has nothing to watch")


def _applies(spec: MonitorSpec) -> Callable[[Model], str | None]:
    """Why a monitor cannot watch a model whatever the incident (None: it can), from what the
    monitor's data requires."""
    req = spec.requires

    def applies(model: Model) -> str | None:
        if req.hardware is not None and model.hardware != req.hardware:
            return (f"{model.name} serves on {model.hardware.upper()}: {spec.alert} watches "
                    f"{req.hardware.upper()} models")
        if req.feature_kind is not None and not any(
                f.kind == req.feature_kind for f in model.features):
            return f"{model.name} has no {req.feature_kind} features"
        if req.model_types is not None and model.archetype.model_type not in req.model_types:
            return (f"{model.name} is a {model.archetype.model_type}: it exports "
                    f"{model.archetype.quality_metric}, and {spec.alert} watches "
                    f"{', '.join(req.model_types)}s")
        return None
    return applies


def _family(spec: MonitorSpec) -> Callable[[FeatureSpec], bool]:
    kind = spec.features
    return (lambda f: True) if kind is None else (lambda f: f.kind == kind)


def _quality(world: World, model: Model) -> float:
    return world.stats(model.name).quality


def monitor_of(spec: MonitorSpec) -> Monitor:
    """The monitor a remediation's `monitor:` data describes."""
    return Monitor(
        spec.alert, spec.severity, spec.summary, spec.description, spec.expr, spec.unit,
        spec.op, Tuning(spec.threshold, spec.for_min), spec.bounds, spec.series,
        window=spec.window, kind=spec.shape, burn_windows=spec.burn_windows,
        revision=spec.revision, family=_family(spec), applies=_applies(spec),
        needs_canary=spec.requires.canary,
        reference=_quality if spec.reference == "quality" else None,
        by=tuple(spec.by), now=spec.now)


def _monitors() -> dict[str, Monitor]:
    def build() -> dict[str, Monitor]:
        return {rid: monitor_of(rem.monitor) for rid, rem in
                registry.entries("remediation").items() if rem.monitor is not None}
    return registry.derived("monitors", build)  # type: ignore[no-any-return]


MONITORS: Mapping[str, Monitor] = RegistryView(_monitors)
"""Every monitor remediation of the registry (`registries/remediations.yaml` and any content
folder's), by id: built from its `monitor:` data when first asked for."""


def check_tuning(rid: str, monitor: Monitor, tuning: Tuning) -> str | None:
    """Why a tuning cannot be used (None: it can)."""
    lo, hi = monitor.bounds
    if not lo <= tuning.threshold <= hi:
        return (f"{rid}: threshold {tuning.threshold:g} is outside {lo:g}..{hi:g} "
                f"({monitor.unit})")
    if not 0 <= tuning.for_min <= 120:
        return f"{rid}: for_min {tuning.for_min} is outside 0..120 minutes"
    return None


VALUE = '{{ $value | printf "%.3g" }}'
"""How an annotation shows the alert's value: three significant digits, never an SI prefix."""


def alert_annotations(monitor: Monitor, model: Model, tuning: Tuning, runbook_url: str,
                feature: str = "{{ $labels.feature }}", value: str = VALUE) -> dict[str, str]:
    """The alert's annotations: as templates in the rule file, or, given a feature and a
    formatted value, as Prometheus renders them (what a unit test expects)."""
    thr = f"{tuning.threshold:g}"
    return {
        "summary": monitor.summary.format(model=model.name, threshold=thr, feature=feature),
        "description": f"{monitor.description} Now {monitor.now.format(value=value)}; "
                       f"threshold {thr} {monitor.unit} for {tuning.for_min}m.",
        "runbook_url": runbook_url}


def rule_file(monitor: Monitor, model: Model, tuning: Tuning, group: str,
              runbook_url: str) -> dict[str, object]:
    """A Prometheus rule file (as a dict ready for YAML) with the alert, its tuned threshold
    and `for`; the recording rules it reads are in the model's recording file."""
    return {"groups": [{"name": group, "rules": [{
        "alert": monitor.alert, "expr": monitor.expression(model, tuning),
        "for": f"{tuning.for_min}m",
        "labels": {"severity": monitor.severity, "model": model.name, "team": model.team},
        "annotations": alert_annotations(monitor, model, tuning, runbook_url),
    }]}]}


def model_records(model: Model) -> list[str]:
    """Every recording rule some monitor that can watch the model reads."""
    return sorted({n for m in MONITORS.values() if m.applies(model) is None
                   for n in recorded(m.expr)})


def recording_group(model: Model) -> str:
    return f"{model.name}-recording"


def recording_file(model: Model) -> dict[str, object]:
    """The model's recording rules, one file per model: the same in every export of that model,
    so merging two exports never records a series twice."""
    return {"groups": [{"name": recording_group(model), "rules": [
        {"record": n, "expr": RECORDS[n].format(model=model.name)}
        for n in model_records(model)]}]}


class Firing(NamedTuple):
    """What a monitor would have done over the replay window."""

    first: tuple[int, str | None] | None
    """The first firing at or after the fault's onset: minute and feature label."""
    false_alarms: tuple[tuple[int, str | None], ...]
    """Each firing that began in the week before the onset: minute and feature label."""
    series: tuple[np.ndarray, np.ndarray, str | None]
    """The series that fired first (or the worst one): minutes, values, feature label."""


def counts_down(world: World, model: Model, monitor: Monitor) -> bool:
    """Whether the fault counts down the series the monitor reads on this model (a certificate
    or a quota running out): then its value at every minute before the onset is the fault's own
    course, set long before it bites, and a firing on it warns of the fault."""
    fault = world.fault
    return fault.model == model.name and any(
        e.op == "countdown" and (e.metric == monitor.metric or (monitor.per_feature
                                 and e.metric.startswith(monitor.metric[:-1])))
        for e in fault.kind.metrics)


def replay_monitor(monitor: Monitor, world: World, model: Model, tuning: Tuning,
                   onset: int) -> Firing:
    """Run a monitor over the week before the page and the hour after, where it can show
    something (only while a canary serves, for a canary monitor). A firing before `onset` is a
    false alarm, unless the series it fired on is one the fault counts down (`counts_down`):
    watching the fault's own precondition, it warns of the fault. Any other series firing
    before the onset (a flapping or too tight monitor) is still a false alarm."""
    start, end = replay_window(world)
    if counts_down(world, model, monitor):
        onset = start
    spans = canary_spans(model, start, end) if monitor.revision == "canary" else [(start, end)]
    first: tuple[int, str | None] | None = None
    false_alarms: list[tuple[int, str | None]] = []
    shown: tuple[np.ndarray, np.ndarray, str | None] | None = None
    worst = -np.inf
    for lo, hi in spans:
        for label, rule, t, v in monitor.series(world, model, lo, hi, tuning):
            for ep in rule.episodes_of(model, t, v):
                if ep.fired_at < onset:
                    false_alarms.append((ep.fired_at, label))
                elif first is None or ep.fired_at < first[0]:
                    first = (ep.fired_at, label)
                    shown = (t, v, label)
            peak = float(np.max(v) if monitor.op == ">" else -np.min(v)) if len(v) else -np.inf
            if first is None and peak > worst:
                worst, shown = peak, (t, v, label)
    empty = np.zeros(0)
    false_alarms.sort(key=lambda x: x[0])
    return Firing(first, tuple(false_alarms), shown or (empty, empty, None))
