"""The simulated world: a fleet, its telemetry, one fault, the noise around it, and the clock.

Every view is computed on demand from the seed and the fault's course, so a week of history costs
nothing until asked for, and an intervention changes everything that is computed after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from faker import Faker

from oncall.sim import telemetry as tm
from oncall.sim.alerts import RULES, Episode, Rule
from oncall.sim.clock import DAY
from oncall.sim.faults import FAULT_TYPES, Fault, Intervention, LogLine, Outcome, pod_names
from oncall.sim.fleet import Fleet, Model, build_fleet
from oncall.sim.noise import NOISE_TYPES, Noise


@dataclass(frozen=True, slots=True)
class WorldSpec:
    """What a scenario asks of the world (validated upstream by the scenario schema)."""

    fault: str
    model: str
    onset: int
    params: dict[str, Any] = field(default_factory=dict)
    noise: tuple[tuple[str, dict[str, Any]], ...] = ()
    fleet_size: int = 14
    total_rps: float = 500.0


@dataclass(frozen=True, slots=True)
class Message:
    """Something that reaches the player when the clock passes `at` (a team's answer)."""

    at: int
    by: str
    text: str
    effect: str


class World:
    def __init__(self, seed: int, spec: WorldSpec) -> None:
        self.seed = seed
        self.spec = spec
        named = tuple(str(p["model"]) for _, p in spec.noise if p.get("model"))
        self.fleet: Fleet = build_fleet(seed, spec.fleet_size, spec.total_rps,
                                        must_include=tuple(dict.fromkeys((spec.model, *named))))
        self._stats: dict[str, tm.ModelStats] = {}
        self._people: dict[str, str] = {}
        self._blocks: dict[tuple[str, int], tm.Rows] = {}
        self._firing: tuple[tuple[int, int] | None, list[Episode]] = (None, [])
        self.references: dict[tuple[str, str], Any] = {}
        """Fitted drift references per (model, column), reused by every drift test."""
        self.fault: Fault = FAULT_TYPES[spec.fault](spec.model, spec.onset, dict(spec.params))
        self.now = spec.onset
        self.fault.setup(self)
        others = [m for m in self.fleet.names() if m != spec.model]
        rng = np.random.default_rng([seed, 3])
        self.noise: list[Noise] = []
        for i, (kind, params) in enumerate(spec.noise):
            target = params.get("model") or others[int(rng.integers(len(others)))]
            self.noise.append(NOISE_TYPES[kind](target, dict(params), i))
        self.extra_cost_per_hour = 0.0
        self.pending: list[Message] = []
        self.page_at = self._first_page()
        self.now = self.page_at

    # -- people and models ----------------------------------------------------------------
    def person(self, role: str) -> str:
        """A stable name for someone in a role, from the seeded Faker."""
        if role not in self._people:
            fake = Faker()
            fake.seed_instance(self.seed * 1_000 + len(role) * 31 + sum(map(ord, role)))
            self._people[role] = fake.name()
        return self._people[role]

    def model(self, name: str) -> Model:
        return self.fleet.models[name]

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
        m = self.fleet.models[model]
        t = np.arange(t0, t1, dtype=np.int64)
        v = tm.baseline(self.seed, m, metric, t, self.stats(model))
        v = self.fault.metric(self, model, metric, t, v, revision)
        for n in self.noise:
            v = n.metric(self, model, metric, t, v)
        return t, v

    def rows(self, model: str, t0: int, t1: int) -> tuple[tm.Rows, np.ndarray]:
        """Logged requests in [t0, t1) and their served scores, faults applied."""
        m = self.fleet.models[model]
        blocks = range(t0 // tm.BLOCK, (t1 - 1) // tm.BLOCK + 1)
        parts = [self._block(model, b) for b in blocks]
        t = np.concatenate([p.t for p in parts])
        sel = (t >= t0) & (t < t1)
        feats = {f.name: np.concatenate([p.features[f.name] for p in parts])[sel]
                 for f in m.features}
        rows = tm.Rows(t=t[sel], features=feats,
                       label=np.concatenate([p.label for p in parts])[sel],
                       label_lag=np.concatenate([p.label_lag for p in parts])[sel])
        served = self.fault.transform_rows(self, model, rows.t, rows.features)
        scores = self.fault.transform_scores(self, model, rows.t, self.score(model, served))
        return tm.Rows(rows.t, served, rows.label, rows.label_lag), scores

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
        m = self.fleet.models[model]
        pods = pod_names(self, model, m.replicas)
        rng = np.random.default_rng(tm.key(self.seed, model, "logs", t0 + 10 * DAY, t1 + 10 * DAY))
        lines: list[LogLine] = []
        _, rps = self.series(model, "rps", t0, t1)
        _, p99 = self.series(model, "latency_p99_ms", t0, t1)
        for i, minute in enumerate(range(t0, t1)):
            if minute % 5 == 0:
                pod = pods[int(rng.integers(len(pods)))]
                lines.append(LogLine(minute + 0.05, "INFO", model, pod,
                                     f"served {int(rps[i] * 60 / len(pods))} requests in 1m, "
                                     f"p99={p99[i]:.0f}ms"))
            if rng.random() < 0.02:
                pod = pods[int(rng.integers(len(pods)))]
                lines.append(LogLine(minute + 0.5, "WARN", model, pod,
                                     "feature-store read took 180ms (retry 1 of 2 succeeded)"))
        lines += self.fault.logs(self, model, t0, t1)
        for n in self.noise:
            lines += n.logs(self, model, t0, t1)
        return sorted(lines, key=lambda line: (line.t, line.pod, line.message))

    def deploys(self, model: str) -> dict[str, Any]:
        m = self.fleet.models[model]
        return {
            "model": model, "owner": m.owner, "team": m.team,
            "versions": [{"version": v.version, "training_data": v.training_data,
                          "hyperparameters": v.hyperparameters,
                          "eval": {"f1": round(self.stats(model).f1 + v.eval_scores["f1_delta"],
                                               3), "auc": v.eval_scores["auc"]},
                          "registered_by": v.registered_by, "registered_at": v.registered_at}
                         for v in m.versions if v.registered_at <= self.now],
            "deploys": [{"revision": d.revision, "model_version": d.model_version,
                         "config": d.config, "image": d.image, "canary_pct": d.canary_pct,
                         "promoted_by": d.promoted_by, "at": d.at, "note": d.note}
                        for d in m.deploys if d.at <= self.now],
        }

    def pipelines(self, model: str) -> dict[str, Any]:
        m = self.fleet.models[model]
        changes = self.fault.pipeline_changes(self, model)
        sources = sorted({f.source for f in m.features})
        out = []
        for src in sources:
            rng = np.random.default_rng(tm.key(self.seed, src, "pipeline"))
            feats = [f.name for f in m.features if f.source == src]
            mine = [c for c in changes if c["source"] == src]
            schema = mine[-1]["schema_to"] if mine else int(rng.integers(3, 12))
            nulls = {}
            for f in feats:
                _, v = self.series(model, f"feature_null_rate:{f}", self.now - 15, self.now)
                nulls[f] = round(float(v.mean()), 4)
            out.append({
                "source": src, "features": feats, "schema_version": schema,
                "freshness_min": int(rng.integers(1, 6)), "last_run_ok": True, "null_rate": nulls,
                "changelog": [*mine, {"at": -DAY * int(rng.integers(3, 30)), "source": src,
                                      "change": "routine dependency bump",
                                      "by": self.person(src + "-owner")}],
            })
        return {"model": model, "pipelines": out}

    def infra(self, model: str) -> dict[str, Any]:
        m = self.fleet.models[model]
        pods = pod_names(self, model, m.replicas)
        gpu = m.hardware == "gpu"
        nodes = [{"name": f"{'gpu' if gpu else 'cpu'}-node-{i + 1:02d}",
                  "ready": True, "gpu": m.gpu_type if gpu else None,
                  "gpu_mem_used": "67%" if gpu else None}
                 for i in range(max(1, m.replicas // 2))]
        _, days = self.series(model, "cert_days_left", self.now - 1, self.now)
        state: dict[str, Any] = {
            "model": model, "hardware": m.hardware, "nodes": nodes,
            "pods": [{"name": p, "status": "Running", "restarts": 0,
                      "node": nodes[i % len(nodes)]["name"], "last_state": ""}
                     for i, p in enumerate(pods)],
            "hpa": {"replicas": m.replicas, "max_replicas": m.live_deploy(self.now)
                    .config["max_replicas"], "at_max": False},
            "certificate": {"days_left": round(float(days[-1]), 1)},
            "events": [],
        }
        state = self.fault.infra(self, model, state)
        for n in self.noise:
            state = n.infra(self, model, state)
        return state

    # -- alerts ------------------------------------------------------------------------------
    def episodes(self, t0: int, t1: int, models: list[str] | None = None,
                 rules: tuple[Rule, ...] = RULES) -> list[Episode]:
        out: list[Episode] = []
        for name in models or self.fleet.names():
            m = self.fleet.models[name]
            for rule in rules:
                if rule.applies(m):
                    out += rule.episodes(self, m, t0, t1)
        return sorted(out, key=lambda e: (e.fired_at, e.rule, e.model))

    def firing(self, t: int | None = None) -> list[Episode]:
        """Alerts firing at minute t (default now), looked at over the last six hours."""
        t = self.now if t is None else t
        # The engine, the status command and the TUI header all ask after each command; the
        # answer only changes with the clock or with a new intervention event.
        key = (t, len(self.fault.course.events))
        if self._firing[0] != key:
            self._firing = (key, [e for e in self.episodes(t - 360, t + 1)
                                  if e.fired_at <= t and (e.ended_at is None or e.ended_at > t)])
        return list(self._firing[1])

    def _first_page(self) -> int:
        eps = [e for e in self.episodes(self.fault.onset - 60, self.fault.onset + 240,
                                        models=[self.fault.model])
               if e.fired_at >= self.fault.onset and e.rule != "CertificateExpiringSoon"]
        critical = [e for e in eps if _is_page(e)]
        if not critical:
            raise ValueError(f"the {self.spec.fault} fault on {self.fault.model} pages nobody "
                             "within 4 hours of its onset")
        return min(e.fired_at for e in critical)

    # -- interventions and time ---------------------------------------------------------------
    def apply(self, iv: Intervention) -> Outcome:
        outcome = self.fault.respond(self, iv)
        at = self.now + outcome.delay
        if outcome.effect == "fixes" and self.fault.course.fixed_at() is None:
            self.fault.course.events.append((at, "fix", 0.0))
        elif outcome.effect == "partial":
            self.fault.course.events.append((at, "dip", 6.0))
        elif outcome.effect == "worse":
            self.fault.course.events.append((at, "worse", 1.15))
        self.extra_cost_per_hour += outcome.cost_usd_per_hour
        if outcome.delay:
            self.pending.append(Message(at, outcome.by, outcome.message, outcome.effect))
        return outcome

    def advance(self, minutes: int) -> list[Message]:
        """Move the clock; return the messages that arrived meanwhile."""
        self.now += minutes
        arrived = [m for m in self.pending if m.at <= self.now]
        self.pending = [m for m in self.pending if m.at > self.now]
        return arrived

    def recovered(self) -> bool:
        """The service level is back: the fault's effect is gone now."""
        return self.fault.active(self, self.now) < 0.05

    def impact(self, t1: int | None = None) -> dict[str, float]:
        """Requests affected, failed requests and error budget spent from onset to t1."""
        t1 = self.now if t1 is None else t1
        model = self.fault.model
        t0 = self.fault.onset
        if t1 <= t0:
            return {"budget_consumed_pct": 0.0, "minutes": 0, "requests_affected": 0,
                    "requests_failed": 0}
        t, rps = self.series(model, "rps", t0, t1)
        _, err = self.series(model, "error_rate", t0, t1)
        base_err = tm.baseline(self.seed, self.model(model), "error_rate", t, self.stats(model))
        k = self.fault.course.intensity(t)
        affected = float(np.sum(rps * 60 * k * self.fault.affected_share))
        failed = float(np.sum(rps * 60 * np.clip(err - base_err, 0, 1)))
        month = self.model(model).rps * 60 * 30 * DAY
        budget = month * (1 - self.model(model).slo)
        # Keys in sorted order: saves are written with sorted keys, and a record must read back
        # exactly as it was scored.
        return {"budget_consumed_pct": round(100 * failed / budget, 2), "minutes": t1 - t0,
                "requests_affected": round(affected), "requests_failed": round(failed)}



def _is_page(e: Episode) -> bool:
    from oncall.sim.alerts import RULES_BY_NAME

    return RULES_BY_NAME[e.rule].severity == "critical"

