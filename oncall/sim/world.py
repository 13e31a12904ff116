"""The simulated world: a fleet, its telemetry, its incidents, the noise around them, the clock.

Every view is computed on demand from the seed and each incident's course, so a week of history
costs nothing until asked for, and an intervention changes everything computed after it. A world
holds any number of incidents, keyed by id; one is the usual night.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from oncall.sim import restarts
from oncall.sim import telemetry as tm
from oncall.sim.alerts import RULES, Episode, Rule
from oncall.sim.clock import DAY
from oncall.sim.faultdef import FaultKind
from oncall.sim.faults import (
    AGE_SERIES,
    CANARY_PODS,
    SILENT_PODS,
    Incident,
    Intervention,
    LogLine,
    Outcome,
    follow_hpa,
    pod_names,
    writers,
)
from oncall.sim.fleet import Deploy, Fleet, Model, Version, build_fleet
from oncall.sim.latency import QUANTILES, consistent
from oncall.sim.names import Names
from oncall.sim.noise import NOISE_TYPES, Noise
from oncall.sim.quantile import quantiles

CAPACITY_FIXES = ("scale_up", "raise_max_replicas")
"""Hotfixes that add serving capacity: once one works, the infra view keeps what it added."""

VALIDATION_SHARE = 0.1
"""The serving layer's input validator logs a feature once more than this share of a 5-minute
window falls outside the training p01-p99 range, is missing, or is a category never trained on."""
LOG_BLOCK = 60
"""Minutes of routine log draws made at once (`World._log_draws`)."""


RuleValues = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A rule's minutes, its values and the running count of minutes past its threshold."""
REACH_STEP = 6 * 60
"""The night's rule values are computed six hours at a time, as far as the clock has got: a
night that ends an hour after its page never computes the next day's."""
BOUND_MARGIN = 1e-9
"""How far clear of its threshold a rule's bound must stay (`_stays_clear`): a million times
the roundoff the bound can be off by."""
PREFETCH_MODELS = 48
"""Models whose alert noise is drawn in one batch: their days fit in the noise kept in memory
(`tm.DAYS_KEPT`), and the batch's arrays stay a few tens of MB in any fleet."""


class NoPage(ValueError):
    """A fault that no alert that pages fires on within four hours of its onset: a scenario
    that places it cannot be played (`oncall validate` names its file)."""


class IncidentSpec(NamedTuple):
    """One fault placed in the world (validated upstream against its kind)."""

    kind: FaultKind
    model: str
    onset: int
    params: dict[str, Any]
    id: str = "main"


class WorldSpec(NamedTuple):
    """What a scenario asks of the world."""

    incidents: tuple[IncidentSpec, ...]
    noise: tuple[tuple[str, dict[str, Any]], ...] = ()
    fleet_size: int = 14
    total_rps: float = 500.0
    start: int | None = None
    """The minute the player starts watching (a night shift's start); None: the first page."""


class Message(NamedTuple):
    """Something that reaches the player when the clock passes `at` (a team's answer)."""

    at: int
    by: str
    text: str
    effect: str
    incident: str = "main"


class World:
    _built: dict[tuple[str, str], tuple[tuple[int, ...], int, RuleValues | None]]

    def __init__(self, seed: int, spec: WorldSpec, stats: dict[str, tm.ModelStats] | None = None,
                 fleet: Fleet | None = None, built: World | None = None) -> None:
        """`stats` and `fleet`: another world's of the same seed and spec, its fitted statistics
        and its fleet as drawn (both shared, and only ever read: this world plays on a copy), so
        as not to draw them again; `built`: that world, whose alert values as they were when it
        was built this one starts from (`fresh`)."""
        if not spec.incidents:
            raise ValueError("a world needs at least one incident")
        self.seed = seed
        self.spec = spec
        named = tuple(str(p["model"]) for _, p in spec.noise if p.get("model"))
        targets = tuple(i.model for i in spec.incidents)
        if fleet is None:
            fleet = build_fleet(seed, spec.fleet_size, spec.total_rps,
                                must_include=tuple(dict.fromkeys((*targets, *named))))
        self._drawn = fleet
        """The fleet as drawn, before the incidents wrote their deploys into it."""
        self.fleet: Fleet = _copy_fleet(fleet)
        self._stats: dict[str, tm.ModelStats] = {} if stats is None else stats
        self._people: dict[str, str] = {}
        self._blocks: dict[tuple[str, int], tm.Rows] = {}
        self._log_blocks: dict[tuple[str, int], np.ndarray] = {}
        self._firing: tuple[tuple[int, int] | None, list[Episode]] = (None, [])
        onsets = [i.onset for i in spec.incidents]
        self.seen_from = min(onsets) if spec.start is None else spec.start
        self._horizon = (min(onsets) - 8 * 60, max(onsets) + 24 * 60)
        """The minutes whose alert values are kept and sliced (the night around the incidents),
        computed as far as the clock has got (`_rule_values`); other spans are computed when
        asked."""
        self._values: dict[tuple[str, str], tuple[tuple[int, ...], int, RuleValues | None]] = \
            {} if built is None else dict(built._built)
        """Per (rule, model): the incident course's version, the minute computed up to, and the
        values (`_rule_values`)."""
        self._quiet: dict[str, int] = {}
        """Per model no incident is on: the minute up to which no rule's values of the night
        ever cross its threshold (every `_rule_values` None), so a look at the whole fleet
        passes it by without asking rule by rule."""
        self.references: dict[tuple[str, str], Any] = {}
        """Fitted drift references per (model, column), reused by every drift test."""
        self._quantiles: dict[tuple[str, str], dict[str, float]] = {}
        self._touches: dict[tuple[Any, ...], list[tuple[str, int, str, list[str]]]] = {}
        """The pods each restarting pods effect takes, per (model, minute, course)."""
        self.incidents: dict[str, Incident] = {}
        for inc in sorted(spec.incidents, key=lambda i: i.onset):
            if inc.id in self.incidents:
                raise ValueError(f"two incidents share the id {inc.id!r}")
            self.now = inc.onset
            incident = Incident(inc.kind, inc.model, inc.onset, dict(inc.params), inc.id)
            incident.setup(self)
            if built is not None:
                # What its row and score effects do at full intensity: a function of the seed,
                # the spec and the model's fitted statistics (shared), never of the course.
                incident.share_derived(built.incidents[inc.id])
            self.incidents[inc.id] = incident
        self.fault: Incident = self.incidents[spec.incidents[0].id]
        """The first incident of the spec: the night's main one."""
        others = [m for m in self.fleet.names() if m not in targets]
        rng = np.random.default_rng([seed, 3])
        self.noise: list[Noise] = []
        for i, (kind, params) in enumerate(spec.noise):
            target = params.get("model") or others[int(rng.integers(len(others)))]
            self.noise.append(NOISE_TYPES[kind](target, dict(params), i))
            self.noise[-1].setup(self)
        self.extra_cost_per_hour = 0.0
        self.pending: list[Message] = []
        self.capacity: list[tuple[int, str, str, int, int]] = []
        """Capacity the player asked for: (minute it took effect, model, fix, the autoscaler's
        replicas and ceiling when it was asked for), as `infra` lists it after."""
        for incident in self.incidents.values():
            incident.page_at = self._first_page(incident)
        self.page_at = min(i.page_at for i in self.incidents.values() if i.page_at is not None)
        self.now = self.page_at
        self.seen_from = self.page_at if spec.start is None else spec.start
        """The minute the player starts watching: the first page, or a night shift's start.
        Every figure a player is shown that counts a span (the night's budget spend, the
        certificate's days left) counts from here, never from a hidden onset."""
        self._built = dict(self._values)
        """The alert values the pages read, before anyone acted: a fresh world of the same seed
        and spec computes the same ones (each a function of the seed, the spec and the course,
        and the certificate's of the watch's start), so it starts from these."""
        # The pages never read a certificate; anything computed with it before the watch began
        # is dropped so every later read counts from `seen_from`.
        self._values = {k: v for k, v in self._values.items()
                        if k[0] != "CertificateExpiringSoon"}
        self._quiet = {}
        self._firing = (None, [])

    # -- people and models ----------------------------------------------------------------
    def person(self, role: str) -> str:
        """A stable name for someone in a role, from the seed and the role."""
        if role not in self._people:
            self._people[role] = Names(self.seed * 1_000 + len(role) * 31
                                       + sum(map(ord, role))).person()
        return self._people[role]

    def model(self, name: str) -> Model:
        return self.fleet.models[name]

    def __deepcopy__(self, memo: dict[int, Any]) -> World:
        """A copy that plays on its own but shares what is only ever read once computed: each
        model's fitted training statistics and the alert values of each course (a new course
        adds an entry; none is written into) and the fleet as drawn (only ever copied from).
        Copying those was most of a copy's cost."""
        for shared in (*self._stats.values(), *self._values.values(), *self._built.values(),
                       self._built, self._drawn):
            memo[id(shared)] = shared
        clone = object.__new__(World)
        memo[id(self)] = clone
        for name, value in vars(self).items():
            setattr(clone, name, copy.deepcopy(value, memo))
        return clone

    def fresh(self) -> World:
        """The same seed and spec, built anew, before anyone acted: a world of its own that
        shares this one's fitted statistics (each a function of the seed and the model alone,
        and most of a build's cost), starts from a copy of its fleet as drawn and from its
        alert values as built."""
        return World(self.seed, self.spec, stats=self._stats, fleet=self._drawn, built=self)

    def stats(self, model: str) -> tm.ModelStats:
        if model not in self._stats:
            self._stats[model] = tm.fit_model_stats(self.seed, self.fleet.models[model])
        return self._stats[model]

    def score(self, model: str, features: dict[str, np.ndarray]) -> np.ndarray:
        m = self.fleet.models[model]
        return tm.sigmoid(tm.logit(m, features, self.stats(model).intercept))

    # -- telemetry ---------------------------------------------------------------------------
    def series(self, model: str, metric: str, t0: int, t1: int,
               revision: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Minute values of `metric` over [t0, t1), faults and noise applied."""
        if metric == tm.HPA_SERIES:
            t, replicas, ceiling = self.autoscaler(model, t0, t1)
            return t, replicas / ceiling
        m = self.fleet.models[model]
        t = np.arange(t0, t1, dtype=np.int64)
        v = tm.baseline(self.seed, m, metric, t, self.stats(model))
        for inc in self.incidents.values():
            v = inc.metric(self, model, metric, t, v, revision)
        if metric == "restarts" and self.restarting(model):
            v = v + restarts.rate(self, model, t0, t1, revision)
        for n in self.noise:
            v = n.metric(self, model, metric, t, v, revision)
        if metric in QUANTILES:
            v = consistent(self, model, metric, t, v)
        return t, v

    def rows(self, model: str, t0: int, t1: int) -> tuple[tm.Rows, np.ndarray]:
        """Logged requests in [t0, t1) and their served scores, faults applied."""
        rows = self._logged(model, t0, t1)
        served = self._served(model, rows)
        scores = raw = self.score(model, served)
        for inc in self.incidents.values():
            scores = inc.transform_scores(self, model, rows.t, scores)
        label, lag = rows.label, rows.label_lag
        for inc in self.incidents.values():
            label, lag = inc.transform_labels(self, model, rows.t, raw, label, lag)
        return tm.Rows(rows.t, served, label, lag), scores

    def served(self, model: str, t0: int, t1: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The minutes and the served features of the logged requests in [t0, t1), faults
        applied: those of `rows`, without scoring them."""
        rows = self._logged(model, t0, t1)
        return rows.t, self._served(model, rows)

    def _served(self, model: str, rows: tm.Rows) -> dict[str, np.ndarray]:
        served = rows.features
        for inc in self.incidents.values():
            served = inc.transform_rows(self, model, rows.t, served)
        return served

    def expected_scores(self, model: str, t0: int, t1: int) -> np.ndarray:
        """What the healthy model would have scored on the same requests (no fault applied):
        the part of a regressor's outcome its inputs predict."""
        rows = self._logged(model, t0, t1)
        return self.score(model, rows.features)

    def _logged(self, model: str, t0: int, t1: int) -> tm.Rows:
        m = self.fleet.models[model]
        blocks = range(t0 // tm.BLOCK, (t1 - 1) // tm.BLOCK + 1)
        parts = [self._block(model, b) for b in blocks]
        t = np.concatenate([p.t for p in parts])
        sel = (t >= t0) & (t < t1)
        feats = {f.name: np.concatenate([p.features[f.name] for p in parts])[sel]
                 for f in m.features}
        return tm.Rows(t=t[sel], features=feats,
                       label=np.concatenate([p.label for p in parts])[sel],
                       label_lag=np.concatenate([p.label_lag for p in parts])[sel])

    def _block(self, model: str, block: int) -> tm.Rows:
        cached = self._blocks.get((model, block))
        if cached is None:
            m = self.fleet.models[model]
            mid = np.array([block * tm.BLOCK + tm.BLOCK // 2])
            rps = float(tm.baseline(self.seed, m, "rps", mid, self.stats(model))[0])
            cached = tm.draw_block(self.seed, m, self.stats(model), block, rps)
            self._blocks[(model, block)] = cached
        return cached

    # -- views -------------------------------------------------------------------------------
    def logs(self, model: str, t0: int, t1: int) -> list[LogLine]:
        lines: list[LogLine] = []
        _, rps = self.series(model, "rps", t0, t1)
        _, p99 = self.series(model, "latency_p99_ms", t0, t1)
        draws = self._log_draws(model, t0, t1)
        unready = any(inc.model == model and inc.unreadies_pods()
                      for inc in self.incidents.values())
        for i, minute in enumerate(range(t0, t1)):
            pods = self.pods_at(model, minute)
            who, slow, whose = draws[:, i]
            if minute % 5 == 0:
                # Traffic goes to the pods that serve: a crash-looping or not-ready pod, as the
                # infra view shows it then, reports no requests served.
                serving = writers(self, self.fleet.models[model], "serving", minute) \
                    if unready else pods
                if serving:
                    lines.append(LogLine(minute + 0.05, "INFO", model,
                                         serving[int(who * len(serving))],
                                         f"served {int(rps[i] * 60 / len(serving))} requests "
                                         f"in 1m, p99={p99[i]:.0f}ms"))
            if slow < 0.02:
                # The same draw decides how slow the read was (120-400 ms).
                lines.append(LogLine(minute + 0.5, "WARN", model, pods[int(whose * len(pods))],
                                     f"feature-store read took {120 + round(slow / 0.02 * 280)}ms "
                                     "(retry 1 of 2 succeeded)"))
        lines += self._validation_logs(model, t0, t1)
        for inc in self.incidents.values():
            lines += inc.logs(self, model, t0, t1)
        for n in self.noise:
            lines += n.logs(self, model, t0, t1)
        if any(inc.model == model and inc.holds_pending() for inc in self.incidents.values()):
            pending: dict[int, set[str]] = {}
            for minute in {int(line.t) for line in lines}:
                pending[minute] = {p["name"] for p in self.infra(model, minute, counted=False)[
                    "pods"] if p["status"] in SILENT_PODS}
            lines = [line for line in lines if line.pod not in pending[int(line.t)]]
            # A Pending pod was never scheduled, an Evicted one was stopped: neither runs a
            # container, so neither writes a log line.
        return sorted(lines, key=lambda line: (line.t, line.pod, line.message))

    def _log_draws(self, model: str, t0: int, t1: int) -> np.ndarray:
        """Three uniform draws per minute of [t0, t1) for the model's routine lines, drawn per
        hour of the clock from the seed: the same minute writes the same line whichever window
        a reader asks for."""
        out = []
        for block in range(t0 // LOG_BLOCK, -(-t1 // LOG_BLOCK)):
            key = (model, block)
            if key not in self._log_blocks:
                rng = np.random.default_rng(tm.key(self.seed, model, "logs", block + 10 * DAY))
                self._log_blocks[key] = rng.random((3, LOG_BLOCK))
            out.append(self._log_blocks[key])
        start = t0 - (t0 // LOG_BLOCK) * LOG_BLOCK
        return np.concatenate(out, axis=1)[:, start:start + (t1 - t0)]

    def pods_at(self, model: str, minute: int) -> list[str]:
        """The stable pods that write the model's lines at that minute: the revision live then,
        so a rollout renames them and a line keeps the pod that wrote it."""
        m = self.fleet.models[model]
        live = m.live_deploy(minute)
        # A lowered replica ceiling leaves fewer pods, as the infra view lists them.
        return pod_names(self, model, min(m.replicas, int(live.config["max_replicas"])),
                         live.revision)

    def _validation_logs(self, model: str, t0: int, t1: int) -> list[LogLine]:
        """What the serving layer's input validator says about the rows it actually served."""
        # Five-minute buckets on the clock's own 5-minute marks, so the same bucket says the same
        # line whichever window a reader asks for; a partial bucket at either end is not said.
        t0 = max(t0, t1 - 6 * 60)
        t0 = -(-t0 // 5) * 5
        if t1 - t0 < 5:
            return []
        m = self.fleet.models[model]
        t, served = self.served(model, t0, t1)
        out: list[LogLine] = []
        edges = np.arange(t0, t1 + 1, 5)
        bucket = np.searchsorted(edges, t, side="right") - 1
        for spec in m.features:
            x = served[spec.name]
            if spec.kind == "continuous":
                xs = x.astype(float)
                q = self.training_quantiles(model, spec.name)
                lo, hi = q["p01"], q["p99"]
                missing = np.isnan(xs)
                with np.errstate(invalid="ignore"):
                    outside = ~missing & ((xs < lo) | (xs > hi))
                checks = [(missing, f"{spec.name} missing; imputed the training mean"),
                          (outside, f"{spec.name} outside training p01-p99 "
                                    f"({lo:.4g}..{hi:.4g})")]
            else:
                known = set(spec.categories)
                missing = np.array([v is None for v in x], dtype=bool)
                unseen = np.array([v is not None and v not in known for v in x], dtype=bool)
                seen_new = sorted({str(v) for v in x[unseen]})[:3]
                checks = [(missing, f"{spec.name} missing"),
                          (unseen, f"{spec.name} has values never seen in training "
                                   f"({', '.join(seen_new)})")]
            for mask, what in checks:
                if not mask.any():
                    continue
                for b in range(len(edges) - 1):
                    sel = bucket == b
                    n = int(sel.sum())
                    share = float(mask[sel].mean()) if n else 0.0
                    if share > VALIDATION_SHARE:
                        pods = self.pods_at(model, int(edges[b + 1]) - 1)
                        pod = pods[(int(edges[b]) // 5) % len(pods)]
                        out.append(LogLine(float(edges[b + 1]) - 0.01, "WARN", model, pod,
                                           f"input validation: {what} in {share:.0%} of "
                                           f"{n} logged requests in the last 5m"))
        return out

    def training_quantiles(self, model: str, feature: str) -> dict[str, float]:
        """p01, p50, p99 and the mean of a continuous feature on the training reference, which
        the input validator and the fault text both quote."""
        key = (model, feature)
        if key not in self._quantiles:
            ref = self.stats(model).reference[feature]
            q = quantiles(ref, [0.01, 0.5, 0.99])
            self._quantiles[key] = {"p01": float(q[0]), "p50": float(q[1]),
                                    "p99": float(q[2]), "mean": float(np.mean(ref))}
        return self._quantiles[key]

    def schema_version(self, source: str) -> int:
        """The current schema version of a feature source, before any incident's change."""
        rng = np.random.default_rng(tm.key(self.seed, source, "pipeline"))
        return int(rng.integers(3, 12))

    def deploys(self, model: str) -> dict[str, Any]:
        m = self.fleet.models[model]
        return {
            "model": model, "owner": m.owner, "team": m.team,
            "versions": [{"version": v.version, "training_data": v.training_data,
                          "hyperparameters": v.hyperparameters,
                          "eval": self._eval(m, v.eval_scores),
                          "registered_by": v.registered_by, "registered_at": v.registered_at}
                         for v in m.versions if v.registered_at <= self.now],
            "deploys": [{"revision": d.revision, "model_version": d.model_version,
                         "config": d.config, "image": d.image, "canary_pct": d.canary_pct,
                         "promoted_by": d.promoted_by, "at": d.at, "note": d.note,
                         "shadow": d.shadow,
                         **({"ended_at": d.ended_at} if d.ended_at is not None
                            and d.ended_at <= self.now else {})}
                        for d in m.deploys if d.at <= self.now],
        }

    def _eval(self, m: Model, scores: dict[str, float]) -> dict[str, float]:
        """A version's holdout scores in its model type's own metric."""
        from oncall.sim.quality import higher_is_better

        arch = m.archetype
        live = self.stats(m.name).quality
        sign = 1 if higher_is_better(arch) else -1
        out = {arch.quality_metric: round(live * (1 + sign * scores["delta"]), 3)}
        if arch.model_type == "classifier":
            out["auc"] = scores["auc"]
        return out

    def pipelines(self, model: str, t: int | None = None) -> dict[str, Any]:
        """The model's feature pipelines at minute t (default now): schema, age, null rates and
        the changes so far."""
        t = self.now if t is None else t
        m = self.fleet.models[model]
        changes = [c for inc in self.incidents.values()
                   for c in inc.pipeline_changes(model, t)]
        sources = sorted({f.source for f in m.features})
        out = []
        for src in sources:
            rng = np.random.default_rng(tm.key(self.seed, src, "pipeline"))
            base_schema = int(rng.integers(3, 12))
            feats = [f.name for f in m.features if f.source == src]
            mine = [c for c in changes if c["source"] == src]
            mine.sort(key=lambda c: c["at"])
            schema = mine[-1]["schema_to"] if mine else base_schema
            nulls = {}
            for f in feats:
                _, v = self.series(model, f"feature_null_rate:{f}", t - 15, t)
                nulls[f] = round(float(v.mean()), 4)
            rng.integers(1, 6)  # (a draw kept: the changelog's dates follow it)
            # The features' age then, from the same series a freshness monitor reads.
            ages = [self.series(model, f"{AGE_SERIES}{f}", t, t + 1)[1][0] for f in feats]
            stale = [a for inc in self.incidents.values() if inc.model == model
                     and (a := inc.stale_age(src, np.array([t]))) is not None
                     and not np.isnan(a[0])]
            out.append({
                "source": src, "features": feats, "schema_version": schema,
                "freshness_min": round(float(max(ages))),
                "last_run_ok": not stale and all(c.get("last_run_ok", True) for c in mine
                                                 if c.get("freshness_min") is None),
                "null_rate": nulls,
                "changelog": [*({k: v for k, v in c.items()
                                 if k not in ("last_run_ok", "freshness_min")}
                                for c in sorted(mine, key=lambda c: -c["at"])),
                              {"at": -DAY * int(rng.integers(3, 30)) + 570
                               + int(rng.integers(0, 480)), "source": src,
                               "change": "routine dependency bump",
                               "by": self.person(src + "-owner")}],
            })
        return {"model": model, "pipelines": out}

    def infra(self, model: str, t: int | None = None, counted: bool = True) -> dict[str, Any]:
        """The model's pods, nodes, autoscaler and events at minute t (default now). Each pod's
        restarts are its counter of `restart_counters`, the one the `restarts` series counts;
        `counted=False` leaves them at 0 (a look at the pods' states alone, which the counters
        are read from)."""
        t = self.now if t is None else t
        state = self._infra(model, t)
        state.pop("restarting", None)
        if counted and self.restarting(model):
            counts = {name: float(c[-1]) for name, (_, c) in
                      self.restart_counters(model, t, t + 1).items()}
            for pod in [*state["pods"], *(p for r in state["revisions"] for p in r["pods"])]:
                pod["restarts"] = int(counts.get(pod["name"], 0))
        return state

    def _infra(self, model: str, t: int) -> dict[str, Any]:
        m = self.fleet.models[model]
        ceiling = int(m.live_deploy(t).config["max_replicas"])
        pods = self.pods_at(model, t)  # a lowered ceiling leaves fewer pods
        replicas = len(pods)
        gpu = m.hardware == "gpu"
        disk = self.node_disk(model, t)
        nodes = [{"name": f"{'gpu' if gpu else 'cpu'}-node-{i + 1:02d}",
                  "ready": True, "gpu": m.gpu_type if gpu else None,
                  "gpu_mem_used": "67%" if gpu else None, "disk_used": f"{disk[i]:.0%}",
                  **({"condition": "DiskPressure"} if disk[i] >= tm.DISK_PRESSURE else {})}
                 for i in range(max(1, m.replicas // 2))]
        state: dict[str, Any] = {
            "model": model, "hardware": m.hardware, "nodes": nodes,
            "pods": [{"name": p, "status": "Running", "restarts": 0,
                      "node": nodes[i % len(nodes)]["name"], "last_state": ""}
                     for i, p in enumerate(pods)],
            "hpa": {"replicas": replicas, "max_replicas": ceiling, "at_max": replicas >= ceiling},
            "certificate": {"days_left": self.cert_days_left(model, t)},
            "events": [],
            "revisions": [],
        }
        # The canary's and the shadow's own pods, beside the stable ones (their logs name them).
        for role, d in (("canary", m.canary_deploy(t)), ("shadow", m.shadow_deploy(t))):
            if d is not None:
                state["revisions"].append({
                    "role": role, "revision": d.revision, "model_version": d.model_version,
                    "traffic_pct": d.canary_pct if role == "canary" else 0,
                    "pods": [{"name": p, "status": "Running", "restarts": 0,
                              "node": nodes[i % len(nodes)]["name"], "last_state": ""}
                             for i, p in enumerate(pod_names(self, model, CANARY_PODS,
                                                             d.revision))]})
        for inc in self.incidents.values():
            state = inc.infra(self, model, state, t)
        state.pop("crashing", None)
        self._added_capacity(model, state, t)
        for n in self.noise:
            state = n.infra(self, model, state)
        return state

    def restarting(self, model: str) -> list[Incident]:
        """The incidents on the model whose pods effects restart containers."""
        return [i for i in self.incidents.values() if i.model == model and i.counts_restarts()]

    def restarted_pods(self, model: str, t: int) -> list[tuple[str, int, str, list[str]]]:
        """The pods each pods effect that restarts containers takes at minute t, as the infra
        view lists them: (incident, effect, revision role, pod names). Kept per minute and
        course (`restarts.counters` reads them where the infra view can change)."""
        m = self.fleet.models[model]
        key = (model, t, self._version(m), len(m.deploys), len(self.capacity))
        hit = self._touches.get(key)
        if hit is None:
            hit = self._touches[key] = list(self._infra(model, t).get("restarting", []))
        return hit

    def restart_counters(self, model: str, t0: int, t1: int
                         ) -> dict[str, tuple[str, np.ndarray]]:
        """Each pod's container restart counter at every minute of [t0, t1), by pod name, with
        its revision's role: the one source of the infra view's `restarts` and of the
        `restarts` series (`oncall.sim.restarts`)."""
        return restarts.counters(self, model, t0, t1)

    def _added_capacity(self, model: str, state: dict[str, Any], t: int) -> None:
        """Replicas a scale-up or a raised ceiling added stay after the fault they answered has
        faded: the autoscaler keeps what it wanted when the player asked, a quarter more than it
        ran (a scale-up past the old ceiling; a raised ceiling half as high again, the autoscaler
        then adding its pods under it). While the newest pods are not running (no card to place
        them, a crash), the added ones are not either."""
        hpa = state["hpa"]
        added = False
        for at, on, fix, replicas, ceiling in self.capacity:
            if on != model or at > t:
                continue
            # The autoscaler wanted more than it ran (its ceiling held it): a quarter more.
            want = math.ceil(replicas * 1.25)
            if fix == "scale_up":
                hpa["max_replicas"] = max(int(hpa["max_replicas"]), want)
            else:
                hpa["max_replicas"] = max(int(hpa["max_replicas"]), math.ceil(ceiling * 1.5))
                want = min(want, int(hpa["max_replicas"]))
            if want > int(hpa["replicas"]):
                hpa["replicas"] = want
            added = True
        if added:
            hpa["at_max"] = int(hpa["replicas"]) >= int(hpa["max_replicas"])
            pods = state["pods"]
            newest = dict(pods[-1]) if pods else None
            before = len(pods)
            follow_hpa(self, model, state, t)
            if newest is not None and newest["status"] != "Running":
                # New replicas meet what the newest ones met: no free card, the same crash.
                for pod in pods[before:]:
                    pod["status"], pod["last_state"] = newest["status"], newest["last_state"]

    def autoscaler(self, model: str, t0: int, t1: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The minutes [t0, t1) and the autoscaler's replicas and ceiling at each, as `infra`
        lists them: read from `infra` wherever something that sets them changes (a deploy, an
        incident's autoscaler effect starting or ending, a capacity fix) and held in between."""
        t = np.arange(t0, t1, dtype=np.int64)
        change = np.zeros(len(t), dtype=bool)
        change[:1] = True
        marks = [d.at for d in self.fleet.models[model].deploys]
        marks += [at for at, on, *_ in self.capacity if on == model]
        for at in marks:
            if t0 < at < t1:
                change[at - t0] = True
        for inc in self.incidents.values():
            if inc.model == model:
                change |= inc.autoscaler_changes(t)
        replicas = np.empty(len(t))
        ceiling = np.empty(len(t))
        starts = [*np.flatnonzero(change).tolist(), len(t)]
        for a, b in itertools.pairwise(starts):
            hpa = self.infra(model, int(t[a]), counted=False)["hpa"]
            replicas[a:b], ceiling[a:b] = hpa["replicas"], hpa["max_replicas"]
        return t, replicas, ceiling

    def node_disk(self, model: str, t: int | None = None) -> list[float]:
        """Disk used on each of the model's nodes at minute t (default now), as a share: node 01
        reads the `node_disk_used_frac` series (the fullest node, which a fault fills), the
        others their healthy level."""
        t = self.now if t is None else t
        levels = tm.node_disk_levels(self.seed, self.fleet.models[model])
        first = float(self.series(model, "node_disk_used_frac", t, t + 1)[1][0])
        return [first, *levels[1:]]

    def rollback_config(self, model: str, current: dict[str, Any],
                        target: dict[str, Any]) -> dict[str, Any]:
        """The config a rollback of the model to an earlier revision deploys: that revision's,
        except where an incident on the model keeps or sets keys (they live outside the
        revision, as its kind says)."""
        config = dict(target)
        for inc in self.incidents.values():
            if inc.model == model:
                config = inc.rollback_config(current, config)
        return config

    def cert_days_left(self, model: str, t: int | None = None) -> float:
        """Days until the model's serving certificate expires at minute t (default now), to a
        tenth: what `infra`, the certificate alert and a certificate ticket all quote."""
        t = self.now if t is None else t
        return round(float(self.series(model, "cert_days_left", t, t + 1)[1][0]), 1)

    # -- alerts ------------------------------------------------------------------------------
    def episodes(self, t0: int, t1: int, models: list[str] | None = None,
                 rules: Sequence[Rule] = RULES) -> list[Episode]:
        out: list[Episode] = []
        lo, hi = self._horizon
        names = models or self.fleet.names()
        every = rules is RULES
        if every and lo <= t1 <= hi and all(t0 >= lo - r.history for r in RULES):
            # Every rule reads its values of the night (below): a model quiet past t1 has none.
            names = [n for n in names if self._quiet.get(n, t1 - 1) < t1]
        for at, name in enumerate(names):
            if at % PREFETCH_MODELS == 0:  # a few models' noise at a time
                self._prefetch(names[at:at + PREFETCH_MODELS], rules, t0, t1)
            m = self.fleet.models[name]
            version = self._version(m)  # nothing a look computes moves a course on
            quiet = every and not version
            for rule in rules:
                if not rule.applies(m):
                    continue
                # Look back as far as the rule needs, then keep what overlaps [t0, t1).
                start = min(t0, t1 - rule.history)
                first = lo - rule.history
                if first <= start and t1 <= hi:
                    values = self._rule_values(rule, m, t1, version)
                    if values is None:
                        continue  # never past the threshold all night: no episode
                    quiet = False
                    t, v, breaches = values
                    a, b = start - first, t1 - first
                    if breaches[b] == breaches[a]:
                        continue  # never past the threshold here: no episode
                    found = rule.episodes_of(m, t[a:b], v[a:b])
                else:
                    quiet = False
                    found = rule.episodes(self, m, start, t1)
                out += [e for e in found if start == t0 or e.ended_at is None or e.ended_at > t0]
            if quiet:
                self._quiet[name] = min(self._values[(r.name, name)][1] for r in rules
                                        if r.applies(m))
        return sorted(out, key=lambda e: (e.fired_at, e.rule, e.model))

    def _prefetch(self, models: list[str], rules: Sequence[Rule], t0: int, t1: int) -> None:
        """Draw at once the noise of every series the night's rule values not yet computed will
        read (`tm.prefetch_noise`): the same numbers, without one Python loop per series."""
        lo, hi = self._horizon
        reach = self._reach(t1)
        keys: list[tm.NoiseKey] = []
        for name in models:
            m = self.fleet.models[name]
            version = self._version(m)
            for rule in rules:
                start, first = min(t0, t1 - rule.history), lo - rule.history
                hit = self._values.get((rule.name, name))
                if not rule.applies(m) or not first <= start or not t1 <= hi or \
                        (hit is not None and hit[0] == version and hit[1] >= t1):
                    continue
                metrics = [f"{rule.metric[:-1]}{f.name}" for f in m.features] \
                    if rule.metric.endswith(":*") else [rule.metric]
                days = range((first - rule.lookback) // DAY, (reach - 1) // DAY + 1)
                if len(days) > 31:
                    continue  # a long look back (a certificate's) reads a noiseless series
                keys += [(self.seed, name, metric, d, tm.RHO) for metric in metrics
                         if tm.draws_noise(metric) for d in days]
        tm.prefetch_noise(keys, reach)

    def prefetch(self, metrics: Sequence[str], t0: int, t1: int,
                 models: Sequence[str] | None = None) -> None:
        """Draw at once the noise the `metrics` of `models` (default: every model) read over
        [t0, t1) (a look at the fleet): the same numbers `series` would draw one series at a
        time."""
        days = range(t0 // DAY, (t1 - 1) // DAY + 1)
        names = self.fleet.names() if models is None else models
        tm.prefetch_noise([(self.seed, name, metric, d, tm.RHO) for name in names
                           for metric in metrics if tm.draws_noise(metric) for d in days], t1)

    def _version(self, m: Model) -> tuple[int, ...]:
        return (*(len(i.course.events) for i in self.incidents.values() if i.model == m.name),
                *(v for n in self.noise if n.model == m.name for v in n.version(self)))

    def add_noise(self, kind: str, model: str, params: dict[str, Any]) -> Noise:
        """Noise placed after the build (a night shift's release candidates, on models it
        picks once the night is drawn): set up as the built noise was, its model's kept alert
        values dropped so they are computed with it."""
        noise = NOISE_TYPES[kind](model, dict(params), len(self.noise))
        self.noise.append(noise)
        noise.setup(self)
        self._values = {k: v for k, v in self._values.items() if k[1] != model}
        self._quiet.pop(model, None)
        return noise

    def _rule_values(self, rule: Rule, m: Model, t1: int,
                     version: tuple[int, ...] | None = None) -> RuleValues | None:
        """A rule's values over the night (and as far before it as the rule looks back) up to
        at least minute t1, computed once per model and rule, a few hours at a time as the
        clock gets there (`_reach`), and again only when an intervention changes the course of
        an incident on that model. Rolling windows are summed window by window, so a slice
        equals a query of the same minutes, and a stretch added later equals the same minutes
        computed at once. Also the running count of minutes past the threshold, so a stretch
        that never crosses it is known at once; None (nothing kept, in a big fleet most of the
        memory) when no minute computed so far crosses it. `version`: the model's
        `_version`, if the caller has it at hand (a look at the fleet asks it once per model,
        not once per rule)."""
        version = self._version(m) if version is None else version
        key = (rule.name, m.name)
        first = self._horizon[0] - rule.history
        hit = self._values.get(key)
        if hit is None or hit[0] != version:
            hit = (version, first, None)
        _, end, kept = hit
        if end < t1:
            reach = self._reach(t1)
            if kept is None and self._stays_clear(rule, m, end, reach):
                self._values[key] = (version, reach, None)
                return None
            t, v = rule.values(self, m, end, reach)
            breached = rule.breached(m, v)
            if kept is not None:
                kept = (np.concatenate([kept[0], t]), np.concatenate([kept[1], v]),
                        np.concatenate([kept[2], kept[2][-1] + np.cumsum(breached)]))
            elif breached.any():
                if end > first:  # the stretch before crossed nothing and was not kept
                    t, v = rule.values(self, m, first, reach)
                    breached = rule.breached(m, v)
                kept = (t, v, np.concatenate([[0], np.cumsum(breached)]))
            self._values[key] = (version, reach, kept)
        return kept

    def _stays_clear(self, rule: Rule, m: Model, t0: int, t1: int) -> bool:
        """Whether a rule certainly stays clear of its threshold over [t0, t1) on a model no
        incident and no noise touches, known without the model's training statistics
        (`Rule.bound`: the rules relative to a fitted level, the certificate's): a fleet-wide
        look at the alerts then draws and fits none of the models it only glances at."""
        if any(i.model == m.name for i in self.incidents.values()) or \
                any(n.model == m.name for n in self.noise):
            return False
        bound = rule.bound(self, m, t0, t1)
        if bound is None:
            return False
        thr = rule.threshold(m)
        return bound < thr - BOUND_MARGIN if rule.op == ">" else bound > thr + BOUND_MARGIN

    def _reach(self, t1: int) -> int:
        """Where the night's rule values computed for a look up to minute t1 end: the next
        multiple of `REACH_STEP` minutes, within the horizon."""
        return min(self._horizon[1], -(-t1 // REACH_STEP) * REACH_STEP)

    def firing(self, t: int | None = None) -> list[Episode]:
        """Alerts firing at minute t (default now), looked at over the last six hours."""
        t = self.now if t is None else t
        # The engine, the status command and the TUI header all ask after each command; the
        # answer only changes with the clock or with a new intervention event.
        key = (t, sum(len(i.course.events) for i in self.incidents.values()))
        if self._firing[0] != key:
            self._firing = (key, [e for e in self.episodes(t - 360, t + 1)
                                  if e.fired_at <= t and (e.ended_at is None or e.ended_at > t)])
        return list(self._firing[1])

    def _first_page(self, inc: Incident) -> int:
        eps = [e for e in self.episodes(inc.onset - 60, inc.onset + 240, models=[inc.model])
               if e.fired_at >= inc.onset and e.rule != "CertificateExpiringSoon"]
        critical = [e for e in eps if _is_page(e)]
        if not critical:
            watched = sorted({r.metric for r in RULES if r.pages})
            raise NoPage(f"the {inc.kind.id} fault on {inc.model} pages nobody within 4 hours "
                         "of its onset: no alert that pages fires on it; valid: effects that "
                         "move a series a paging alert watches past its threshold ("
                         + ", ".join(watched) + ")")
        return min(e.fired_at for e in critical)

    # -- interventions and time ---------------------------------------------------------------
    def incident_for(self, iv: Intervention) -> Incident:
        """The incident an intervention acts on: the one named, else the one on its model, else
        the main incident."""
        if iv.incident is not None:
            return self.incidents[iv.incident]
        on_model = [i for i in self.incidents.values() if i.model == iv.model]
        live = [i for i in on_model if i.course.fixed_at() is None]
        return (live or on_model or [self.fault])[0]

    def apply(self, iv: Intervention) -> Outcome:
        inc = self.incident_for(iv)
        outcome = inc.respond(self, iv)
        at = self.now + outcome.delay
        fixed = inc.course.fixed_at()
        if outcome.effect == "fixes" and (fixed is None or at < fixed):
            # The earliest fix stops the fault; one scheduled for later (a team's answer still
            # on its way) then lands on a fault already stopped and changes nothing.
            inc.course.events.append((at, "fix", 0.0))
        elif outcome.effect == "partial":
            inc.course.events.append((at, "dip", 6.0))
        elif outcome.effect == "worse":
            inc.course.events.append((at, "worse", 1.15))
        self.extra_cost_per_hour += outcome.cost_usd_per_hour
        if iv.kind == "hotfix" and iv.fix in CAPACITY_FIXES and iv.model is not None:
            hpa = self.infra(iv.model, self.now, counted=False)["hpa"]
            self.capacity.append((at, iv.model, iv.fix, int(hpa["replicas"]),
                                  int(hpa["max_replicas"])))
        if outcome.delay:
            self.pending.append(Message(at, outcome.by, outcome.message, outcome.effect, inc.id))
        return outcome

    def advance(self, minutes: int) -> list[Message]:
        """Move the clock; return the messages that arrived meanwhile."""
        self.now += minutes
        arrived = [m for m in self.pending if m.at <= self.now]
        self.pending = [m for m in self.pending if m.at > self.now]
        return arrived

    def recovered(self, incident: str | None = None, t: int | None = None) -> bool:
        """The service level is back: the incident's effect (every incident's, by default) is
        gone at minute t (default now)."""
        t = self.now if t is None else t
        incs = [self.incidents[incident]] if incident else list(self.incidents.values())
        return all(i.active(self, t) < 0.05 for i in incs)

    def hand_over(self, incident: str, at: int) -> None:
        """The secondary on-call takes the incident over at minute `at` and stops its fault
        there (a `handover` in its course: a fix that is not the player's)."""
        self.incidents[incident].course.events.append((at, "handover", 0.0))

    def impact(self, t1: int | None = None, incident: str | None = None) -> dict[str, float]:
        """The incident's impact from its page to t1 (`oncall.sim.impact`, which says what each
        figure counts)."""
        from oncall.sim.impact import impact

        return impact(self, incident, t1)


def _copy_fleet(fleet: Fleet) -> Fleet:
    """A copy whose models, versions and deploys are its own, their dicts too; the archetypes
    (read only, and looked up by identity) are shared. Each model is copied when first read
    (`Models`): a fresh world for a postmortem's replays reads a few of a big fleet's models."""
    return Fleet(models=Models(fleet), total_rps=fleet.total_rps)


_COPYING = threading.Lock()


class Models(dict[str, Model]):
    """A world's own models, in the drawn fleet's order: each a copy of the drawn model
    (`_copy_model`), made when first read (by key, `get`, `values` or `items`). The fleet as
    drawn is only ever read, so a copy made later is the copy made at once."""

    __slots__ = ("_drawn",)

    def __init__(self, drawn: Fleet) -> None:
        super().__init__(dict.fromkeys(drawn.models))  # type: ignore[arg-type]  # None: not yet
        self._drawn = drawn

    def __getitem__(self, name: str) -> Model:
        m = super().__getitem__(name)
        if m is None:
            with _COPYING:  # two threads reading it first keep one copy
                m = super().__getitem__(name)
                if m is None:
                    m = _copy_model(self._drawn.models[name])
                    super().__setitem__(name, m)
        return m

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name] if name in self else default  # noqa: SIM401 (self.get is this)

    def values(self) -> Any:
        self._copy_all()
        return super().values()

    def items(self) -> Any:
        self._copy_all()
        return super().items()

    def _copy_all(self) -> None:
        for name in self:
            self[name]

    def __deepcopy__(self, memo: dict[int, Any]) -> Models:
        """The models copied so far, deep-copied; the others still copied from the same drawn
        fleet when first read."""
        clone = Models(self._drawn)
        for name, m in super().items():
            if m is not None:
                dict.__setitem__(clone, name, copy.deepcopy(m, memo))
        return clone

    def __reduce__(self) -> Any:
        return dict, (dict(self.items()),)

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other

    __hash__ = None  # type: ignore[assignment]


def _copy_model(m: Model) -> Model:
    """Built field by field (copy.copy of a slotted dataclass goes through __reduce_ex__ and
    cost a 1,000-model fleet's copy 0.4 s)."""
    return Model(m.name, m.archetype, m.owner, m.oncall_contact, m.hardware, m.gpu_type,
                 m.replicas, m.rps, m.slo, m.latency_slo_ms,
                 [Version(v.version, v.training_data, _own(v.hyperparameters),
                          _own(v.eval_scores), v.registered_by, v.registered_at)
                  for v in m.versions],
                 [Deploy(d.revision, d.model_version, _own(d.config), d.image, d.canary_pct,
                         d.promoted_by, d.at, d.note, d.shadow, d.ended_at, d.undoes)
                  for d in m.deploys])


_ATOMIC = (str, int, float, bool, type(None))


def _own(d: dict[str, Any]) -> dict[str, Any]:
    """A dict of its own (a value that is not a plain number or string deep-copied)."""
    return {k: v if isinstance(v, _ATOMIC) else copy.deepcopy(v) for k, v in d.items()}


def _is_page(e: Episode) -> bool:
    from oncall.sim.alerts import RULES_BY_NAME

    return RULES_BY_NAME[e.rule].pages

