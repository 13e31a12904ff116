"""A monitor or a test remediation as data (`registries/remediations.yaml`): the shapes the
engine interprets, so an author adds one without Python.

A monitor is one Prometheus alert on one series family the simulated exporters expose
(`MONITOR_SERIES`), evaluated in one of a few shapes (`SHAPES`): a threshold on the series, its
change from the training reference, a feature mean's drift in training standard deviations, an
error-budget burn rate over two windows, or the share of scrape targets up. The replay, the rule
file and its `promtool` test are all made from these fields (`oncall.game.remediations`).
A test names the module of checks it exports (`TEST_CHECKS`).
"""

import math
import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MONITOR_SERIES: dict[str, str] = {
    "error_rate": "5xx share of requests (model_requests_total by code; a revision's own with "
                  "`revision: canary`)",
    "pred_mean": "mean score served (model_prediction_mean)",
    "gpu_mem_frac": "GPU framebuffer used over total (DCGM_FI_DEV_FB_USED, _FREE)",
    "gpu_util": "GPU utilisation, 0-1 (DCGM_FI_DEV_GPU_UTIL / 100)",
    "mem_frac": "container working set over its memory limit (cAdvisor, kube-state-metrics)",
    "cpu_throttled_frac": "share of the container's CFS quota periods that were throttled "
                          "(container_cpu_cfs_throttled_periods_total, _periods_total)",
    "node_disk_used_frac": "used share of the kubelet filesystem on the fullest node serving "
                           "the model (node_filesystem_avail_bytes, _size_bytes)",
    "up": "share of serving targets Prometheus scrapes (up)",
    "label_volume_ratio": "labels joined now over the same time yesterday "
                          "(model_labels_joined_total)",
    "f1": "F1 on the labels joined so far (model_quality_f1)",
    "feature_mean:*": "each continuous feature's mean (model_feature_mean)",
    "feature_null_rate:*": "each feature's share of requests missing it "
                           "(model_feature_null_ratio)",
    "feature_unseen_rate:*": "each categorical feature's share of unseen values "
                             "(model_feature_unseen_category_ratio)",
    "feature_age_min:*": "minutes since each feature was materialised "
                         "(feature_store_last_materialized_timestamp_seconds)",
    "cert_days_left": "days until the serving certificate expires, as the blackbox probe sees "
                      "it (probe_ssl_earliest_cert_expiry)",
    "hpa_replicas_frac": "the autoscaler's current replicas over its ceiling, 1 at the ceiling "
                         "(kube_horizontalpodautoscaler_status_current_replicas, "
                         "_spec_max_replicas)",
}
"""The series a monitor may read, by the sim's name, with what the exporters expose for it."""

SHAPES: dict[str, str] = {
    "level": "the series (averaged over `window`) against the threshold",
    "relative": "the series' relative change from its training value (`reference`)",
    "zshift": "a feature mean's distance from its training mean, in training standard "
              "deviations (a drift test on each continuous input)",
    "burn": "the error ratio over both `burn_windows` against threshold x the error budget",
    "targets": "the share of serving targets up, a whole number of pods",
}
"""How a monitor turns its series into the value it compares."""

TEST_CHECKS: dict[str, str] = {
    "contract": "a data contract per producer: types, units, ranges and missing values",
    "canary_gate": "the canary revision's errors and scores against stable's",
    "serving_load": "latency and errors at peak traffic under the serving config",
    "golden_set": "the artifact's predictions on a golden set of requests",
    "soak": "memory levels off under hours of steady load",
    "dependency_fallback": "serving stays within its SLO when a dependency is slow",
    "serving_skew": "logged requests rescored from the training features must match",
}
"""The modules of checks a test remediation can export (`oncall/game/remediations/checks/`)."""

Severity = Literal["critical", "warning", "ticket"]


class _Spec(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class Requires(_Spec):
    """The models (and incidents) a monitor can watch; a model outside them gets no file."""

    hardware: Literal["gpu", "cpu"] | None = None
    feature_kind: Literal["continuous", "categorical"] | None = Field(
        default=None, description="the model must have a feature of this kind")
    model_types: list[Literal["classifier", "ranker", "regressor", "embedder"]] | None = Field(
        default=None, min_length=1)
    canary: bool = Field(default=False, description="a canary revision served in the week "
                         "before the page or during the incident")


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"(?<!\{)\{([^{}]*)\}(?!\})", text))


class MonitorSpec(_Spec):
    """One alert a postmortem can add, as the engine replays and exports it."""

    alert: str = Field(pattern=r"^[A-Z][A-Za-z0-9]{2,60}$", description="the alert's name; "
                       "runbooks/ALERT.md is its runbook")
    severity: Severity
    shape: Literal["level", "relative", "zshift", "burn", "targets"] = Field(
        description="; ".join(f"{k}: {v}" for k, v in SHAPES.items()))
    series: Literal[
        "error_rate", "pred_mean", "gpu_mem_frac", "gpu_util", "mem_frac", "node_disk_used_frac",
        "cpu_throttled_frac", "up",
        "label_volume_ratio", "f1", "feature_mean:*", "feature_null_rate:*",
        "feature_unseen_rate:*", "feature_age_min:*", "cert_days_left",
        "hpa_replicas_frac"] = Field(
        description="the sim series read; `name:*` is one series (and one alert) per feature")
    op: Literal[">", "<"]
    threshold: float = Field(description="the default threshold, in `unit`")
    for_min: int = Field(ge=0, le=120, description="the default `for`, in minutes")
    bounds: tuple[float, float] = Field(description="thresholds a player may tune it to")
    unit: str = Field(min_length=1, max_length=40)
    window: int = Field(1, ge=1, le=24 * 60, description="minutes the series is averaged over")
    burn_windows: tuple[int, int] = Field((60, 5), description="for `burn`: long, short")
    revision: Literal["canary"] | None = Field(default=None, description="watch one revision's own "
                                               "series")
    features: Literal["continuous", "categorical"] | None = Field(
        None, description="for a per-feature series: the features watched (default all)")
    reference: Literal["prediction_mean", "quality"] | None = Field(
        None, description="for `relative`: the training value compared with")
    requires: Requires = Requires.model_construct()  # Requires() unvalidated: no validator made
    by: tuple[Literal["model", "feature", "container"], ...] = Field(
        ("model",), min_length=1,
        description="the labels the expression's result carries")
    summary: str = Field(min_length=3, description="one line; {model}, {threshold} and "
                         "{feature} are filled in")
    description: str = Field(min_length=3)
    expr: str = Field(min_length=3, description="PromQL; {model}, {threshold} and {budget} "
                      "are filled in, literal braces doubled")
    now: str = Field("{value}", description="the value in words; {value} is $value")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for name, text, ok in (("summary", self.summary, {"model", "threshold", "feature"}),
                               ("expr", self.expr, {"model", "threshold", "budget"}),
                               ("now", self.now, {"value"})):
            bad = sorted(_placeholders(text) - ok)
            if bad:
                raise ValueError(f"{name}: {{{bad[0]}}} is not filled in; valid: "
                                 f"{', '.join('{' + k + '}' for k in sorted(ok))} (double "
                                 "literal braces)")
        lo, hi = self.bounds
        if not all(math.isfinite(x) for x in (lo, hi, self.threshold)):
            raise ValueError("threshold and bounds must be finite numbers")
        if not lo < hi or not lo <= self.threshold <= hi:
            raise ValueError(f"bounds: {lo:g}..{hi:g} must be increasing and hold the "
                             f"threshold {self.threshold:g}")
        per_feature = self.series.endswith(":*")
        need = {"zshift": ("feature_mean:*",), "burn": ("error_rate",), "targets": ("up",),
                "relative": ("pred_mean", "f1")}.get(self.shape)
        if need and self.series not in need:
            raise ValueError(f"series: a {self.shape} monitor reads {' or '.join(need)}, not "
                             f"{self.series}")
        if self.shape == "relative" and self.reference != (
                "quality" if self.series == "f1" else "prediction_mean"):
            raise ValueError("reference: a relative monitor on f1 compares with quality, on "
                             "pred_mean with prediction_mean")
        if self.features is not None and not per_feature:
            raise ValueError(f"features: {self.series} is one series per model, not per "
                             "feature; valid series: "
                             f"{', '.join(s for s in MONITOR_SERIES if s.endswith(':*'))}")
        if ("feature" in self.by) != per_feature:
            raise ValueError("by: a per-feature series carries the feature label, a per-model "
                             "one does not")
        if self.revision == "canary" and (self.series != "error_rate"
                                          or not self.requires.canary):
            raise ValueError("revision: a canary monitor reads error_rate and requires "
                             "`canary: true`")
        return self


class CheckSpec(_Spec):
    """The checks a test remediation exports, and where it can apply."""

    checks: Literal["contract", "canary_gate", "serving_load", "golden_set", "soak",
                    "dependency_fallback", "serving_skew"] = Field(
        description="; ".join(f"{k}: {v}" for k, v in TEST_CHECKS.items()))
    requires_canary: bool = Field(default=False, description="only where a canary revision served")
