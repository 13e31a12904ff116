"""Baseline telemetry, feature rows and the model's scoring function, as pure functions of the seed.

Series are generated per model, metric and simulated day from a key derived from the seed, so any
window (a minute or a week) is computed on demand and is identical whatever was asked before.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np

from oncall.sim.catalogue import FeatureSpec
from oncall.sim.clock import DAY, QUIET_FROM, SATURDAY, WEEK
from oncall.sim.fleet import Model
from oncall.sim.kept import Kept
from oncall.sim.quality import measure
from oncall.sim.quantile import quantile

T = TypeVar("T")

BLOCK = 10
"""Feature rows are drawn in 10-minute blocks so that overlapping windows see the same rows."""
LOG_RATE = 0.05
"""Share of requests whose features and predictions are logged (what the drift lab reads)."""
REFERENCE_ROWS = 20_000
SHARPNESS = 2.5
"""Scale of the archetypes' feature weights: sets how separable each task is (F1 0.6-0.95)."""

BASE_METRICS: tuple[str, ...] = (
    "rps", "latency_p50_ms", "latency_p99_ms", "error_rate", "pred_mean", "pred_nan_ratio",
    "restarts", "cert_days_left",
)
"""Every model's series; each also has its type's quality series (f1, ndcg_at_10, mae,
recall_at_10) as measured on the labels that arrive."""
GPU_METRICS = ("gpu_mem_frac", "gpu_util")
CPU_METRICS = ("cpu_util", "cpu_throttled_frac")
CONTAINER_METRICS = ("mem_frac", "up", "node_disk_used_frac")
HPA_SERIES = "hpa_replicas_frac"
"""The autoscaler's replicas over its ceiling, minute by minute, as `infra` lists them (1: at
its ceiling). Not a dashboard metric: the world computes it from the infra view
(`World.autoscaler`), for the monitors that read it."""
"""Every model's container series: memory working set as a share of the container limit,
whether Prometheus can scrape the pods (`up`, 1 or 0), and the disk used on the fullest of the
model's nodes (`node_disk_used_frac`: node 01 in the infra view; logs, images and emptyDir
volumes share it)."""
DISK_PRESSURE = 0.9
"""Disk used on a node from which the kubelet reports DiskPressure and evicts pods (its default
threshold: less than 10% of the node's filesystem available)."""
UNITS: dict[str, str] = {
    "rps": "req/s", "latency_p50_ms": "ms", "latency_p99_ms": "ms", "error_rate": "ratio",
    "pred_mean": "score", "pred_nan_ratio": "ratio", "f1": "F1", "ndcg_at_10": "NDCG@10",
    "mae": "abs. error", "recall_at_10": "recall@10", "restarts": "restarts/min",
    "label_volume_ratio": "ratio",
    "cert_days_left": "days", "feature_std": "feature units", "feature_p99": "feature units",
    "feature_unseen_rate": "ratio", "feature_null_rate": "ratio",
    "feature_age_min": "min",
    "gpu_mem_frac": "ratio", "gpu_util": "ratio", "cpu_util": "ratio", "mem_frac": "ratio",
    "cpu_throttled_frac": "ratio",
    "up": "targets up", "node_disk_used_frac": "ratio",
}


def metrics_of(model: Model) -> tuple[str, ...]:
    hw = GPU_METRICS if model.hardware == "gpu" else CPU_METRICS
    feats = tuple(f"{series}:{f.name}" for f in model.features if f.kind == "continuous"
                  for series in FEATURE_SERIES)
    nulls = tuple(f"feature_null_rate:{f.name}" for f in model.features)
    nulls += tuple(f"feature_unseen_rate:{f.name}" for f in model.features
                   if f.kind == "categorical")
    nulls += tuple(f"feature_age_min:{f.name}" for f in model.features)
    quality = model.archetype.quality_metric
    return (*BASE_METRICS[:6], quality, "label_volume_ratio", *BASE_METRICS[6:], *hw,
            *CONTAINER_METRICS, *feats, *nulls)


def node_disk_levels(seed: int, model: Model, nodes: int | None = None) -> tuple[float, ...]:
    """The healthy disk used on each of the model's nodes, fullest (node 01) first: 38-62% on
    node 01, a few points less on each next one. `nodes`: as many as that (a node added for
    the model continues the row; the first ones are the same whatever the count)."""
    return _disk_levels(seed, model.name, nodes or max(1, model.replicas // 2))


@lru_cache(maxsize=4096)
def _disk_levels(seed: int, model: str, nodes: int) -> tuple[float, ...]:
    rng = np.random.default_rng(key(seed, model, "node-disk"))
    first = float(rng.uniform(0.38, 0.62))
    drops = np.cumsum(rng.uniform(0.02, 0.09, nodes - 1))
    return (first, *(first - drops).tolist())


FEATURE_SERIES = ("feature_mean", "feature_std", "feature_p99")
"""Every continuous feature's dashboard series: its mean, its spread and its 99th percentile, so
a change of scale or of the tail shows even where the mean stays put."""


def key(*parts: int | str) -> list[int]:
    """A seed-sequence key; strings are hashed with crc32 because Python's hash() is salted."""
    return [p if isinstance(p, int) and p >= 0 else zlib.crc32(str(p).encode()) for p in parts]


def load_factor(t: np.ndarray) -> np.ndarray:
    """Diurnal traffic shape: mean 1, trough around 04:00, peak around 16:00."""
    return 1.0 + 0.22 * np.cos(2 * np.pi * (t / DAY - 16 / 24))


RHO = 0.8
"""The noise's minute-to-minute correlation."""


def _noise(seed: int, model: str, metric: str, t: np.ndarray, rho: float = RHO) -> np.ndarray:
    """Unit-variance AR(1) noise on the minute grid, drawn per simulated day."""
    if t.size and t.dtype.kind in "iu":
        lo, hi = int(t.min()), int(t.max())
        first, last = lo // DAY, hi // DAY
        if last - first <= 31:  # the usual query: a few hours to a few weeks of whole minutes
            upto = hi - last * DAY + 1  # the last day is read only this far
            days = [_day_noise(seed, model, metric, d, rho, DAY if d < last else upto)
                    for d in range(first, last + 1)]
            return (days[0] if len(days) == 1 else np.concatenate(days))[t - first * DAY]
    out = np.empty(t.shape, dtype=float)
    days = np.floor_divide(t, DAY).astype(int)
    for day in np.unique(days):
        sel = days == day
        out[sel] = _day_noise(seed, model, metric, int(day), rho)[(t[sel] - day * DAY).astype(int)]
    return out


NoiseKey = tuple[int, str, str, int, float]
"""(seed, model, metric, day, rho): one day of one series' noise."""
_DAYS: dict[NoiseKey, np.ndarray] = {}
"""Each day's noise from its minute 0: the whole day, or as far as it was read (`PART`)."""
_RESUME: dict[NoiseKey, tuple[np.random.Generator, float]] = {}
"""For a day drawn in part: its generator where it stopped and the noise's last value, so the
rest of the day continues the same draws and the same recurrence (the same bits as drawn at
once)."""
DAYS_KEPT = 4096
"""Days of noise kept in memory (the oldest computed are dropped first): about 50 MB."""
PART = 360
"""A day is drawn as far as a reader asks, six hours at a time: the night's alerts at a 02:00
page read the day until 06:00 (`world.REACH_STEP`), not the 18 hours after it."""
WARM_UP = 120
"""Minutes the recurrence runs before a day's minute 0."""
_DRAWING = threading.RLock()
"""Held while days are drawn: a day drawn in part goes on with its one generator, which two
threads (the TUI's engine workers) must not draw from at once."""
NOISELESS = frozenset({"restarts", "pred_nan_ratio", "up", "cert_days_left"})
NOISELESS_FAMILIES = ("feature_unseen_rate:", "feature_age_min:")
"""Metrics (and families of per-feature series) whose healthy value draws no noise."""


def draws_noise(metric: str) -> bool:
    """Whether `baseline` reads the metric's noise: a batch draws none for the others."""
    return metric not in NOISELESS and not metric.startswith(NOISELESS_FAMILIES)


def _day_noise(seed: int, model: str, metric: str, day: int, rho: float,
               upto: int = DAY) -> np.ndarray:
    """One day of AR(1) noise, y[n] = sqrt(1 - rho^2) x[n] + rho y[n-1], after `WARM_UP`
    minutes: its minutes [0, upto) at least (drawn `PART` minutes at a time), the whole day by
    default.

    A plain loop rather than scipy.signal.lfilter: it gives bit-identical numbers (the same two
    operations in the same order) in about 80 us a day, and keeps scipy's second of imports out of
    every process that only simulates. Many days at once: `prefetch_noise`."""
    k = (seed, model, metric, day, rho)
    hit = _DAYS.get(k)
    if hit is not None and len(hit) >= upto:
        return hit
    with _DRAWING:
        return _draw_day(k, _rounded(upto))


def _draw_day(k: NoiseKey, upto: int) -> np.ndarray:
    """The day `k` drawn to minute `upto`: from its first draw, or on from where it stopped."""
    rho = k[4]
    hit = _DAYS.get(k)
    if hit is not None and len(hit) >= upto:  # another thread drew it meanwhile
        return hit
    if hit is None:
        gen, y, n = _generator(k), 0.0, WARM_UP + upto
    else:
        (gen, y), n = _RESUME[k], upto - len(hit)
    xs = (gen.standard_normal(n) * math.sqrt(1 - rho * rho)).tolist()
    out: list[float] = []
    push = out.append
    for x in xs:
        y = x + rho * y
        push(y)
    drawn = np.array(out[WARM_UP:] if hit is None else out)
    return _keep(k, drawn if hit is None else np.concatenate([hit, drawn]), gen, y)


def _rounded(upto: int) -> int:
    """How far a day read to minute `upto` is drawn: to the next `PART` minutes, within it."""
    return min(DAY, -(-upto // PART) * PART)


def _generator(k: NoiseKey) -> np.random.Generator:
    """`np.random.default_rng(key(seed, model, metric, day + 10_000))`, seeded from the 32-bit
    words numpy's SeedSequence makes of that key (`words`), the series' part of them kept: the
    same generator at half the cost (numpy turns a list of ints into words in Python, and a
    1,000-model fleet seeds some 16,000 series-days)."""
    seed, model, metric, day, _ = k
    entropy = np.array([*_series_words(seed, model, metric), *words(key(day + 10_000))],
                       dtype=np.uint32)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def words(parts: list[int]) -> list[int]:
    """The 32-bit words numpy's SeedSequence reads a list of non-negative ints as (each int's,
    lowest first, at least one)."""
    out: list[int] = []
    for n in parts:
        out.append(n & 0xFFFF_FFFF)
        while n > 0xFFFF_FFFF:
            n >>= 32
            out.append(n & 0xFFFF_FFFF)
    return out


@lru_cache(maxsize=DAYS_KEPT)
def _series_words(seed: int, model: str, metric: str) -> tuple[int, ...]:
    return tuple(words(key(seed, model, metric)))


def _keep(k: NoiseKey, ar: np.ndarray, gen: np.random.Generator, last: float) -> np.ndarray:
    """Keep a day drawn from minute 0 to `len(ar)`, and, if that is not the whole day, where
    its draws stopped."""
    ar.flags.writeable = False
    if k not in _DAYS and len(_DAYS) >= DAYS_KEPT:
        oldest = next(iter(_DAYS))
        del _DAYS[oldest]
        _RESUME.pop(oldest, None)
    _DAYS[k] = ar
    if len(ar) < DAY:
        _RESUME[k] = (gen, last)
    else:
        _RESUME.pop(k, None)
    return ar


BATCH_FROM = 8
"""Below this many missing days a batch is cheaper day by day (the loop over minutes in Python
beats one numpy call per minute for a handful of series)."""


def prefetch_noise(keys: list[NoiseKey], until: int | None = None) -> None:
    """Compute the days of noise not yet kept, all series at once: the same recurrence, the same
    two operations on each series in the same order (so the same bits as `_day_noise`), one numpy
    step per minute for every series together instead of one Python step per series. `until`:
    the minute (of the clock) the reader reads to, exclusive; a day it ends in is drawn as far
    as `_day_noise` would draw it (default: every day whole)."""
    def upto(k: NoiseKey) -> int:
        return DAY if until is None else _rounded(min(DAY, until - k[3] * DAY))

    with _DRAWING:
        _prefetch({k: upto(k) for k in keys})


def _prefetch(wanted: dict[NoiseKey, int]) -> None:
    short = {k: n for k, n in wanted.items() if len(_DAYS.get(k, ())) < n}
    todo = [k for k in short if k not in _DAYS]
    for k in short:
        if k in _DAYS:  # drawn in part before: its own draws go on
            _day_noise(*k, short[k])
    if len(todo) < BATCH_FROM:
        for k in todo:
            _day_noise(*k, short[k])
        return
    for rho in sorted({k[4] for k in todo}):
        same = sorted((k for k in todo if k[4] == rho), key=short.__getitem__)  # shortest first
        by_length: dict[int, list[NoiseKey]] = {}
        for k in same:
            by_length.setdefault(short[k], []).append(k)
        # Many series of one length (a big fleet's) go in batches of their own, unpadded; the
        # few of other lengths together, each stepped to the longest of them.
        groups = [g for g in by_length.values() if len(g) >= BATCH_FROM]
        groups.append([k for g in by_length.values() if len(g) < BATCH_FROM for k in g])
        for group in groups:
            for at in range(0, len(group), BATCH_MAX):  # about 13 MB of arrays a batch
                part = group[at:at + BATCH_MAX]
                _batch(part, rho, [short[k] for k in part])


BATCH_MAX = 1024
"""Series drawn together at most."""


def _batch(same: list[NoiseKey], rho: float, uptos: list[int]) -> None:
    """The series drawn together, each to its own minute (`uptos`): one numpy step per minute
    of the longest for all of them (a shorter one's minutes after its own are zeros, stepped
    with the rest and dropped)."""
    if same:
        drawn = np.zeros((len(same), WARM_UP + max(uptos)))  # series by minute: drawn in place
        gens = [_generator(k) for k in same]
        for row, gen, upto in zip(drawn, gens, uptos, strict=True):
            gen.standard_normal(out=row[:WARM_UP + upto])
        drawn *= math.sqrt(1 - rho * rho)  # as `_day_noise` scales them, every series at once
        xs = drawn.T.copy()  # minute by series
        del drawn
        ys = np.empty_like(xs)
        y = np.zeros(len(same))
        step = np.empty(len(same))
        multiply, add = np.multiply, np.add
        for x, out in zip(xs, ys, strict=True):  # rows as views; `out` given in place
            multiply(y, rho, step)
            add(x, step, out)
            y = out
        kept = ys[WARM_UP:].T.copy()  # series by minute again: one copy, not one per column
        last = ys[np.add(uptos, WARM_UP - 1), np.arange(len(same))].tolist()
        del xs, ys
        for k, row, gen, y, upto in zip(same, kept, gens, last, uptos, strict=True):
            _keep(k, row[:upto], gen, y)


WEEKEND_RAMP = 240
"""Weekend traffic builds over Friday evening and fades over Sunday evening (minutes)."""
HISTORY_DAYS = (-6, -5, -4, -3, -2)
"""The days the seeded traffic event and backfills fall on: inside the replayed week, and over
before `QUIET_FROM` (20:00 the evening before the night)."""
DEPLOY_HISTORY_BEFORE = -6 * 60
"""Deploys at or after this minute are the incident's own (a fault writes them): no blip."""


class History(NamedTuple):
    """The seeded shape of a model's week: what a monitor replayed over it can be wrong about.

    Relative changes multiply the healthy value; for normal features a mean shift is in units of
    the feature's scale (its mean may be 0)."""

    weekend_traffic: float
    weekend_pred: float
    event: tuple[int, int]
    event_traffic: float
    event_pred: float
    event_features: tuple[tuple[str, float], ...]
    backfill: tuple[int, int]
    backfill_nulls: tuple[tuple[str, float], ...]
    backfill_feature: tuple[str, float]


@lru_cache(maxsize=64)
def traffic_event(seed: int) -> tuple[int, int]:
    """The fleet-wide traffic event of the week (a flash sale, a televised final): [start, end)."""
    rng = np.random.default_rng(key(seed, "traffic-event"))
    day = int(rng.choice(HISTORY_DAYS))
    start = day * DAY + int(rng.integers(10 * 60, 16 * 60))
    return start, min(start + int(rng.integers(5 * 60, 9 * 60)), QUIET_FROM)


@lru_cache(maxsize=256)
def history(seed: int, model: str, features: tuple[FeatureSpec, ...]) -> History:
    rng = np.random.default_rng(key(seed, model, "week"))
    weekend_traffic = _signed(rng, 0.1, 0.3)
    weekend_pred = _signed(rng, 0.02, 0.05)
    event_traffic = float(rng.uniform(0.35, 0.8))
    event_pred = _signed(rng, 0.12, 0.18)
    cont = [f for f in features if f.kind == "continuous"]
    event_features = tuple((f.name, _signed(rng, 0.03, 0.08)) for f in cont)
    # A backfill rewrites partial rows from one source: its features' nulls rise and one of its
    # continuous features (a log-normal one where there is one) reads low.
    sources = sorted({f.source for f in cont})
    source = sources[int(rng.integers(len(sources)))]
    mine = [f for f in cont if f.source == source]
    shifted = ([f for f in mine if f.dist == "lognormal"] or mine)[0]
    day = int(rng.choice(HISTORY_DAYS))
    start = day * DAY + int(rng.integers(0, DAY - 120))
    backfill = (start, min(start + int(rng.integers(60, 121)), QUIET_FROM))
    nulls = tuple((f.name, float(rng.uniform(0.012, 0.035))) for f in features
                  if f.source == source)
    return History(weekend_traffic, weekend_pred, traffic_event(seed), event_traffic, event_pred,
                   event_features, backfill, nulls,
                   (shifted.name, -float(rng.uniform(0.15, 0.3))))


def _signed(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A magnitude in [lo, hi) with a random sign."""
    size = float(rng.uniform(lo, hi))
    return size if rng.random() < 0.5 else -size


def _window(t: np.ndarray, span: tuple[int, int], ramp: int) -> np.ndarray:
    """1 inside [start, end), 0 outside, with linear ramps of `ramp` minutes inside the edges."""
    start, end = span
    return np.clip(np.minimum(t - start, end - t) / ramp, 0.0, 1.0)


def weekend(t: np.ndarray) -> np.ndarray:
    """1 from Saturday 00:00 to Sunday 20:00, ramping over Friday and Sunday evenings."""
    u = np.mod(t - (SATURDAY - WEEKEND_RAMP), WEEK)
    return _window(u, (0, 2 * DAY + WEEKEND_RAMP), WEEKEND_RAMP)


@lru_cache(maxsize=1024)
def _blip_size(seed: int, model: str, at: int) -> tuple[int, float]:
    rng = np.random.default_rng(key(seed, model, "deploy-blip", at))
    return int(rng.integers(8, 17)), float(rng.uniform(0.6, 1.4))


def deploy_blips(seed: int, model: Model, t: np.ndarray) -> np.ndarray:
    """A rolling restart at each past deploy: a short bump (about 1 at its peak) that clears.

    Only history counts: deploys from `DEPLOY_HISTORY_BEFORE` on are the incident's own, and a
    blip lasts at most 16 minutes, so none reaches the night (`QUIET_FROM`)."""
    out = np.zeros(t.shape)
    if t.size == 0:
        return out
    lo, hi = float(t.min()) - 20, float(t.max())
    for d in model.deploys:
        if d.at >= DEPLOY_HISTORY_BEFORE or not lo < d.at <= hi:
            continue
        minutes, size = _blip_size(seed, model.name, d.at)
        u = (t - d.at) / minutes
        out += size * np.where((u >= 0) & (u < 1), np.sin(np.pi * u), 0.0)
    return out


QUIET = (max(SATURDAY - 5 * DAY, HISTORY_DAYS[-1] * DAY + DAY), SATURDAY - WEEKEND_RAMP)
"""Monday 00:00 to Friday 20:00 around the night: no weekend, traffic event or backfill reaches
these minutes, so queries inside them skip the week's shape (a shortcut, same numbers)."""


LOAD_METRICS = frozenset({"rps", "latency_p50_ms", "latency_p99_ms", "gpu_mem_frac", "gpu_util",
                          "cpu_util", "cpu_throttled_frac"})
"""Metrics that follow traffic."""


def _quiet(t: np.ndarray) -> bool:
    return t.size == 0 or (float(t.min()) >= QUIET[0] and float(t.max()) < QUIET[1])


def baseline(seed: int, model: Model, metric: str, t: np.ndarray, ref: ModelStats) -> np.ndarray:
    """The healthy value of `metric` at minutes `t`: daily and weekly seasonality, the week's
    traffic event, a backfill and blips at past deploys, all seeded and all before the night."""
    t = np.asarray(t)
    fixed = drawn_from_nothing(metric, t)
    if fixed is not None:
        return fixed
    if metric == "cert_days_left":
        return np.full(t.shape, float(ref.cert_days)) - t / DAY
    shape = scaled(seed, model, metric, t)
    if shape is not None:
        fitted, factors, clipped = shape
        v = (ref.pred_mean if fitted == "pred_mean" else ref.quality) * factors[0]
        for f in factors[1:]:
            v = v * f
        return np.clip(v, 0, 1) if clipped else v
    h = None if _quiet(t) else history(seed, model.name, model.features)
    event = np.zeros(t.shape) if h is None else _window(t, h.event, 45)
    if metric in LOAD_METRICS:
        load = load_factor(t)
        if h is not None:
            load = load * (1 + h.weekend_traffic * weekend(t)) * (1 + h.event_traffic * event)
    z = _noise(seed, model.name, metric, t)
    arch = model.archetype
    if metric == "rps":
        return model.rps * load * (1 + 0.03 * z)
    if metric == "latency_p50_ms":
        return arch.p50_ms * (0.9 + 0.15 * load) * np.exp(0.04 * z) * \
            (1 + 0.12 * deploy_blips(seed, model, t))
    if metric == "latency_p99_ms":
        return arch.p99_ms * (0.85 + 0.2 * load) * np.exp(0.07 * z) * \
            (1 + 0.35 * deploy_blips(seed, model, t))
    if metric == "error_rate":
        return np.clip(0.00025 * np.exp(0.45 * z) * (1 + 0.6 * event)
                       + 0.006 * deploy_blips(seed, model, t), 0, 1)
    if metric == "gpu_mem_frac":
        return np.clip(0.64 + 0.05 * load + 0.01 * z, 0, 1)
    if metric == "gpu_util":
        return np.clip(0.25 + 0.3 * load + 0.03 * z, 0, 1)
    if metric == "cpu_util":
        return np.clip(0.2 + 0.25 * load + 0.03 * z, 0, 1)
    if metric == "cpu_throttled_frac":
        # CFS periods in which the container hit its quota: a few percent under a generous
        # limit, more at peak traffic.
        return np.clip(0.015 + 0.02 * load + 0.006 * z, 0, 1)
    if metric == "label_volume_ratio":
        # Labels joined in the last 5 minutes over the usual count for the hour.
        return 1.0 + 0.04 * z
    if metric == "mem_frac":
        return np.clip(0.55 + 0.01 * z, 0, 1)
    if metric == "node_disk_used_frac":
        return np.clip(node_disk_levels(seed, model)[0] + 0.004 * z, 0, 1)
    if metric.startswith(("feature_std:", "feature_p99:")):
        name = metric.split(":", 1)[1]
        x = ref.reference[name]
        level = float(np.std(x)) if metric.startswith("feature_std:") else \
            quantile(x, 0.99)
        return level + 0.02 * float(np.std(x)) * z
    if metric.startswith("feature_mean:"):
        spec = model.feature(metric.split(":", 1)[1])
        # A 5-minute sample mean wanders by a small share of the spread (of the level, for a
        # log-normal feature): never flat at zero for a feature centred on it.
        v = feature_mean(spec) * (1 + 0.015 * z) if spec.dist == "lognormal" else \
            spec.loc + 0.015 * spec.scale * z
        if h is not None:
            shift = dict(h.event_features)[spec.name] * event
            name, drop = h.backfill_feature
            if name == spec.name:
                shift = shift + drop * _window(t, h.backfill, 5)
            v = v * (1 + shift) if spec.dist == "lognormal" else v + shift * spec.scale
        return v
    if metric.startswith("feature_null_rate:"):
        v = 0.002 * np.exp(0.3 * z)
        if h is not None:
            v = v + dict(h.backfill_nulls).get(metric.split(":", 1)[1], 0.0) * \
                _window(t, h.backfill, 5)
        return np.clip(v, 0, 1)
    raise KeyError(metric)


def drawn_from_nothing(metric: str, t: np.ndarray) -> np.ndarray | None:
    """The healthy value of a metric that reads neither noise nor anything a model drew (the
    same on every model and seed): no restarts, no NaN predictions, every target up, no unseen
    category, a feature's age; None for any other metric (a family's prefix, such as
    `feature_age_min:`, stands for each of its series)."""
    if metric in ("restarts", "pred_nan_ratio") or metric.startswith("feature_unseen_rate:"):
        return np.zeros(t.shape)
    if metric == "up":
        return np.ones(t.shape)
    if metric.startswith("feature_age_min:"):
        # Materialised every 5 minutes: the served value's age climbs from 1 to 5 and resets.
        return 1.0 + np.mod(t, 5).astype(float)
    return None


def scaled(seed: int, model: Model, metric: str, t: np.ndarray
           ) -> tuple[str, list[np.ndarray], bool] | None:
    """A metric whose healthy value is a level fitted on the training reference times seeded
    factors: the prediction mean (`pred_mean`: noise, the weekend's and the traffic event's
    shifts) and the model type's quality (noise). The level's name (`pred_mean` or `quality`),
    the factors in the order `baseline` multiplies them, and whether the value is then held to
    [0, 1]; None for any other metric."""
    arch = model.archetype
    if metric not in ("pred_mean", arch.quality_metric):
        return None
    z = _noise(seed, model.name, metric, t)
    if metric == "pred_mean":
        factors = [1 + 0.03 * z]
        h = None if _quiet(t) else history(seed, model.name, model.features)
        if h is not None:
            factors += [1 + h.weekend_pred * weekend(t), 1 + h.event_pred * _window(t, h.event, 45)]
        return "pred_mean", factors, True
    return "quality", [1 + 0.015 * z], arch.model_type != "regressor"


def healthy_floor(metric: str, t: np.ndarray) -> np.ndarray | None:
    """The least a metric's healthy baseline can be at minutes t, whatever the model's drawn
    statistics: the certificate's days left are at least `CERT_DAYS[0]` at minute 0. None for
    a metric without such a floor."""
    if metric == "cert_days_left":
        return float(CERT_DAYS[0]) - t / DAY
    return None


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


def draw_features(rng: np.random.Generator, model: Model, n: int,
                  codes: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """`n` rows of the model's features; `codes`, if given, gets each categorical feature's
    drawn category indices (which `logit` reads faster than the values)."""
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
            if codes is not None:
                codes[spec.name] = idx
    return out


def logit(model: Model, features: dict[str, np.ndarray], intercept: float,
          order: tuple[str, ...] | None = None,
          codes: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The model's linear score. `order` feeds features in another order (a packaging bug).
    `codes`: the category indices `draw_features` drew for these very rows, if at hand: each
    row's weight is then looked up by index, the same weight its value looks up."""
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
                if codes is not None and src in codes:
                    w = np.array([weights[c] for c in spec.categories], dtype=float)[codes[src]]
                else:
                    w = np.fromiter(map(weights.get, x.tolist(), repeat(0.0)), float, len(x))
                z += SHARPNESS * w
    return z


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class Fit(NamedTuple):
    """What is fitted on a model's training reference."""

    intercept: float
    threshold: float
    pred_mean: float
    f1: float
    reference_scores: np.ndarray
    reference_labels: np.ndarray
    quality: float
    """The model type's quality metric on the training reference (F1, NDCG@10, MAE, recall@10)."""


class _Read(Generic[T]):
    """A field of a stage of `ModelStats` (`drawn` or `fitted`), made when first read."""

    def __init__(self, stage: str) -> None:
        self.stage = stage

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, stats: ModelStats, owner: type | None = None) -> T:
        return getattr(getattr(stats, self.stage), self.name)  # type: ignore[no-any-return]


class Drawn(NamedTuple):
    """A model's training reference rows and its serving certificate's days left at minute 0."""

    reference: dict[str, np.ndarray]
    cert_days: int
    codes: dict[str, np.ndarray]
    """The categorical features' category indices, kept (small) until the fit reads them."""
    labels_from: Mapping[str, Any]
    """The reference generator's state where the labels are drawn."""


CERT_DAYS = (40, 300)
"""The serving certificate's days left at minute 0 are drawn in [40, 300)."""


class ModelStats:
    """Per-model constants of the training reference, made when first read, each from the seed
    and the model alone: the reference rows and the serving certificate's days (`Drawn`), and
    what is fitted on the rows (`Fit`: the intercept, the scores and labels, the quality...).
    A look at the alerts of models no fault touches reads neither (`alerts.Rule.bound`), so most
    of a big fleet is never drawn; the numbers are the same whenever they are, and made once
    per process for every world of the seed (`_kept`)."""

    __slots__ = ("_drawn", "_fit", "_model", "_seed")

    def __init__(self, seed: int, model: Model) -> None:
        self._seed = seed
        self._model = model
        self._drawn: Drawn | None = None
        self._fit: Fit | None = None

    @property
    def drawn(self) -> Drawn:
        if self._drawn is None:
            self._drawn = _kept(self._seed, self._model).drawn()
        return self._drawn

    @property
    def fitted(self) -> Fit:
        if self._fit is None:
            self._fit = _kept(self._seed, self._model).fitted(self.drawn)
        return self._fit

    reference = _Read[dict[str, np.ndarray]]("drawn")
    cert_days = _Read[int]("drawn")
    intercept = _Read[float]("fitted")
    threshold = _Read[float]("fitted")
    pred_mean = _Read[float]("fitted")
    f1 = _Read[float]("fitted")
    reference_scores = _Read[np.ndarray]("fitted")
    reference_labels = _Read[np.ndarray]("fitted")
    quality = _Read[float]("fitted")


STATS_KEPT = 64
"""Models whose drawn and fitted statistics a process keeps (least recently used dropped
first): 0.5-1.2 MB each (seed 7's fleet). A process builds many worlds of one seed (the
scenarios of a library, a game and its replays, the tests), and their fleets share most models:
the suite's scoring and conformance tests drew 925 models' statistics, 52 of them distinct."""


class _Kept:
    """A model's statistics as a process keeps them for every world of its seed: each a
    function of the seed, the model's name and its archetype alone (`_draw`, `_fit`), made
    when first read by any world, then handed to every world that reads it (each world's
    `ModelStats` still reads them only when it needs them, so what a world has read is its
    own). Made twice at worst when two threads read it first: the same numbers either way."""

    __slots__ = ("_drawn", "_fit", "archetype", "model", "seed")

    def __init__(self, seed: int, model: Model) -> None:
        self.seed, self.model, self.archetype = seed, model, model.archetype
        self._drawn: Drawn | None = None
        self._fit: Fit | None = None

    def drawn(self) -> Drawn:
        if self._drawn is None:
            self._drawn = _draw(self.seed, self.model)
        return self._drawn

    def fitted(self, d: Drawn) -> Fit:
        if self._fit is None:
            self._fit = _fit(self.model, d.reference, d.codes, d.labels_from)
        return self._fit


_KEPT: Kept[tuple[int, str, int], _Kept] = Kept(STATS_KEPT)


def _kept(seed: int, model: Model) -> _Kept:
    """The kept statistics of the model of this seed, name and archetype (the archetype held,
    so its id stays its own: content reloaded from another folder is another model)."""
    k = (seed, model.name, id(model.archetype))
    hit = _KEPT.get(k)
    if hit is None or hit.archetype is not model.archetype:
        hit = _KEPT.put(k, _Kept(seed, model))
    return hit


def fit_model_stats(seed: int, model: Model) -> ModelStats:
    """The model's statistics: its reference rows and certificate days drawn, its intercept
    calibrated to the archetype's base rate and its reference scores, labels, F1 and quality
    measured, each when first read."""
    return ModelStats(seed, model)


def _draw(seed: int, model: Model) -> Drawn:
    rng = np.random.default_rng(key(seed, model.name, "reference"))
    codes: dict[str, np.ndarray] = {}
    ref = draw_features(rng, model, REFERENCE_ROWS, codes)
    labels_from = rng.bit_generator.state
    rng.random(REFERENCE_ROWS)  # the labels' draws (`label_draw`), made again when fitted
    cert_days = int(rng.integers(*CERT_DAYS))
    small = {k: v.astype(np.min_scalar_type(int(v.max(initial=0)))) for k, v in codes.items()}
    return Drawn(ref, cert_days, small, labels_from)


def _fit(model: Model, ref: dict[str, np.ndarray], codes: dict[str, np.ndarray],
         labels_from: Mapping[str, Any]) -> Fit:
    raw = logit(model, ref, 0.0, codes=codes)
    intercept = calibrate(raw, model.archetype.base_rate)
    scores = sigmoid(raw + intercept)
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = labels_from
    labels = label_draw(rng, scores)
    threshold = quantile(scores, 1 - model.archetype.base_rate)
    f1 = f1_score(labels, scores >= threshold)
    quality = measure(model.archetype, scores, labels, scores, threshold)
    return Fit(intercept, threshold, float(scores.mean()), f1, scores, labels,
               float(quality if quality is not None else 0.0))


MEAN_ERROR = 1e-13
"""A bound on how far `sigmoid(raw + x).mean()` as computed can lie from the exact mean of the
exact sigmoids: each term is within about 10 units of roundoff u = 2^-53 of its own value plus
u x sigmoid'(raw + x) |raw + x| (at most 0.1 u); numpy sums a whole array pairwise, 20,000
terms to within about 27 u of the total; so the mean is within 40 u, 4.4e-15, of the exact one,
and the bound leaves a factor of twenty."""


NEAR = 1e-13
"""Newton's steps stop when the next would move the intercept less than this (relative)."""


def calibrate(raw: np.ndarray, base_rate: float, steps: int = 60) -> float:
    """The intercept x that puts `sigmoid(raw + x).mean()` at the base rate: `steps` halvings
    of [-40, 40], each keeping the half the test `sigmoid(raw + mid).mean() > base_rate` picks.

    The same halvings decided the same way, with most tests known without computing them: the
    exact mean is increasing in x, so once two computed means, at B below the root and A above
    it, lie further from the base rate than twice `MEAN_ERROR`, every mid at or below B tests
    false and every mid at or above A tests true whatever the roundoff. A and B come from a few
    Newton steps; the halvings between them (about 20 of 60) are computed as they were."""
    def mean(x: float) -> float:
        return float(sigmoid(raw + x).mean())

    below, above = _bracket(raw, base_rate)
    lo, hi = -40.0, 40.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        if mid >= above or (mid > below and mean(mid) > base_rate):
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def _bracket(raw: np.ndarray, base_rate: float) -> tuple[float, float]:
    """(B, A) around the root of the mean's equation, each checked by computing the mean there
    (see `calibrate`); (-inf, inf) when the check fails, and then every halving is computed."""
    lo, hi, x = -40.0, 40.0, 0.0
    for _ in range(40):  # Newton's method, kept inside the bracket the signs give
        s = sigmoid(raw + x)
        gap, slope = float(s.mean()) - base_rate, float((s * (1 - s)).mean())
        step = gap / slope if slope > 0 else np.inf
        if abs(step) < NEAR * (1 + abs(x)):
            break
        if gap > 0:
            hi = x
        else:
            lo = x
        x = x - step if lo < x - step < hi else (lo + hi) / 2
    else:
        return -np.inf, np.inf
    if not slope > 0:
        return -np.inf, np.inf
    width = 4 * MEAN_ERROR / slope + NEAR * (1 + abs(x))
    for _ in range(4):
        if width > 1e-3:  # no tight bracket to be had: compute every halving
            break
        below, above = x - width, x + width
        if float(sigmoid(raw + below).mean()) < base_rate - 2 * MEAN_ERROR and \
                float(sigmoid(raw + above).mean()) > base_rate + 2 * MEAN_ERROR:
            return below, above
        width *= 16
    return -np.inf, np.inf


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
    codes: dict[str, np.ndarray] = {}
    feats = draw_features(rng, model, n, codes)
    scores = sigmoid(logit(model, feats, stats.intercept, codes=codes))
    labels = label_draw(rng, scores)
    lag = rng.exponential(model.archetype.label_lag_min, n)
    return Rows(t=t, features=feats, label=labels, label_lag=lag)
