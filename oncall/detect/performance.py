"""Model performance when labels arrive late, and an estimate before they arrive.

F1 over a window is only honest over the rows whose labels have arrived, and only readable
beside the share that has: early labels are often not a random sample (chargebacks for large
frauds land first). Before labels, a confidence-based estimate reads F1 off the model's own
probabilities, which holds only while the model stays calibrated and the concept stays put.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from oncall.detect.errors import DetectError
from oncall.detect.results import json_safe

if TYPE_CHECKING:
    import numpy.typing as npt

ESTIMATE_ASSUMPTIONS: tuple[str, ...] = (
    "no concept drift: the relation between inputs and labels is the one seen in the reference",
    "calibrated probabilities: among rows scored p, a share p is truly positive",
)


@dataclass(frozen=True, slots=True)
class F1Result:
    """F1 over labelled rows; None where the metric is undefined (no positives to judge)."""

    f1: float | None
    precision: float | None
    recall: float | None
    label_coverage: float
    """Share of the window's rows whose labels have arrived."""
    n: int
    n_labelled: int
    tp: int
    fp: int
    fn: int
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: json_safe(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class F1Window:
    start: float
    """Exclusive start of the window (rows with start < time <= end)."""
    end: float
    result: F1Result

    def to_dict(self) -> dict[str, Any]:
        return {"start": json_safe(self.start), "end": json_safe(self.end), **self.result.to_dict()}


@dataclass(frozen=True, slots=True)
class F1Estimate:
    """Confidence-based F1 with the band that reference chunks say is normal."""

    f1: float | None
    expected_tp: float
    expected_fp: float
    expected_fn: float
    n: int
    band_mean: float | None
    band_std: float | None
    band_low: float | None
    """Mean - 3 sigma of the estimate over reference chunks."""
    band_high: float | None
    n_chunks: int
    outside_band: bool | None
    realized_reference_f1: float | None
    """Mean realised F1 over reference chunks, when their labels were given."""
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: json_safe(getattr(self, f.name)) for f in fields(self)}


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _f1(tp: float, fp: float, fn: float) -> float | None:
    return _ratio(2.0 * tp, 2.0 * tp + fp + fn)


def _vector(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise DetectError(f"{name} must be one-dimensional")
    return array


def _same_length(**arrays: np.ndarray) -> int:
    sizes = {name: array.size for name, array in arrays.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name}={size}" for name, size in sizes.items())
        raise DetectError(f"arrays must have the same length ({listed})")
    return next(iter(sizes.values()))


def _counts(
    y_true: np.ndarray, y_pred: np.ndarray, labelled: npt.NDArray[np.bool_], positive: object
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    actual = (y_true == positive) & labelled
    predicted = (y_pred == positive) & labelled
    return actual & predicted, predicted & ~actual, actual & ~predicted


def _result(n: int, n_labelled: int, tp: int, fp: int, fn: int) -> F1Result:
    coverage = n_labelled / n if n else 0.0
    warnings = []
    if n == 0:
        warnings.append("no rows in the window")
    elif n_labelled == 0:
        warnings.append("no labels have arrived yet: F1 is unknown, use the estimate")
    elif coverage < 0.5:
        warnings.append(
            f"only {coverage:.0%} of labels have arrived; early labels are often not typical"
        )
    if n_labelled and tp + fn == 0:
        warnings.append("no positive labels among the arrived rows: recall is undefined")
    return F1Result(
        f1=_f1(tp, fp, fn),
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        label_coverage=coverage,
        n=n,
        n_labelled=n_labelled,
        tp=tp,
        fp=fp,
        fn=fn,
        warnings=tuple(warnings),
    )


def f1_on_arrived(y_true: Any, y_pred: Any, arrived_mask: Any, *, positive: object = 1) -> F1Result:
    """F1, precision and recall over the rows whose labels have arrived.

    y_true may hold anything (NaN, None) where the label has not arrived; only rows with
    arrived_mask True are read.
    """
    truth, predicted = _vector(y_true, "y_true"), _vector(y_pred, "y_pred")
    arrived = _vector(arrived_mask, "arrived_mask").astype(bool)
    n = _same_length(y_true=truth, y_pred=predicted, arrived_mask=arrived)
    tp, fp, fn = _counts(truth, predicted, arrived, positive)
    return _result(
        n,
        int(np.count_nonzero(arrived)),
        int(np.count_nonzero(tp)),
        int(np.count_nonzero(fp)),
        int(np.count_nonzero(fn)),
    )


def rolling_f1(
    times: Any,
    y_true: Any,
    y_pred: Any,
    label_arrival_times: Any,
    now: float,
    window: float,
    *,
    step: float | None = None,
    n_windows: int = 1,
    positive: object = 1,
) -> tuple[F1Window, ...]:
    """F1 over trailing windows as known at `now`, oldest first.

    Window k ends at now - k * step (step defaults to the window length) and holds rows with
    end - window < time <= end. A label counts only if it arrived at or before `now`; NaN
    arrival times mean never. Cumulative counts over time-sorted rows make each window two
    binary searches, so a long history costs one sort.
    """
    if window <= 0 or n_windows < 1:
        raise DetectError("window must be positive and n_windows at least 1")
    stamp = _vector(times, "times").astype(np.float64)
    truth, predicted = _vector(y_true, "y_true"), _vector(y_pred, "y_pred")
    arrival = _vector(label_arrival_times, "label_arrival_times").astype(np.float64)
    _same_length(times=stamp, y_true=truth, y_pred=predicted, label_arrival_times=arrival)
    order = np.argsort(stamp, kind="stable")
    stamp = stamp[order]
    labelled = arrival[order] <= now
    tp, fp, fn = _counts(truth[order], predicted[order], labelled, positive)
    running = np.zeros((4, stamp.size + 1), dtype=np.int64)
    for row, flags in enumerate((labelled, tp, fp, fn)):
        np.cumsum(flags, out=running[row, 1:])
    stride = window if step is None else step
    ends = now - stride * np.arange(n_windows - 1, -1, -1, dtype=np.float64)
    upper = np.searchsorted(stamp, ends, side="right")
    lower = np.searchsorted(stamp, ends - window, side="right")
    windows = []
    for end, low, high in zip(ends, lower, upper, strict=True):
        counts = running[:, high] - running[:, low]
        windows.append(
            F1Window(
                start=float(end - window),
                end=float(end),
                result=_result(int(high - low), *(int(count) for count in counts)),
            )
        )
    return tuple(windows)


def _probabilities(values: Any, name: str) -> npt.NDArray[np.float64]:
    array = _vector(values, name).astype(np.float64)
    array = array[~np.isnan(array)]
    if array.size and (array.min() < 0.0 or array.max() > 1.0):
        raise DetectError(f"{name}: probabilities must lie in [0, 1]")
    return array


def _expected_counts(p: npt.NDArray[np.float64], threshold: float) -> tuple[float, float, float]:
    predicted = p >= threshold
    tp = float(np.sum(p[predicted]))
    fp = float(np.sum(1.0 - p[predicted]))
    fn = float(np.sum(p[~predicted]))
    return tp, fp, fn


def estimate_f1(
    probabilities: Any,
    threshold: float = 0.5,
    reference_chunks: Sequence[Any] = (),
    *,
    reference_labels: Sequence[Any] | None = None,
    positive: object = 1,
) -> F1Estimate:
    """Confidence-based F1 before labels arrive, against a mean +/- 3 sigma reference band.

    A row predicted positive (p >= threshold) is a true positive with probability p and a
    false positive with probability 1 - p; a row predicted negative is a false negative with
    probability p. The band comes from the same estimate on reference chunks of similar size.
    If labels for the reference chunks are given, the realised F1 there checks calibration.
    NaN probabilities are dropped.
    """
    p = _probabilities(probabilities, "probabilities")
    tp, fp, fn = _expected_counts(p, threshold)
    estimate = _f1(tp, fp, fn)
    chunk_probabilities = [_probabilities(chunk, "reference chunk") for chunk in reference_chunks]
    chunk_estimates = [_f1(*_expected_counts(chunk, threshold)) for chunk in chunk_probabilities]
    defined = [value for value in chunk_estimates if value is not None]
    warnings = []
    mean = std = low = high = None
    outside = None
    if len(defined) >= 2:
        mean, std = float(np.mean(defined)), float(np.std(defined, ddof=1))
        low, high = mean - 3.0 * std, mean + 3.0 * std
        outside = None if estimate is None else not low <= estimate <= high
    if len(defined) < 5:
        warnings.append(
            f"only {len(defined)} reference chunk(s) with a defined estimate: the band is rough"
        )
    if p.size == 0:
        warnings.append("no probabilities to estimate from")
    realized = None
    if reference_labels is not None:
        if len(reference_labels) != len(reference_chunks):
            raise DetectError("reference_labels must match reference_chunks one to one")
        scores = []
        for chunk, labels in zip(reference_chunks, reference_labels, strict=True):
            chunk_p = _vector(chunk, "reference chunk").astype(np.float64)
            truth = _vector(labels, "reference labels")
            _same_length(reference_chunk=chunk_p, reference_labels=truth)
            done = f1_on_arrived(
                truth == positive, chunk_p >= threshold, ~np.isnan(chunk_p), positive=True
            )
            if done.f1 is not None:
                scores.append(done.f1)
        realized = float(np.mean(scores)) if scores else None
        if realized is not None and mean is not None and std is not None:
            gap = abs(realized - mean)
            if gap > max(3.0 * std / math.sqrt(len(defined)), 0.02):
                warnings.append(
                    f"on reference chunks the estimate averages {mean:.3f} but the realised F1 "
                    f"is {realized:.3f}: the probabilities look miscalibrated"
                )
    return F1Estimate(
        f1=estimate,
        expected_tp=tp,
        expected_fp=fp,
        expected_fn=fn,
        n=int(p.size),
        band_mean=mean,
        band_std=std,
        band_low=low,
        band_high=high,
        n_chunks=len(defined),
        outside_band=outside,
        realized_reference_f1=realized,
        assumptions=ESTIMATE_ASSUMPTIONS,
        warnings=tuple(warnings),
    )
