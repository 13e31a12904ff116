"""`promtool test rules` files: each exported alert run by Prometheus's own rule engine over
synthetic series built from the incident's healthy and faulty windows, one series per pod as a
per-pod exporter is scraped.

The series are what the simulated exporters would have exposed: gauges scraped at half past
each minute (so a `[5m]` range holds the five minutes the replay averages), counters whose
increments are each minute's traffic split by outcome, and the registry's training gauges. The
expected alerts at each checked minute come from the same replay that the postmortem claims,
so the test passes exactly when the exported rule fires when the game said it would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from oncall.game.remediations.monitors import (
    MONITORS,
    Monitor,
    Tuning,
    alert_annotations,
    canary_spans,
    recording_group,
    training_moments,
)
from oncall.sim.clock import DAY, hhmm
from oncall.sim.datafile import dump_yaml
from oncall.sim.faults import pod_names

if TYPE_CHECKING:
    from oncall.game.record import Replay
    from oncall.sim.fleet import Model
    from oncall.sim.world import World

PODS = 2
"""Pods per synthetic model: enough that a rule which forgets to aggregate fails."""
SPREAD = (0.02, -0.02)
"""How each pod's gauge differs from the model's value (their mean is the model's value)."""
RATE = 600.0
"""Requests (or labels) a pod answers per minute in the synthetic counters."""
SEARCH = 180
"""Minutes to look back for a quiet minute from which Prometheus and the replay agree."""

NUDGE = 1e-7
"""How far, relatively, the synthetic series of a plain average or ratio sit from the sim's
values, away from firing: the sim's values are rounded, so their mean can sit exactly on a
rounding boundary of the annotation's three digits, where float noise would decide which way
Prometheus prints it. Nudged, Prometheus's value sits clearly on one side."""
SHOWN_NUDGE = 1e-8
"""The same side for the expected annotation: the sim's own value nudged a tenth as far."""
TIE = 1e-9
"""How close, relatively, a replayed value may sit to its threshold and count as exactly on it.
There the replay's strict comparison says quiet, while Prometheus, adding up the pods' samples
in another order, could land a rounding error either side; so the synthetic series of a monitor
whose value carries an unrounded reference (a relative change, a z-score) are moved NUDGE away
from firing, and Prometheus says quiet too."""

Slots = list[str]


def _fmt(v: float) -> str:
    return repr(float(v))


class Series:
    """Input series over the data minutes [base, end): two 30-second slots per minute."""

    def __init__(self, base: int, end: int, half: bool) -> None:
        self.base, self.end = base, end
        self.n = end - base
        self.half = half
        """Two slots a minute (gauges are scraped at half past); counters alone need one."""
        self.rows: list[dict[str, str]] = []
        self.ties: dict[str | None, int] = {}
        """Per series (its `feature` label), a minute whose value is exactly its threshold."""

    def add(self, name: str, labels: dict[str, str], values: str) -> None:
        sel = ",".join(f'{k}="{v}"' for k, v in labels.items())
        self.rows.append({"series": f"{name}{{{sel}}}", "values": values})

    def gauge(self, name: str, labels: dict[str, str], v: np.ndarray,
              present: np.ndarray | None = None) -> None:
        """Minute m's value scraped at half past it (minute m - base, second 30)."""
        cells: Slots = []
        for i, x in enumerate(v):
            ok = present is None or bool(present[i])
            cells += ["_", _fmt(x) if ok and np.isfinite(x) else "_"]
        self.add(name, labels, " ".join(cells))

    def constant(self, name: str, labels: dict[str, str], v: float) -> None:
        self.add(name, labels, f"{_fmt(v)}x{2 * self.n if self.half else self.n}")

    def counter(self, name: str, labels: dict[str, str], inc: np.ndarray, start: float,
                present: np.ndarray | None = None) -> None:
        """A counter whose increase over minute m is inc[m]: sampled on the minute (the total
        before it) and, with two slots a minute, at half past (half-way through it)."""
        cells: Slots = []
        total = start
        per = 2 if self.half else 1
        i = 0
        while i < len(inc):
            ok = present is None or bool(present[i])
            run = 1
            while (ok and present is None and i + run < len(inc)
                   and inc[i + run] == inc[i]):
                run += 1
            if run >= 4:  # a steady stretch, in promtool's `start+step x count` notation
                cells.append(f"{_fmt(total)}+{_fmt(inc[i] / per)}x{per * run - 1}")
                total += float(inc[i]) * run
                i += run
                continue
            x = float(inc[i])
            cells.append(_fmt(total) if ok else "_")
            if self.half:
                cells.append(_fmt(total + x / 2) if ok else "_")
            total += x
            i += 1
        cells.append(_fmt(total) if present is None or bool(present[-1]) else "_")
        self.add(name, labels, " ".join(cells))


def _pods(world: World, model: Model) -> list[str]:
    return pod_names(world, model.name, min(PODS, model.replicas))


def _raw(world: World, model: Model, metric: str, s: Series, revision: str | None = None
         ) -> np.ndarray:
    return world.series(model.name, metric, s.base, s.end, revision)[1].astype(float)


def _per_pod(name: str, extra: dict[str, str], nudge: float = 0.0) -> Callable[..., None]:
    def build(world: World, model: Model, s: Series, metric: str) -> None:
        v = _raw(world, model, metric, s) * (1 + nudge * NUDGE)
        for pod, e in zip(_pods(world, model), SPREAD, strict=False):
            s.gauge(name, {"model": model.name, **extra, "pod": pod}, v * (1 + e))
    return build


def _features(mon: Monitor, model: Model) -> Iterator[tuple[str, str]]:
    for f in mon.features(model):
        yield f.name, mon.metric[:-1] + f.name


def _feature_mean(world: World, model: Model, s: Series, mon: Monitor) -> None:
    for f in mon.features(model):
        _per_pod("model_feature_mean", {"feature": f.name})(world, model, s,
                                                            f"feature_mean:{f.name}")
        mu, sd = training_moments(world, model, f)
        labels = {"model": model.name, "feature": f.name}
        s.constant("model_registry_training_feature_mean", labels, mu)
        # a z-score at its threshold: a wider deviation moves every value away from firing
        s.constant("model_registry_training_feature_stddev", labels,
                   sd * (1 + NUDGE) if f.name in s.ties else sd)


def _away(s: Series, mon: Monitor, raw: np.ndarray, ref: float) -> int:
    """The way to nudge a relative change's series so that its value moves away from firing
    at the minute it sits on its threshold (0: it never does): down when the mean is above
    the reference there, up when below."""
    if None not in s.ties:
        return 0
    i = s.ties[None] - s.base
    above = float(np.nanmean(raw[max(0, i + 1 - mon.window):i + 1])) > ref
    return -1 if above == (mon.op == ">") else 1


def _feature_gauge(name: str) -> Callable[[World, Model, Series, Monitor], None]:
    def build(world: World, model: Model, s: Series, mon: Monitor) -> None:
        for feature, metric in _features(mon, model):
            _per_pod(name, {"feature": feature}, -1.0)(world, model, s, metric)
    return build


def _prediction(world: World, model: Model, s: Series, mon: Monitor) -> None:
    ref = world.stats(model.name).pred_mean
    away = _away(s, mon, _raw(world, model, "pred_mean", s), ref)
    _per_pod("model_prediction_mean", {}, away)(world, model, s, "pred_mean")
    s.constant("model_registry_training_prediction_mean", {"model": model.name}, ref)


def _requests(revisions: tuple[str, ...]) -> Callable[[World, Model, Series, Monitor], None]:
    def build(world: World, model: Model, s: Series, mon: Monitor) -> None:
        t = np.arange(s.base, s.end)
        for rev in revisions:
            err = _raw(world, model, "error_rate", s, rev if rev == "canary" else None)
            present = None
            if rev == "canary":
                present = np.zeros(len(t), dtype=bool)
                for lo, hi in canary_spans(model, s.base, s.end):
                    # from a window before the deploy: the replay's first value reads it too
                    present[(t >= lo - mon.window) & (t < hi)] = True
            for pod in _pods(world, model):
                for code, inc, start in (("200", RATE * (1 - err), 1e6),
                                         ("503", RATE * err * (1 - NUDGE), 1e3)):
                    s.counter("model_requests_total", {"model": model.name, "revision": rev,
                                                       "code": code, "pod": pod},
                              inc, start, present)
    return build


def _gpu(world: World, model: Model, s: Series, mon: Monitor) -> None:
    v = _raw(world, model, "gpu_mem_frac", s) * (1 - NUDGE)
    total = 81920.0
    for i, pod in enumerate(_pods(world, model)):
        used = total * v * (1 - 0.03 * i)  # the first pod is the fullest: the max is the value
        labels = {"model": model.name, "pod": pod, "gpu": "0"}
        s.gauge("DCGM_FI_DEV_FB_USED", labels, used)
        s.gauge("DCGM_FI_DEV_FB_FREE", labels, total - used)


def _memory(world: World, model: Model, s: Series, mon: Monitor) -> None:
    v = _raw(world, model, "mem_frac", s) * (1 - NUDGE)
    limit = 4.0 * 2**30
    for i, pod in enumerate(_pods(world, model)):
        labels = {"namespace": "ml-serving", "pod": pod, "container": model.name}
        s.gauge("container_memory_working_set_bytes", labels, limit * v * (1 - 0.03 * i))
        s.constant("kube_pod_container_resource_limits",
                   {**labels, "resource": "memory", "unit": "byte"}, limit)


def _up(world: World, model: Model, s: Series, mon: Monitor) -> None:
    share = _raw(world, model, "up", s)
    up = np.round(share * model.replicas)
    for i, pod in enumerate(pod_names(world, model.name, model.replicas)):
        s.gauge("up", {"job": "model-serving", "model": model.name, "pod": pod},
                (up > i).astype(float))


def _freshness(world: World, model: Model, s: Series, mon: Monitor) -> None:
    for feature, metric in _features(mon, model):
        age = _raw(world, model, metric, s)
        evaluated = (np.arange(s.n) + 1) * 60.0  # the evaluation that reads minute m's scrape
        s.gauge("feature_store_last_materialized_timestamp_seconds",
                {"model": model.name, "feature": feature}, evaluated - age * 60)


def _certificate(world: World, model: Model, s: Series, mon: Monitor) -> None:
    days = _raw(world, model, "cert_days_left", s)
    evaluated = (np.arange(s.n) + 1) * 60.0  # the evaluation that reads minute m's scrape
    s.gauge("probe_ssl_earliest_cert_expiry", {"model": model.name},
            evaluated + days * DAY * 60)


def _autoscaler(world: World, model: Model, s: Series, mon: Monitor) -> None:
    """kube-state-metrics' view of the model's autoscaler: its replicas and its ceiling, whole
    numbers, whose ratio is exactly the sim's."""
    _, replicas, ceiling = world.autoscaler(model.name, s.base, s.end)
    labels = {"model": model.name, "namespace": "ml-serving", "horizontalpodautoscaler": model.name}
    s.gauge("kube_horizontalpodautoscaler_status_current_replicas", labels, replicas)
    s.gauge("kube_horizontalpodautoscaler_spec_max_replicas", labels, ceiling)


def _labels(world: World, model: Model, s: Series, mon: Monitor) -> None:
    ratio = _raw(world, model, "label_volume_ratio", s)
    t = np.arange(s.base, s.end)
    # yesterday: a steady rate
    inc = np.where(t < s.base + DAY, RATE, RATE * ratio * (1 + NUDGE))
    s.counter("model_labels_joined_total", {"model": model.name}, inc, 5e6)


def _quality(world: World, model: Model, s: Series, mon: Monitor) -> None:
    raw, ref = _raw(world, model, "f1", s), world.stats(model.name).quality
    s.gauge("model_quality_f1", {"model": model.name},
            raw * (1 + _away(s, mon, raw, ref) * NUDGE))
    s.constant("model_registry_training_f1", {"model": model.name}, ref)


def _gpu_util(world: World, model: Model, s: Series, mon: Monitor) -> None:
    v = _raw(world, model, "gpu_util", s) * (1 - NUDGE) * 100  # DCGM reports percent
    for i, pod in enumerate(_pods(world, model)):
        s.gauge("DCGM_FI_DEV_GPU_UTIL", {"model": model.name, "pod": pod, "gpu": "0"},
                v * (1 - 0.03 * i))  # the first pod is the busiest: the max is the value


def _disk(world: World, model: Model, s: Series, mon: Monitor) -> None:
    used = _raw(world, model, "node_disk_used_frac", s) * (1 - NUDGE)
    size = 100 * 2.0**30  # a 100 GiB kubelet filesystem
    labels = {"model": model.name, "mountpoint": "/var/lib/kubelet"}
    s.gauge("node_filesystem_size_bytes", labels, np.full(s.n, size))
    s.gauge("node_filesystem_avail_bytes", labels, size * (1 - used))


PERIODS = 600.0
"""CFS quota periods a container runs in a minute (the kernel's 100 ms period)."""


def _throttle(world: World, model: Model, s: Series, mon: Monitor) -> None:
    share = _raw(world, model, "cpu_throttled_frac", s) * (1 - NUDGE)
    for pod in _pods(world, model):
        labels = {"namespace": "ml-serving", "pod": pod, "container": model.name}
        s.counter("container_cpu_cfs_periods_total", labels, np.full(s.n, PERIODS), 1e6)
        s.counter("container_cpu_cfs_throttled_periods_total", labels, PERIODS * share, 1e4)


def _errors(world: World, model: Model, s: Series, mon: Monitor) -> None:
    _requests(("stable", "canary") if mon.revision == "canary" else ("stable",))(
        world, model, s, mon)


BUILDERS: dict[str, Callable[[World, Model, Series, Monitor], None]] = {
    "feature_mean:*": _feature_mean,
    "feature_null_rate:*": _feature_gauge("model_feature_null_ratio"),
    "pred_mean": _prediction,
    "error_rate": _errors,
    "gpu_mem_frac": _gpu,
    "gpu_util": _gpu_util,
    "mem_frac": _memory,
    "node_disk_used_frac": _disk,
    "cpu_throttled_frac": _throttle,
    "up": _up,
    "feature_unseen_rate:*": _feature_gauge("model_feature_unseen_category_ratio"),
    "feature_age_min:*": _freshness,
    "label_volume_ratio": _labels,
    "f1": _quality,
    "cert_days_left": _certificate,
    "hpa_replicas_frac": _autoscaler,
}
"""How the exposed series behind each sim series a monitor reads (`MONITOR_SERIES`) are made
from the sim's minute values."""
COUNTERS_ONLY = frozenset({"error_rate", "label_volume_ratio", "cpu_throttled_frac"})
"""Series exposed as counters alone, which need one sample a minute."""
PLAIN = frozenset({"feature_null_rate:*", "feature_unseen_rate:*", "gpu_mem_frac", "gpu_util",
                   "mem_frac", "node_disk_used_frac", "error_rate", "label_volume_ratio",
                   "cpu_throttled_frac"})
"""Series whose monitor value is a plain average or ratio of the sim's rounded values: nudged
away from firing (down for a `>` alert, up for a `<` one). The others carry an unrounded
training reference in their value, count whole pods or whole minutes."""


def nudged(mon: Monitor) -> float:
    return (-1.0 if mon.op == ">" else 1.0) if mon.metric in PLAIN else 0.0


def history(mon: Monitor) -> int:
    """Minutes of data before a minute that its value reads."""
    if mon.kind == "burn":
        return mon.burn_windows[0]
    if "offset 1d" in mon.expr:
        return DAY + mon.window
    return mon.window


Firing = dict[str | None, float]
"""The alerts firing at a minute: the `feature` label (None for a per-model alert) and value."""


def states(mon: Monitor, world: World, model: Model, tune: Tuning, t0: int, t1: int
           ) -> dict[int, Firing]:
    """Which alerts fire at each minute of [t0, t1) by the replay's own semantics, starting
    with every condition as it stands at t0 (the caller makes sure none is held then)."""
    spans = canary_spans(model, t0, t1) if mon.revision == "canary" else [(t0, t1)]
    out: dict[int, Firing] = {m: {} for m in range(t0, t1)}
    for lo, hi in spans:
        for label, rule, t, v in mon.series(world, model, lo, hi, tune):
            for ep in rule.episodes_of(model, t, v):
                for m in range(ep.fired_at, ep.ended_at if ep.ended_at is not None else hi):
                    out[m][label] = float(v[m - lo])
    return out


def ties(mon: Monitor, world: World, model: Model, tune: Tuning, t0: int, t1: int
         ) -> dict[str | None, int]:
    """Per series, the first minute of [t0, t1) whose replayed value is exactly its threshold
    (within TIE), for the series that have one."""
    thr = tune.threshold
    spans = canary_spans(model, t0, t1) if mon.revision == "canary" else [(t0, t1)]
    out: dict[str | None, int] = {}
    for lo, hi in spans:
        for label, _rule, t, v in mon.series(world, model, lo, hi, tune):
            on = np.flatnonzero(np.abs(v - thr) <= TIE * abs(thr))
            if on.size and label not in out:
                out[label] = int(t[on[0]])
    return out


def _quiet(mon: Monitor, world: World, model: Model, tune: Tuning, before: int,
           floor: int) -> int:
    """The latest minute before `before` (and not before `floor`) at which no condition holds,
    so Prometheus, starting there, agrees with the replay from then on."""
    lo = max(floor, before - SEARCH)
    spans = canary_spans(model, lo, before) if mon.revision == "canary" else [(lo, before)]
    held = np.zeros(before - lo, dtype=bool)
    for a, b in spans:
        for _, _rule, t, v in mon.series(world, model, a, b, tune):
            thr = tune.threshold
            held[t - lo] |= v > thr if mon.op == ">" else v < thr
    free = np.flatnonzero(~held)
    return lo + int(free[-1]) if free.size else lo


def _case(mon: Monitor, rid: str, world: World, model: Model, tune: Tuning, runbook_url: str,
          name: str, start: int, end: int, check: list[int]) -> dict[str, Any]:
    """One test: series from `start` (a quiet minute) back through the history its first value
    reads, to `end`; the expected alerts at each minute in `check`."""
    base = start - history(mon) + 1
    if mon.revision == "canary":
        spans = canary_spans(model, start, end)
        base = max(base, min((lo for lo, _ in spans), default=base) - history(mon))
    s = Series(base, end, half=mon.metric not in COUNTERS_ONLY)
    s.ties = ties(mon, world, model, tune, start, end)
    BUILDERS[mon.metric](world, model, s, mon)
    firing = states(mon, world, model, tune, start, end)
    cases = []
    # a minute exactly at the threshold is checked too: the replay says quiet there
    for m in sorted({*check, *(t for t in s.ties.values() if start <= t < end)}):
        exp = []
        for label, value in sorted(firing[m].items(), key=lambda x: str(x[0])):
            labels = {"severity": mon.severity, "model": model.name, "team": model.team}
            if "feature" in mon.by:
                labels["feature"] = str(label)
            if "container" in mon.by:
                labels["container"] = model.name
            shown = mon.shown(world, model, m, value) * (
                1 + nudged(mon) * SHOWN_NUDGE)
            exp.append({"exp_labels": labels, "exp_annotations": alert_annotations(
                mon, model, tune, runbook_url, feature=str(label), value=f"{shown:.3g}")})
        cases.append({"eval_time": f"{m - base + 1}m", "alertname": mon.alert,
                      "exp_alerts": exp})
    return {"name": name, "interval": "30s" if s.half else "1m", "input_series": s.rows,
            "alert_rule_test": cases}


def test_file(mon: Monitor, world: World, model: Model, tune: Tuning, rule_files: list[str],
              runbook_url: str, rep: Replay | None) -> str:
    """The unit-test file for one exported alert; `world` is the incident as it ran with nobody
    acting, `rep` the replay the postmortem claims."""
    rid = next(k for k, v in MONITORS.items() if v is mon)
    from oncall.game.remediations.testfiles import windows

    h0, h1 = windows(world)["healthy"]
    quiet = _quiet(mon, world, model, tune, h0, h0 - SEARCH)
    healthy = _case(mon, rid, world, model, tune, runbook_url,
                    f"healthy window {hhmm(h0)}-{hhmm(h1)}: quiet, as replayed", quiet, h1,
                    list(range(h0, h1, 5)))
    if any(c["exp_alerts"] for c in healthy["alert_rule_test"]):
        # a tight tuning's false alarm, or a countdown the fault set long before (a
        # certificate days from expiry): the window before the fault is not quiet
        healthy["name"] = f"window {hhmm(h0)}-{hhmm(h1)} before the fault: fires, as replayed"
    onset = world.fault.onset - world.fault.lead
    if rep is not None and rep.fired_at is not None:
        fired = rep.fired_at
        pending = fired - (tune.for_min or 0)
        start = _quiet(mon, world, model, tune, pending, pending - SEARCH)
        check = sorted({*range(start + 1, fired, max(1, (fired - start) // 6)), fired - 1,
                        fired, fired + 1, fired + 5} - {start})
        title = f"faulty window: fires at {hhmm(fired)}, as replayed"
        end = fired + 6
    else:
        start = _quiet(mon, world, model, tune, onset, onset - SEARCH)
        end = world.page_at + 60
        check = list(range(onset, end, 5))
        title = f"faulty window {hhmm(onset)}-{hhmm(end)}: never fires, as replayed"
    faulty = _case(mon, rid, world, model, tune, runbook_url, title, start, end, check)
    files = [p.rsplit("/", 1)[-1] for p in rule_files]
    doc = {"rule_files": files, "evaluation_interval": "1m",
           "group_eval_order": [recording_group(model), f"{model.name}-{rid}"],
           "tests": [healthy, faulty]}
    pods = min(PODS, model.replicas)
    head = (f"# Unit tests of {mon.alert} on {model.name} for `promtool test rules`: synthetic "
            f"series from the\n# incident's healthy and faulty windows, {pods} pods each. "
            "Times are minutes from the\n# first sample.\n")
    return head + dump_yaml(doc, sort_keys=False, width=100)
