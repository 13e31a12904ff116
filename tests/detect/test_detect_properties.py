"""Every statistic equals scipy's on many random samples, to a relative 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy_lazy import GROUP, distance, stats

from oncall.detect import (
    binned_counts,
    chi2_test,
    fit_reference,
    jensen_shannon,
    ks_test,
    prepare_window,
    wasserstein,
)
from oncall.detect.kernels import kolmogorov_sf, ks_statistic, sturges_edges
from oncall.detect.samples import DECILES

pytestmark = GROUP

REL = 1e-9
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(ours: float, theirs: float) -> bool:
    """Relative REL; p-values below 1e-300 (subnormal in scipy too) need only both be tiny."""
    if abs(ours) < 1e-300 and abs(theirs) < 1e-300:
        return True
    return bool(np.isclose(ours, theirs, rtol=REL, atol=0.0)) or ours == theirs


@st.composite
def continuous_pair(draw: st.DrawFn, max_size: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Two samples, equal or unequal sizes, sometimes shifted, sometimes heavily tied."""
    n = draw(st.integers(1, max_size))
    m = draw(st.sampled_from([n, draw(st.integers(1, max_size))]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shift = draw(st.sampled_from([0.0, 0.1, 0.5, 3.0]))
    a = rng.normal(0.0, 1.0, n)
    b = rng.normal(shift, draw(st.sampled_from([0.5, 1.0, 2.0])), m)
    decimals = draw(st.sampled_from([None, 0, 1]))
    if decimals is not None:
        a, b = np.round(a, decimals), np.round(b, decimals)
    return a, b


float_lists = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=60
)


@FAST
@given(continuous_pair())
def test_ks_matches_scipy_exact_range(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    ours = ks_test(fit_reference(a, "continuous"), b)
    theirs = stats.ks_2samp(a, b, method="auto")
    assert close(ours.statistic, float(theirs.statistic))
    assert ours.p_value is not None and close(ours.p_value, float(theirs.pvalue))


@SLOW
@given(continuous_pair(max_size=10_000))
def test_ks_matches_scipy_exact_range_up_to_ten_thousand(
    pair: tuple[np.ndarray, np.ndarray],
) -> None:
    """The exact p-value (ksdist, not scipy's routine) at every size the exact path takes."""
    test_ks_matches_scipy_exact_range.hypothesis.inner_test(pair)  # type: ignore[attr-defined]


@FAST
@given(float_lists, float_lists)
def test_ks_matches_scipy_on_adversarial_floats(a: list[float], b: list[float]) -> None:
    ours = ks_test(fit_reference(np.array(a), "continuous"), np.array(b))
    theirs = stats.ks_2samp(a, b)
    assert close(ours.statistic, float(theirs.statistic))
    assert ours.p_value is not None and close(ours.p_value, float(theirs.pvalue))


@SLOW
@given(
    st.integers(10_001, 30_000),
    st.integers(50, 30_000),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.01, 0.03, 0.06, 0.3]),
)
def test_ks_matches_scipy_asymptotic_range(n: int, m: int, seed: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, n), rng.normal(shift, 1, m)
    ours = ks_test(fit_reference(a, "continuous"), b)
    theirs = stats.ks_2samp(a, b)
    assert close(ours.statistic, float(theirs.statistic))
    assert ours.p_value is not None and close(ours.p_value, float(theirs.pvalue))


@pytest.mark.parametrize(("n", "m"), [(10_000, 9_999), (10_000, 10_000), (10_001, 10_000)])
def test_ks_switches_method_at_scipys_boundary(n: int, m: int) -> None:
    rng = np.random.default_rng(n + m)
    a, b = rng.normal(0, 1, n), rng.normal(0.03, 1, m)
    ours = ks_test(fit_reference(a, "continuous"), b)
    theirs = stats.ks_2samp(a, b)
    assert close(ours.statistic, float(theirs.statistic))
    assert ours.p_value is not None and close(ours.p_value, float(theirs.pvalue))


@st.composite
def large_pair(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Samples big enough for KS to read the ECDFs at cuts and search only between them.

    Continuous, heavily tied (rounded, small integers), resampled from the reference, a copy
    of it or a copy with a few rows moved, often by so little that every cut sees no gap: the
    last ones leave the largest gap no bigger than the slack between cuts, so most values
    must be looked at.
    """
    n = draw(st.integers(600, 40_000))
    m = draw(st.sampled_from([n, draw(st.integers(600, 40_000))]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.normal(0.0, 1.0, n)
    shape = draw(st.sampled_from(["continuous", "rounded", "integers", "resampled", "copy"]))
    if shape == "continuous":
        b = rng.normal(draw(st.sampled_from([0.0, 0.01, 0.05, 0.5])), 1.0, m)
    elif shape == "rounded":
        decimals = draw(st.sampled_from([0, 1, 2]))
        a, b = np.round(a, decimals), np.round(rng.normal(0.02, 1.0, m), decimals)
    elif shape == "integers":
        a, b = rng.integers(0, 12, n).astype(float), rng.integers(0, 13, m).astype(float)
    elif shape == "resampled":
        b = rng.choice(a, m)
    else:
        b = np.resize(a, m)
        moved, scale = draw(st.integers(0, 5)), draw(st.sampled_from([1e-9, 1e-3, 1.0]))
        b[rng.integers(0, m, moved)] += rng.normal(0.0, scale, moved)
    return a, b


@SLOW
@given(large_pair())
def test_ks_statistic_from_cuts_is_scipys_bit_for_bit(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    theirs = stats.ks_2samp(a, b, method="asymp").statistic  # D before any lattice rounding
    assert ks_statistic(np.sort(a), np.sort(b)) == theirs
    ours = ks_test(fit_reference(a, "continuous"), b)
    exact = stats.ks_2samp(a, b)
    assert close(ours.statistic, float(exact.statistic))
    assert ours.p_value is not None and close(ours.p_value, float(exact.pvalue))
    std = np.std(a)
    raw = stats.wasserstein_distance(a, b)
    assert close(wasserstein(fit_reference(a, "continuous"), b).statistic, raw / std)


@pytest.mark.parametrize("shape", ["continuous", "tied", "alike"])
def test_ks_and_wasserstein_match_scipy_at_a_few_hundred_thousand_rows(shape: str) -> None:
    rng = np.random.default_rng(len(shape))
    a, b = rng.normal(0.0, 1.0, 300_000), rng.normal(0.01, 1.1, 200_000)
    if shape == "tied":
        a, b = np.round(a, 1), np.round(b, 1)
    elif shape == "alike":  # two of every three reference values: the ECDFs almost agree
        b = rng.permutation(np.delete(np.sort(a), np.s_[2::3]))
    assert ks_statistic(np.sort(a), np.sort(b)) == stats.ks_2samp(a, b).statistic
    raw = stats.wasserstein_distance(a, b)
    assert close(wasserstein(fit_reference(a, "continuous"), b).statistic, raw / np.std(a))


@SLOW
@given(st.integers(141, 200_000), st.floats(0.5, 380.0))
def test_kolmogorov_sf_matches_kstwo(n: int, n_d_squared: float) -> None:
    d = float(np.sqrt(n_d_squared / n))
    theirs = float(stats.kstwo.sf(d, n))
    ours = kolmogorov_sf(d, n)
    assert close(ours, theirs) or (theirs < 1e-300 and ours < 1e-300)


@FAST
@given(continuous_pair())
def test_wasserstein_matches_scipy_over_reference_std(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    std = np.std(a)
    ours = wasserstein(fit_reference(a, "continuous"), b).statistic
    raw = stats.wasserstein_distance(a, b)
    if std == 0:
        assert ours == (0.0 if raw == 0 else np.inf)
    else:
        assert close(ours, raw / std)


@FAST
@given(float_lists, float_lists)
def test_wasserstein_matches_scipy_on_adversarial_floats(a: list[float], b: list[float]) -> None:
    std = np.std(a)
    ours = wasserstein(fit_reference(np.array(a), "continuous"), np.array(b)).statistic
    raw = stats.wasserstein_distance(a, b)
    assert close(ours, raw / std) if std > 0 else ours == (0.0 if raw == 0 else np.inf)


LABEL_SETS = (
    tuple("abcdefghijkl"),
    # Up to two characters, any code point: read as one integer per row.
    ("日本", "é", "ab", "a", "Ω", "zz", "b", "ü", "中", "xy", "c", "d"),
    # Up to eight characters below U+0100, of mixed lengths: packed a byte each.
    ("ios", "android", "Zürich", "web", "tv", "api", "São", "a", "ÿÿÿÿÿÿÿÿ", "linux", "m", "x"),
    # Longer, or beyond Latin-1: matched as strings.
    ("cat", "b", "category1", "c", "d", "category-02", "e", "f", "category-0003", "g", "h", "i"),
    ("東京都", "Ωmega", "ab", "αβγ", "a", "b", "c", "d", "e", "f", "g", "h"),
)


@st.composite
def categorical_pair(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Labels from overlapping alphabets: shared, new and vanished categories all occur."""
    labels = draw(st.sampled_from(LABEL_SETS))
    k_ref = draw(st.integers(1, 8))
    k_cur = draw(st.integers(1, 8))
    offset = draw(st.integers(0, 3))
    n = draw(st.integers(1, 3_000))
    m = draw(st.sampled_from([n, draw(st.integers(1, 3_000))]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    ref_weights = rng.dirichlet(np.ones(k_ref))
    cur_weights = rng.dirichlet(np.ones(k_cur))
    # Each side's string width is that of its longest label, as numpy makes it.
    a = rng.choice(list(labels[:k_ref]), n, p=ref_weights)
    b = rng.choice(list(labels[offset : offset + k_cur]), m, p=cur_weights)
    if draw(st.booleans()):
        b = np.stack((b, b), axis=1)[:, 0]  # a strided view, as a column of a 2-D array is
    return a, b


def union_counts(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    union = np.union1d(a, b)
    return (
        np.array([np.count_nonzero(a == c) for c in union]),
        np.array([np.count_nonzero(b == c) for c in union]),
    )


@FAST
@given(categorical_pair())
def test_chi2_matches_chi2_contingency(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    ref_counts, cur_counts = union_counts(a, b)
    table = np.vstack((ref_counts, cur_counts))
    theirs = stats.chi2_contingency(table, correction=False)
    ours = chi2_test(fit_reference(a, "categorical"), b)
    assert close(ours.statistic, float(theirs.statistic))
    assert ours.p_value is not None and close(ours.p_value, float(theirs.pvalue))
    assert {c for c, _ in ours.new_categories} == set(b) - set(a)
    assert {c for c, _ in ours.missing_categories} == set(a) - set(b)


@FAST
@given(categorical_pair())
def test_js_matches_scipy_on_categories(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    ref_counts, cur_counts = union_counts(a, b)
    ours = jensen_shannon(fit_reference(a, "categorical"), b).statistic
    assert close(ours, float(distance.jensenshannon(ref_counts, cur_counts)))


@FAST
@given(continuous_pair(max_size=2_000))
def test_sturges_bins_match_numpy_histogram(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    reference = fit_reference(a, "continuous")
    window = prepare_window(reference, b)
    edges = np.histogram_bin_edges(np.concatenate((a, b)), bins="sturges")
    assert np.array_equal(sturges_edges(reference.values, window.values), edges)
    ref_counts, cur_counts, description = binned_counts(window, "sturges")
    assert np.array_equal(ref_counts, np.histogram(a, edges)[0])
    assert np.array_equal(cur_counts, np.histogram(b, edges)[0])
    assert description.startswith(f"Sturges: {edges.size - 1} equal-width bin")
    ours = jensen_shannon(reference, window, binning="sturges").statistic
    assert close(ours, float(distance.jensenshannon(ref_counts, cur_counts)))


@FAST
@given(continuous_pair(max_size=2_000))
def test_decile_bins_match_numpy_histogram(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    reference = fit_reference(a, "continuous")
    window = prepare_window(reference, b)
    edges = reference.decile_edges
    # Edges are the distinct values among min, the nine deciles and max (numpy's linear rule);
    # compared as sets, since float noise can split one repeated quantile into two in numpy.
    quantiles = np.quantile(a, [0.0, *DECILES, 1.0])
    tolerance = 1e-9 * max(1.0, float(np.abs(a).max()))
    assert np.all(np.diff(edges) > 0)
    assert all(np.min(np.abs(quantiles - edge)) <= tolerance for edge in edges)
    assert all(np.min(np.abs(edges - value)) <= tolerance for value in quantiles)
    ref_counts, cur_counts, _ = binned_counts(window, "deciles")
    if edges.size > 1:
        inside = np.histogram(b, edges)[0]
        assert np.array_equal(ref_counts[:-1], np.histogram(a, edges)[0])
        assert np.array_equal(cur_counts[:-1], inside)
    assert ref_counts[-1] == 0
    assert cur_counts[-1] == np.count_nonzero((b < a.min()) | (b > a.max()))
    assert cur_counts.sum() == b.size and ref_counts.sum() == a.size
    ours = jensen_shannon(reference, window).statistic
    assert close(ours, float(distance.jensenshannon(ref_counts, cur_counts)))
