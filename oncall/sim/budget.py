"""Error budgets: each model's SLO, its 30-day budget, the live burn and multi-window burn-rate
alerts (Google SRE workbook), and what scale-ups cost in GPU hours.

A model with availability SLO s may fail (1 - s) of its requests over 30 days. The budget a night
starts with is drawn from the seed (the month so far has spent some of it); the night spends
more as the world's error rate rises above nothing. Burn rate is the error ratio over a window
divided by (1 - s): 1 spends the budget in exactly 30 days, 14.4 spends 2% of it in an hour.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from oncall.sim import telemetry as tm
from oncall.sim.clock import DAY
from oncall.sim.faults import STOPS

if TYPE_CHECKING:
    from oncall.sim.world import World

PERIOD_DAYS = 30


class BurnWindow(NamedTuple):
    long: int
    short: int
    factor: float
    severity: str
    budget_share: float
    rule: str | None = None
    """The fleet's alert rule on this pair of windows, if it has one (only the fast burn: the
    slower pairs are remediations a postmortem can propose)."""

    @property
    def name(self) -> str:
        return f"{_span(self.long)}/{_span(self.short)}"


BURN_WINDOWS: tuple[BurnWindow, ...] = (
    BurnWindow(60, 5, 14.4, "page", 0.02, "ErrorBudgetBurnFast"),
    BurnWindow(360, 30, 6.0, "page", 0.05),
    BurnWindow(1440, 120, 3.0, "ticket", 0.10),
    BurnWindow(4320, 360, 1.0, "ticket", 0.10),
)
"""Long window, short window (minutes), burn factor, what it raises, and the share of the
budget spent when the long window burns at that factor."""


def _span(minutes: int) -> str:
    return f"{minutes // DAY}d" if minutes % DAY == 0 else \
        f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def month_spent_pct(seed: int, model: str) -> float:
    """How much of the 30-day budget the month had spent before the night (seeded)."""
    rng = np.random.default_rng(tm.key(seed, model, "budget"))
    return round(float(rng.uniform(8, 55)), 1)


def budget_requests(world: World, model: str) -> float:
    m = world.model(model)
    return m.rps * 60 * PERIOD_DAYS * DAY * (1 - m.slo)


def _failures(world: World, model: str, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray]:
    """Requests served and requests failed, minute by minute over [t0, t1): the world's error
    ratio times its traffic (a release promoted in the night is in both: `CandidateRelease`)."""
    _, rps = world.series(model, "rps", t0, t1)
    _, err = world.series(model, "error_rate", t0, t1)
    served = rps * 60
    return served, served * np.clip(err, 0, 1)


def failed_requests(world: World, model: str, t0: int, t1: int) -> float:
    """Requests that failed in [t0, t1)."""
    if t1 <= t0:
        return 0.0
    return float(np.sum(_failures(world, model, t0, t1)[1]))


def _burn(served: np.ndarray, failed: np.ndarray, window: int, slo: float) -> float:
    """The burn rate over the last `window` minutes of the series."""
    return float(np.sum(failed[-window:])) / max(float(np.sum(served[-window:])), 1.0) / \
        (1 - slo)


def burn_rate(world: World, model: str, now: int, window: int) -> float:
    served, failed = _failures(world, model, now - window, now)
    return _burn(served, failed, window, world.model(model).slo)


def burn_alerts(world: World, model: str, now: int) -> list[dict[str, Any]]:
    """The multi-window burn-rate alerts firing now: both windows above the factor."""
    longest = max(w.long for w in BURN_WINDOWS)
    served, failed = _failures(world, model, now - longest, now)
    return _alerts(served, failed, world.model(model).slo)


def _alerts(served: np.ndarray, failed: np.ndarray, slo: float) -> list[dict[str, Any]]:
    out = []
    for w in BURN_WINDOWS:
        long = _burn(served, failed, w.long, slo)
        short = _burn(served, failed, w.short, slo)
        if long > w.factor and short > w.factor:
            out.append({"windows": w.name, "factor": w.factor, "severity": w.severity,
                        "long": round(long, 2), "short": round(short, 2), "rule": w.rule})
    return out


def model_budget(world: World, model: str, start: int, now: int) -> dict[str, Any]:
    """One model's budget at `now`: SLO, what the month had spent by `start` (the minute the
    player started watching: the page, or a shift's start), what the night spent since `start`,
    what is left, the live burn (1 h) and the burn-rate alerts firing. Whatever failed before
    `start` is part of the month's spend, so no figure counts from a fault's hidden onset."""
    m = world.model(model)
    total = budget_requests(world, model)
    longest = max(w.long for w in BURN_WINDOWS)
    t0 = min(now - longest, start)
    served, failed = _failures(world, model, t0, now)
    night = float(np.sum(failed[start - t0:])) if now > start else 0.0
    before = month_spent_pct(world.seed, model)
    night_pct = 100 * night / total
    return {"model": model, "slo": m.slo, "budget_requests": round(total),
            "spent_before_pct": before, "night_pct": round(night_pct, 2),
            "left_pct": round(max(0.0, 100 - before - night_pct), 2),
            "burn_1h": round(_burn(served, failed, 60, m.slo), 2),
            "alerts": _alerts(served, failed, m.slo)}


def gpu_cost_usd(moves: list[tuple[int, float]], now: int) -> float:
    """Spend so far of scale-ups (extra GPU or CPU replicas, each with the hourly cost its fix
    states): (effective minute, USD per hour) each, until now."""
    return round(sum(rate * max(0, now - at) / 60 for at, rate in moves), 2)


class Saved(NamedTuple):
    """Per incident model, the share of its 30-day budget (%) that stopping the faults saved,
    by whom it was stopped."""

    mitigation: dict[str, float]
    """The player's moves: their fixes, the fixes of the teams they asked, partial relief."""
    secondary: dict[str, float]
    """The secondary on-call's takeover (`handover` in a course), for the models that had one."""


def budget_saved(world: World, start: int, now: int) -> Saved:
    """What stopping the faults saved over [start, now), the player's share apart from the
    secondary on-call's: against the night had every incident run unfixed to `now`, the player
    saved what their moves before any takeover saved (the night with each takeover and what
    came after it taken out), and the secondary saved the rest. A fix of the player's that
    landed after the takeover found the fault stopped and saved nothing.

    The counterfactuals are the world's own: the same telemetry with the courses cut back (then
    put back exactly as they were). Cut at a takeover, a course is the one the world had then."""
    kept = {i.id: list(i.course.events) for i in world.incidents.values()}
    models = list(dict.fromkeys(i.model for i in world.incidents.values()))
    handed = {i.model for i in world.incidents.values()
              if any(kind == "handover" for _, kind, _ in i.course.events)}
    actual = {m: failed_requests(world, m, start, now) for m in models}
    try:
        for inc in world.incidents.values():
            inc.course.events = list(itertools.takewhile(lambda e: e[1] != "handover",
                                                         kept[inc.id]))
        without = {m: failed_requests(world, m, start, now) for m in handed}
        for inc in world.incidents.values():
            inc.course.events = [e for e in kept[inc.id]
                                 if e[1] not in (*STOPS, "dip")]
        unfixed = {m: failed_requests(world, m, start, now) for m in models}
    finally:
        for inc in world.incidents.values():
            inc.course.events = kept[inc.id]

    def pct(m: str, more: float, less: float) -> float:
        return round(max(0.0, 100 * (more - less) / budget_requests(world, m)), 2)

    return Saved(mitigation={m: pct(m, unfixed[m], without.get(m, actual[m])) for m in models},
                 secondary={m: pct(m, without[m], actual[m]) for m in models if m in handed})
