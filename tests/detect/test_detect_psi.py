"""PSI against its formula, sum of (c - r) * ln(c / r), on cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy_lazy import GROUP

from oncall.detect import DetectError, binned_counts, fit_reference, prepare_window, psi

pytestmark = GROUP


def term(c: float, r: float) -> float:
    return (c - r) * math.log(c / r)


def test_categorical_psi_by_hand() -> None:
    reference = fit_reference(np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 20), "categorical")
    result = psi(reference, np.array(["a"] * 40 + ["b"] * 30 + ["c"] * 30))
    expected = term(0.4, 0.5) + term(0.3, 0.3) + term(0.3, 0.2)
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0628609, abs=1e-7)
    assert not result.drifted
    assert result.bins == "categories: 3 in reference + 0 new; empty bins filled with 0.0001"


def test_new_category_gets_the_fill_share_in_the_reference() -> None:
    reference = fit_reference(np.array(["a"] * 50 + ["b"] * 50), "categorical")
    result = psi(reference, np.array(["a"] * 50 + ["b"] * 40 + ["z"] * 10))
    expected = term(0.5, 0.5) + term(0.4, 0.5) + term(0.1, 1e-4)
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.drifted


def test_reference_deciles_with_an_unseen_bin_by_hand() -> None:
    # Deciles of 1..100 are 10.9, 20.8, ..., 90.1: ten bins of ten values each.
    reference = fit_reference(np.arange(1.0, 101.0), "continuous", "x")
    assert np.allclose(
        reference.decile_edges, [1, 10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1, 100]
    )
    # 1..90 fill the first nine bins; 101..110 land outside the reference range.
    current = np.r_[np.arange(1.0, 91.0), np.arange(101.0, 111.0)]
    window = prepare_window(reference, current)
    ref_counts, cur_counts, _ = binned_counts(window)
    assert ref_counts.tolist() == [10] * 10 + [0]
    assert cur_counts.tolist() == [10] * 9 + [0, 10]
    result = psi(reference, window)
    expected = term(1e-4, 0.1) + term(0.1, 1e-4)
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.bins is not None and result.bins.startswith(
        "reference deciles: 10 bins + unseen bin"
    )


def test_fill_value_is_explicit_and_validated() -> None:
    reference = fit_reference(np.array(["a"] * 50 + ["b"] * 50), "categorical")
    current = np.array(["a"] * 50 + ["b"] * 40 + ["z"] * 10)
    result = psi(reference, current, fill=1e-3)
    expected = term(0.4, 0.5) + term(0.1, 1e-3)
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert "filled with 0.001" in (result.bins or "")
    with pytest.raises(DetectError, match="fill"):
        psi(reference, current, fill=0.0)


def test_sturges_psi_uses_numpy_histogram_counts_over_both_samples() -> None:
    rng = np.random.default_rng(8)
    a, b = rng.normal(0, 1, 3_000), rng.normal(0.3, 1.2, 2_000)
    edges = np.histogram_bin_edges(np.r_[a, b], bins="sturges")
    r = np.histogram(a, edges)[0] / a.size
    c = np.histogram(b, edges)[0] / b.size
    r[r == 0] = 1e-4
    c[c == 0] = 1e-4
    expected = float(np.sum((c - r) * np.log(c / r)))
    result = psi(fit_reference(a, "continuous"), b, binning="sturges")
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.bins is not None and result.bins.startswith(
        f"Sturges: {edges.size - 1} equal-width"
    )


def test_binning_changes_the_number_and_the_result_names_it() -> None:
    rng = np.random.default_rng(9)
    a, b = rng.lognormal(0, 1, 5_000), rng.lognormal(0.2, 1, 5_000)
    reference = fit_reference(a, "continuous")
    deciles, sturges = psi(reference, b), psi(reference, b, binning="sturges")
    assert deciles.statistic != pytest.approx(sturges.statistic, rel=0.05)
    assert deciles.bins != sturges.bins
    with pytest.raises(DetectError, match="binning"):
        psi(reference, b, binning="quartiles")  # type: ignore[arg-type]


def test_bands_warn_at_point_one_and_drift_at_point_two_five() -> None:
    reference = fit_reference(np.array(["a"] * 5000 + ["b"] * 5000), "categorical")
    moderate = psi(reference, np.array(["a"] * 6700 + ["b"] * 3300))
    assert 0.1 <= moderate.statistic < 0.25
    assert not moderate.drifted
    assert any("moderate shift" in warning for warning in moderate.warnings)
    strong = psi(reference, np.array(["a"] * 7500 + ["b"] * 2500))
    assert strong.statistic >= 0.25 and strong.drifted
    assert psi(reference, np.array(["a"] * 7500 + ["b"] * 2500), threshold=0.5).drifted is False


def test_small_windows_warn_with_the_size_aware_cutoff() -> None:
    from scipy.stats import chi2

    # Ten occupied decile bins, nothing outside the reference range: B = 10.
    reference = fit_reference(np.arange(50.0), "continuous")
    small = psi(reference, np.arange(50.0) + 0.5 - 0.5 * (np.arange(50) == 49))
    cutoff = chi2.ppf(0.95, 9) * (1 / 50 + 1 / 50)
    warning = next(w for w in small.warnings if w.startswith("small windows"))
    assert f"{cutoff:.3f}" in warning
    assert f"{cutoff:.3f}" in small.advice
    rng = np.random.default_rng(4)
    big = psi(fit_reference(rng.normal(size=5_000), "continuous"), rng.normal(size=5_000))
    assert not any(w.startswith("small windows") for w in big.warnings)
