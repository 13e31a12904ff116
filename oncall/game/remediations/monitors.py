"""Proposed monitors: one Prometheus alert each, written as a rule file that carries every
recording rule it reads, and replayed over the seeded week before the page.

A monitor reads a family of series (one per feature, or one per model) and fires one alert per
series, as Prometheus does with a `feature` label. The replay evaluates exactly the threshold and
`for` written into the rule file, with the sim's own firing semantics (`Rule.episodes_of`), so
the minute the postmortem claims is the minute the exported rule would have fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from oncall.sim.alerts import RECORDING_RULES, Rule, Severity
from oncall.sim.alerts import _rolling_mean as rolling_mean
from oncall.sim.clock import WEEK
from oncall.sim.telemetry import feature_mean

if TYPE_CHECKING:
    from oncall.sim.catalogue import FeatureSpec
    from oncall.sim.fleet import Model
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
    "container_memory_working_set_bytes": "cAdvisor working set of a container",
    "kube_pod_container_resource_limits": "kube-state-metrics container limits",
    "kube_pod_container_status_restarts_total": "kube-state-metrics restart counter",
    "probe_ssl_earliest_cert_expiry": "blackbox exporter certificate expiry",
    "up": "whether Prometheus scraped the target",
}
"""The series the simulated exporters expose, by Prometheus name. A rule file may read these and
the recording rules it defines, nothing else."""

RECORDS: dict[str, str] = {
    **RECORDING_RULES,
    "slo:errors_per_request:ratio_rate30m":
        'sum by (model) (rate(model_requests_total{code=~"5.."}[30m])) / '
        'sum by (model) (rate(model_requests_total[30m]))',
    "slo:errors_per_request:ratio_rate6h":
        'sum by (model) (rate(model_requests_total{code=~"5.."}[6h])) / '
        'sum by (model) (rate(model_requests_total[6h]))',
    "feature_mean:training": "max by (model, feature) (model_registry_training_feature_mean)",
    "feature_stddev:training":
        "max by (model, feature) (model_registry_training_feature_stddev)",
}
"""Recording rules a monitor may read, each defined from exposed series."""


def recorded(expr: str) -> list[str]:
    """The recording rules an expression reads, each matched as a whole metric name."""
    return sorted(n for n in RECORDS if re.search(rf"(?<![\w:]){re.escape(n)}(?![\w:])", expr))


Series = tuple[str | None, Rule, np.ndarray, np.ndarray]
"""One series an alert evaluates: its `feature` label, the sim rule, minutes and values."""


@dataclass(frozen=True, slots=True)
class Tuning:
    """A monitor's threshold and `for` duration, as the rule file will carry them."""

    threshold: float
    for_min: int


@dataclass(frozen=True, slots=True)
class Monitor:
    """One alert a postmortem can add."""

    alert: str
    severity: Severity
    summary: str
    """One line for the pager; `{model}`, `{threshold}` and `{feature}` are filled in."""
    description: str
    expr: str
    """PromQL with `{model}` and `{threshold}`; the window is part of the expression."""
    unit: str
    op: Literal[">", "<"]
    default: Tuning
    bounds: tuple[float, float]
    """Thresholds that mean something for this alert (a tuned value must lie within)."""
    metric: str
    """The sim metric it reads; `name:*` reads one series per feature that `family` selects."""
    window: int = 1
    kind: Literal["level", "burn", "relative", "zshift"] = "level"
    burn_windows: tuple[int, int] = (60, 5)
    revision: str | None = None
    family: Callable[[FeatureSpec], bool] = lambda f: True
    fit: Callable[[World, Model], str | None] = lambda w, m: None
    """Why the monitor cannot apply to the model (None: it applies)."""
    reference: Callable[[World, Model], float] | None = None
    runbook: dict[str, str] = field(default_factory=dict)
    """Meaning, Impact, Diagnosis, Mitigation, Escalation of the alert's runbook."""

    def features(self, model: Model) -> list[FeatureSpec]:
        return [f for f in model.features if self.family(f)] if self.per_feature else []

    @property
    def per_feature(self) -> bool:
        return self.metric.endswith(":*")

    def expression(self, model: Model, tuning: Tuning) -> str:
        return self.expr.format(model=model.name, threshold=f"{tuning.threshold:g}")

    def rule(self, model: Model, tuning: Tuning, metric: str | None = None,
             reference: Callable[[World, Model], float] | None = None) -> Rule:
        """The sim's rule for one series of the monitor, with the tuned threshold and `for`.
        A `zshift` monitor computes its own values and uses the rule only for firing."""
        thr = tuning.threshold
        return Rule(self.alert, metric or self.metric, self.op, tuning.for_min, self.severity,
                    self.summary, self.expr, self.unit, lambda m: thr, window=self.window,
                    kind="relative" if self.kind == "zshift" else self.kind,
                    revision=self.revision, burn_windows=self.burn_windows,
                    reference=reference or self.reference)

    def series(self, world: World, model: Model, t0: int, t1: int,
               tuning: Tuning) -> list[Series]:
        """Each series the alert evaluates over [t0, t1): its `feature` label (None for a
        per-model alert), the sim rule, the minutes and the expression's value at each."""
        if not self.per_feature:
            rule = self.rule(model, tuning)
            return [(None, rule, *rule.values(world, model, t0, t1))]
        out: list[Series] = []
        for f in self.features(model):
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


def _gpu_only(world: World, model: Model) -> str | None:
    return None if model.hardware == "gpu" else \
        f"{model.name} serves on CPU: it has no GPU memory to watch"


def _needs(kind: str, what: str) -> Callable[[World, Model], str | None]:
    def fit(world: World, model: Model) -> str | None:
        if any(f.kind == kind for f in model.features):
            return None
        return f"{model.name} has no {what} features"
    return fit


def _classifier(world: World, model: Model) -> str | None:
    if model.archetype.model_type == "classifier":
        return None
    return (f"{model.name} is a {model.archetype.model_type}: it exports "
            f"{model.archetype.quality_metric}, not F1")


def is_continuous(f: FeatureSpec) -> bool:
    return f.kind == "continuous"


def is_categorical(f: FeatureSpec) -> bool:
    return f.kind == "categorical"


MONITORS: dict[str, Monitor] = {
    "mon-feature-range": Monitor(
        "FeatureMeanShift", "warning",
        "{model} feature {feature} mean is more than {threshold} training standard deviations "
        "from its training mean",
        "The 5-minute mean of a continuous input left the band its training data had. A unit "
        "change (x10, x100), a broken producer or a backfill moves the mean long before the "
        "model's predictions page.",
        'abs(avg_over_time(model_feature_mean{{model="{model}"}}[5m]) - on (model, feature) '
        'feature_mean:training{{model="{model}"}}) / on (model, feature) '
        'feature_stddev:training{{model="{model}"}} > {threshold}',
        "training sd", ">", Tuning(0.5, 5), (0.05, 20.0), "feature_mean:*", window=5,
        kind="zshift", family=is_continuous, fit=_needs("continuous", "continuous"),
        runbook={
            "meaning": "The mean of one input feature (label `feature`) moved away from its "
                       "training mean by more than the threshold, in training standard "
                       "deviations, for the `for` duration.",
            "impact": "The model scores inputs it was not trained on: its decisions go wrong "
                      "while latency and errors stay flat, so nothing else pages.",
            "diagnosis": "feature_ratio",
            "mitigation": "Convert the unit or pin the producer's previous schema at ingestion; "
                          "do not roll back or retrain the model: it did not change.",
            "escalation": "data-engineering (the producer's owners) with the feature, the ratio "
                          "and the release that changed it."}),
    "mon-null-rate": Monitor(
        "FeatureNullRateElevated", "warning",
        "{model} feature {feature} is missing in more than {threshold} of requests",
        "A feature arrives empty more often than its usual fraction of a percent: a join, a "
        "pipeline or a schema change dropped it, and the model scores on defaults.",
        'avg_over_time(model_feature_null_ratio{{model="{model}"}}[10m]) > {threshold}',
        "ratio", ">", Tuning(0.05, 10), (0.001, 0.9), "feature_null_rate:*", window=10,
        runbook={
            "meaning": "More than the threshold of requests reached the model without this "
                       "feature over 10 minutes.",
            "impact": "Scores fall back to the default for the missing input; decisions drift "
                      "without errors.",
            "diagnosis": "feature_nulls",
            "mitigation": "Serve cached features or pin the last good pipeline version; rerun "
                          "the failed materialisation.",
            "escalation": "data-engineering or feature-store, with the feature and the onset."}),
    "mon-prediction-shift": Monitor(
        "PredictionMeanShiftEarly", "warning",
        "{model} mean prediction moved more than {threshold} (relative) from training",
        "The mean score drifted from its training value, earlier and smaller than the paging "
        "ModelPredictionMeanShift: a warning to look before decisions go badly wrong.",
        'abs(avg_over_time(model_prediction_mean{{model="{model}"}}[5m]) / on (model) '
        'model_prediction_mean:training{{model="{model}"}} - 1) > {threshold}',
        "relative change", ">", Tuning(0.3, 5), (0.02, 5.0), "pred_mean", window=5,
        kind="relative",
        runbook={
            "meaning": "The 5-minute mean prediction differs from the training mean by more "
                       "than the threshold (a ratio).",
            "impact": "Decisions taken on the scores shift: more or fewer items flagged, "
                      "ranked or priced differently.",
            "diagnosis": "prediction",
            "mitigation": "If a version or config changed at the onset, roll it back; if inputs "
                          "moved, fix them at ingestion and leave the model alone.",
            "escalation": "The model owners; data-engineering if an input moved."}),
    "mon-canary-errors": Monitor(
        "CanaryErrorRatioHigh", "critical",
        "{model} canary revision fails more than {threshold} of its requests",
        "The canary slice returns 5xx far more often than stable: users on the canary get "
        "errors now, and promotion would give them to everyone.",
        'sum by (model) (rate(model_requests_total{{model="{model}",revision="canary",'
        'code=~"5.."}}[5m])) / sum by (model) (rate(model_requests_total{{model="{model}",'
        'revision="canary"}}[5m])) > {threshold}',
        "ratio", ">", Tuning(0.02, 3), (0.001, 0.5), "error_rate", window=5,
        revision="canary", fit=_no_canary,
        runbook={
            "meaning": "Over 5 minutes, more than the threshold of the canary revision's "
                       "requests failed with 5xx.",
            "impact": "The canary share of traffic fails; the error budget burns at the canary "
                      "percentage's rate.",
            "diagnosis": "canary",
            "mitigation": "Set the canary weight to 0 (pause the rollout) or roll back, then "
                          "hand the evidence to the owners.",
            "escalation": "The model owners, with the revision and its error ratio next to "
                          "stable's."}),
    "mon-gpu-headroom": Monitor(
        "GPUMemoryHeadroomLow", "warning",
        "{model} GPU memory above {threshold} of the framebuffer",
        "The framebuffer is nearly full: a larger batch or a longer input will be an out of "
        "memory crash.",
        'max by (model) (DCGM_FI_DEV_FB_USED{{model="{model}"}} / (DCGM_FI_DEV_FB_USED'
        '{{model="{model}"}} + DCGM_FI_DEV_FB_FREE{{model="{model}"}})) > {threshold}',
        "ratio", ">", Tuning(0.9, 2), (0.5, 0.999), "gpu_mem_frac", fit=_gpu_only,
        runbook={
            "meaning": "A pod's GPU framebuffer is more than the threshold full.",
            "impact": "The next larger batch crashes the worker (CUDA out of memory); pods "
                      "crash-loop and capacity drops.",
            "diagnosis": "gpu",
            "mitigation": "Revert the serving config (batch size, max tokens) that raised "
                          "memory; adding replicas does not help.",
            "escalation": "The model owners for the config; infra-sre if the node is at "
                          "fault."}),
    "mon-burn-slow": Monitor(
        "ErrorBudgetBurnSlow", "ticket",
        "{model} burns its error budget {threshold}x too fast over 6h and 30m",
        "A slow burn: at this rate the 30-day budget is gone in days, not hours. A ticket for "
        "working hours, not a page.",
        '(slo:errors_per_request:ratio_rate6h{{model="{model}"}} > ({threshold} * 0.001)) and '
        '(slo:errors_per_request:ratio_rate30m{{model="{model}"}} > ({threshold} * 0.001))',
        "x budget", ">", Tuning(6.0, 0), (1.0, 14.4), "error_rate", kind="burn",
        burn_windows=(360, 30),
        runbook={
            "meaning": "Both the 6-hour and the 30-minute error ratios exceed the threshold "
                       "times the error budget (0.1% for a 99.9% SLO).",
            "impact": "Users see a steady trickle of errors; left alone, the month's budget is "
                      "spent and releases freeze.",
            "diagnosis": "errors",
            "mitigation": "Find the change that raised the error floor (a dependency, a "
                          "release, a node) and revert it in working hours.",
            "escalation": "The owning team through a ticket; page only if the fast burn "
                          "fires."}),
    "mon-memory-headroom": Monitor(
        "ContainerMemoryHeadroomLow", "warning",
        "{model} containers above {threshold} of their memory limit",
        "The working set approaches the limit: the next growth is an OOM kill.",
        'max by (container) (container_memory_working_set_bytes{{container="{model}"}} / '
        'on (pod, container) kube_pod_container_resource_limits{{container="{model}",'
        'resource="memory"}}) > {threshold}',
        "ratio", ">", Tuning(0.85, 10), (0.3, 0.99), "mem_frac",
        runbook={
            "meaning": "A container's memory working set is above the threshold of its limit "
                       "for the `for` duration.",
            "impact": "When it reaches the limit the kernel kills it (OOMKilled); requests in "
                      "flight fail and capacity drops while it restarts.",
            "diagnosis": "memory",
            "mitigation": "A leak: roll back the release that introduced it and restart pods in "
                          "turn. A real need: raise the limit.",
            "escalation": "The model owners with the release and the growth curve."}),
    "mon-scrape-health": Monitor(
        "ServingTargetAbsent", "critical",
        "a serving target of {model} is not scraped (fewer than {threshold} up)",
        "Prometheus cannot scrape a serving pod: every dashboard and alert on it is blind.",
        'min by (model) (up{{job="model-serving",model="{model}"}}) < {threshold}',
        "targets up", "<", Tuning(1.0, 2), (0.5, 1.0), "up",
        runbook={
            "meaning": "At least one serving target of the model failed its scrape for the "
                       "`for` duration.",
            "impact": "Alerts on the model cannot fire: an outage would go unseen.",
            "diagnosis": "scrape",
            "mitigation": "Restore the metrics endpoint (a network policy, a port, a crashed "
                          "sidecar); the model may still serve.",
            "escalation": "infra-sre (monitoring)."}),
    "mon-category-coverage": Monitor(
        "FeatureUnseenCategoriesEarly", "warning",
        "{model} feature {feature} has values never seen in training in more than {threshold} "
        "of requests",
        "A categorical input carries values the model never saw: a new market, a renamed "
        "code, a producer change.",
        'avg_over_time(model_feature_unseen_category_ratio{{model="{model}"}}[5m]) '
        '> {threshold}',
        "ratio", ">", Tuning(0.02, 3), (0.001, 0.9), "feature_unseen_rate:*", window=5,
        family=is_categorical, fit=_needs("categorical", "categorical"),
        runbook={
            "meaning": "More than the threshold of requests over 5 minutes carried a category "
                       "absent from the training data.",
            "impact": "Those requests score on the unknown-category default.",
            "diagnosis": "categories",
            "mitigation": "Map the new values to known ones at ingestion or pin the producer's "
                          "previous version.",
            "escalation": "data-engineering with the new values and their first appearance."}),
    "mon-feature-freshness": Monitor(
        "FeatureMaterialisationLate", "warning",
        "{model} feature {feature} not materialised for over {threshold} minutes",
        "The feature store stopped refreshing a feature: the model serves stale values.",
        '(time() - feature_store_last_materialized_timestamp_seconds{{model="{model}"}}) / 60 '
        '> {threshold}',
        "minutes", ">", Tuning(20.0, 2), (6.0, 1440.0), "feature_age_min:*",
        runbook={
            "meaning": "A feature's last materialisation is older than the threshold.",
            "impact": "Predictions use stale inputs; the effect grows with the delay.",
            "diagnosis": "freshness",
            "mitigation": "Restart or rerun the materialisation job; fall back to cached "
                          "features if the store is down.",
            "escalation": "feature-store."}),
    "mon-label-volume": Monitor(
        "LabelVolumeLow", "warning",
        "{model} receives under {threshold} of its usual labels",
        "Fewer labels join to predictions than at this time last week: quality metrics go "
        "blind or biased.",
        'sum by (model) (rate(model_labels_joined_total{{model="{model}"}}[5m])) / '
        'sum by (model) (rate(model_labels_joined_total{{model="{model}"}}[5m] offset 1w)) '
        '< {threshold}',
        "ratio", "<", Tuning(0.5, 3), (0.05, 0.99), "label_volume_ratio", window=5,
        runbook={
            "meaning": "The rate of labels joined is below the threshold of last week's rate "
                       "at the same time.",
            "impact": "Quality dashboards and alerts read too few labels.",
            "diagnosis": "labels",
            "mitigation": "Restart the label join; leave the model alone.",
            "escalation": "data-engineering."}),
    "mon-quality-trend": Monitor(
        "ModelQualityTrend", "warning",
        "{model} F1 on arrived labels is {threshold} (relative) off its training value",
        "Quality on the labels that arrived drifts from training: the model, the world or the "
        "labels changed.",
        'abs(avg_over_time(model_quality_f1{{model="{model}"}}[30m]) / on (model) '
        'model_quality_f1:training{{model="{model}"}} - 1) > {threshold}',
        "relative change", ">", Tuning(0.2, 5), (0.02, 0.9), "f1", window=30, kind="relative",
        fit=_classifier, reference=lambda w, m: w.stats(m.name).quality,
        runbook={
            "meaning": "The 30-minute F1 on joined labels differs from the training F1 by more "
                       "than the threshold (a ratio).",
            "impact": "Wrong decisions if the model or the world changed; none if only the "
                      "labels did.",
            "diagnosis": "quality",
            "mitigation": "Broken labels: fix the join and leave the model. Concept drift: "
                          "retrain behind a validation gate. A bad version: roll back.",
            "escalation": "The model owners; data-engineering for the label pipeline."}),
}


def check_tuning(rid: str, monitor: Monitor, tuning: Tuning) -> str | None:
    """Why a tuning cannot be used (None: it can)."""
    lo, hi = monitor.bounds
    if not lo <= tuning.threshold <= hi:
        return (f"{rid}: threshold {tuning.threshold:g} is outside {lo:g}..{hi:g} "
                f"({monitor.unit})")
    if not 0 <= tuning.for_min <= 120:
        return f"{rid}: for_min {tuning.for_min} is outside 0..120 minutes"
    return None


def rule_file(monitor: Monitor, model: Model, tuning: Tuning, group: str,
              runbook_url: str) -> dict[str, object]:
    """A Prometheus rule file (as a dict ready for YAML): the recording rules the alert reads,
    then the alert, with the tuned threshold and `for`."""
    expr = monitor.expression(model, tuning)
    groups: list[dict[str, object]] = []
    used = recorded(expr)
    if used:
        groups.append({"name": f"{group}-recording", "rules": [
            {"record": n, "expr": RECORDS[n]} for n in used]})
    summary = monitor.summary.format(model=model.name, threshold=f"{tuning.threshold:g}",
                                     feature="{{ $labels.feature }}")
    groups.append({"name": group, "rules": [{
        "alert": monitor.alert, "expr": expr, "for": f"{tuning.for_min}m",
        "labels": {"severity": monitor.severity, "model": model.name, "team": model.team},
        "annotations": {
            "summary": summary,
            "description": monitor.description + " Value: {{ $value | humanize }} "
                           f"({monitor.unit}); threshold {tuning.threshold:g} for "
                           f"{tuning.for_min}m.",
            "runbook_url": runbook_url},
    }]})
    return {"groups": groups}


@dataclass(frozen=True, slots=True)
class Firing:
    """What a monitor would have done over the replay window."""

    first: tuple[int, str | None] | None
    """The first firing at or after the fault's onset: minute and feature label."""
    false_alarms: tuple[tuple[int, str | None], ...]
    """Each firing that began in the week before the onset: minute and feature label."""
    series: tuple[np.ndarray, np.ndarray, str | None]
    """The series that fired first (or the worst one): minutes, values, feature label."""


def replay_monitor(monitor: Monitor, world: World, model: Model, tuning: Tuning,
                   onset: int) -> Firing:
    """Run a monitor over the week before the page and the hour after, where it can show
    something (only while a canary serves, for a canary monitor)."""
    start, end = replay_window(world)
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
