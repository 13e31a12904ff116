"""Noise: alerts that fire beside a fault without being part of it.

A real night is never one clean alert. These sources move one metric of one other model enough
to trip a rule, so a player must tell the signal from what can wait for a ticket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from oncall.sim import telemetry as tm
from oncall.sim.faults import LogLine

if TYPE_CHECKING:
    from oncall.sim.fleet import Deploy
    from oncall.sim.world import World


class Noise:
    kind = "noise"
    texts: ClassVar[tuple[str, ...]] = ()
    """Every text the noise shows in a tool: symptoms, like a fault's (checked alike)."""

    def __init__(self, model: str, params: dict[str, Any], index: int) -> None:
        self.model = model
        self.params = params
        self.index = index

    def metric(self, world: World, model: str, metric: str, t: np.ndarray,
               v: np.ndarray, revision: str | None = None) -> np.ndarray:
        """The series with this noise applied; `revision`: the stable or the canary revision's
        own traffic only (None: all of it)."""
        return v

    def version(self, world: World) -> tuple[int, ...]:
        """What the noise's effect depends on beyond the minute (its model's deploys, for one
        that follows a rollout): the world recomputes kept alert values when it changes."""
        return ()

    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        return []

    def infra(self, world: World, model: str, state: dict[str, Any]) -> dict[str, Any]:
        return state

    def setup(self, world: World) -> None:
        """Write what the noise leaves in the history (a deploy), once the world is built."""

    WINDOW: ClassVar[tuple[int, int]] = (60, 120)
    """The span of the night a red herring lands in (01:00-02:00), the same on every night."""

    def minute(self, world: World) -> int:
        """Where in `WINDOW` this noise lands: drawn from the seed and the noise's own name
        (kind, place in the scenario, model), never from an onset or a page, so the minute
        says nothing about when the fault began."""
        rng = np.random.default_rng(tm.key(world.seed, "noise", self.kind, self.index,
                                           self.model))
        return int(rng.integers(*self.WINDOW))


class CertExpiry(Noise):
    """A certificate three weeks from expiry: a ticket, never a reason to wake anyone.

    `days_left` is counted from the minute the player starts watching (the page, or a night
    shift's start), so the days any tool quotes give no hint of when the fault began; the
    certificate expires at a minute of its last day drawn from the seed (a certificate is
    issued at any hour), so the minute its alert began is no copy of the page's clock."""

    kind = "cert_expiry"
    days = 12.0
    """Days left when the watch starts, its last day's minute included (`setup`)."""

    def setup(self, world: World) -> None:
        rng = np.random.default_rng(tm.key(world.seed, "noise", self.kind, self.index,
                                           self.model, "expiry minute"))
        self.days = float(self.params.get("days_left", 12)) + int(rng.integers(1440)) / 1440.0

    def metric(self, world: World, model: str, metric: str, t: np.ndarray,
               v: np.ndarray, revision: str | None = None) -> np.ndarray:
        if model != self.model or metric != "cert_days_left":
            return v
        return self.days - (t - world.seen_from) / 1440.0


class LatencyBlip(Noise):
    """A short p99 excursion on another model (a batch job on a shared node) that clears alone.

    It starts at a minute of 01:00-02:00 drawn from the seed (`Noise.minute`) and lasts
    `minutes`. The `offset` param scenarios still carry (minutes after the onset) is no longer
    read: a blip placed from the onset told a careful player when the fault began (#16)."""

    kind = "latency_blip"
    texts = ("slow request: queue wait {wait}ms before a worker was free, handler {handler}ms",)

    def _window(self, world: World) -> tuple[int, int]:
        start = self.minute(world)
        return start, start + int(self.params.get("minutes", 24))

    def metric(self, world: World, model: str, metric: str, t: np.ndarray,
               v: np.ndarray, revision: str | None = None) -> np.ndarray:
        if model != self.model or metric != "latency_p99_ms":
            return v
        lo, hi = self._window(world)
        bump = np.where((t >= lo) & (t < hi), 1.0, 0.0)
        return v * (1 + 1.1 * bump)

    def logs(self, world: World, model: str, t0: int, t1: int) -> list[LogLine]:
        if model != self.model:
            return []
        lo, hi = self._window(world)
        _, p99 = world.series(model, "latency_p99_ms", t0, t1)
        handler = round(world.model(model).archetype.p50_ms)
        return [LogLine(m + 0.3, "WARN", model, _pick(world.pods_at(model, m), m // 4),
                        self.texts[0].format(wait=max(1, round(float(p99[m - t0]) - handler)),
                                             handler=handler))
                for m in range(lo, min(t1, hi), 4) if m >= t0]  # every 4th minute from lo


class UnrelatedDeploy(Noise):
    """A routine deploy on another model in the small hours: a coincidence in the timeline
    that tempts a rollback of the wrong thing. It changes nothing that matters.

    It lands at a minute of 01:00-02:00 drawn from the seed (`Noise.minute`), so it may come
    before or after the onset, and after the page (then it shows when the clock reaches it).
    The `before` param scenarios still carry (minutes before the onset) is no longer read: a
    deploy placed from the onset told a careful player when the fault began (#16)."""

    kind = "unrelated_deploy"
    texts = ("config only: autoscaler ceiling raised ahead of the weekend peak",)

    def setup(self, world: World) -> None:
        from oncall.sim.fleet import Deploy

        m = world.model(self.model)
        base = m.deploys[-1]
        config = {**base.config, "max_replicas": int(base.config["max_replicas"]) + 2}
        m.deploys.append(Deploy(
            revision=len(m.deploys) + 1, model_version=base.model_version, config=config,
            image=base.image, canary_pct=100, promoted_by=world.person(m.team + "-release"),
            at=self.minute(world),
            note=self.texts[0]))


class CandidateRelease(Noise):
    """A release request's candidate version (a night shift's queue): registered, then serving
    `canary_pct` of the traffic from minute `at` (or, held at a pre-production gate, none),
    with its own error ratio and p99 latency at `error_ratio` and `p99_ratio` times stable's.
    Promoted (a full deploy of the version), it serves all the traffic until a later full
    deploy replaces it. So the gate report, the dashboards split by revision, the alerts and
    the error budget all read one candidate."""

    kind = "candidate_release"
    RATIOS: ClassVar[dict[str, str]] = {"error_rate": "error_ratio",
                                        "latency_p99_ms": "p99_ratio"}
    REGISTERED_BEFORE = 120
    """Minutes between the candidate's registration and its canary (or its request)."""
    EVAL_DELTA = 0.004
    """The candidate's holdout score against the live model's: a little better, as a release
    manager would only ask to promote one that looked so offline."""

    def setup(self, world: World) -> None:
        from oncall.sim.fleet import Deploy, Version, date_tag

        m = world.model(self.model)
        p = self.params
        at, pct = int(p["at"]), int(p.get("canary_pct", 0))
        live, last = m.live_deploy(at), m.versions[-1]
        registered = at - self.REGISTERED_BEFORE
        m.versions.append(Version(
            version=str(p["version"]), training_data=f"{m.name}-train-{date_tag(registered)}",
            hyperparameters=dict(last.hyperparameters),
            eval_scores={**last.eval_scores, "delta": self.EVAL_DELTA},
            registered_by=str(p["by"]), registered_at=registered))
        if pct:
            m.deploys.append(Deploy(
                revision=len(m.deploys) + 1, model_version=str(p["version"]),
                config=dict(live.config), image=live.image, canary_pct=pct,
                promoted_by=str(p["by"]), at=at, note=f"canary at {pct}%, awaiting promotion"))

    def _mine(self, d: Deploy | None) -> bool:
        return d is not None and d.model_version == self.params["version"]

    def share(self, world: World, t: np.ndarray, revision: str | None) -> np.ndarray:
        """The share of the traffic (of a revision's own, with `revision`) the candidate serves
        at each minute: `canary_pct` while its canary runs, all of it once promoted."""
        m = world.model(self.model)
        cuts = sorted({d.at for d in m.deploys} | {d.ended_at for d in m.deploys
                                                    if d.ended_at is not None})
        states = []
        for at in cuts:
            canary = m.canary_deploy(at)
            canary_share = canary.canary_pct / 100 \
                if canary is not None and self._mine(canary) else 0.0
            live = 1.0 if self._mine(m.live_deploy(at)) else 0.0
            states.append(live if revision == "stable" else
                          float(canary_share > 0) if revision == "canary" else
                          max(live, canary_share))
        i = np.searchsorted(np.asarray(cuts), t, side="right") - 1
        return np.where(i >= 0, np.asarray(states)[np.maximum(i, 0)], 0.0)

    def metric(self, world: World, model: str, metric: str, t: np.ndarray,
               v: np.ndarray, revision: str | None = None) -> np.ndarray:
        if model != self.model or metric not in self.RATIOS:
            return v
        ratio = float(self.params.get(self.RATIOS[metric], 1.0))
        return v * (1 + (ratio - 1) * self.share(world, t, revision))

    def version(self, world: World) -> tuple[int, ...]:
        deploys = world.model(self.model).deploys
        return len(deploys), sum(d.ended_at is not None for d in deploys)


NOISE_TYPES: dict[str, type[Noise]] = {"cert_expiry": CertExpiry, "latency_blip": LatencyBlip,
                                       "unrelated_deploy": UnrelatedDeploy,
                                       "candidate_release": CandidateRelease}


def _pick(pods: list[str], i: int) -> str:
    """The pod whose turn it is to write the i-th line."""
    return pods[i % len(pods)]
