"""Fitting a model's statistics takes shortcuts that change no bit: the intercept calibration
skips the halvings whose outcome is certain and computes the rest (the intercept is the plain
bisection's for every archetype over many seeds), and the score reads drawn categories by index
(the same weights as by value)."""

from __future__ import annotations

import numpy as np
import pytest

from oncall.sim import telemetry as tm
from oncall.sim.fleet import build_fleet
from oncall.sim.kept import Kept


def bisection(raw: np.ndarray, base_rate: float) -> float:
    """The calibration as it was written first: sixty halvings, each computed."""
    lo, hi = -40.0, 40.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if tm.sigmoid(raw + mid).mean() > base_rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def test_calibrate_is_the_plain_bisection_bit_for_bit() -> None:
    checked = 0
    for seed in range(12):
        for m in build_fleet(seed, 18).models.values():
            rng = np.random.default_rng(tm.key(seed, m.name, "reference"))
            raw = tm.logit(m, tm.draw_features(rng, m, tm.REFERENCE_ROWS), 0.0)
            assert tm.calibrate(raw, m.archetype.base_rate) == \
                bisection(raw, m.archetype.base_rate), (seed, m.name)
            checked += 1
    assert checked == 12 * 18


def test_calibrate_skips_most_halvings_and_falls_back_when_unsure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    m = build_fleet(3, 18).models["fraud-scorer"]
    rng = np.random.default_rng(tm.key(3, m.name, "reference"))
    raw = tm.logit(m, tm.draw_features(rng, m, tm.REFERENCE_ROWS), 0.0)
    calls = []
    sigmoid = tm.sigmoid
    monkeypatch.setattr(tm, "sigmoid", lambda z: calls.append(1) or sigmoid(z))
    expected = bisection(raw, m.archetype.base_rate)
    calls.clear()
    assert tm.calibrate(raw, m.archetype.base_rate) == expected
    assert len(calls) < 40
    # A bound too tight to trust a bracket: every halving is computed, the answer the same.
    monkeypatch.setattr(tm, "MEAN_ERROR", 1.0)
    calls.clear()
    assert tm.calibrate(raw, m.archetype.base_rate) == expected
    assert len(calls) >= 60


def test_scores_read_by_category_index_equal_scores_read_by_value() -> None:
    checked = 0
    for seed in range(6):
        for m in build_fleet(seed, 18).models.values():
            if all(f.kind == "continuous" for f in m.features):
                continue
            rng = np.random.default_rng(tm.key(seed, m.name, "reference"))
            codes: dict[str, np.ndarray] = {}
            rows = tm.draw_features(rng, m, 3000, codes)
            assert codes and all(rows[k][0] == next(f for f in m.features if f.name == k)
                                 .categories[codes[k][0]] for k in codes)
            by_index = tm.logit(m, rows, 0.25, codes=codes)
            assert by_index.tobytes() == tm.logit(m, rows, 0.25).tobytes(), (seed, m.name)
            checked += 1
    assert checked > 30


def test_statistics_kept_for_the_process_are_those_drawn_and_fitted_anew(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two worlds' fleets of one seed read a model's statistics once between them (the same
    arrays), each world reading them only when it needs them; the numbers are those drawn and
    fitted without the cache, and another archetype under the same name is another model."""
    monkeypatch.setattr(tm, "_KEPT", Kept(tm.STATS_KEPT))
    fits: list[str] = []
    fit = tm._fit
    monkeypatch.setattr(tm, "_fit", lambda m, *a: fits.append(m.name) or fit(m, *a))
    a, b = build_fleet(5, 14).models["fraud-scorer"], build_fleet(5, 14).models["fraud-scorer"]
    first, second = tm.fit_model_stats(5, a), tm.fit_model_stats(5, b)
    assert second._drawn is None and second._fit is None
    assert first.intercept == second.intercept and fits == ["fraud-scorer"]
    assert second._drawn is not None and first.reference is second.reference
    d = tm._draw(5, a)
    anew = fit(a, d.reference, d.codes, d.labels_from)
    for name in ("intercept", "threshold", "pred_mean", "f1", "quality"):
        assert getattr(second, name) == getattr(anew, name), name
    for name in ("reference_scores", "reference_labels"):
        assert getattr(second, name).tobytes() == getattr(anew, name).tobytes(), name
    assert all(second.reference[k].tobytes() == v.tobytes() for k, v in d.reference.items()
               if v.dtype != object)
    other = build_fleet(5, 14).models["spam-filter"]
    renamed = type(a)(a.name, other.archetype, *[getattr(a, f) for f in type(a).__slots__[2:]])
    assert tm.fit_model_stats(5, renamed).intercept != first.intercept
    assert fits == ["fraud-scorer", "fraud-scorer"]
