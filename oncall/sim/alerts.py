"""Alert rules as Prometheus writes them, evaluated over the simulated telemetry.

A rule turns a metric into a value series (a rolling mean, a burn rate, a ratio to baseline), holds
a condition for `for` minutes before it fires (pending until then), and carries its runbook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from oncall.sim import registry
from oncall.sim import telemetry as tm
from oncall.sim.catalogue import RegistryList, RegistryView
from oncall.sim.registry import AlertDef

if TYPE_CHECKING:
    from oncall.sim.fleet import Model
    from oncall.sim.world import World

Severity = Literal["critical", "warning", "ticket"]


class Rule(NamedTuple):
    name: str
    metric: str
    op: Literal[">", "<"]
    for_min: int
    severity: Severity
    summary: str
    expr: str
    unit: str
    threshold: Callable[[Model], float]
    window: int = 1
    kind: Literal["level", "burn", "relative", "increase"] = "level"
    applies: Callable[[Model], bool] = lambda m: True
    revision: str | None = None
    burn_windows: tuple[int, int] = (60, 5)
    reference: Callable[[World, Model], float] | None = None
    """For `relative` rules: the training value the metric is compared with."""
    history: int = 0
    """Minutes to look back for when a firing began, beyond the usual six hours: a condition
    that holds for weeks (a certificate counting down) must not seem to start at the window."""
    pages: bool = False
    """A firing wakes the on-call: the incident's page is the first firing of a rule that
    pages (a warning may; a ticket may not be meant to, but the data decides)."""

    @property
    def runbook(self) -> str:
        return f"runbooks/{self.name}.md"

    def expression(self, model: Model) -> str:
        return self.expr.format(model=model.name, threshold=_fmt(self.threshold(model)))

    def training_value(self, world: World, model: Model) -> float:
        """What a `relative` rule compares the metric with: its value on the training data."""
        return self.reference(world, model) if self.reference else \
            world.stats(model.name).pred_mean

    @property
    def lookback(self) -> int:
        """Minutes of the metric read before the first value (the rolling window's)."""
        return max(self.window, self.burn_windows[0] if self.kind == "burn" else 0)

    def values(self, world: World, model: Model, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray]:
        """The rule's value at each minute of [t0, t1): what the expression evaluates to."""
        lookback = self.lookback
        if self.metric.endswith(":*"):
            # One rule over a family of series (a label matcher in PromQL): the worst of them.
            names = [f"{self.metric[:-1]}{f.name}" for f in model.features]
            parts = [world.series(model.name, n, t0 - lookback, t1, self.revision)
                     for n in names]
            t, raw = parts[0][0], np.max(np.stack([p[1] for p in parts]), axis=0)
        else:
            t, raw = world.series(model.name, self.metric, t0 - lookback, t1, self.revision)
        if self.kind == "burn":
            budget = 1 - model.slo
            long = _rolling_mean(raw, self.burn_windows[0]) / budget
            short = _rolling_mean(raw, self.burn_windows[1]) / budget
            v = np.minimum(long, short)
        elif self.kind == "relative":
            ref = self.training_value(world, model)
            v = np.abs(_rolling_mean(raw, self.window) / ref - 1)
        elif self.kind == "increase":
            v = _rolling_sum(raw, self.window)
        else:
            v = _rolling_mean(raw, self.window)
        return t[lookback:], v[lookback:]

    def bound(self, world: World, model: Model, t0: int, t1: int) -> float | None:
        """The worst value this rule can take at any minute of [t0, t1) on a model whose series
        is its healthy baseline, found without the model's drawn or fitted statistics: the most
        for a `>` rule, the least for a `<` one; None where no such bound is known.

        A `relative` rule over a fitted level L (`tm.scaled`): the series is clip(L x g, 0, 1)
        (or L x g unclipped) of seeded factors g and the rule divides its rolling mean by the
        same L; as 0 < L <= 1, each minute's ratio lies between clip(g, 0, 1) and max(g, 0), so
        the value lies between those rolling means' distances from 1, a few units of roundoff
        aside. A `level` rule below a threshold: the rolling mean of the metric's floor
        (`tm.healthy_floor`). A `level` or `increase` rule above a threshold on a metric drawn
        from nothing (`tm.drawn_from_nothing`: restarts, NaN predictions, unseen categories, a
        feature's age): the most of its values themselves, the same on every model."""
        if self.kind == "level" and self.op == "<":
            return _floor_bound(self.metric, self.window, self.lookback, t0, t1)
        if self.kind in ("level", "increase") and self.op == ">":
            return _fixed_bound(self.metric.removesuffix("*"), self.kind, self.window,
                                self.lookback, t0, t1)
        t = np.arange(t0 - self.lookback, t1)
        if self.kind != "relative" or self.op != ">" or self.metric.endswith(":*"):
            return None
        level = "quality" if self.reference is _quality else \
            "pred_mean" if self.reference is None else None
        shape = tm.scaled(world.seed, model, self.metric, t)
        if shape is None or shape[0] != level:
            return None
        _, factors, clipped = shape
        g = factors[0]
        for f in factors[1:]:
            g = g * f
        ends = (np.clip(g, 0.0, 1.0), np.maximum(g, 0.0)) if clipped else (g,)
        worst = np.max([np.abs(_rolling_mean(e, self.window) - 1) for e in ends], axis=0)
        return float(worst[self.lookback:].max(initial=0.0))

    def episodes(self, world: World, model: Model, t0: int, t1: int) -> list[Episode]:
        t, v = self.values(world, model, t0, t1)
        return self.episodes_of(model, t, v)

    def breached(self, model: Model, v: np.ndarray) -> np.ndarray:
        """Where the rule's values are past its threshold (pending or firing)."""
        thr = self.threshold(model)
        return v > thr if self.op == ">" else v < thr

    def episodes_of(self, model: Model, t: np.ndarray, v: np.ndarray) -> list[Episode]:
        """The firings in a stretch of the rule's values (minutes t, values v)."""
        thr = self.threshold(model)
        cond = self.breached(model, v)
        edges = np.diff(np.concatenate([[0], cond.astype(np.int8), [0]]))
        out: list[Episode] = []
        for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1),
                              strict=True):
            if end - start <= self.for_min:
                continue
            fire = start + self.for_min
            seg = v[fire:end]
            peak = float(seg.max() if self.op == ">" else seg.min())
            ended = int(t[end - 1]) + 1 if end < len(cond) else None
            out.append(Episode(self.name, model.name, int(t[start]), int(t[fire]), ended, thr,
                               peak, float(v[fire])))
        return out


class Episode(NamedTuple):
    """One firing of a rule: pending from `pending_at`, firing from `fired_at` until `ended_at`."""

    rule: str
    model: str
    pending_at: int
    fired_at: int
    ended_at: int | None
    threshold: float
    peak: float
    value_at_fire: float


@lru_cache(maxsize=64)
def _floor_bound(metric: str, window: int, lookback: int, t0: int, t1: int) -> float | None:
    """`Rule.bound` of a `level` rule below a threshold: the same for every model (the floor
    holds whatever a model drew), so a look at a whole fleet computes it once."""
    floor = tm.healthy_floor(metric, np.arange(t0 - lookback, t1))
    if floor is None:
        return None
    return float(_rolling_mean(floor, window)[lookback:].min(initial=np.inf))


IN_ORDER_BELOW = 8
"""Windows shorter than this are summed term by term in order, every window at once: the
order numpy's own sum takes below 8 terms (its pairwise sum starts at 8), so the same bits, for
a tenth of the cost of a reduction per window."""


@lru_cache(maxsize=64)
def _fixed_bound(metric: str, kind: str, window: int, lookback: int, t0: int,
                 t1: int) -> float | None:
    """`Rule.bound` of a rule above a threshold on a metric drawn from nothing: the most of the
    values `Rule.values` makes of it (the same on every model, so computed once)."""
    t = np.arange(t0 - lookback, t1)
    raw = tm.drawn_from_nothing(metric, t)
    if raw is None:
        return None
    v = _rolling_sum(raw, window) if kind == "increase" else _rolling_mean(raw, window)
    return float(v[lookback:].max(initial=-np.inf))


def _rolling_sum(x: np.ndarray, w: int) -> np.ndarray:
    """The sum of each minute's last w values (fewer at the very start). Each window is summed
    on its own, so a minute's value does not depend on where the queried stretch began."""
    if w <= 1:
        return np.asarray(x, dtype=float)
    padded = np.concatenate([np.zeros(w - 1), np.asarray(x, dtype=float)])
    if w < IN_ORDER_BELOW:
        n = len(padded) - w + 1
        total = 0.0 + padded[:n]  # numpy's sum starts from 0.0 (so -0.0 sums to 0.0)
        for i in range(1, w):
            total += padded[i:i + n]
        return total
    step = padded.strides[0]
    # The view `sliding_window_view(padded, w)` makes, made directly (its checks cost a big
    # fleet's build more than the sums): the same windows summed the same way.
    windows = np.ndarray((len(padded) - w + 1, w), dtype=float, buffer=padded,
                         strides=(step, step))
    return np.add.reduce(windows, axis=1)


def _rolling_mean(x: np.ndarray, w: int) -> np.ndarray:
    if w <= 1:
        return x
    n = np.minimum(np.arange(1, len(x) + 1), w)
    return _rolling_sum(x, w) / n


def _fmt(v: float) -> str:
    return f"{v:g}"


def _threshold(a: AlertDef) -> Callable[[Model], float]:
    value = a.threshold
    if isinstance(value, str):
        return lambda m: float(getattr(m, value))
    return lambda m: value


def _applies(a: AlertDef) -> Callable[[Model], bool]:
    fits = a.applies

    def applies(m: Model) -> bool:
        arch = m.archetype
        return ((fits.hardware is None or m.hardware == fits.hardware)
                and (fits.model_types is None or arch.model_type in fits.model_types)
                and (fits.max_label_lag_min is None
                     or arch.label_lag_min <= fits.max_label_lag_min))
    return applies


def _quality(world: World, model: Model) -> float:
    return world.stats(model.name).quality


def rule_of(a: AlertDef) -> Rule:
    """The rule the simulation evaluates for an entry of `registries/alerts.yaml`."""
    return Rule(a.name, a.metric, a.op, a.for_min, a.severity, a.summary, a.expr, a.unit,
                _threshold(a), window=a.window, kind=a.kind, applies=_applies(a),
                revision=a.revision, burn_windows=a.burn_windows,
                reference=_quality if a.reference == "quality" else None, history=a.history,
                pages=a.pages)


def _rules() -> tuple[Rule, ...]:
    defs: dict[str, AlertDef] = registry.entries("alert")
    return registry.derived("rules", lambda: tuple(rule_of(a) for a in defs.values()))  # type: ignore[no-any-return]


def _by_name() -> dict[str, Rule]:
    return registry.derived("rules:by-name", lambda: {r.name: r for r in _rules()})  # type: ignore[no-any-return]


RULES: Sequence[Rule] = RegistryList(_rules)
"""The alert rules (`registries/alerts.yaml` and any added folder's), in file order."""
RULES_BY_NAME: Mapping[str, Rule] = RegistryView(_by_name)


RECORDING_RULES: dict[str, str] = {
    "slo:errors_per_request:ratio_rate5m":
        'sum by (model) (rate(model_requests_total{code=~"5.."}[5m])) / '
        'sum by (model) (rate(model_requests_total[5m]))',
    "slo:errors_per_request:ratio_rate1h":
        'sum by (model) (rate(model_requests_total{code=~"5.."}[1h])) / '
        'sum by (model) (rate(model_requests_total[1h]))',
    "model_prediction_mean:training":
        "max by (model) (model_registry_training_prediction_mean)",
    "model_quality_f1:training":
        "max by (model) (model_registry_training_f1)",
}
"""The recording rules the alert expressions use (`level:metric:operations`), so a rule file
that carries them evaluates in Prometheus instead of silently matching nothing. The training
baseline is the gauge the registry exports for the version in production."""


def recording_rules_used(expr: str) -> list[str]:
    """The recording rules an expression reads."""
    return [n for n in RECORDING_RULES if n in expr]


def prometheus_rules(rules: Sequence[Rule], model: Model, group: str) -> dict[str, object]:
    """A Prometheus rule file (as a dict ready for YAML) for one model."""
    live = [r for r in rules if r.applies(model)]
    used = sorted({n for r in live for n in recording_rules_used(r.expression(model))})
    groups: list[dict[str, object]] = []
    if used:
        groups.append({"name": f"{group}-recording", "rules": [
            {"record": n, "expr": RECORDING_RULES[n]} for n in used]})
    groups.append({"name": group, "rules": [{
        "alert": r.name, "expr": r.expression(model), "for": f"{r.for_min}m",
        "labels": {"severity": r.severity, "model": model.name, "team": model.team},
        "annotations": {"summary": r.summary.format(model=model.name,
                                                    threshold=_fmt(r.threshold(model))),
                        "runbook_url": r.runbook},
    } for r in live]})
    return {"groups": groups}
