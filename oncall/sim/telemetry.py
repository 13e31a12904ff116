"""Baseline telemetry, feature rows and the model's scoring function, as pure functions of the seed.

Series are generated per model, metric and simulated day from a key derived from the seed, so any
window (a minute or a week) is computed on demand and is identical whatever was asked before.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from oncall.sim.catalogue import FeatureSpec
from oncall.sim.clock import DAY
from oncall.sim.fleet import Model

BLOCK = 10
"""Feature rows are drawn in 10-minute blocks so that overlapping windows see the same rows."""
LOG_RATE = 0.05
"""Share of requests whose features and predictions are logged (what the drift lab reads)."""
REFERENCE_ROWS = 20_000
SHARPNESS = 2.5
"""Scale of the archetypes' feature weights: sets how separable each task is (F1 0.6-0.95)."""

BASE_METRICS: tuple[str, ...] = (
    "rps", "latency_p50_ms", "latency_p99_ms", "error_rate", "pred_mean", "f1", "restarts",
    "cert_days_left",
)
GPU_METRICS = ("gpu_mem_frac", "gpu_util")
CPU_METRICS = ("cpu_util",)
UNITS: dict[str, str] = {
    "rps": "req/s", "latency_p50_ms": "ms", "latency_p99_ms": "ms", "error_rate": "ratio",
    "pred_mean": "score", "f1": "F1", "restarts": "restarts/min", "cert_days_left": "days",
    "gpu_mem_frac": "ratio", "gpu_util": "ratio", "cpu_util": "ratio",
}


def metrics_of(model: Model) -> tuple[str, ...]:
    hw = GPU_METRICS if model.hardware == "gpu" else CPU_METRICS
    feats = tuple(f"feature_mean:{f.name}" for f in model.features if f.kind == "continuous")
    nulls = tuple(f"feature_null_rate:{f.name}" for f in model.features)
    return BASE_METRICS + hw + feats + nulls


def key(*parts: int | str) -> list[int]:
    """A seed-sequence key; strings are hashed with crc32 because Python's hash() is salted."""
    return [p if isinstance(p, int) and p >= 0 else zlib.crc32(str(p).encode()) for p in parts]


def load_factor(t: np.ndarray) -> np.ndarray:
    """Diurnal traffic shape: mean 1, trough around 04:00, peak around 16:00."""
    return 1.0 + 0.22 * np.cos(2 * np.pi * (t / DAY - 16 / 24))


def _noise(seed: int, model: str, metric: str, t: np.ndarray, rho: float = 0.8) -> np.ndarray:
    """Unit-variance AR(1) noise on the minute grid, drawn per simulated day."""
    out = np.empty(t.shape, dtype=float)
    days = np.floor_divide(t, DAY).astype(int)
    for day in np.unique(days):
        sel = days == day
        out[sel] = _day_noise(seed, model, metric, int(day), rho)[(t[sel] - day * DAY).astype(int)]
    return out


@lru_cache(maxsize=4096)
def _day_noise(seed: int, model: str, metric: str, day: int, rho: float) -> np.ndarray:
    """One day of AR(1) noise, y[n] = sqrt(1 - rho^2) x[n] + rho y[n-1], after 120 warm-up minutes.

    A plain loop rather than scipy.signal.lfilter: it gives bit-identical numbers (the same two
    operations in the same order) in about 80 us a day, and keeps scipy's second of imports out of
    every process that only simulates."""
    rng = np.random.default_rng(key(seed, model, metric, day + 10_000))
    xs = (rng.standard_normal(DAY + 120) * math.sqrt(1 - rho * rho)).tolist()
    out: list[float] = []
    push = out.append
    y = 0.0
    for x in xs:
        y = x + rho * y
        push(y)
    ar = np.array(out[120:])
    ar.flags.writeable = False
    return ar


def baseline(seed: int, model: Model, metric: str, t: np.ndarray, ref: ModelStats) -> np.ndarray:
    """The healthy value of `metric` at minutes `t`."""
    load = load_factor(t)
    z = _noise(seed, model.name, metric, t)
    arch = model.archetype
    if metric == "rps":
        return model.rps * load * (1 + 0.03 * z)
    if metric == "latency_p50_ms":
        return arch.p50_ms * (0.9 + 0.15 * load) * np.exp(0.04 * z)
    if metric == "latency_p99_ms":
        return arch.p99_ms * (0.85 + 0.2 * load) * np.exp(0.07 * z)
    if metric == "error_rate":
        return np.clip(0.00025 * np.exp(0.45 * z), 0, 1)
    if metric == "pred_mean":
        return np.clip(ref.pred_mean * (1 + 0.03 * z), 0, 1)
    if metric == "f1":
        return np.clip(ref.f1 + 0.012 * z, 0, 1)
    if metric == "restarts":
        return np.zeros(t.shape)
    if metric == "cert_days_left":
        return np.full(t.shape, float(ref.cert_days)) - t / DAY
    if metric == "gpu_mem_frac":
        return np.clip(0.64 + 0.05 * load + 0.01 * z, 0, 1)
    if metric == "gpu_util":
        return np.clip(0.25 + 0.3 * load + 0.03 * z, 0, 1)
    if metric == "cpu_util":
        return np.clip(0.2 + 0.25 * load + 0.03 * z, 0, 1)
    if metric.startswith("feature_mean:"):
        spec = model.feature(metric.split(":", 1)[1])
        return feature_mean(spec) * (1 + 0.015 * z)
    if metric.startswith("feature_null_rate:"):
        return np.clip(0.002 * np.exp(0.3 * z), 0, 1)
    raise KeyError(metric)


def feature_mean(spec: FeatureSpec) -> float:
    if spec.dist == "lognormal":
        return math.exp(spec.loc + spec.scale**2 / 2)
    return spec.loc


@dataclass(slots=True)
class Rows:
    """Logged requests: arrival minute, features, score and the label that will arrive."""

    t: np.ndarray
    features: dict[str, np.ndarray]
    label: np.ndarray
    label_lag: np.ndarray

    def __len__(self) -> int:
        return len(self.t)


def draw_features(rng: np.random.Generator, model: Model, n: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for spec in model.features:
        if spec.kind == "continuous":
            if spec.dist == "lognormal":
                out[spec.name] = rng.lognormal(spec.loc, spec.scale, n)
            else:
                out[spec.name] = rng.normal(spec.loc, spec.scale, n)
        else:
            idx = rng.choice(len(spec.categories), size=n, p=np.array(spec.probs) / sum(spec.probs))
            out[spec.name] = np.array(spec.categories, dtype=object)[idx]
    return out


def logit(model: Model, features: dict[str, np.ndarray], intercept: float,
          order: tuple[str, ...] | None = None) -> np.ndarray:
    """The model's linear score. `order` feeds features in another order (a packaging bug)."""
    specs = model.features
    names = order or tuple(s.name for s in specs)
    n = len(next(iter(features.values())))
    z = np.full(n, intercept)
    for spec, src in zip(specs, names, strict=True):
        x = features[src]
        if spec.kind == "continuous":
            src_spec = model.feature(src)
            if src_spec.kind != "continuous":
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.log(np.maximum(x.astype(float), 1e-9)) if src_spec.dist == "lognormal" \
                    else x.astype(float)
            std = (v - src_spec.loc) / src_spec.scale
            z += SHARPNESS * spec.weight * np.nan_to_num(std, nan=0.0)
        else:
            weights = dict(zip(spec.categories, spec.cat_weights, strict=True))
            if src == spec.name:
                z += SHARPNESS * np.array([weights.get(c, 0.0) for c in x])
    return z


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(slots=True)
class ModelStats:
    """Per-model constants fitted once on the training reference."""

    intercept: float
    threshold: float
    pred_mean: float
    f1: float
    cert_days: int
    reference: dict[str, np.ndarray]
    reference_scores: np.ndarray
    reference_labels: np.ndarray


def fit_model_stats(seed: int, model: Model) -> ModelStats:
    """Calibrate the intercept to the archetype's base rate and measure reference F1."""
    rng = np.random.default_rng(key(seed, model.name, "reference"))
    ref = draw_features(rng, model, REFERENCE_ROWS)
    raw = logit(model, ref, 0.0)
    lo, hi = -40.0, 40.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(raw + mid).mean() > model.archetype.base_rate:
            hi = mid
        else:
            lo = mid
    intercept = (lo + hi) / 2
    scores = sigmoid(raw + intercept)
    labels = label_draw(rng, scores)
    threshold = float(np.quantile(scores, 1 - model.archetype.base_rate))
    f1 = f1_score(labels, scores >= threshold)
    cert_days = int(rng.integers(40, 300))
    return ModelStats(intercept, threshold, float(scores.mean()), f1, cert_days, ref, scores,
                      labels)


def label_draw(rng: np.random.Generator, scores: np.ndarray) -> np.ndarray:
    """Ground truth drawn from the healthy model's score: the model is calibrated, which is
    what the confidence-based F1 estimate assumes, until a fault breaks it."""
    return rng.random(len(scores)) < scores


def f1_score(y: np.ndarray, yhat: np.ndarray) -> float:
    tp = float(np.sum(y & yhat))
    fp = float(np.sum(~y & yhat))
    fn = float(np.sum(y & ~yhat))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def draw_block(seed: int, model: Model, stats: ModelStats, block: int, rps: float) -> Rows:
    """The logged rows of one 10-minute block, with their labels and label delays."""
    rng = np.random.default_rng(key(seed, model.name, "rows", block + 10_000_000))
    n = int(rng.poisson(rps * 60 * BLOCK * LOG_RATE))
    t = np.sort(block * BLOCK + rng.random(n) * BLOCK)
    feats = draw_features(rng, model, n)
    scores = sigmoid(logit(model, feats, stats.intercept))
    labels = label_draw(rng, scores)
    lag = rng.exponential(model.archetype.label_lag_min, n)
    return Rows(t=t, features=feats, label=labels, label_lag=lag)
