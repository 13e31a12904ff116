"""An incident's impact: one function of the world that every reader quotes.

Counted from the page (the first paging alert the player could see), never from the fault's
hidden onset, so the first look after the page shows nothing and no figure gives the onset
away. What each figure counts:

- `requests_affected`: requests a counter the platform keeps saw meet the fault since the page:
  failed requests, NaN predictions, requests served with a feature missing or a category the
  model never trained on, and for faults that slow or break serving, the share of traffic that
  went through the broken path (a crashed replica's share, the canary's). Every failed request
  is also an affected one, so `requests_failed` never exceeds it.
- `requests_failed`: requests answered with an error above the model's usual error ratio.
- `budget_consumed_pct`: those failures as a share of the 30-day error budget.
- `minutes`: from the page to now, or to `recovered_at` once the fault's effect is gone: every
  figure stops there, so a look just before `resolve` and `resolve` itself agree.
- `recovered_at`: the minute the service level came back (present once it has).

A fault that serves worse answers without errors (drifted inputs, a shifted score, late or
missing labels) has no request a counter could count. For it the impact is what a real platform
shows instead:

- `prediction_shift_pct`: the mean prediction's largest distance from its training value since
  the page (signed, in percent, each minute over the 15 minutes the prediction-shift alert
  averages): at the page, the alert's own value;
- `labelled_pct`: the share of the requests since the page whose labels had arrived by then,
  and `label_delay_min`, the model's usual label delay: while fewer than `MEASURABLE_PCT` of
  them have labels, the quality SLO cannot be measured yet, and the text says so;
- `minutes_outside_quality_slo`, `quality_budget_consumed_pct`: minutes since the page the
  model type's metric, averaged over 15 minutes on arrived labels, sat outside
  `QUALITY_SLO_BAND` of its training value, and the share of the month's quality budget spent;
- `label_coverage_pct`: labels joined over the last hour against the usual count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from oncall.sim import telemetry as tm
from oncall.sim.budget import budget_requests
from oncall.sim.clock import DAY, delay_text, hhmm
from oncall.sim.quality import higher_is_better

if TYPE_CHECKING:
    from oncall.sim.faults import Incident
    from oncall.sim.world import World

QUALITY_SLO_BAND = 0.05
"""The quality SLO: the model's quality metric, averaged over 15 minutes as the quality alert
reads it, stays within this share of its training value."""
QUALITY_WINDOW = 15
QUALITY_BUDGET_SHARE = 0.01
"""Share of the 30-day month the quality metric may spend outside its SLO (about 7 hours)."""
RECOVERED_BELOW = 0.05
"""The fault's intensity under which its effect counts as gone (as `World.recovered` reads it)."""
SERVING_METRICS = frozenset({"error_rate", "latency_p50_ms", "latency_p99_ms", "pred_nan_ratio",
                             "restarts", "up"})
"""Series a fault moves when it breaks serving itself: its requests are counted (and
`restarts`, which a pods effect that restarts containers moves)."""
COUNTED_ROWS = frozenset({"nulls", "inject", "nan"})
COUNTED_SCORES = frozenset({"nan"})
PREDICTION_WINDOW = 15
"""Minutes the prediction shift is averaged over, as the prediction-shift alert reads it."""
MEASURABLE_PCT = 10.0
"""Quality counts as measurable once labels have arrived for this share of the requests since
the page; before that, the quality SLO's figures rest on too few labels to say anything."""
LEVELS = frozenset({"label_coverage_pct", "label_delay_min", "prediction_shift_pct"})
"""Figures that are readings (a dashboard's value, the largest since the page), not counts over
a span: at the page they read what the page itself shows, and say nothing of the onset."""


def silent(inc: Incident) -> bool:
    """A fault no request counter sees: it neither fails, slows nor blanks a request, nor serves
    a missing or unknown input; only quality (through labels) can show it."""
    k = inc.kind
    return not (any(e.metric in SERVING_METRICS for e in k.metrics) or inc.counts_restarts()
                or any(r.op in COUNTED_ROWS for r in k.rows) or inc.renames_to_unknown()
                or any(s.op in COUNTED_SCORES for s in k.scores))


def impact(world: World, incident: str | None = None, t1: int | None = None) -> dict[str, float]:
    """The incident's impact from its page to t1 (default now). Keys in sorted order: saves are
    written with sorted keys, and a record must read back exactly as it was scored."""
    inc = world.incidents[incident] if incident else world.fault
    t1 = world.now if t1 is None else t1
    t0 = inc.page_at if inc.page_at is not None else world.page_at
    back = recovered_at(inc, t0, t1)
    end = t1 if back is None else back
    out = _quality(world, inc, t0, end) if silent(inc) else _requests(world, inc, t0, end)
    if back is not None:
        out["recovered_at"] = back
    return dict(sorted(out.items()))


def _requests(world: World, inc: Incident, t0: int, t1: int) -> dict[str, float]:
    """A serving fault's impact: the requests counted over [t0, t1)."""
    if t1 <= t0:
        return {"budget_consumed_pct": 0.0, "minutes": 0, "requests_affected": 0,
                "requests_failed": 0}
    model = inc.model
    m = world.model(model)
    stats = world.stats(model)
    t, rps = world.series(model, "rps", t0, t1)
    served = rps * 60

    def excess(metric: str) -> np.ndarray:
        _, v = world.series(model, metric, t0, t1)
        return np.clip(v - tm.baseline(world.seed, m, metric, t, stats), 0, 1)

    failed = served * excess("error_rate")
    share = excess("pred_nan_ratio")
    if any(r.op in COUNTED_ROWS for r in inc.kind.rows) or inc.renames_to_unknown():
        for f in m.features:
            share = np.maximum(share, excess(f"feature_null_rate:{f.name}"))
            if f.kind == "categorical":
                share = np.maximum(share, excess(f"feature_unseen_rate:{f.name}"))
    k = inc.course.intensity(t)
    if any(e.metric in SERVING_METRICS for e in inc.kind.metrics) or inc.counts_restarts():
        share = np.maximum(share, k * inc.affected_share)
    affected = np.maximum(served * np.clip(share, 0, 1), failed)
    out: dict[str, float] = {
        "budget_consumed_pct": round(100 * float(failed.sum()) / budget_requests(world, model), 2),
        "minutes": t1 - t0, "requests_affected": round(float(affected.sum())),
        "requests_failed": min(round(float(failed.sum())), round(float(affected.sum())))}
    return out


def recovered_at(inc: Incident, t0: int, t1: int) -> int | None:
    """The first minute in [t0, t1] from which the fault's effect stays gone, once a fix or the
    transient's own end took it away; None while it is still there."""
    if t1 <= t0:
        return None
    t = np.arange(t0, t1 + 1)
    on = inc.course.intensity(t) >= RECOVERED_BELOW
    if on[-1] or (inc.course.fixed_at() is None and inc.course.lasts is None):
        return None
    idx = np.flatnonzero(on)
    return int(t[idx[-1] + 1]) if idx.size else t0


def unmeasured(imp: Mapping[str, Any]) -> bool:
    """A silent fault's impact while its labels are not in yet (fewer than `MEASURABLE_PCT` of
    the requests since the page have theirs): the quality metric cannot measure it, and the
    shift of the predictions is the only sign. Every reader (the status bar, the impact line,
    the story) asks this one question."""
    labelled = imp.get("labelled_pct")
    return "requests_affected" not in imp and labelled is not None \
        and float(labelled) < MEASURABLE_PCT


def _quality(world: World, inc: Incident, t0: int, t1: int) -> dict[str, float]:
    """A silent fault's impact: what the prediction and label views show at t1, and minutes
    outside the quality SLO since the page with the share of the month's quality budget they
    spent."""
    model = inc.model
    arch = world.model(model).archetype
    train = world.stats(model).quality
    out: dict[str, float] = {
        "label_delay_min": arch.label_lag_min, "labelled_pct": labelled_pct(world, model, t0, t1),
        "minutes": max(0, t1 - t0),
        "prediction_shift_pct": prediction_shift_pct(world, model, t0, t1)}
    _, labels = world.series(model, "label_volume_ratio", t1 - 60, t1 + 1)
    out["label_coverage_pct"] = round(100 * float(np.clip(labels.mean(), 0, 1)), 1)
    if t1 <= t0:
        return {**out, "minutes_outside_quality_slo": 0, "quality_budget_consumed_pct": 0.0}
    _, q = world.series(model, arch.quality_metric, t0 - QUALITY_WINDOW + 1, t1)
    q = np.convolve(np.nan_to_num(q, nan=train), np.ones(QUALITY_WINDOW) / QUALITY_WINDOW,
                    mode="valid")
    gap = (q - train) / max(abs(train), 1e-9) * (1 if higher_is_better(arch) else -1)
    outside = int(np.sum(gap < -QUALITY_SLO_BAND))
    return {**out, "minutes_outside_quality_slo": outside,
            "quality_budget_consumed_pct": round(
                100 * outside / (QUALITY_BUDGET_SHARE * 30 * DAY), 2)}


def prediction_shift_pct(world: World, model: str, t0: int, t1: int) -> float:
    """The mean prediction's largest distance from its training value over minutes [t0, t1]
    (signed, in percent), each minute averaged over the 15 minutes the prediction-shift alert
    reads: at the page, the alert's own value."""
    _, v = world.series(model, "pred_mean", t0 - PREDICTION_WINDOW + 1, max(t0, t1) + 1)
    ref = max(abs(world.stats(model).pred_mean), 1e-9)
    shift = np.convolve(v, np.ones(PREDICTION_WINDOW) / PREDICTION_WINDOW, mode="valid") / ref - 1
    return round(100 * float(shift[int(np.argmax(np.abs(shift)))]), 1)


def labelled_pct(world: World, model: str, t0: int, t1: int) -> float:
    """The share of the requests logged in [t0, t1) whose labels had arrived by t1, in percent
    (as the `labels` tool counts its rows): how much of the traffic quality can be measured on."""
    if t1 <= t0:
        return 0.0
    rows, _ = world.rows(model, t0, t1)
    if not len(rows.t):
        return 0.0
    return round(100 * float(np.mean(rows.t + rows.label_lag <= t1)), 1)


def describe(imp: dict[str, float], short: bool = False) -> str:
    """The impact in words, the same everywhere it is shown (status, the status bar, resolve,
    the postmortem pre-fill, exports)."""
    if not imp:
        return ""
    back = "" if short or "recovered_at" not in imp else \
        f"; service level back at {hhmm(int(imp['recovered_at']))}"
    return _figures(imp, short) + back


def _off(shift: float) -> str:
    """A signed shift as said aloud: '36% below training' (was 'up to -36%', which reads as a
    rise)."""
    return f"{abs(shift):g}% {'below' if shift < 0 else 'above'} training"


def _figures(imp: dict[str, float], short: bool) -> str:
    if "requests_affected" in imp:
        if short:
            return (f"{imp['requests_affected']:,.0f} req affected, "
                    f"{imp.get('requests_failed', 0):,.0f} failed, "
                    f"budget {imp.get('budget_consumed_pct', 0):g}%")
        return (f"{imp['requests_affected']:,.0f} requests affected, "
                f"{imp.get('requests_failed', 0):,.0f} failed, "
                f"{imp.get('budget_consumed_pct', 0)}% of the 30-day error budget, "
                f"counted from the page")
    outside = f"{imp.get('minutes_outside_quality_slo', 0):.0f} min"
    budget = imp.get("quality_budget_consumed_pct", 0)
    shift = imp.get("prediction_shift_pct")
    labelled = imp.get("labelled_pct")
    if short:
        return ", ".join(p for p in (
            f"predictions {_off(shift)}" if shift is not None else "",
            f"{labelled:g}% labelled" if labelled is not None else "",
            f"quality SLO: {outside} out, budget {budget:g}%") if p)
    parts = ["no failed requests"]
    if shift is not None:
        parts.append(f"mean prediction as far as {_off(shift)} since the page")
    if labelled is not None and "label_delay_min" in imp:
        parts.append(f"labels arrive about {delay_text(imp['label_delay_min'])} after a request, "
                     f"{labelled:g}% of the requests since the page have theirs")
    slo = f"{outside} outside the quality SLO since the page ({budget:g}% of the 30-day " \
        "quality budget)"
    parts.append(f"quality not yet measurable: {slo}" if unmeasured(imp) else slo)
    if "label_coverage_pct" in imp:
        parts.append(f"labels joined at {imp['label_coverage_pct']:g}% of the usual rate over "
                     "the last hour")
    return "; ".join(parts)
