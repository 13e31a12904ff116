"""The alert rules' rolling sums, made on a view of their own, are the sums numpy's
sliding_window_view gives, bit for bit: the alerts of every seed stay what they were."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from oncall.sim.alerts import _rolling_mean, _rolling_sum


@pytest.mark.parametrize("w", [2, 3, 5, 7, 8, 15, 30, 60, 129, 1440])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf, as numpy's own sum warns
def test_rolling_sums_are_the_sliding_window_sums_bit_for_bit(w: int) -> None:
    """Short windows are summed term by term (`IN_ORDER_BELOW`), the rest by numpy: both give
    numpy's bits, signed zeros, infinities and NaN included."""
    rng = np.random.default_rng(w)
    signed_zeros = np.where(rng.random(400) < 0.5, -0.0, 0.0)
    odd = np.where(rng.random(400) < 0.1, rng.choice([np.inf, -np.inf, np.nan, -0.0], 400),
                   rng.normal(size=400) * 10.0 ** rng.integers(-300, 300, 400))
    for x in (rng.normal(size=900) * 1e3, rng.lognormal(size=50), rng.integers(0, 9, 300),
              np.abs(rng.standard_cauchy(2000)), signed_zeros, odd):
        padded = np.concatenate([np.zeros(w - 1), x])
        want = sliding_window_view(padded, w).sum(axis=1)
        got = _rolling_sum(x, w)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        n = np.minimum(np.arange(1, len(x) + 1), w)
        assert _rolling_mean(x, w).tobytes() == (want / n).tobytes()
    assert _rolling_sum(np.zeros(0), w).shape == (0,)
