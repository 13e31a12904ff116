"""Alert rules as Prometheus writes them, evaluated over the simulated telemetry.

A rule turns a metric into a value series (a rolling mean, a burn rate, a ratio to baseline), holds
a condition for `for` minutes before it fires (pending until then), and carries its runbook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

if TYPE_CHECKING:
    from oncall.sim.fleet import Model
    from oncall.sim.world import World

Severity = Literal["critical", "warning", "ticket"]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    metric: str
    op: Literal[">", "<"]
    for_min: int
    severity: Severity
    summary: str
    expr: str
    unit: str
    threshold: Callable[[Model], float]
    window: int = 1
    kind: Literal["level", "burn", "relative", "increase"] = "level"
    applies: Callable[[Model], bool] = lambda m: True
    revision: str | None = None
    burn_windows: tuple[int, int] = (60, 5)
    reference: Callable[[World, Model], float] | None = None
    """For `relative` rules: the training value the metric is compared with."""
    history: int = 0
    """Minutes to look back for when a firing began, beyond the usual six hours: a condition
    that holds for weeks (a certificate counting down) must not seem to start at the window."""

    @property
    def runbook(self) -> str:
        return f"runbooks/{self.name}.md"

    def expression(self, model: Model) -> str:
        return self.expr.format(model=model.name, threshold=_fmt(self.threshold(model)))

    def training_value(self, world: World, model: Model) -> float:
        """What a `relative` rule compares the metric with: its value on the training data."""
        return self.reference(world, model) if self.reference else \
            world.stats(model.name).pred_mean

    def values(self, world: World, model: Model, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray]:
        """The rule's value at each minute of [t0, t1): what the expression evaluates to."""
        lookback = max(self.window, self.burn_windows[0] if self.kind == "burn" else 0)
        if self.metric.endswith(":*"):
            # One rule over a family of series (a label matcher in PromQL): the worst of them.
            names = [f"{self.metric[:-1]}{f.name}" for f in model.features]
            parts = [world.series(model.name, n, t0 - lookback, t1, self.revision)
                     for n in names]
            t, raw = parts[0][0], np.max(np.stack([p[1] for p in parts]), axis=0)
        else:
            t, raw = world.series(model.name, self.metric, t0 - lookback, t1, self.revision)
        if self.kind == "burn":
            budget = 1 - model.slo
            long = _rolling_mean(raw, self.burn_windows[0]) / budget
            short = _rolling_mean(raw, self.burn_windows[1]) / budget
            v = np.minimum(long, short)
        elif self.kind == "relative":
            ref = self.training_value(world, model)
            v = np.abs(_rolling_mean(raw, self.window) / ref - 1)
        elif self.kind == "increase":
            v = _rolling_sum(raw, self.window)
        else:
            v = _rolling_mean(raw, self.window)
        return t[lookback:], v[lookback:]

    def episodes(self, world: World, model: Model, t0: int, t1: int) -> list[Episode]:
        t, v = self.values(world, model, t0, t1)
        return self.episodes_of(model, t, v)

    def breached(self, model: Model, v: np.ndarray) -> np.ndarray:
        """Where the rule's values are past its threshold (pending or firing)."""
        thr = self.threshold(model)
        return v > thr if self.op == ">" else v < thr

    def episodes_of(self, model: Model, t: np.ndarray, v: np.ndarray) -> list[Episode]:
        """The firings in a stretch of the rule's values (minutes t, values v)."""
        thr = self.threshold(model)
        cond = self.breached(model, v)
        edges = np.diff(np.concatenate([[0], cond.astype(np.int8), [0]]))
        out: list[Episode] = []
        for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1),
                              strict=True):
            if end - start <= self.for_min:
                continue
            fire = start + self.for_min
            seg = v[fire:end]
            peak = float(seg.max() if self.op == ">" else seg.min())
            ended = int(t[end - 1]) + 1 if end < len(cond) else None
            out.append(Episode(self.name, model.name, int(t[start]), int(t[fire]), ended, thr,
                               peak, float(v[fire])))
        return out


@dataclass(frozen=True, slots=True)
class Episode:
    """One firing of a rule: pending from `pending_at`, firing from `fired_at` until `ended_at`."""

    rule: str
    model: str
    pending_at: int
    fired_at: int
    ended_at: int | None
    threshold: float
    peak: float
    value_at_fire: float


def _rolling_sum(x: np.ndarray, w: int) -> np.ndarray:
    """The sum of each minute's last w values (fewer at the very start). Each window is summed
    on its own, so a minute's value does not depend on where the queried stretch began."""
    if w <= 1:
        return np.asarray(x, dtype=float)
    padded = np.concatenate([np.zeros(w - 1), x])
    return np.asarray(sliding_window_view(padded, w).sum(axis=1))


def _rolling_mean(x: np.ndarray, w: int) -> np.ndarray:
    if w <= 1:
        return x
    n = np.minimum(np.arange(1, len(x) + 1), w)
    return _rolling_sum(x, w) / n


def _fmt(v: float) -> str:
    return f"{v:g}"


RULES: tuple[Rule, ...] = (
    Rule("ErrorBudgetBurnFast", "error_rate", ">", 2, "critical",
         "{model} is burning its 30-day error budget over 14.4x too fast (1h and 5m windows)",
         '(slo:errors_per_request:ratio_rate1h{{model="{model}"}} > (14.4 * 0.001)) and '
         '(slo:errors_per_request:ratio_rate5m{{model="{model}"}} > (14.4 * 0.001))',
         "x budget", lambda m: 14.4, kind="burn"),
    Rule("ModelHigh5xxRatio", "error_rate", ">", 5, "critical",
         "More than 5% of {model} requests fail with 5xx",
         'sum(rate(model_requests_total{{model="{model}",code=~"5.."}}[5m])) / '
         'sum(rate(model_requests_total{{model="{model}"}}[5m])) > {threshold}',
         "ratio", lambda m: 0.05, window=5),
    Rule("ModelHighP99Latency", "latency_p99_ms", ">", 10, "warning",
         "{model} p99 latency above its {threshold} ms objective",
         'histogram_quantile(0.99, sum by (le) (rate(model_request_duration_seconds_bucket'
         '{{model="{model}"}}[5m]))) * 1000 > {threshold}',
         "ms", lambda m: m.latency_slo_ms, window=5),
    Rule("GPUMemoryNearFull", "gpu_mem_frac", ">", 5, "warning",
         "GPU framebuffer of {model} pods over 95% used",
         'max by (pod) (DCGM_FI_DEV_FB_USED{{model="{model}"}} / (DCGM_FI_DEV_FB_USED'
         '{{model="{model}"}} + DCGM_FI_DEV_FB_FREE{{model="{model}"}})) > {threshold}',
         "ratio", lambda m: 0.95, applies=lambda m: m.hardware == "gpu"),
    Rule("PodCrashLooping", "restarts", ">", 5, "critical",
         "{model} containers restarted more than 3 times in 10 minutes",
         'increase(kube_pod_container_status_restarts_total{{container="{model}"}}[10m]) '
         '> {threshold}', "restarts", lambda m: 3, window=10, kind="increase"),
    Rule("ModelPredictionMeanShift", "pred_mean", ">", 15, "critical",
         "{model} mean prediction moved more than 50% from its training baseline",
         'abs(avg_over_time(model_prediction_mean{{model="{model}"}}[15m]) / '
         'model_prediction_mean:training{{model="{model}"}} - 1) > {threshold}',
         "relative change", lambda m: 0.5, window=15, kind="relative"),
    Rule("FeatureNullRateHigh", "feature_null_rate:*", ">", 5, "critical",
         "A feature of {model} is missing in more than 20% of requests",
         'max by (model) (avg_over_time(model_feature_null_ratio{{model="{model}"}}[5m])) '
         '> {threshold}', "ratio", lambda m: 0.2, window=5),
    Rule("ModelNaNPredictions", "pred_nan_ratio", ">", 2, "critical",
         "{model} is returning NaN predictions",
         'sum(rate(model_predictions_nan_total{{model="{model}"}}[5m])) / '
         'sum(rate(model_predictions_total{{model="{model}"}}[5m])) > {threshold}',
         "ratio", lambda m: 0.001, window=5),
    Rule("CertificateExpiringSoon", "cert_days_left", "<", 0, "ticket",
         "The serving certificate of {model} expires in under 21 days",
         '(probe_ssl_earliest_cert_expiry{{service="{model}"}} - time()) / 86400 < {threshold}',
         "days", lambda m: 21, history=30 * 24 * 60),
    Rule("FeatureUnseenCategories", "feature_unseen_rate:*", ">", 10, "critical",
         "A categorical feature of {model} has values never seen in training in more than 10% "
         "of requests",
         'max by (model) (avg_over_time(model_feature_unseen_category_ratio{{model="{model}"}}'
         '[5m])) > {threshold}', "ratio", lambda m: 0.1, window=5),
    Rule("FeatureFreshnessStale", "feature_age_min:*", ">", 5, "critical",
         "A feature {model} reads was last materialised more than {threshold} minutes ago",
         'max by (model) (time() - feature_store_last_materialized_timestamp_seconds'
         '{{model="{model}"}}) / 60 > {threshold}', "minutes", lambda m: 60),
    Rule("ModelQualityDrop", "f1", ">", 10, "critical",
         "{model} F1 on arrived labels moved more than 50% from its training value",
         'abs(avg_over_time(model_quality_f1{{model="{model}"}}[15m]) / '
         'model_quality_f1:training{{model="{model}"}} - 1) > {threshold}',
         "relative change", lambda m: 0.5, window=15, kind="relative",
         applies=lambda m: m.archetype.model_type == "classifier"
         and m.archetype.label_lag_min <= 60,
         reference=lambda w, m: w.stats(m.name).quality),
    Rule("ModelScrapeTargetDown", "up", "<", 5, "critical",
         "Prometheus cannot scrape any pod of {model}: its dashboards and alerts are blind",
         'max by (model) (up{{job="model-serving",model="{model}"}}) < {threshold}',
         "targets up", lambda m: 1),
)
RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


RECORDING_RULES: dict[str, str] = {
    "slo:errors_per_request:ratio_rate5m":
        'sum by (model) (rate(model_requests_total{code=~"5.."}[5m])) / '
        'sum by (model) (rate(model_requests_total[5m]))',
    "slo:errors_per_request:ratio_rate1h":
        'sum by (model) (rate(model_requests_total{code=~"5.."}[1h])) / '
        'sum by (model) (rate(model_requests_total[1h]))',
    "model_prediction_mean:training":
        "max by (model) (model_registry_training_prediction_mean)",
    "model_quality_f1:training":
        "max by (model) (model_registry_training_f1)",
}
"""The recording rules the alert expressions use (`level:metric:operations`), so a rule file
that carries them evaluates in Prometheus instead of silently matching nothing. The training
baseline is the gauge the registry exports for the version in production."""


def recording_rules_used(expr: str) -> list[str]:
    """The recording rules an expression reads."""
    return [n for n in RECORDING_RULES if n in expr]


def prometheus_rules(rules: tuple[Rule, ...], model: Model, group: str) -> dict[str, object]:
    """A Prometheus rule file (as a dict ready for YAML) for one model."""
    live = [r for r in rules if r.applies(model)]
    used = sorted({n for r in live for n in recording_rules_used(r.expression(model))})
    groups: list[dict[str, object]] = []
    if used:
        groups.append({"name": f"{group}-recording", "rules": [
            {"record": n, "expr": RECORDING_RULES[n]} for n in used]})
    groups.append({"name": group, "rules": [{
        "alert": r.name, "expr": r.expression(model), "for": f"{r.for_min}m",
        "labels": {"severity": r.severity, "model": model.name, "team": model.team},
        "annotations": {"summary": r.summary.format(model=model.name,
                                                    threshold=_fmt(r.threshold(model))),
                        "runbook_url": r.runbook},
    } for r in live]})
    return {"groups": groups}
