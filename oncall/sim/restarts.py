"""Container restarts, counted once: each pod's restart counter minute by minute, from the pods
effects of the incidents on its model. The infra view's `restarts` of a pod is its counter;
the `restarts` series (restarts/min on the dashboard, what PodCrashLooping sums over 10
minutes) is the counters' increase from one minute to the next, summed over the pods. So the
alert, the dashboard and the infra view cannot tell two counts.

A pods effect takes a pod while its intensity is at or above the effect's threshold and no fix
has landed. The minute it first takes a pod the pod shows the effect's `restarts`; every minute
it holds it the pod restarts `restarts_per_min` times more, scaled by the intensity. The
counter only grows: a pod the effect lets go (a fix, a paused canary) keeps the count it got
to, and a pod a new revision replaces (a rollback) is gone with it, its successor counting from
0, as kube-state-metrics counts a new pod's containers.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from oncall.sim.world import World

PHASE_STEP = 0.618034
"""Each pod's restarts fall at its own phase (the golden ratio's fraction, pod after pod), so
a crash-looping replica set does not restart in lockstep."""


def counters(world: World, model: str, t0: int, t1: int) -> dict[str, tuple[str, np.ndarray]]:
    """Each pod's restart counter at every minute of [t0, t1), by pod name, with its revision's
    role (`stable` or `canary`); pods no effect ever took are not listed (their counter is 0)."""
    incs = world.restarting(model)
    if not incs or t1 <= t0:
        return {}
    start = min(i.onset + min([0, *i.kind.earlier]) for i in incs) - 1
    if t1 <= start:
        return {}
    t = np.arange(start, t1, dtype=np.int64)
    # The pods an effect takes change only where the infra view can change: a deploy, a
    # capacity fix, an infra effect starting or stopping; every minute when an effect picks
    # its pods by their nodes' fields.
    change = np.zeros(len(t), dtype=bool)
    change[0] = True
    m = world.model(model)
    for at in [d.at for d in m.deploys] + [a for a, on, *_ in world.capacity if on == model]:
        if start < at < t1:
            change[at - start] = True
    for inc in world.incidents.values():
        if inc.model == model:
            change |= inc.infra_changes(t)
    if any(i.selects_by_node() for i in incs):
        change[:] = True
    # Per pod and effect: the intensity at each minute the effect takes the pod, and where.
    taken: dict[tuple[str, str, int], tuple[np.ndarray, np.ndarray]] = {}
    role: dict[str, str] = {}
    order: dict[str, int] = {}
    starts = [*np.flatnonzero(change).tolist(), len(t)]
    for a, b in itertools.pairwise(starts):
        for inc_id, effect, rev, names in world.restarted_pods(model, int(t[a])):
            k = world.incidents[inc_id].course.intensity(t[a:b])
            for name in names:
                k_row, on_row = taken.setdefault(
                    (name, inc_id, effect), (np.zeros(len(t)), np.zeros(len(t), dtype=bool)))
                k_row[a:b], on_row[a:b] = k, True
                role.setdefault(name, rev)
                order.setdefault(name, len(order))
    out: dict[str, np.ndarray] = {}
    for (name, inc_id, effect), (k, on) in taken.items():
        inc = world.incidents[inc_id]
        first, per_min = inc.restarts_of(inc.kind.infra[effect])
        phase = (order[name] * PHASE_STEP) % 1.0
        count = np.where(np.cumsum(on) > 0, first + np.floor(per_min * np.cumsum(k) + phase), 0.0)
        out[name] = out.get(name, 0.0) + count
    lo = t0 - start
    return {name: (role[name], c[lo:] if lo >= 0 else np.concatenate([np.zeros(-lo), c]))
            for name, c in out.items()}


def rate(world: World, model: str, t0: int, t1: int, revision: str | None = None) -> np.ndarray:
    """Container restarts at each minute of [t0, t1), summed over the model's pods (the
    `revision`'s, if given): each counter's increase since the minute before, so the series
    summed over any window is the increase of the counters the infra view shows over it."""
    out = np.zeros(max(t1 - t0, 0))
    for rev, c in counters(world, model, t0 - 1, t1).values():
        if revision is None or revision == rev:
            out += np.diff(c)
    return out
