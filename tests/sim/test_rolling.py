"""The alert rules' rolling sums, made on a view of their own, are the sums numpy's
sliding_window_view gives, bit for bit: the alerts of every seed stay what they were."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from oncall.sim.alerts import _rolling_mean, _rolling_sum


@pytest.mark.parametrize("w", [2, 3, 5, 8, 15, 30, 60, 129, 1440])
def test_rolling_sums_are_the_sliding_window_sums_bit_for_bit(w: int) -> None:
    rng = np.random.default_rng(w)
    for x in (rng.normal(size=900) * 1e3, rng.lognormal(size=50), rng.integers(0, 9, 300),
              np.abs(rng.standard_cauchy(2000))):
        padded = np.concatenate([np.zeros(w - 1), x])
        want = sliding_window_view(padded, w).sum(axis=1)
        got = _rolling_sum(x, w)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        n = np.minimum(np.arange(1, len(x) + 1), w)
        assert _rolling_mean(x, w).tobytes() == (want / n).tobytes()
