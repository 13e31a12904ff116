"""The fleet: which models serve, who owns them, and their registry and deploy history.

Everything is drawn from one seed so a scenario is the same fleet in every process.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from oncall.sim.catalogue import ARCHETYPES, ARCHETYPES_BY_NAME, Archetype, FeatureSpec
from oncall.sim.clock import DAY
from oncall.sim.names import Names

GPU_TYPES = ("A100-40GB", "L4-24GB", "A10G-24GB")
CONFIG_KEYS = ("batch_size", "memory_limit_gi", "max_replicas", "timeout_ms", "cpu_limit_m",
               "log_level", "gpu_sharing", "replicas_per_gpu")
"""The config keys every deploy of the fleet carries (the last two on GPU models only)."""


_ATOMIC = frozenset({str, int, float, bool, type(None)})


def _deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    """What `copy.deepcopy` makes of a slotted dataclass, made directly: a new object in the
    memo first, then each field deep-copied in order (a string or a number is itself). The
    default goes through `__reduce_ex__` and a list of the fields' values, most of the cost of
    copying a world's models."""
    clone = object.__new__(type(self))
    memo[id(self)] = clone
    for name in type(self).__slots__:
        value = getattr(self, name)
        object.__setattr__(clone, name, value if type(value) in _ATOMIC
                           else copy.deepcopy(value, memo))
    return clone


@dataclass(slots=True)
class Version:
    """A registered model version."""

    version: str
    training_data: str
    hyperparameters: dict[str, Any]
    eval_scores: dict[str, float]
    """Holdout scores: `delta`, the relative change of the model type's quality metric against
    the live model's measured value (positive is better), and AUC for classifiers; the world
    turns the delta into an absolute figure so the registry agrees with the labels tool."""
    registered_by: str
    registered_at: int

    __deepcopy__ = _deepcopy


@dataclass(slots=True)
class Deploy:
    """One deploy revision: which version ran with which config, and who rolled it out."""

    revision: int
    model_version: str
    config: dict[str, Any]
    image: str
    canary_pct: int
    promoted_by: str
    at: int
    note: str = ""
    shadow: bool = False
    """A shadow revision: it receives a mirror of the live traffic and serves none of it."""
    ended_at: int | None = None
    """A canary or shadow taken down at this minute (aborted, not promoted): from then on the
    live revision serves everything again."""
    undoes: int | None = None
    """A rollback: the revision it took out of service."""

    __deepcopy__ = _deepcopy


@dataclass(slots=True)
class Model:
    name: str
    archetype: Archetype
    owner: str
    oncall_contact: str
    hardware: str
    gpu_type: str | None
    replicas: int
    rps: float
    slo: float
    latency_slo_ms: float
    versions: list[Version] = field(default_factory=list)
    deploys: list[Deploy] = field(default_factory=list)

    __deepcopy__ = _deepcopy

    @property
    def team(self) -> str:
        return self.archetype.team

    @property
    def features(self) -> tuple[FeatureSpec, ...]:
        return self.archetype.features

    def live_deploy(self, t: int) -> Deploy:
        """The deploy serving 100% at minute t (canaries excluded)."""
        stable = [d for d in self.deploys if d.at <= t and d.canary_pct in (0, 100)
                  and not d.shadow]
        return stable[-1]

    def canary_deploy(self, t: int) -> Deploy | None:
        """The canary revision serving part of the traffic at minute t: the last canary deploy,
        until a later full deploy (a promotion or a rollback) replaces it."""
        return self._beside(t, lambda d: 0 < d.canary_pct < 100)

    def shadow_deploy(self, t: int) -> Deploy | None:
        """The shadow revision running beside the live one at minute t: the last shadow deploy,
        until a later full deploy (a promotion or a rollback) replaces the set."""
        return self._beside(t, lambda d: d.shadow)

    def _beside(self, t: int, kind: Callable[[Deploy], bool]) -> Deploy | None:
        """The last deploy of a kind that runs beside the live one at minute t, unless a full
        deploy came after it."""
        for d in reversed([d for d in self.deploys if d.at <= t]):
            if kind(d):
                return d if d.ended_at is None or d.ended_at > t else None
            if d.canary_pct == 100:
                return None
        return None

    def rollback_target(self, t: int, to: str | None = None) -> Deploy | None:
        """The deploy a rollback at minute t goes back to: the earlier one `to` names (a version
        `v13` or a revision `r41`), else the last full deploy before the current one (the
        current one when there is none); None: `to` names no earlier deploy."""
        live = [d for d in self.deploys if d.at <= t]
        if to:
            return next((d for d in reversed(live[:-1]) if d.model_version == to
                         or str(d.revision) == to.lstrip("r")), None)
        earlier = [d for d in live[:-1] if d.canary_pct in (0, 100)]
        return earlier[-1] if earlier else live[-1]

    def undone_by(self, revision: int, t: int) -> Deploy | None:
        """The rollback made by minute t that took `revision` out of service, if one did."""
        return next((d for d in self.deploys if d.at <= t and d.undoes == revision), None)

    def feature(self, name: str) -> FeatureSpec:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(slots=True)
class Fleet:
    models: dict[str, Model]
    total_rps: float

    def names(self) -> list[str]:
        return list(self.models)


def build_fleet(seed: int, size: int = 14, total_rps: float = 500.0,
                must_include: tuple[str, ...] = ()) -> Fleet:
    """Draw a fleet of `size` models; `must_include` archetypes (a scenario's targets) are kept."""
    rng = np.random.default_rng([seed, 1])
    names = Names(seed)
    pool = [a for a in ARCHETYPES if a.name not in must_include]
    rest = max(0, size - len(must_include))
    picked_idx = sorted(rng.choice(len(pool), size=min(rest, len(pool)), replace=False).tolist())
    chosen = [ARCHETYPES_BY_NAME[n] for n in must_include] + [pool[i] for i in picked_idx]
    chosen.sort(key=lambda a: a.name)
    weight = sum(a.traffic for a in chosen)
    models: dict[str, Model] = {}
    for arch in chosen:
        rps = round(total_rps * arch.traffic / weight, 1)
        gpu = arch.hardware == "gpu"
        owner = names.person()
        contact = names.person()
        replicas = int(max(2, round(rps / (12 if gpu else 8))))
        model = Model(
            name=arch.name, archetype=arch, owner=owner, oncall_contact=contact,
            hardware=arch.hardware, gpu_type=GPU_TYPES[int(rng.integers(len(GPU_TYPES)))]
            if gpu else None, replicas=replicas, rps=rps,
            slo=0.999, latency_slo_ms=round(arch.p99_ms * 1.6, 0),
        )
        _history(model, rng, names)
        models[arch.name] = model
    return Fleet(models=models, total_rps=round(sum(m.rps for m in models.values()), 1))


def _history(model: Model, rng: np.random.Generator, names: Names) -> None:
    """A registry and deploy history over the last few weeks, the newest deploy days old."""
    n_versions = int(rng.integers(3, 7))
    major = int(rng.integers(4, 15))
    day = int(rng.integers(25, 60))
    gpu = model.hardware == "gpu"
    config: dict[str, Any] = {
        "batch_size": 32 if gpu else 1,
        "memory_limit_gi": 16 if gpu else 4,
        "max_replicas": model.replicas * 3,
        "timeout_ms": int(model.latency_slo_ms * 2),
        "cpu_limit_m": 4000 if gpu else 2000,
        "log_level": "INFO",
        **({"gpu_sharing": "exclusive", "replicas_per_gpu": 1} if gpu else {}),
    }
    image = f"registry.internal/serving/{model.name}"
    for i in range(n_versions):
        # People promote in working hours (09:30-17:30), a week or so apart.
        t = -DAY * day + 570 + int(rng.integers(0, 480))
        v = f"v{major + i}"
        delta = round(float(rng.uniform(-0.03, 0.02)), 3)
        lr = pick(rng, (0.01, 0.03, 0.05, 0.1))
        depth = int(rng.integers(4, 10))
        size = pick(rng, (200, 400, 800))
        # A canary runs for a working day or two before promotion; the version was registered
        # hours before the canary started. Both vary, as they do when people press the buttons.
        canary_h = int(rng.integers(18, 49))
        registered = t - canary_h * 60 - int(rng.integers(40, 8 * 60))
        model.versions.append(Version(
            version=v,
            training_data=f"{model.name}-train-{date_tag(registered - DAY)}",
            hyperparameters=hyperparameters(model.archetype.family, lr, depth, size),
            eval_scores={"delta": delta, "auc": round(float(rng.uniform(0.82, 0.95)), 3)},
            registered_by=names.person(), registered_at=registered,
        ))
        model.deploys.append(Deploy(
            revision=len(model.deploys) + 1, model_version=v, config=dict(config),
            image=f"{image}:1.{major + i}.0", canary_pct=100, promoted_by=names.person(),
            at=t, note=f"promoted after {canary_h}h canary at 10%",
        ))
        day -= int(rng.integers(5, 12))
        if day < 2:
            break


T = TypeVar("T")


def pick(rng: np.random.Generator, options: tuple[T, ...]) -> T:
    """One of `options`, as `rng.choice(options)` picks it (numpy draws its index as
    `rng.integers(len(options))`: the same draw, the same state after), without the conversion
    of the options to an array that makes `choice` five times slower (a 1,000-model fleet's
    history picks some 8,000 times)."""
    return options[int(rng.integers(len(options)))]


def hyperparameters(family: str, lr: float, depth: int, size: int) -> dict[str, Any]:
    """Hyperparameters of the model's own family, from three seeded draws (a learning-rate step,
    a depth from 4 to 9, a size of 200, 400 or 800)."""
    if family == "transformer":
        return {"base_model": "distilroberta-base", "learning_rate": round(lr / 1000, 6),
                "layers_unfrozen": depth - 2, "max_seq_len": size // 400 * 128 + 128,
                "epochs": 3}
    if family == "two_tower":
        return {"embedding_dim": size // 200 * 64, "learning_rate": round(lr / 10, 5),
                "negatives_per_positive": depth, "temperature": 0.05}
    if family == "dual_encoder":
        return {"base_model": "MiniLM-L6", "embedding_dim": 384, "learning_rate": round(
            lr / 1000, 6), "hard_negatives": depth, "temperature": 0.05}
    if family == "deep_ctr":
        return {"architecture": "DCN-v2", "cross_layers": depth - 2, "embedding_dim":
                size // 25, "learning_rate": round(lr / 10, 5)}
    if family == "vision_transformer":
        return {"backbone": "ViT-B/16", "learning_rate": round(lr / 1000, 6), "epochs": depth,
                "image_size": 224}
    if family == "gnn":
        return {"architecture": "GraphSAGE", "layers": depth // 2, "hidden": size // 4,
                "learning_rate": round(lr / 10, 5)}
    return {"learning_rate": round(lr, 3), "max_depth": depth, "n_estimators": size}


def date_tag(t: int) -> str:
    from oncall.sim.clock import date_of

    return date_of(t).strftime("%Y%m%d")
