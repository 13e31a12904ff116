"""Latency percentiles that agree with the serving timeout and the error ratio.

A request the server gives up on is recorded at the timeout: no recorded duration exceeds it,
and once more than (1 − q) of the requests in a minute time out, the q-quantile sits at the
timeout. A fault whose failures wait out the timeout (`errors: timeout` in its kind) therefore
lifts p99 to the timeout as soon as more than 1% of requests fail, and p50 past half.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from oncall.sim import telemetry as tm

if TYPE_CHECKING:
    from oncall.sim.world import World

QUANTILES = {"latency_p50_ms": 0.5, "latency_p99_ms": 0.99}


def timeout_ms(world: World, model: str, t: np.ndarray) -> np.ndarray:
    """The serving timeout in force at each minute (the live deploy's `timeout_ms`)."""
    out = np.full(t.shape, np.inf)
    for d in sorted(world.model(model).deploys, key=lambda d: d.at):
        if "timeout_ms" in d.config:
            out = np.where(t >= d.at, float(d.config["timeout_ms"]), out)
    return out


def timed_out(world: World, model: str, t0: int, t1: int) -> np.ndarray:
    """The share of requests in each minute of [t0, t1) that waited out the timeout: the extra
    error ratio of the model's incidents whose failures are timeouts."""
    if not any(i.model == model and i.kind.errors == "timeout"
               for i in world.incidents.values()):
        return np.zeros(max(0, t1 - t0))
    t, err = world.series(model, "error_rate", t0, t1)
    base = tm.baseline(world.seed, world.model(model), "error_rate", t, world.stats(model))
    return np.asarray(np.clip(err - base, 0, 1))


def consistent(world: World, model: str, metric: str, t: np.ndarray,
               v: np.ndarray) -> np.ndarray:
    """A percentile series held to the timeout: never above it, and at it once more than
    (1 − q) of the minute's requests timed out."""
    q = QUANTILES[metric]
    limit = timeout_ms(world, model, t)
    v = np.minimum(v, limit)
    if t.size:
        share = timed_out(world, model, int(t[0]), int(t[-1]) + 1)
        v = np.where(share > 1 - q, np.maximum(v, limit), v)
    return v
