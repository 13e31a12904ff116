"""Faults: what each one does to the world, what evidence it leaves, and how it answers a fix.

A fault never decides the score. It moves telemetry, rows, logs and history, names the signals an
observation genuinely shows (so cited evidence can be checked), and says what an intervention does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from oncall.sim.catalogue import Category
from oncall.sim.fleet import Deploy

if TYPE_CHECKING:
    from oncall.sim.world import World

Effect = Literal["fixes", "partial", "none", "worse"]


@dataclass(frozen=True, slots=True)
class Intervention:
    kind: Literal["rollback", "hotfix", "escalate"]
    model: str | None = None
    fix: str | None = None
    to: str | None = None
    team: str | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an intervention does: the effect starts `delay` minutes after it is made."""

    effect: Effect
    message: str
    delay: int = 0
    by: str = "you"
    cost_usd_per_hour: float = 0.0


@dataclass(frozen=True, slots=True)
class LogLine:
    t: float
    level: str
    model: str
    pod: str
    message: str


@dataclass(slots=True)
class Course:
    """The fault's intensity over time: onset, ramp, and what interventions did to it."""

    onset: int
    ramp: int
    recovery: int
    events: list[tuple[int, str, float]] = field(default_factory=list)

    def intensity(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        k = np.clip((t - self.onset) / self.ramp, 0, 1) if self.ramp > 0 else \
            (t >= self.onset).astype(float)
        for at, kind, value in sorted(self.events):
            if kind == "worse":
                k = np.where(t >= at, k * value, k)
            elif kind == "dip":
                k = np.where((t >= at) & (t < at + value), k * 0.15, k)
            elif kind == "fix":
                k = np.where(t >= at, k * np.clip(1 - (t - at) / self.recovery, 0, 1), k)
        return np.asarray(k)

    def fixed_at(self) -> int | None:
        fixes = [at for at, kind, _ in self.events if kind == "fix"]
        return min(fixes) if fixes else None


class Fault:
    """Base class: no effect anywhere. Subclasses override the hooks they need."""

    catalogue_id: ClassVar[str]
    category: ClassVar[Category]
    ramp: ClassVar[int] = 3
    recovery: ClassVar[int] = 4
    affected_share: float = 1.0
    """Share of the target's requests served badly while the fault is fully active."""

    def __init__(self, model: str, onset: int, params: dict[str, Any]) -> None:
        self.model = model
        self.params = params
        self.course = Course(onset=onset, ramp=self.ramp, recovery=self.recovery)

    @property
    def onset(self) -> int:
        return self.course.onset

    def setup(self, world: World) -> None:
        """Write the fault's history (deploys, changelog entries) into the world."""

    def metric(self, world: World, model: str, metric: str, t: np.ndarray, base: np.ndarray,
               revision: str | None) -> np.ndarray:
        return base

    def transform_rows(self, world: World, model: str, t: np.ndarray,
                       features: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return features

    def transform_scores(self, world: World, model: str, t: np.ndarray,
                         scores: np.ndarray) -> np.ndarray:
        return scores

    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        return []

    def pipeline_changes(self, world: World, model: str) -> list[dict[str, Any]]:
        return []

    def infra(self, world: World, model: str, state: dict[str, Any]) -> dict[str, Any]:
        return state

    def respond(self, world: World, iv: Intervention) -> Outcome:
        return Outcome("none", "Nothing changed.")

    def signals(self, world: World, kind: str, args: dict[str, Any], data: dict[str, Any]
                ) -> list[str]:
        return []

    def active(self, world: World, t: float) -> float:
        return float(self.course.intensity(np.array([t]))[0])


def pod_names(world: World, model: str, n: int) -> list[str]:
    rng = np.random.default_rng([world.seed, 99, len(model)])
    alphabet = np.array(list("bcdfghjklmnpqrstvwxz2456789"))
    stem = "".join(rng.choice(alphabet, 9))
    return [f"{model}-{stem[:9]}-{''.join(rng.choice(alphabet, 5))}" for _ in range(n)]


def _escalate_default(world: World, iv: Intervention, owner_team: str) -> Outcome:
    team = iv.team or ""
    return Outcome("none", f"{team} acknowledged after a while: nothing on their side explains "
                   f"this; they suggest {owner_team} look at it.", delay=12, by=team)


class UnitChange(Fault):
    """D4: an upstream producer starts emitting a feature in another unit."""

    catalogue_id = "D4"
    category = "data"
    ramp = 2
    recovery = 3

    @property
    def feature(self) -> str:
        return str(self.params["feature"])

    @property
    def factor(self) -> float:
        return float(self.params["factor"])

    @property
    def source(self) -> str:
        return str(self.params["source"])

    def setup(self, world: World) -> None:
        world.fleet.models[self.model]  # the target must exist

    def _pred_shift(self, world: World) -> float:
        stats = world.stats(self.model)
        feats = dict(stats.reference)
        feats[self.feature] = feats[self.feature] * self.factor
        return float(world.score(self.model, feats).mean() - stats.pred_mean)

    def metric(self, world: World, model: str, metric: str, t: np.ndarray, base: np.ndarray,
               revision: str | None) -> np.ndarray:
        if model != self.model:
            return base
        k = self.course.intensity(t)
        if metric == f"feature_mean:{self.feature}":
            return base * (1 + (self.factor - 1) * k)
        if metric == "pred_mean":
            return np.clip(base + self._pred_shift(world) * k, 0, 1)
        if metric == "f1":
            lag = world.fleet.models[model].archetype.label_lag_min
            return base * (1 - 0.85 * self.course.intensity(t - lag))
        return base

    def transform_rows(self, world: World, model: str, t: np.ndarray,
                       features: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if model != self.model:
            return features
        hit = self.course.intensity(t) >= 0.5
        out = dict(features)
        out[self.feature] = np.where(hit, features[self.feature] * self.factor,
                                     features[self.feature])
        return out

    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        if model != self.model:
            return []
        lines = []
        pod = pod_names(world, model, 1)[0]
        for m in range(max(t0, self.onset + 1), t1, 5):
            if self.active(world, m) < 0.5:
                continue
            share = 0.97 - 0.01 * (m % 3)
            lines.append(LogLine(m + 0.4, "WARN", model, pod,
                                 f"input validation: {self.feature} below training p01 "
                                 f"(12.0) in {share:.0%} of requests in the last 5m"))
        return lines

    def pipeline_changes(self, world: World, model: str) -> list[dict[str, Any]]:
        if model != self.model or world.now < self.onset:
            return []
        deployer = world.person("payments-platform")
        return [{
            "at": self.onset - 1, "source": self.source, "schema_from": 12, "schema_to": 13,
            "by": deployer,
            "change": "payments-events v13: monetary fields emitted in major units (dollars) to "
                      "match the public API; field names unchanged",
        }]

    def respond(self, world: World, iv: Intervention) -> Outcome:
        if iv.kind == "hotfix" and iv.model == self.model and iv.fix in (
                "apply_unit_conversion", "pin_feature_version"):
            what = "a ×100 conversion on" if iv.fix == "apply_unit_conversion" else \
                "schema v12 pinned for"
            return Outcome("fixes", f"Deployed {what} {self.feature} at ingestion; scores "
                           "recover as new requests arrive.")
        if iv.kind == "escalate" and iv.team == "data-engineering":
            return Outcome("fixes", f"data-engineering: confirmed, {self.source} v13 changed "
                           "amounts to dollars. The producer rolled back to v12.",
                           delay=14, by="data-engineering")
        if iv.kind == "rollback" and iv.model == self.model:
            return Outcome("none", f"Rolled back {self.model}; the older version reads the same "
                           f"{self.feature} in dollars and scores it just as wrongly.")
        if iv.kind == "escalate" and iv.team == "model-owners":
            return Outcome("none", f"{world.fleet.models[self.model].owner} ({self.model} owner): "
                           "no model change in weeks; inputs look off, ask data engineering.",
                           delay=10, by="model-owners")
        if iv.kind == "escalate":
            return _escalate_default(world, iv, "data-engineering")
        if iv.kind == "hotfix" and iv.fix == "raise_threshold":
            return Outcome("worse", "Raised the decision threshold: even fewer transactions are "
                           "flagged; fraud passes unreviewed.")
        return Outcome("none", "No change in the scores: the inputs are still in dollars.")

    def signals(self, world: World, kind: str, args: dict[str, Any], data: dict[str, Any]
                ) -> list[str]:
        if args.get("model") not in (None, self.model):
            return []
        out = []
        if kind == "drift" and data.get("drifted"):
            if args.get("feature") == self.feature or self.feature in data.get(
                    "drifted_columns", ()):
                out.append(f"drift:{self.feature}")
            elif args.get("feature") in (None, "prediction"):
                out.append("prediction-drift")
        if kind == "dashboard" and args.get("metric") == f"feature_mean:{self.feature}" \
                and data.get("window", [0, 0])[0] < self.onset:
            out.append(f"ratio:{self.feature}")
        if kind == "dashboard" and args.get("metric") == "pred_mean":
            out.append("prediction-drop")
        if kind == "pipelines" and args.get("model") == self.model:
            out.append(f"upstream-change:{self.source}")
        if kind == "deploys" and args.get("model") == self.model:
            out.append("model-unchanged")
        if kind == "logs" and args.get("model") == self.model:
            out.append("input-validation-warnings")
        return out


class BadCanary(Fault):
    """M1: a new model version on a canary slice throws errors and skews scores."""

    catalogue_id = "M1"
    category = "model"
    ramp = 1
    recovery = 3

    def _versions(self, world: World) -> tuple[str, str]:
        m = world.fleet.models[self.model]
        return m.live_deploy(self.onset).model_version, f"v{len(m.versions) + 100}"

    @property
    def canary_pct(self) -> int:
        return int(self.params.get("canary_pct", 25))

    @property
    def affected_share(self) -> float:  # type: ignore[override]
        return self.canary_pct / 100

    def transform_scores(self, world: World, model: str, t: np.ndarray,
                         scores: np.ndarray) -> np.ndarray:
        """Rows routed to the canary (a fixed hash of the row) get the broken version's score."""
        if model != self.model:
            return scores
        on_canary = (np.arange(len(t)) * 7919 % 100) < self.canary_pct
        hit = on_canary & (self.course.intensity(t) >= 0.5)
        z = np.log(np.clip(scores, 1e-9, 1) / np.clip(1 - scores, 1e-9, 1))
        broken = 1 / (1 + np.exp(-(0.4 * z + 1.2)))
        return np.where(hit, broken, scores)

    @property
    def canary_error(self) -> float:
        return float(self.params.get("canary_error_rate", 0.08))

    def setup(self, world: World) -> None:
        m = world.fleet.models[self.model]
        stable = m.live_deploy(self.onset)
        new_version = f"v{int(m.versions[-1].version[1:]) + 1}"
        self.new_version = new_version
        self.stable_version = stable.model_version
        m.versions.append(type(m.versions[-1])(
            version=new_version, training_data=f"{m.name}-train-20260315",
            hyperparameters={**m.versions[-1].hyperparameters, "feature_set": "v7"},
            eval_scores={"f1_delta": round(m.versions[-1].eval_scores["f1_delta"] + 0.012, 3),
                         "auc": m.versions[-1].eval_scores["auc"]},
            registered_by=m.owner, registered_at=self.onset - 300,
        ))
        m.deploys.append(Deploy(
            revision=len(m.deploys) + 1, model_version=new_version, config=dict(stable.config),
            image=stable.image.rsplit(":", 1)[0] + f":1.{new_version[1:]}.0",
            canary_pct=self.canary_pct, promoted_by=f"deploy-bot for {m.owner}", at=self.onset,
            note=f"canary {self.canary_pct}%: offline F1 +0.012 on holdout, auto-promote after "
                 "6h if healthy",
        ))

    def metric(self, world: World, model: str, metric: str, t: np.ndarray, base: np.ndarray,
               revision: str | None) -> np.ndarray:
        if model != self.model:
            return base
        k = self.course.intensity(t)
        share = 1.0 if revision in (self.new_version, "canary") else (
            0.0 if revision is not None else self.canary_pct / 100)
        if metric == "error_rate":
            return np.clip(base + self.canary_error * k * share, 0, 1)
        if metric == "pred_mean":
            return np.clip(base * (1 + 0.9 * k * share), 0, 1)
        if metric in ("latency_p99_ms", "latency_p50_ms"):
            return base * (1 + 0.25 * k * share)
        if metric == "f1":
            lag = world.fleet.models[model].archetype.label_lag_min
            return base * (1 - 0.45 * self.course.intensity(t - lag) * share)
        return base

    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        if model != self.model:
            return []
        pods = pod_names(world, model + "-canary", 2)
        lines = []
        for m in range(max(t0, self.onset), t1):
            if self.active(world, m) < 0.3:
                continue
            pod = pods[m % 2]
            if m % 2 == 0:
                lines.append(LogLine(m + 0.1, "ERROR", model, pod,
                                     f"model={self.new_version} ValueError: expected 41 features, "
                                     "got 40 (feature_set v7 needs item_freshness_h)"))
            if m % 3 == 0:
                lines.append(LogLine(m + 0.6, "WARN", model, pod,
                                     f"model={self.new_version} fallback to zero-vector for "
                                     "missing feature item_freshness_h"))
        return lines

    def respond(self, world: World, iv: Intervention) -> Outcome:
        if iv.model == self.model and (iv.kind == "rollback" or (
                iv.kind == "hotfix" and iv.fix == "pause_canary")):
            return Outcome("fixes", f"Canary {self.new_version} set to 0%; all traffic back on "
                           f"{self.stable_version}.")
        if iv.kind == "escalate" and iv.team == "model-owners":
            return Outcome("fixes", f"{world.fleet.models[self.model].owner}: confirmed, "
                           f"{self.new_version} expects a feature the store does not serve yet. "
                           "Rolled the canary back.", delay=22, by="model-owners")
        if iv.kind == "escalate":
            return _escalate_default(world, iv, "the model owners")
        if iv.kind == "hotfix" and iv.fix == "scale_up":
            return Outcome("none", "Added replicas: the canary slice fails just as often; the "
                           "extra pods cost money.", cost_usd_per_hour=38.0)
        return Outcome("none", "The canary keeps failing on its slice of traffic.")

    def signals(self, world: World, kind: str, args: dict[str, Any], data: dict[str, Any]
                ) -> list[str]:
        if args.get("model") != self.model:
            return []
        out = []
        if kind == "dashboard" and args.get("by") == "revision" and args.get("metric") in (
                "error_rate", "pred_mean", "latency_p99_ms", "latency_p50_ms", "f1"):
            out.append("canary-split")
        if kind == "dashboard" and args.get("metric") == "error_rate":
            out.append("error-rate-up")
        if kind == "deploys":
            out.append("canary-promotion")
        if kind == "logs":
            out.append("canary-errors")
        if kind == "drift" and data.get("drifted") and args.get("feature") == "prediction":
            out.append("prediction-drift")
        return out


class GpuOom(Fault):
    """I1: a config change raises the batch size until the GPU runs out of memory."""

    catalogue_id = "I1"
    category = "infra"
    ramp = 2
    recovery = 5
    affected_share = 0.6

    def setup(self, world: World) -> None:
        m = world.fleet.models[self.model]
        stable = m.live_deploy(self.onset)
        config = dict(stable.config)
        self.old_batch = int(config["batch_size"])
        config["batch_size"] = int(self.params.get("batch_size", 128))
        self.revision = len(m.deploys) + 1
        m.deploys.append(Deploy(
            revision=self.revision, model_version=stable.model_version, config=config,
            image=stable.image, canary_pct=100, promoted_by=world.person("serving-perf"),
            at=self.onset - 1, note=f"config only: batch_size {self.old_batch} -> "
                                    f"{config['batch_size']} to raise throughput",
        ))

    def metric(self, world: World, model: str, metric: str, t: np.ndarray, base: np.ndarray,
               revision: str | None) -> np.ndarray:
        if model != self.model:
            return base
        k = self.course.intensity(t)
        if metric == "gpu_mem_frac":
            return np.clip(base + (0.995 - base) * k, 0, 1)
        if metric == "restarts":
            return base + np.round(1.5 * k)
        if metric == "error_rate":
            return np.clip(base + 0.14 * k, 0, 1)
        if metric == "latency_p99_ms":
            return base * (1 + 2.8 * k)
        if metric == "latency_p50_ms":
            return base * (1 + 0.6 * k)
        if metric == "gpu_util":
            return np.clip(base * (1 - 0.5 * k), 0, 1)
        return base

    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        if model != self.model:
            return []
        pods = pod_names(world, model, world.fleet.models[model].replicas)
        lines = []
        for m in range(max(t0, self.onset), t1):
            if self.active(world, m) < 0.3:
                continue
            pod = pods[m % len(pods)]
            if m % 2 == 0:
                lines.append(LogLine(m + 0.2, "ERROR", model, pod,
                                     "torch.OutOfMemoryError: CUDA out of memory. Tried to "
                                     "allocate 3.12 GiB (GPU 0; 22.06 GiB total capacity; "
                                     "20.87 GiB already allocated) batch_size=128"))
            if m % 3 == 1:
                lines.append(LogLine(m + 0.7, "WARN", model, pod,
                                     "Back-off restarting failed container (CrashLoopBackOff)"))
        return lines

    def infra(self, world: World, model: str, state: dict[str, Any]) -> dict[str, Any]:
        if model != self.model or self.active(world, world.now) < 0.3:
            return state
        crash = max(1, len(state["pods"]) * 2 // 3)
        for i, pod in enumerate(state["pods"]):
            if i < crash:
                pod["status"] = "CrashLoopBackOff"
                pod["restarts"] += 3 + (world.now - self.onset) // 4
                pod["last_state"] = "Error (exit 1): CUDA out of memory in model worker"
        state["events"].extend([
            {"at": self.onset + 2, "type": "Warning", "reason": "BackOff",
             "message": f"Back-off restarting failed container on {crash} pods"},
            {"at": self.onset + 1, "type": "Warning", "reason": "Unhealthy",
             "message": "Readiness probe failed: model worker exited (CUDA OOM)"},
        ])
        for node in state["nodes"]:
            node["gpu_mem_used"] = "99%"
        return state

    def respond(self, world: World, iv: Intervention) -> Outcome:
        if iv.model == self.model and (iv.kind == "rollback" or (
                iv.kind == "hotfix" and iv.fix in ("lower_batch_size", "revert_config"))):
            return Outcome("fixes", f"batch_size back to {self.old_batch}; pods pass readiness "
                           "and the crash loop stops.")
        if iv.kind == "hotfix" and iv.model == self.model and iv.fix == "raise_memory_limit":
            return Outcome("none", "Raised the container memory limit: host memory was never the "
                           "problem; the GPU still runs out at batch 128.")
        if iv.kind == "hotfix" and iv.model == self.model and iv.fix == "restart_pods":
            return Outcome("partial", "Pods restarted and served for a few minutes, then hit "
                           "CUDA OOM again.")
        if iv.kind == "hotfix" and iv.fix == "scale_up":
            return Outcome("none", "New replicas crash the same way; the extra GPUs cost money.",
                           cost_usd_per_hour=96.0)
        if iv.kind == "escalate" and iv.team == "model-owners":
            return Outcome("fixes", f"{world.fleet.models[self.model].owner}: reverted "
                           f"revision {self.revision} (batch_size {self.old_batch}).",
                           delay=25, by="model-owners")
        if iv.kind == "escalate" and iv.team == "infra-sre":
            return Outcome("none", "infra-sre: nodes and drivers are healthy; the OOM is inside "
                           f"the container since revision {self.revision} raised the batch size.",
                           delay=15, by="infra-sre")
        if iv.kind == "escalate":
            return _escalate_default(world, iv, "the serving owners")
        return Outcome("none", "Pods keep crash-looping on CUDA OOM.")

    def signals(self, world: World, kind: str, args: dict[str, Any], data: dict[str, Any]
                ) -> list[str]:
        if args.get("model") != self.model:
            return []
        out = []
        if kind == "logs":
            out.append("cuda-oom")
        if kind == "infra":
            out.append("crashloop")
        if kind == "dashboard" and args.get("metric") == "gpu_mem_frac":
            out.append("gpu-mem-full")
        if kind == "dashboard" and args.get("metric") == "restarts":
            out.append("crashloop")
        if kind == "deploys":
            out.append("config-batch-size")
        return out


FAULT_TYPES: dict[str, type[Fault]] = {
    "unit_change": UnitChange,
    "bad_canary": BadCanary,
    "gpu_oom": GpuOom,
}
