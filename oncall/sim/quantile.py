"""Quantiles of a 1-D sample, value for value (to the bit) what `np.quantile` gives with its
default method ('linear', Hyndman and Fan's 7th).

numpy's own path sorts the order statistics it needs with `np.unique`, which asks
`np.ma.is_masked` and so imports `numpy.ma` (6-9 ms of a process's start, for a world that
never masks anything). The order statistics here come from one `np.partition` and are
interpolated exactly as numpy's `_lerp` does (from the lower neighbour below a half, from the
upper one from a half on), so every figure quoted from a quantile is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def quantiles(x: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """`np.quantile(x, qs)` for a 1-D sample (as float64) and quantiles in [0, 1]: NaN for every
    quantile when the sample holds a NaN (as numpy), a ValueError for an empty sample."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"quantiles of a 1-D sample, got {a.ndim} dimensions")
    n = a.shape[0]
    if n == 0:
        raise ValueError("quantiles of an empty sample")
    q = np.asarray(qs, dtype=np.float64)
    if q.ndim != 1 or ((q < 0) | (q > 1)).any():
        raise ValueError("quantiles must be a list of numbers in [0, 1]")
    virtual = (n - 1) * q
    below = np.floor(virtual)
    above = below + 1
    top = virtual >= n - 1
    below[top] = n - 1
    above[top] = n - 1
    lo, hi = below.astype(np.intp), above.astype(np.intp)
    part = np.partition(a, sorted({0, n - 1, *lo.tolist(), *hi.tolist()}))
    if np.isnan(part[n - 1]):  # NaNs are partitioned to the end
        return np.full(q.shape, np.nan)
    left, right = part[lo], part[hi]
    gamma = virtual - np.where(top, -1, lo)  # numpy takes the top's neighbours at index -1
    diff = right - left
    out = left + diff * gamma
    upper = gamma >= 0.5
    out[upper] = (right - diff * (1 - gamma))[upper]
    return out


def quantile(x: np.ndarray, q: float) -> float:
    """`float(np.quantile(x, q))` for one quantile."""
    return float(quantiles(x, [q])[0])
