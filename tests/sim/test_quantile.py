"""The world's quantiles are numpy's, to the bit, without what numpy's own path imports."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from oncall.detect.samples import DECILES, _decile_edges
from oncall.sim.quantile import quantile, quantiles

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
SAMPLES = hnp.arrays(np.float64, st.integers(1, 400), elements=FINITE)
QS = st.lists(st.floats(0, 1), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(SAMPLES, QS)
def test_quantiles_are_numpys_bit_for_bit(x: np.ndarray, qs: list[float]) -> None:
    got = quantiles(x, qs)
    want = np.quantile(x, qs)
    assert got.tobytes() == want.tobytes(), (got, want)
    assert quantile(x, qs[0]) == float(want[0]) or np.isnan(want[0])


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 60),
                  elements=st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 1e300])), QS)
def test_ties_and_signed_zeros_are_numpys(x: np.ndarray, qs: list[float]) -> None:
    assert quantiles(x, qs).tobytes() == np.quantile(x, qs).tobytes()


def test_a_sample_with_a_nan_has_nan_quantiles_as_numpy() -> None:
    x = np.array([3.0, np.nan, 1.0, 2.0])
    assert np.isnan(quantiles(x, [0.0, 0.5, 1.0])).all()
    assert np.isnan(np.quantile(x, [0.0, 0.5, 1.0])).all()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        quantiles(np.array([]), [0.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        quantiles(np.array([1.0]), [1.5])
    with pytest.raises(ValueError, match="1-D"):
        quantiles(np.ones((2, 2)), [0.5])


@settings(max_examples=100, deadline=None)
@given(SAMPLES)
def test_decile_edges_are_what_np_unique_kept(x: np.ndarray) -> None:
    """The drift tests' bin edges: the distinct values, in order, that `np.unique` kept."""
    ordered = np.sort(x)
    n = ordered.size
    positions = np.asarray(DECILES) * (n - 1)
    lower = np.floor(positions).astype(np.int64)
    upper = np.minimum(lower + 1, n - 1)
    inner = ordered[lower] + (ordered[upper] - ordered[lower]) * (positions - lower)
    want = np.unique(np.clip(np.concatenate(([ordered[0]], inner, [ordered[-1]])),
                             ordered[0], ordered[-1]))
    assert _decile_edges(ordered).tobytes() == want.tobytes()
