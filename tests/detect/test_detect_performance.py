"""F1 over late labels, rolling windows, and the confidence-based estimate before labels."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.detect import DetectError, estimate_f1, f1_on_arrived, rolling_f1


def brute_f1(truth: list[int], predicted: list[int]) -> float | None:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == 1 and p == 1)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != 1 and p == 1)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == 1 and p != 1)
    return None if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.booleans()), max_size=80))
def test_f1_on_arrived_counts_only_arrived_rows(rows: list[tuple[int, int, bool]]) -> None:
    truth = np.array([t if arrived else -99 for t, _, arrived in rows], dtype=float)
    predicted = np.array([p for _, p, _ in rows])
    arrived = np.array([a for *_, a in rows], dtype=bool)
    result = f1_on_arrived(truth, predicted, arrived)
    kept = [(t, p) for t, p, a in rows if a]
    expected = brute_f1([t for t, _ in kept], [p for _, p in kept])
    assert result.f1 == (pytest.approx(expected) if expected is not None else None)
    assert result.n == len(rows) and result.n_labelled == len(kept)
    assert result.label_coverage == (len(kept) / len(rows) if rows else 0.0)
    assert result.tp + result.fn == sum(1 for t, _ in kept if t == 1)


def test_labels_not_yet_arrived_may_be_nan_and_coverage_is_reported() -> None:
    truth = np.array([1, 0, np.nan, np.nan, 1, np.nan])
    predicted = np.array([1, 1, 1, 0, 0, 1])
    result = f1_on_arrived(truth, predicted, ~np.isnan(truth))
    assert (result.tp, result.fp, result.fn) == (1, 1, 1)
    assert result.f1 == pytest.approx(0.5)
    assert result.precision == pytest.approx(0.5) and result.recall == pytest.approx(0.5)
    assert result.label_coverage == pytest.approx(0.5)
    json.dumps(result.to_dict(), allow_nan=False)


def test_no_labels_yet_gives_no_f1_and_points_to_the_estimate() -> None:
    result = f1_on_arrived(np.zeros(4), np.ones(4), np.zeros(4, dtype=bool))
    assert result.f1 is None and result.label_coverage == 0.0
    assert any("use the estimate" in warning for warning in result.warnings)
    low = f1_on_arrived(np.ones(10), np.ones(10), np.arange(10) < 3)
    assert any("only 30% of labels" in warning for warning in low.warnings)


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(DetectError, match="same length"):
        f1_on_arrived(np.zeros(3), np.zeros(4), np.ones(3, dtype=bool))


def test_rolling_f1_uses_only_labels_known_now() -> None:
    times = np.arange(100.0)
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 100)
    predicted = np.where(rng.random(100) < 0.8, truth, 1 - truth)
    arrival = times + 15.0  # labels land 15 time units later
    windows = rolling_f1(times, truth, predicted, arrival, now=99.0, window=20.0, n_windows=3)
    assert [(w.start, w.end) for w in windows] == [(39.0, 59.0), (59.0, 79.0), (79.0, 99.0)]
    for w in windows:
        inside = (times > w.start) & (times <= w.end)
        known = inside & (arrival <= 99.0)
        expected = brute_f1(truth[known].tolist(), predicted[known].tolist())
        assert w.result.n == int(inside.sum())
        assert w.result.n_labelled == int(known.sum())
        assert w.result.f1 == pytest.approx(expected)
    assert windows[0].result.label_coverage == 1.0
    assert windows[-1].result.label_coverage == pytest.approx(5 / 20)


def test_rolling_f1_unsorted_times_and_missing_arrivals() -> None:
    times = np.array([5.0, 1.0, 3.0, 2.0])
    truth = np.array([1, 1, 0, 1])
    predicted = np.array([1, 0, 1, 1])
    arrival = np.array([6.0, np.nan, 4.0, 2.5])
    (only,) = rolling_f1(times, truth, predicted, arrival, now=6.0, window=10.0)
    assert (only.result.n, only.result.n_labelled) == (4, 3)
    assert (only.result.tp, only.result.fp, only.result.fn) == (2, 1, 0)
    with pytest.raises(DetectError):
        rolling_f1(times, truth, predicted, arrival, now=6.0, window=0.0)


def test_estimate_f1_follows_the_expected_counts_formula() -> None:
    p = np.array([0.9, 0.8, 0.6, 0.3, 0.1])
    result = estimate_f1(p, threshold=0.5)
    tp, fp, fn = 0.9 + 0.8 + 0.6, 0.1 + 0.2 + 0.4, 0.3 + 0.1
    assert (result.expected_tp, result.expected_fp, result.expected_fn) == pytest.approx(
        (tp, fp, fn)
    )
    assert result.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert result.band_low is None and result.outside_band is None
    assert any("calibrated" in a for a in result.assumptions)
    assert any("concept drift" in a for a in result.assumptions)


def test_estimate_band_is_mean_plus_minus_three_sigma_of_reference_chunks() -> None:
    rng = np.random.default_rng(7)
    chunks = [rng.beta(2, 5, 500) for _ in range(10)]
    result = estimate_f1(rng.beta(2, 5, 500), 0.5, chunks)
    per_chunk = [estimate_f1(chunk, 0.5).f1 for chunk in chunks]
    mean, std = np.mean(per_chunk), np.std(per_chunk, ddof=1)
    assert result.band_mean == pytest.approx(mean)
    assert result.band_low == pytest.approx(mean - 3 * std)
    assert result.band_high == pytest.approx(mean + 3 * std)
    assert result.outside_band is False and result.n_chunks == 10
    shifted = estimate_f1(rng.beta(5, 2, 500), 0.5, chunks)
    assert shifted.outside_band is True


def test_estimate_is_close_to_the_truth_when_probabilities_are_calibrated() -> None:
    rng = np.random.default_rng(12)
    p = rng.beta(2, 3, 40_000)
    labels = (rng.random(p.size) < p).astype(int)
    realised = f1_on_arrived(labels, (p >= 0.5).astype(int), np.ones(p.size, dtype=bool)).f1
    assert realised is not None
    assert estimate_f1(p, 0.5).f1 == pytest.approx(realised, abs=0.01)


def test_reference_labels_expose_miscalibration() -> None:
    rng = np.random.default_rng(13)
    chunks = [rng.uniform(0, 1, 1_000) for _ in range(6)]
    honest = [(rng.random(c.size) < c).astype(int) for c in chunks]
    overconfident = [(rng.random(c.size) < c * 0.4).astype(int) for c in chunks]
    good = estimate_f1(chunks[0], 0.5, chunks, reference_labels=honest)
    bad = estimate_f1(chunks[0], 0.5, chunks, reference_labels=overconfident)
    assert not any("miscalibrated" in w for w in good.warnings)
    assert any("miscalibrated" in w for w in bad.warnings)
    assert bad.realized_reference_f1 is not None and bad.band_mean is not None
    assert bad.realized_reference_f1 < bad.band_mean
    json.dumps(bad.to_dict(), allow_nan=False)


def test_probabilities_outside_zero_one_are_rejected() -> None:
    with pytest.raises(DetectError, match=r"\[0, 1\]"):
        estimate_f1(np.array([0.2, 1.4]))
