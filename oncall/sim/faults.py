"""The fault engine: one interpreter for every fault kind, driven by its definition (data).

An `Incident` is a fault kind placed on one model at one minute with its parameters. It moves
telemetry, rows, scores, logs, infrastructure and history as its definition says, fills every
text from the world's own values, names the evidence an observation's content shows, and answers
interventions from its response table. It never decides the score.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from oncall.sim import telemetry as tm
from oncall.sim.catalogue import ARCHETYPES_BY_NAME
from oncall.sim.clock import DAY, date_of, hhmm
from oncall.sim.faultdef import (
    PARAM_REF,
    DeployEntry,
    EventEffect,
    FaultKind,
    HpaEffect,
    InfraEffect,
    MetricEffect,
    NodesEffect,
    Number,
    PipelineEntry,
    PodsEffect,
    Signal,
    When,
    resolve_config,
)
from oncall.sim.fleet import Deploy, Model, Version
from oncall.sim.quality import higher_is_better, measure
from oncall.sim.quantile import quantile

AGE_SERIES = "feature_age_min:"
"""The series family of each feature's age since it was last materialised."""

if TYPE_CHECKING:
    from collections.abc import Callable

    from oncall.sim.world import World

Effect = Literal["fixes", "partial", "none", "worse"]
SHIFT_LOOKBACK = 360
"""A deploy this many minutes before the onset counts as a recent change."""
GPU_CAPACITY_GIB = {"A100-40GB": 39.39, "L4-24GB": 22.06, "A10G-24GB": 22.05}
"""Total capacity as CUDA reports it for each card the fleet runs."""
TRANSFORMS: dict[str, Callable[[Incident, World], None]] = {}
"""Custom Python transforms, registered by name and referenced from a definition's `transform`
(for what the primitives cannot say). None of the shipped kinds needs one."""


class Intervention(NamedTuple):
    kind: Literal["rollback", "hotfix", "escalate"]
    model: str | None = None
    fix: str | None = None
    to: str | None = None
    team: str | None = None
    message: str = ""
    incident: str | None = None


class Outcome(NamedTuple):
    """What an intervention does: the effect starts `delay` minutes after it is made."""

    effect: Effect
    message: str
    delay: int = 0
    by: str = "you"
    cost_usd_per_hour: float = 0.0


class LogLine(NamedTuple):
    t: float
    level: str
    model: str
    pod: str
    message: str


STOPS = ("fix", "handover")
"""Course events that stop the fault: a fix (the player's or a team's) and the secondary
on-call's takeover, kept apart so that what each saved can be told apart."""


@dataclass(slots=True)
class Course:
    """The fault's intensity over time: onset, ramp, and what interventions did to it."""

    onset: int
    ramp: int
    recovery: int
    events: list[tuple[int, str, float]] = field(default_factory=list)
    lasts: int | None = None
    """A transient: minutes after the onset the effect starts fading by itself."""
    earlier: tuple[int, ...] = ()
    """Minutes relative to the onset at which the same transient happened before."""

    def _shape(self, t: np.ndarray) -> np.ndarray:
        k = np.clip((t - self.onset) / self.ramp, 0, 1) if self.ramp > 0 else \
            (t >= self.onset).astype(float)
        if self.lasts is not None:
            k = k * np.clip(1 - (t - self.onset - self.lasts) / self.recovery, 0, 1)
        return np.asarray(k)

    def intensity(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        k = self._shape(t)
        for before in self.earlier:
            k = np.maximum(k, self._shape(t - before))
        fixed = self.fixed_at()
        for at, kind, value in sorted(self.events):
            if kind in STOPS and at != fixed:
                continue  # a later fix finds the fault already stopped by the earliest one
            if kind == "worse":
                k = np.where(t >= at, k * value, k)
            elif kind == "dip":
                k = np.where((t >= at) & (t < at + value), k * 0.15, k)
            elif kind in STOPS:
                k = np.where(t >= at, k * np.clip(1 - (t - at) / self.recovery, 0, 1), k)
        return np.asarray(k)

    def fixed_at(self) -> int | None:
        fixes = [at for at, kind, _ in self.events if kind in STOPS]
        return min(fixes) if fixes else None


class _Safe(string.Formatter):
    """str.format over plain dicts only: dotted names, no attribute or index access, so a
    definition file cannot reach into Python objects."""

    def __init__(self, escape: bool = False) -> None:
        self.escape = escape

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        value: Any = kwargs
        for part in field_name.split("."):
            if part.startswith("_") or not isinstance(value, dict) or part not in value:
                raise KeyError(field_name)
            value = value[part]
        return value, field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        return re.escape(text) if self.escape else text


_FMT = _Safe()
_RE_FMT = _Safe(escape=True)


def fill(template: str, ns: dict[str, Any]) -> str:
    """A template filled from the namespace; a name the world cannot answer is an error."""
    return _FMT.format(template, **ns)


def pod_names(world: World, model: str, n: int, revision: int | str | None = None) -> list[str]:
    """Kubernetes-style pod names: a template hash per model and deploy revision (so a rollout
    renames them, and no two models share one) and a random suffix per pod."""
    if revision is None:
        revision = world.model(model).live_deploy(world.now).revision
    return list(_pod_names(world.seed, model, n, str(revision)))


@functools.lru_cache(maxsize=4096)
def _pod_names(seed: int, model: str, n: int, revision: str) -> tuple[str, ...]:
    rng = np.random.default_rng(tm.key(seed, model, "pods", revision))
    alphabet = np.array(list("bcdfghjklmnpqrstvwxz2456789"))
    stem = "".join(rng.choice(alphabet, 9))
    return tuple(f"{model}-{stem}-{''.join(rng.choice(alphabet, 5))}" for _ in range(n))


def writers(world: World, m: Model, which: str, minute: int) -> list[str]:
    """The pods that write a line at that minute: the canary's or the shadow's own while one
    runs (a `canary` line falls back to the stable pods when none does, a `shadow` line is not
    written), those the infra view shows other than Running (`affected`) or Running
    (`serving`), else the pods of the revision live then: a line keeps the pod that wrote it
    after a rollout renames them."""
    if which in ("canary", "shadow"):
        d = m.canary_deploy(minute) if which == "canary" else m.shadow_deploy(minute)
        if d is not None:
            return pod_names(world, m.name, CANARY_PODS, d.revision)
        if which == "shadow":
            return []
    if which in ("affected", "serving"):
        return [p["name"] for p in world.infra(m.name, minute, counted=False)["pods"]
                if (p["status"] == "Running") == (which == "serving")]
    pods = world.pods_at(m.name, minute)
    return pods[:1] if which == "one" else pods


CANARY_PODS = 2
"""Pods a canary or a shadow revision runs beside the stable ones."""
SILENT_PODS = ("Pending", "Evicted")
"""Pod states that run no container: such a pod writes no log line."""
EVENT_TTL = 60
"""Minutes a cluster event stays listed after it happened (the Kubernetes API server's default
event TTL is one hour)."""
FEATURE_LEVELS = ("feature_mean:", "feature_std:", "feature_p99:")
"""Feature series that are levels in the feature's own units (never clipped to [0, 1])."""


def _p99(x: np.ndarray) -> float:
    """`np.nanquantile(x, 0.99)`: NaN when every value is."""
    present = x[~np.isnan(x)]
    return quantile(present, 0.99) if present.size else float("nan")


def _row_uniform(t: np.ndarray, salt: float) -> np.ndarray:
    """A stable pseudo-random number per logged row, from its arrival time: the same row gets the
    same draw whichever window it is read in."""
    return np.asarray((t * salt) % 1.0)


class Incident:
    """One fault of one kind on one model, with its own course and facts."""

    def __init__(self, kind: FaultKind, model: str, onset: int, params: dict[str, Any],
                 incident_id: str = "main") -> None:
        self.id = incident_id
        self.kind = kind
        self.model = model
        self.raw_params = dict(params)
        self.params: dict[str, Any] = {}
        self.ns: dict[str, Any] = {}
        self.course = Course(onset=onset, ramp=kind.ramp, recovery=kind.recovery,
                             lasts=kind.lasts, earlier=tuple(kind.earlier))
        self.canary_pct = 0.0
        self.revisions: list[int] = []
        self.changes: list[dict[str, Any]] = []
        self.page_at: int | None = None
        self._derived: dict[str, float] | None = None

    # -- identity ----------------------------------------------------------------------------
    @property
    def onset(self) -> int:
        return self.course.onset

    @property
    def lead(self) -> int:
        """Minutes before the onset the fault's first effect starts to build (a leak)."""
        return max((e.lead for e in self.kind.metrics), default=0)

    @property
    def affected_share(self) -> float:
        if self.kind.affected_share is None:
            return self.canary_pct or 1.0
        return self.num(self.kind.affected_share)

    def num(self, v: Number) -> float:
        if isinstance(v, str):
            m = PARAM_REF.match(v)
            if not m:
                raise ValueError(f"{self.kind.id}: {v!r} is neither a number nor params.NAME")
            return float(self.params[m.group(1)])
        return float(v)

    def minute(self, v: Number) -> int:
        """A minute relative to the onset: a literal or `params.NAME`."""
        return round(self.num(v))

    def name_of(self, v: str) -> str:
        """A feature or source name: literal, `params.NAME` or `feature.source`."""
        m = PARAM_REF.match(v)
        if m:
            return str(self.params[m.group(1)])
        if v == "feature.source":
            return str(self.ns["feature"]["source"])
        return v

    def renames_to_unknown(self) -> bool:
        """Whether a `remap` serves a value the feature never had in training (a counter of
        unseen categories sees those requests); a remap within the training vocabulary serves
        only known values. Read from the kind and the model alone, before or after setup."""
        features = {f.name: f for f in ARCHETYPES_BY_NAME[self.model].features} \
            if self.model in ARCHETYPES_BY_NAME else {}
        for e in self.kind.rows:
            if e.op != "remap" or not e.mapping:
                continue
            m = PARAM_REF.match(e.feature)
            name = e.feature if not m else self.params.get(
                m.group(1), self.raw_params.get(m.group(1), self.kind.params[m.group(1)].default))
            spec = features.get(str(name))
            known = set(spec.categories) if spec is not None else set()
            if any(v not in known for v in e.mapping.values()):
                return True
        return False

    def active(self, world: World, t: float) -> float:
        return float(self.course.intensity(np.array([t]))[0])

    # -- setup -------------------------------------------------------------------------------
    def resolve_params(self) -> None:
        """The kind's parameters as this incident sets them, the kind's defaults for the rest:
        what `setup` starts from, and all that the questions read from the kind and the model
        alone need (`impact.silent` of an incident named in a saved record)."""
        for name, p in self.kind.params.items():
            self.params[name] = self.raw_params.get(name, p.default)

    def setup(self, world: World) -> None:
        """Resolve parameters, fill the namespace from the world, and write the history."""
        m = world.model(self.model)
        self.resolve_params()
        feature = next((self.params[n] for n, p in self.kind.params.items()
                        if p.type == "feature"), None)
        stable = m.live_deploy(self.onset)
        ns: dict[str, Any] = {
            "params": dict(self.params), "onset": hhmm(self.onset),
            "onset_iso": f"{date_of(self.onset):%Y-%m-%dT%H:%M:%SZ}",
            "model": {"name": m.name, "owner": m.owner, "team": m.team,
                      "hardware": m.hardware, "replicas": m.replicas,
                      "quality": m.archetype.quality_metric},
            "old": dict(stable.config), "new": dict(stable.config),
            "versions": {"stable": stable.model_version, "new": stable.model_version},
            "image": {"old": stable.image, "new": stable.image},
            "revision": stable.revision,
        }
        if feature is not None:
            spec = m.feature(str(feature))
            ns["feature"] = {"name": spec.name, "source": spec.source, "unit": spec.unit,
                             "kind": spec.kind}
            if spec.kind == "continuous":
                ns["ref"] = dict(world.training_quantiles(self.model, spec.name))
        if m.gpu_type:
            ns["gpu"] = _gpu_facts(m.gpu_type, int(stable.config.get("batch_size", 32)),
                                   int(stable.config.get("batch_size", 32)))
        self.ns = ns
        for entry in self.kind.history:
            if isinstance(entry, DeployEntry):
                self._deploy(world, entry)
            else:
                self._pipeline(world, entry)
        if m.gpu_type:
            ns["gpu"] = _gpu_facts(m.gpu_type, int(ns["old"].get("batch_size", 32)),
                                   int(ns["new"].get("batch_size", 32)))
        if self.kind.transform:
            TRANSFORMS[self.kind.transform](self, world)

    def _deploy(self, world: World, e: DeployEntry) -> None:
        m = world.model(self.model)
        at = self.onset + self.minute(e.at)
        base = m.live_deploy(at)
        config = dict(base.config)
        ns = {**self.ns, "old": dict(base.config)}
        for k, v in e.config.items():
            config[k] = resolve_config(v, base.config.get(k), self.params,
                                       lambda text: fill(text, ns))
        version = base.model_version
        if e.new_version:
            last = m.versions[-1]
            version = f"v{int(last.version[1:]) + 1}"
            m.versions.append(Version(
                version=version, training_data=f"{m.name}-train-20260315",
                hyperparameters={**last.hyperparameters,
                                 **({"feature_set": "v7"} if e.signature_change else {})},
                eval_scores={"delta": round(last.eval_scores["delta"] + 0.012, 3),
                             "auc": last.eval_scores["auc"]},
                registered_by=m.owner, registered_at=at - 300))
            self.ns["versions"] = {"stable": base.model_version, "new": version}
        image = base.image
        if e.image_tag:
            image = base.image.rsplit(":", 1)[0] + ":" + fill(e.image_tag, self.ns)
        elif e.new_version:
            image = base.image.rsplit(":", 1)[0] + f":1.{version[1:]}.0"
        self.ns["old"], self.ns["new"] = dict(base.config), config
        self.ns["image"] = {"old": base.image, "new": image}
        pct = 0 if e.shadow else int(self.num(e.canary_pct))
        if 0 < pct < 100:
            self.canary_pct = pct / 100
        revision = len(m.deploys) + 1
        self.ns["revision"] = revision
        self.revisions.append(revision)
        by = "deploy-bot for " + m.owner if e.by_role == "deploy-bot" else world.person(e.by_role)
        m.deploys.append(Deploy(revision=revision, model_version=version, config=config,
                                image=image, canary_pct=pct, promoted_by=by,
                                at=at, note=fill(e.note, self.ns), shadow=e.shadow))

    def _pipeline(self, world: World, e: PipelineEntry) -> None:
        source = self.name_of(e.source)
        base = world.schema_version(source)
        self.ns["source"] = source
        self.ns["schema"] = {"from": base, "to": base + e.schema_bump}
        self.changes.append({
            "at": self.onset + self.minute(e.at), "source": source, "schema_from": base,
            "schema_to": base + e.schema_bump, "by": e.by_system or world.person(e.by_role),
            "change": fill(e.change, self.ns), "last_run_ok": e.last_run_ok,
            "freshness_min": e.freshness_min,
        })

    # -- telemetry ---------------------------------------------------------------------------
    def _share(self, scope: str, revision: str | None) -> float:
        if scope == "all":
            return 1.0
        if revision == "canary":
            return 1.0
        if revision == "stable":
            return 0.0
        return self.canary_pct

    def metric(self, world: World, model: str, metric: str, t: np.ndarray, base: np.ndarray,
               revision: str | None) -> np.ndarray:
        if model != self.model:
            return base
        v = base
        for e in self.kind.metrics:
            if e.metric == metric or ("{" in e.metric and fill(e.metric, self.ns) == metric):
                v = self._apply_metric(world, e, t, v, revision)
        if metric.startswith(AGE_SERIES):
            feature = metric.removeprefix(AGE_SERIES)
            source = next((f.source for f in world.model(model).features if f.name == feature),
                          None)
            age = None if source is None else self.stale_age(source, t)
            if age is not None:
                v = np.where(np.isnan(age), v, age)
        derived = self.derived(world)
        if metric in derived:
            quality = metric == world.model(model).archetype.quality_metric
            lagged = quality and not any(e.op == "missing" for e in self.kind.labels)
            k = self._k(world, t, "labels" if lagged else "none")
            k = k * self._share(self._rows_scope(), revision)
            target = derived[metric]
            if "_base:" + metric in derived:
                v = v + (target - derived["_base:" + metric]) * k  # a level
            else:
                v = v * (1 + (target - 1) * k)  # a ratio to the healthy value
            if not metric.startswith(FEATURE_LEVELS) and metric != "mae":
                v = np.clip(v, 0, 1)
        return v

    def _k(self, world: World, t: np.ndarray, lag: str) -> np.ndarray:
        if lag == "labels":
            return self.course.intensity(t - world.model(self.model).archetype.label_lag_min)
        return self.course.intensity(t)

    def _apply_metric(self, world: World, e: MetricEffect, t: np.ndarray, base: np.ndarray,
                      revision: str | None) -> np.ndarray:
        k = self._k(world, t, e.lag)
        if e.lead:
            # What built up before the onset holds until a fix; after a transient (`lasts`)
            # fades it stays: the slow trend under the blip that paged.
            built = np.clip((t - self.onset + e.lead) / e.lead, 0, 1)
            until = float(self.onset + self.course.ramp) if self.course.lasts is None \
                else np.inf
            fixed = self.course.fixed_at()
            if fixed is not None:
                until = min(until, float(fixed))
            k = np.where(t < until, np.maximum(k, built), k)
        k = k * self._share(e.scope, revision)
        value = self.num(e.value)
        if e.op == "countdown":
            left = (self.onset - t) / DAY + value
            out = np.where(t < self.onset, left, base + (left - base) * k)
        elif e.op == "hold":  # no new samples: the last value scraped before the onset
            last = tm.baseline(world.seed, world.model(self.model), e.metric,
                               np.array([self.onset - 1]), world.stats(self.model))
            out = np.where(k >= 0.5, float(last[0]), base)
        elif e.op == "elapsed":  # the age itself ignores the ramp; a fix brings the base back
            out = base + (np.maximum(t - self.onset, 0) + value) * (k > 0)
        elif e.op == "add":
            delta = value * k
            out = base + (np.round(delta) if e.round else delta)
        elif e.op == "scale":
            out = base * (1 + (value - 1) * k)
        else:
            out = base + (value - base) * k
        if e.clip is not None:
            out = np.clip(out, *e.clip)
        elif e.metric in ("error_rate", "gpu_mem_frac", "gpu_util", "cpu_util", "pred_mean",
                          "f1") or e.metric.startswith("feature_null_rate:"):
            out = np.clip(out, 0, 1)
        return out

    def _rows_scope(self) -> str:
        scopes = {e.scope for e in self.kind.rows} | {e.scope for e in self.kind.scores}
        return "canary" if scopes == {"canary"} else "all"

    def share_derived(self, other: Incident) -> None:
        """Take `derived` from the same incident of a world of the same seed and spec."""
        if other._derived is not None:
            self._derived = other._derived

    def derived(self, world: World) -> dict[str, float]:
        """What the row and score effects do to the model's own summary series at full
        intensity, measured on the training reference: so dashboards, alerts, drift tests and
        the labels tool all tell the same story."""
        if self._derived is not None:
            return self._derived
        out: dict[str, float] = {}
        if self.kind.rows or self.kind.scores or self.kind.labels:
            stats = world.stats(self.model)
            m = world.model(self.model)
            ref = stats.reference
            t = np.full(len(stats.reference_scores), float(self.onset + 10 * self.kind.ramp + 60))
            t = t + np.linspace(0, 0.999, len(t))
            full = self._rows(m, t, dict(ref), np.ones(len(t)), all_rows=True)
            raw = world.score(self.model, full)
            scores = self._scores(t, raw, np.ones(len(t)), all_rows=True)
            labels, lag = self._labels(t, raw, stats.reference_labels,
                                       np.zeros(len(t)), np.ones(len(t)), np.ones(len(t)))
            kept = np.isfinite(lag)
            if not kept.all():
                out["label_volume_ratio"] = float(kept.mean())
                out["_base:label_volume_ratio"] = 1.0
            for f in m.features:
                x, x0 = full[f.name], ref[f.name]
                if f.kind == "continuous":
                    xs = x.astype(float)
                    null = float(np.mean(np.isnan(xs)))
                    x0 = np.asarray(x0, dtype=float)
                    if null < 1:
                        # A positive (log-normal) feature moves by a ratio, as its noise does;
                        # one centred on zero by a level, so it moves too.
                        for series, stat in (("feature_mean", np.nanmean), ("feature_std",
                                             np.nanstd), ("feature_p99", _p99)):
                            now, before = float(stat(xs)), float(stat(x0))
                            if abs(now - before) <= 1e-9 * max(1.0, abs(before)):
                                continue
                            if f.dist == "lognormal" and before > 0:
                                out[f"{series}:{f.name}"] = now / before
                            else:
                                out[f"{series}:{f.name}"] = now
                                out[f"_base:{series}:{f.name}"] = before
                else:
                    # Counted over the values as Python objects (the shares np.mean of a list of
                    # flags gives, to the bit, without building an array of them).
                    values = x.tolist()
                    null = values.count(None) / len(values)
                    known = {*f.categories, None}
                    unseen = sum(n for v, n in Counter(values).items() if v not in known) \
                        / len(values)  # the values not known, counted by value
                    if unseen > 0:
                        out[f"feature_unseen_rate:{f.name}"] = unseen
                        out[f"_base:feature_unseen_rate:{f.name}"] = 0.0
                if null > 0:
                    out[f"feature_null_rate:{f.name}"] = null
                    out[f"_base:feature_null_rate:{f.name}"] = 0.0
            finite = scores[np.isfinite(scores)]
            if len(finite):
                out["pred_mean"] = float(finite.mean())
                out["_base:pred_mean"] = stats.pred_mean
            nan_share = float(np.mean(~np.isfinite(scores)))
            if nan_share:
                out["pred_nan_ratio"] = nan_share
                out["_base:pred_nan_ratio"] = 0.0
            if kept.any():
                quality = measure(m.archetype, scores[kept], labels[kept],
                                  stats.reference_scores[kept], stats.threshold)
            else:  # no label arrives: a monitor over an empty window reads no true positives
                quality = 0.0 if higher_is_better(m.archetype) else stats.quality
            if stats.quality > 0 and quality is not None:
                out[m.archetype.quality_metric] = quality / stats.quality
        self._derived = out
        return self._derived

    # -- rows and scores ---------------------------------------------------------------------
    def _hit(self, t: np.ndarray) -> np.ndarray:
        return self.course.intensity(t) >= 0.5

    def _on_canary(self, t: np.ndarray) -> np.ndarray:
        return _row_uniform(t, 7919.13) < self.canary_pct

    def transform_rows(self, world: World, model: str, t: np.ndarray,
                       features: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if model != self.model or not self.kind.rows:
            return features
        return self._rows(world.model(model), t, features, self._hit(t))

    def _rows(self, m: Any, t: np.ndarray, features: dict[str, np.ndarray], hit: np.ndarray,
              all_rows: bool = False) -> dict[str, np.ndarray]:
        out = dict(features)
        for i, e in enumerate(self.kind.rows):
            name = self.name_of(e.feature)
            x = out[name]
            # Effects with the same share touch the same rows (an attack's slice is one slice).
            first = next(j for j, r in enumerate(self.kind.rows) if r.share == e.share)
            sel = self._selected(e.scope, e.share, t, hit, all_rows, 104_729.7 + 31 * first)
            if not sel.any():
                continue
            spec = m.feature(name)
            if e.op in ("scale", "shift"):
                xv = x.astype(float)
                new = xv * self.num(e.value) if e.op == "scale" else xv + self.num(e.value)
                out[name] = np.where(sel, new, xv)
            elif e.op in ("nulls", "nan"):
                if spec.kind == "continuous":
                    out[name] = np.where(sel, np.nan, x.astype(float))
                else:
                    y = x.copy()
                    y[sel] = None
                    out[name] = y
            elif e.op == "inject":
                y = x.copy()
                y[sel] = fill(e.category, self.ns) if e.category else e.category
                out[name] = y
            elif e.op == "freeze":
                if spec.kind == "continuous":
                    frozen = float(np.exp(spec.loc)) if spec.dist == "lognormal" else spec.loc
                    out[name] = np.where(sel, frozen, x.astype(float))
                else:
                    y = x.copy()
                    y[sel] = spec.categories[int(np.argmax(spec.probs))]
                    out[name] = y
            elif e.op == "jitter":
                # A stable standard normal per row (Box-Muller on two arrival-time draws).
                u1 = np.clip(_row_uniform(t, 7_727.31 + 13 * i), 1e-12, 1.0)
                u2 = _row_uniform(t, 3_571.13 + 29 * i)
                noise = np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2) * \
                    self.num(e.value) * spec.scale
                xv = x.astype(float)
                new = xv * np.exp(noise) if spec.dist == "lognormal" else xv + noise
                out[name] = np.where(sel, new, xv)
            elif e.op == "remap":
                y = x.copy()
                for before, after in (e.mapping or {}).items():
                    y[sel & (x == before)] = fill(after, self.ns)
                out[name] = y
            elif e.op == "swap" and e.other:
                other = self.name_of(e.other)
                a, b = x.astype(float), out[other].astype(float)
                out[name], out[other] = np.where(sel, b, a), np.where(sel, a, b)
        return out

    def transform_scores(self, world: World, model: str, t: np.ndarray,
                         scores: np.ndarray) -> np.ndarray:
        if model != self.model or not self.kind.scores:
            return scores
        return self._scores(t, scores, self._hit(t))

    def _selected(self, scope: str, share: Number, t: np.ndarray, hit: np.ndarray,
                  all_rows: bool, salt: float) -> np.ndarray:
        """The rows an effect touches: hit by the fault, on the canary if scoped there, and a
        stable share of them (by arrival time, so a row is chosen whatever window reads it)."""
        sel = hit.astype(bool)
        if scope == "canary" and not all_rows:
            sel = sel & self._on_canary(t)
        fraction = self.num(share)
        if fraction < 1:
            sel = sel & (_row_uniform(t, salt) < fraction)
        return sel

    def _scores(self, t: np.ndarray, scores: np.ndarray, hit: np.ndarray,
                all_rows: bool = False) -> np.ndarray:
        out = scores
        for i, e in enumerate(self.kind.scores):
            sel = self._selected(e.scope, e.share, t, hit, all_rows, 15_485.863 + 17 * i)
            z = np.log(np.clip(out, 1e-9, 1) / np.clip(1 - out, 1e-9, 1))
            if e.op == "affine":
                new = 1 / (1 + np.exp(-(self.num(e.a) * z + self.num(e.b))))
            elif e.op == "shift":
                new = 1 / (1 + np.exp(-(z + self.num(e.value))))
            elif e.op == "constant":
                new = np.full(out.shape, self.num(e.value))
            else:
                new = np.full(out.shape, np.nan)
            out = np.where(sel, new, out)
        return out

    def transform_labels(self, world: World, model: str, t: np.ndarray, raw: np.ndarray,
                         label: np.ndarray, lag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ground truth of logged requests and when it arrives, label effects applied; `raw`
        is the model's score on the served inputs (before any score effect)."""
        if model != self.model or not self.kind.labels:
            return label, lag
        arrive = self.course.intensity(t + lag) >= 0.5
        return self._labels(t, raw, label, lag, self._hit(t), arrive)

    def _labels(self, t: np.ndarray, raw: np.ndarray, label: np.ndarray, lag: np.ndarray,
                hit: np.ndarray, arrive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        label, lag = np.asarray(label, dtype=bool), np.asarray(lag, dtype=float)
        for i, e in enumerate(self.kind.labels):
            share = self.num(e.share)
            pick = _row_uniform(t, 49_979.687 + 13 * i) < share
            if e.op == "missing":
                lag = np.where(arrive.astype(bool) & pick, np.inf, lag)
                continue
            sel = hit.astype(bool) & pick
            if e.op == "positive":
                label = np.where(sel, True, label)
            elif e.op == "negative":
                label = np.where(sel, False, label)
            else:
                label = np.where(sel, _row_uniform(t, 86_028.121 + 7 * i) < raw, label)
        return label, lag

    # -- logs ----------------------------------------------------------------------------------
    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        if model != self.model or not self.kind.logs:
            return []
        m = world.model(model)
        lines: list[LogLine] = []
        first = min([self.onset, *(self.onset + self.minute(tpl.since)
                                   for tpl in self.kind.logs if tpl.since is not None)])
        minutes = np.arange(max(t0, first), t1)
        if not len(minutes):
            return lines
        k = self.course.intensity(minutes)
        for j, tpl in enumerate(self.kind.logs):
            since = self.onset if tpl.since is None else self.onset + self.minute(tpl.since)
            for minute, ki in zip(minutes.tolist(), k.tolist(), strict=True):
                if minute < since or minute % tpl.every != tpl.phase % tpl.every:
                    continue
                if ki < tpl.min_intensity and not (minute < self.onset and tpl.since is not None):
                    continue  # a writer that started before the onset writes until the onset
                pods = writers(world, m, tpl.pods, minute)
                if not pods:
                    continue  # no shadow revision runs: nothing writes it
                for i in range(tpl.per_minute):
                    # Several lines a minute come from the pods in turn, spread over it.
                    pod = pods[(minute * tpl.per_minute + i) % len(pods)]
                    at = minute + (i + 0.1 + 0.2 * (j % 4)) / tpl.per_minute
                    text = fill(tpl.template, {**self.ns, "pod": pod, "minute": hhmm(minute),
                                               "now_iso": _iso_at(at)})
                    lines.append(LogLine(at, tpl.level, model, pod, text))
        return lines

    def _revert(self, at: int, by: str, message: str) -> None:
        """A fix that says the producer went back to the schema before the incident's change
        (`... reverted to v7`, `... rolled back to v7`) puts that revert in the pipeline's
        changelog, so the pipeline shows the version the fix names."""
        for c in list(self.changes):
            back = f"to v{c['schema_from']}"
            if c["schema_to"] != c["schema_from"] and back in message and \
                    any(w in message for w in ("reverted", "rolled back")):
                self.changes.append({
                    "at": at, "source": c["source"], "schema_from": c["schema_to"],
                    "schema_to": c["schema_from"], "by": by,
                    "change": f"{c['source']} v{c['schema_from']}: reverted v{c['schema_to']}",
                    "last_run_ok": True, "freshness_min": None})

    def stale_age(self, source: str, t: np.ndarray) -> np.ndarray | None:
        """How old `source`'s features are at each minute of `t` while a failed run this
        incident recorded (a pipeline change with `freshness_min`) keeps them from being
        materialised: the age they had when it failed, a minute older every minute, until a
        later run of the source succeeds (a change with `last_run_ok`) or a fix lands and the
        fault has faded. NaN where nothing is stale; None if no run of `source` failed here.
        The age series and the pipelines view both read it: one age for both."""
        mine = sorted((c for c in self.changes if c["source"] == source), key=lambda c: c["at"])
        failed = [(i, c) for i, c in enumerate(mine) if c.get("freshness_min") is not None]
        if not failed:
            return None
        out = np.full(t.shape, np.nan)
        fixed = self.course.fixed_at()
        faded = (t >= fixed) & (self.course.intensity(t) <= 0) if fixed is not None else \
            np.zeros(t.shape, dtype=bool)
        for i, c in failed:
            at = int(c["at"])
            end = next((d["at"] for d in mine[i + 1:] if d.get("last_run_ok")), np.inf)
            on = (t >= at) & (t < end) & ~faded
            healthy = tm.drawn_from_nothing(AGE_SERIES, np.array([at]))
            assert healthy is not None  # an age is drawn from nothing
            out = np.where(on, float(healthy[0]) + int(c["freshness_min"]) + (t - at), out)
        return out

    def pipeline_changes(self, model: str, t: int) -> list[dict[str, Any]]:
        """The pipeline changes this incident made on `model` by minute t."""
        if model != self.model:
            return []
        return [c for c in self.changes if c["at"] <= t]

    # -- infrastructure ----------------------------------------------------------------------
    def unreadies_pods(self) -> bool:
        """Whether the kind takes pods out of serving (any status but Running: crash-looping,
        not ready, waiting on an init container, Pending, Evicted)."""
        return any(isinstance(e, PodsEffect | HpaEffect) and e.status != "Running"
                   for e in self.kind.infra)

    def holds_pending(self) -> bool:
        """Whether the kind leaves pods Pending or Evicted (pods that run no container, so write
        no logs)."""
        return any(isinstance(e, PodsEffect | HpaEffect) and e.status in SILENT_PODS
                   for e in self.kind.infra)

    def infra(self, world: World, model: str, state: dict[str, Any],
              t: int | None = None) -> dict[str, Any]:
        if model != self.model:
            return state
        now = world.now if t is None else t
        k = self.active(world, now)
        # The size the kind's autoscaler scales to, as its events name it whether or not it is
        # still scaled up when someone looks.
        scaled = next((_scaled(state["hpa"], e) for e in self.kind.infra
                       if isinstance(e, HpaEffect) and e.add), state["hpa"]["replicas"])
        need = self._nodes_needed()
        if need > len(state["nodes"]):
            _spread(state, tm.node_disk_levels(world.seed, world.model(model), need))
        # One state whatever order the kind lists its effects in: nodes take their fields before
        # a `where_node` reads them, and events count the pods once every pods effect has run.
        for i, e in sorted(enumerate(self.kind.infra), key=lambda ie: _infra_order(ie[1])):
            if isinstance(e, PodsEffect):
                fixed = self.course.fixed_at()
                if k < e.min_intensity or (fixed is not None and now >= fixed):
                    continue  # a fix that landed lets the pods go: they restart no more
                pods = state["pods"] if e.scope == "all" else next(
                    (r["pods"] for r in state["revisions"] if r["role"] == "canary"), [])
                if not pods:
                    continue  # no canary running (paused, rolled back): none of its pods
                if e.where_node is not None:
                    nodes = {nd["name"]: nd for nd in state["nodes"]}
                    pods = [p for p in pods if all(
                        nodes.get(p["node"], {}).get(f) == v for f, v in e.where_node.items())]
                    if not pods:
                        continue
                n = max(1, round(len(pods) * self.num(e.share)))
                state["crashing"] = n
                for pod in pods[:n]:
                    pod["status"] = e.status
                    pod["last_state"] = fill(e.last_state, self.ns)
                if self.restarts_of(e) != (0.0, 0.0):
                    # The pods it restarts this minute; their restarts are counted from these
                    # (`oncall.sim.restarts`), for the infra view and the series alike.
                    state.setdefault("restarting", []).append(
                        (self.id, i, "canary" if e.scope == "canary" else "stable",
                         [p["name"] for p in pods[:n]]))
            elif isinstance(e, EventEffect):
                at = self.onset + self.minute(e.at)
                if self._happened(at, now):
                    crashing = state.get("crashing", len(state["pods"]))
                    if at != now and "{crashing}" in e.message:
                        # An event keeps the count of its own minute, whenever it is read.
                        crashing = sum(p["status"] != "Running" for p in world.infra(
                            model, at, counted=False)["pods"]) or crashing
                    ns = {**self.ns, "crashing": crashing,
                          "replicas": scaled}
                    state["events"].append({"at": at, "type": e.type,
                                            "reason": e.reason, "message": fill(e.message, ns)})
            elif e.kind == "nodes":
                if k >= e.min_intensity:
                    for node in state["nodes"][:e.count]:
                        node[e.field] = fill(e.value, self.ns) if isinstance(e.value, str) \
                            else e.value
            elif e.kind == "certificate":
                if now >= self.onset:
                    state["certificate"]["days_left"] = round(self.num(e.days_left), 1)
                    if e.issuer_note:
                        state["certificate"]["note"] = fill(e.issuer_note, self.ns)
            elif isinstance(e, HpaEffect) and k >= e.min_intensity:
                hpa = state["hpa"]
                if e.add:
                    before = len(state["pods"])
                    hpa["replicas"] = _scaled(hpa, e)
                    hpa["at_max"] = hpa["replicas"] >= hpa["max_replicas"]
                    follow_hpa(world, model, state, now)
                    for pod in state["pods"][before:]:
                        pod["status"] = e.status
                        pod["last_state"] = fill(e.last_state, self.ns)
                else:
                    hpa["at_max"] = e.to_max
                    if e.to_max:
                        hpa["replicas"] = hpa["max_replicas"]
                        follow_hpa(world, model, state, now)
        return state

    def autoscaler_changes(self, t: np.ndarray) -> np.ndarray:
        """The minutes of `t` at which one of the kind's autoscaler effects starts or stops (its
        intensity crosses the effect's threshold), where the infra view's replicas change."""
        return self.infra_changes(t, (HpaEffect,))

    def infra_changes(self, t: np.ndarray, kinds: tuple[type, ...] = (
            PodsEffect, NodesEffect, HpaEffect)) -> np.ndarray:
        """The minutes of `t` at which one of the kind's infra effects of those kinds starts or
        stops (its intensity crosses the effect's threshold)."""
        out = np.zeros(len(t), dtype=bool)
        k = self.course.intensity(t) if len(t) else np.zeros(0)
        fixed = self.course.fixed_at()
        if PodsEffect in kinds and fixed is not None and len(t) and t[0] < fixed <= t[-1]:
            out[int(fixed - t[0])] = True  # the pods effect lets its pods go
        for e in self.kind.infra:
            if isinstance(e, PodsEffect | NodesEffect | HpaEffect) and isinstance(e, kinds):
                on = k >= e.min_intensity
                out[1:] |= on[1:] != on[:-1]
        return out

    def restarts_of(self, e: InfraEffect) -> tuple[float, float]:
        """An infra effect's container restarts: how many each pod a pods effect takes has had
        when first taken, and how many more a minute at full intensity; none for any other."""
        if not isinstance(e, PodsEffect):
            return 0.0, 0.0
        return self.num(e.restarts), self.num(e.restarts_per_min)

    def counts_restarts(self) -> bool:
        """Whether a pods effect of the kind restarts containers (what the `restarts` series and
        the infra view's counters count)."""
        return any(isinstance(e, PodsEffect) and self.restarts_of(e) != (0.0, 0.0)
                   for e in self.kind.infra)

    def selects_by_node(self) -> bool:
        """Whether a pods effect that restarts containers picks its pods by their node (whose
        fields may change at any minute)."""
        return any(isinstance(e, PodsEffect) and e.where_node is not None
                   and self.restarts_of(e) != (0.0, 0.0) for e in self.kind.infra)

    def _nodes_needed(self) -> int:
        """Nodes the model must run on for the kind to mean what it says: a kind that takes the
        first N nodes and the pods on them takes some of the model's nodes, never all of it."""
        takes = [e.count for e in self.kind.infra if isinstance(e, NodesEffect) and e.count]
        selects = any(isinstance(e, PodsEffect) and e.where_node for e in self.kind.infra)
        return max(takes) + 1 if takes and selects else 0

    def _happened(self, at: int, now: int) -> bool:
        """Whether an event stamped `at` is on the record at minute `now`: it happened once the
        fault had reached a third of its strength at or after `at`, and the cluster keeps it for
        EVENT_TTL minutes, so a look after the fault ended still lists it."""
        if not at <= now < at + EVENT_TTL:
            return False
        minutes = np.arange(at, now + 1, dtype=float)
        return bool((self.course.intensity(minutes) >= 0.3).any())

    # -- interventions -----------------------------------------------------------------------
    def rollback_config(self, current: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
        """The config a rollback of the incident's model deploys: the earlier revision's
        (`target`), with the keys the kind keeps as they are now and the keys it sets."""
        rb = self.kind.rollback
        config = dict(target)
        for k in rb.keep:
            if k in current:
                config[k] = current[k]
        ns = {**self.ns, "old": dict(current)}
        for k, v in rb.set.items():
            config[k] = resolve_config(v, current.get(k), self.params, lambda text: fill(text, ns))
        return config

    def respond(self, world: World, iv: Intervention) -> Outcome:
        ns = {**self.ns, "team": iv.team or "", "fix": iv.fix or ""}
        if iv.kind == "escalate" and iv.incident is None and iv.model not in (None, self.model):
            # About a model with no fault of its own (`World.incident_for` found none on it):
            # the team looks there, not at this fault, and finds nothing to act on.
            return Outcome("none", f"{iv.team} looked at {iv.model} after a while: nothing "
                           "they own there needs changing tonight, so they took no action.",
                           delay=12, by=iv.team or "")
        if iv.kind == "escalate" and iv.incident is None and iv.model is None and (
                self.page_at is None or world.now < self.page_at):
            # Before this fault has paged, an escalation naming no model and no incident asks a
            # team to look at nothing in particular: they find nothing to act on (what they
            # would find is the cause of a fault no one has yet seen a sign of).
            return Outcome("none", f"{iv.team} looked after a while: with no page open and no "
                           "model named, nothing they own needs changing tonight, so they took "
                           "no action.", delay=12, by=iv.team or "")
        matched = [r for r in self.kind.responses if _answers(r.when, iv, self.model)]
        if matched and world.now + matched[0].delay < self.onset - self.lead:
            # The move lands before the fault has begun: it meets nothing (the fault is still
            # to come, and comes as it would have).
            if iv.kind == "escalate":
                return Outcome("none", f"{iv.team} looked at {iv.model} after a while: nothing "
                               "they own there needs changing tonight, so they took no action.",
                               delay=12, by=iv.team or "")
            return Outcome("none", _elsewhere(world, iv),
                           cost_usd_per_hour=matched[0].cost_usd_per_hour)
        stopped = self.course.fixed_at()
        if iv.kind != "escalate" and stopped is not None and stopped <= world.now:
            # The fault has stopped: the move meets none of it, so its answer is what the
            # platform's tooling reports it did (what it costs still counts), never the kind's
            # words about a fault still running.
            cost = matched[0].cost_usd_per_hour if matched else 0.0
            return Outcome("none", _elsewhere(world, iv), cost_usd_per_hour=cost)
        if matched:
            r = matched[0]
            by = r.by if r.by != "team" else (iv.team or "you")
            message = fill(r.message, ns)
            if r.outcome == "fixes":
                self._revert(world.now + r.delay, by, message)
            return Outcome(r.outcome, message, r.delay, by, r.cost_usd_per_hour)
        if iv.kind == "escalate":
            return Outcome("none", fill(self.kind.otherwise.escalation, ns), delay=12,
                           by=iv.team or "")
        if iv.model is not None and iv.model != self.model:
            return Outcome("none", _elsewhere(world, iv))
        return Outcome("none", fill(self.kind.otherwise.message, ns))

    # -- evidence ------------------------------------------------------------------------------
    def signals(self, kind: str, args: dict[str, Any], data: dict[str, Any],
                text: str) -> list[str]:
        """The signals an observation's own content shows."""
        if args.get("model") != self.model:
            return []
        return sorted({fill(s.id, self.ns) for s in self.kind.signals
                       if s.tool == kind and self._shows(s, args, data, text)})

    def _shows(self, s: Signal, args: dict[str, Any], data: dict[str, Any], text: str) -> bool:
        if s.text is not None:
            body = "\n".join([text, *(str(ln.get("message", "")) for ln in data.get("lines", ()))])
            if not re.search(_RE_FMT.format(s.text, **self.ns), body):
                return False
        if s.metric is not None:
            if data.get("metric") != fill(s.metric, self.ns):
                return False
            values = np.asarray(data.get("values", []), dtype=float)
            values = values[np.isfinite(values)]
            if not len(values):
                return False
            if s.above is not None and not (values.max() > self.num(s.above)):
                return False
            if s.below is not None and not (values.min() < self.num(s.below)):
                return False
            lo, hi = float(np.min(np.abs(values))), float(np.max(np.abs(values)))
            # A series that fell to zero (or rose from it) moved by more than any ratio.
            if s.ratio_above is not None and not (hi > 0 and (lo == 0 or
                                                              hi / lo > self.num(s.ratio_above))):
                return False
            if s.ratio_below is not None and not (hi > 0 and lo / hi < self.num(s.ratio_below)):
                return False
        if s.by_revision and not _revision_gap(data):
            return False
        if s.drifted is not None:
            col = fill(s.drifted, self.ns)
            if not data.get("drifted"):
                return False
            if data.get("feature") != col and col not in data.get("drifted_columns", ()):
                return False
        if s.config_changed is not None or s.new_deploy or s.no_new_deploy or s.image_changed:
            shown = data.get("deploys", [])[-4:]
            recent = [d for d in shown if d["at"] >= self.onset - SHIFT_LOOKBACK]
            if s.new_deploy and not recent:
                return False
            if s.no_new_deploy and (recent or not shown):
                return False
            if s.config_changed is not None and not any(
                    a["config"].get(s.config_changed) != b["config"].get(s.config_changed)
                    for a, b in itertools.pairwise(shown)):
                return False
            if s.image_changed and not any(
                    a["image"] != b["image"] and a["model_version"] == b["model_version"]
                    for a, b in itertools.pairwise(shown)):
                return False
        return True


def _answers(w: When, iv: Intervention, model: str) -> bool:
    """Whether a response's `when` matches the intervention (made on the fault's `model`)."""
    if iv.kind not in w.kind:
        return False
    if w.fix is not None and iv.fix not in w.fix:
        return False
    if w.team is not None and iv.team not in w.team:
        return False
    if iv.kind != "escalate":
        if w.model == "target" and iv.model != model:
            return False
        if w.model == "other" and iv.model == model:
            return False
    return True


def _elsewhere(world: World, iv: Intervention) -> str:
    """What a rollback or hotfix does where the fault is not (another model, or its own model
    once the fault has stopped), as its own tooling would report it: what now runs, never
    whether it helped (the fault's messages are about the fault running on its model)."""
    m = world.model(str(iv.model))
    live = m.live_deploy(world.now)
    if iv.kind == "rollback":
        return (f"Rolled back {m.name}: r{live.revision} ({live.model_version}) now serves all "
                f"its traffic.")
    return f"Applied {iv.fix} on {m.name} (r{live.revision}, {live.model_version})."


def _spread(state: dict[str, Any], disk: tuple[float, ...]) -> None:
    """Schedule the model's pods over one node per healthy disk level in `disk`: the nodes
    added are like its own with their own disk level, the pods (the canary's and the shadow's
    too) placed in turn as the scheduler spreads them."""
    nodes = state["nodes"]
    need = len(disk)
    prefix = nodes[0]["name"].rsplit("-", 1)[0]
    healthy = {k: v for k, v in nodes[-1].items() if k not in ("condition", "note")}
    for i in range(len(nodes), need):
        nodes.append({**healthy, "name": f"{prefix}-{i + 1:02d}", "disk_used": f"{disk[i]:.0%}"})
    for group in [state["pods"], *(r["pods"] for r in state["revisions"])]:
        for i, pod in enumerate(group):
            pod["node"] = nodes[i % len(nodes)]["name"]


def _infra_order(e: Any) -> int:
    """Where an infra effect runs: nodes first, events last, the rest as the kind lists them."""
    return {"nodes": 0, "event": 2}.get(e.kind, 1)


def _iso_at(t: float) -> str:
    """The second a line was written, as a timestamp: `2026-03-17T01:50:06Z`."""
    seconds = round((t - int(t)) * 60)
    return f"{date_of(t) + dt.timedelta(seconds=min(seconds, 59)):%Y-%m-%dT%H:%M:%SZ}"


def _scaled(hpa: dict[str, Any], e: HpaEffect) -> int:
    """The replicas an `add` effect scales the autoscaler to: up by `add`, never past its
    ceiling."""
    return min(int(hpa["replicas"]) + e.add, int(hpa["max_replicas"]))


def follow_hpa(world: World, model: str, state: dict[str, Any], t: int) -> None:
    """The pods the autoscaler's replica count says at minute t: the ones listed keep their
    state, new ones of the revision live then start Running on the nodes in turn, and a lowered
    ceiling leaves only the first ones."""
    want = int(state["hpa"]["replicas"])
    pods, nodes = state["pods"], state["nodes"]
    names = pod_names(world, model, want, world.model(model).live_deploy(t).revision)
    for i in range(len(pods), want):
        pods.append({"name": names[i], "status": "Running", "restarts": 0,
                     "node": nodes[i % len(nodes)]["name"], "last_state": ""})
    del pods[want:]


def _revision_gap(data: dict[str, Any]) -> bool:
    """Split by revision, the canary's recent values differ from stable's by over a third."""
    series = data.get("series") or {}
    stable = [v for k, v in series.items() if "(stable)" in k]
    canary = [v for k, v in series.items() if "(canary" in k]
    if not stable or not canary:
        return False
    s = float(np.mean(stable[0][-10:]))
    c = float(np.mean(canary[0][-10:]))
    return abs(c - s) > abs(s) / 3 + 1e-12


def _gpu_facts(gpu_type: str, old_batch: int, new_batch: int) -> dict[str, Any]:
    """GPU memory as the card reports it: weights take 30% of the card, activations scale with
    the batch and fill 64% of it at the batch the model was sized for."""
    cap = GPU_CAPACITY_GIB.get(gpu_type, 22.0)
    per_item = 0.34 * cap / max(old_batch, 1)
    needed = 0.30 * cap + per_item * new_batch
    allocated = round(0.946 * cap, 2)
    return {"type": gpu_type, "capacity_gib": cap, "allocated_gib": allocated,
            "needed_gib": round(needed, 2), "tried_gib": round(max(needed - allocated, 0.25), 2)}


def static_namespace(kind: FaultKind, params: dict[str, Any], model: str) -> dict[str, Any]:
    """The part of an incident's namespace known before any world exists: parameters with their
    defaults, the feature a `feature` parameter names, and the pipeline source it changes."""
    from oncall.sim.catalogue import ARCHETYPES_BY_NAME

    full = {n: params.get(n, p.default) for n, p in kind.params.items()}
    ns: dict[str, Any] = {"params": full}
    arch = ARCHETYPES_BY_NAME.get(model)
    feature = next((full[n] for n, p in kind.params.items() if p.type == "feature"), None)
    if arch is not None and feature is not None:
        spec = next((f for f in arch.features if f.name == feature), None)
        if spec is not None:
            ns["feature"] = {"name": spec.name, "source": spec.source, "unit": spec.unit,
                             "kind": spec.kind}
    for entry in kind.history:
        if isinstance(entry, PipelineEntry):
            m = PARAM_REF.match(entry.source)
            ns["source"] = str(full[m.group(1)]) if m else (
                ns.get("feature", {}).get("source", "") if entry.source == "feature.source"
                else entry.source)
    return ns


def static_signal_ids(kind: FaultKind, params: dict[str, Any], model: str) -> list[str]:
    """The evidence ids an incident of this kind on this model can show."""
    ns = static_namespace(kind, params, model)
    out = []
    for s in kind.signals:
        try:
            out.append(fill(s.id, ns))
        except (KeyError, IndexError, ValueError):
            continue
    return list(dict.fromkeys(out))
