"""Edge cases: constant and missing data, empty windows, categories that come and go."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy_lazy import GROUP, stats

from oncall.detect import (
    DetectError,
    chi2_test,
    fit_reference,
    jensen_shannon,
    ks_test,
    prepare_window,
    psi,
    run_test,
    wasserstein,
)

pytestmark = GROUP


def test_constant_column_unchanged_passes_every_test() -> None:
    reference = fit_reference(np.full(50, 5.0), "continuous", "flat")
    current = np.full(40, 5.0)
    ks = ks_test(reference, current)
    assert (ks.statistic, ks.p_value, ks.drifted) == (0.0, 1.0, False)
    assert wasserstein(reference, current).statistic == 0.0
    result = psi(reference, current)
    assert result.statistic == 0.0 and not result.drifted
    assert result.bins is not None and "deciles: 1 bin +" in result.bins
    assert jensen_shannon(reference, current).statistic == 0.0


def test_constant_column_that_moves_is_infinitely_far_in_reference_deviations() -> None:
    reference = fit_reference(np.full(50, 5.0), "continuous", "flat")
    current = np.full(40, 6.0)
    ks = ks_test(reference, current)
    assert ks.statistic == 1.0 and ks.drifted
    assert ks.p_value == pytest.approx(float(stats.ks_2samp(np.full(50, 5.0), current).pvalue))
    moved = wasserstein(reference, current)
    assert moved.statistic == math.inf and moved.drifted
    assert any("constant reference" in warning for warning in moved.warnings)
    assert moved.to_dict()["statistic"] == "inf"
    assert psi(reference, current).drifted


def test_all_current_values_missing_is_reported_as_drift_not_an_error() -> None:
    reference = fit_reference(np.arange(100.0), "continuous", "amount")
    for test in ("ks", "psi", "wasserstein", "js"):
        result = run_test(reference, np.full(30, np.nan), test)
        assert result.drifted and result.n_current == 0
        assert math.isnan(result.statistic) and result.p_value is None
        assert result.missing_current == 1.0
        assert any("all 30 current values are missing" in w for w in result.warnings)
        assert result.to_dict()["statistic"] is None
    labels = fit_reference(np.array(["a", "b"]), "categorical", "country")
    result = chi2_test(labels, np.array([None, np.nan], dtype=object))
    assert result.drifted and result.n_current == 0


def test_all_reference_values_missing_is_an_error_naming_the_column() -> None:
    with pytest.raises(DetectError, match=r"'amount'.*all 4 reference values are missing"):
        fit_reference(np.full(4, np.nan), "continuous", "amount")
    with pytest.raises(DetectError, match="'country'"):
        fit_reference(np.array(["", ""]), "categorical", "country")


@pytest.mark.parametrize("kind", ["continuous", "categorical"])
def test_empty_window_is_a_clear_value_error(kind: str) -> None:
    values = np.arange(10.0) if kind == "continuous" else np.array(list("abcabcabca"))
    reference = fit_reference(values, kind, "feature_x")  # type: ignore[arg-type]
    with pytest.raises(DetectError, match="'feature_x': the current window is empty") as caught:
        prepare_window(reference, np.array([]))
    assert isinstance(caught.value, ValueError)
    with pytest.raises(DetectError, match="'feature_x': the reference window is empty"):
        fit_reference(np.array([]), kind, "feature_x")  # type: ignore[arg-type]


def test_one_category_in_both_windows_has_nothing_to_compare() -> None:
    reference = fit_reference(np.array(["x"] * 20), "categorical", "only")
    result = chi2_test(reference, np.array(["x"] * 7))
    assert (result.statistic, result.p_value, result.drifted) == (0.0, 1.0, False)
    assert any("single category" in warning for warning in result.warnings)
    assert psi(reference, np.array(["x"] * 7)).statistic == 0.0


def test_category_unseen_in_reference_is_listed_with_its_share_and_stays_finite() -> None:
    reference = fit_reference(np.array(["a"] * 60 + ["b"] * 40), "categorical", "device")
    current = np.array(["a"] * 55 + ["b"] * 44 + ["tv"])
    result = chi2_test(reference, current)
    assert result.new_categories == (("tv", 0.01),)
    assert math.isfinite(result.statistic)
    table = np.array([[60, 40, 0], [55, 44, 1]])
    assert result.statistic == pytest.approx(
        stats.chi2_contingency(table, correction=False).statistic, rel=1e-12
    )
    assert any("1 new category: 'tv' (1.0%)" in warning for warning in result.warnings)
    assert not result.drifted  # one odd row is news, not drift


def test_category_that_disappears_is_listed_with_its_reference_share() -> None:
    reference = fit_reference(np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 20), "categorical", "c")
    result = chi2_test(reference, np.array(["a"] * 50 + ["b"] * 50))
    assert result.missing_categories == (("c", 0.2),)
    assert result.drifted
    assert any("absent now" in warning for warning in result.warnings)


def test_nan_policy_drops_counts_and_warns_on_a_changed_missing_share() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=500), rng.normal(size=400)
    a[:50] = np.nan  # 10% missing
    b[:120] = np.nan  # 30% missing
    result = ks_test(fit_reference(a, "continuous", "x"), b)
    clean = stats.ks_2samp(a[~np.isnan(a)], b[~np.isnan(b)])
    assert result.p_value == pytest.approx(float(clean.pvalue), rel=1e-12)
    assert (result.n_reference, result.n_current) == (450, 280)
    assert result.missing_reference == pytest.approx(0.1)
    assert result.missing_current == pytest.approx(0.3)
    assert any("missing share changed from 10.0% to 30.0%" in w for w in result.warnings)


def test_equal_missing_shares_do_not_warn() -> None:
    a = np.r_[np.arange(90.0), np.full(10, np.nan)]
    result = ks_test(fit_reference(a, "continuous"), a.copy())
    assert not any("missing" in warning for warning in result.warnings)


def test_categorical_missing_values_none_nan_and_empty_strings() -> None:
    reference = fit_reference(np.array(["a", "b", "", "a"]), "categorical", "s")
    assert (reference.n, reference.n_missing) == (3, 1)
    current = np.array(["a", None, float("nan"), "b", "b"], dtype=object)
    window = prepare_window(reference, current)
    assert (window.n, window.n_missing) == (3, 2)
    assert window.category_counts.tolist() == [1, 2]
    # A cell that cannot say whether it equals itself (an array) is read value by value.
    odd = np.empty(4, dtype=object)
    odd[:] = [np.array([1.0, np.nan]), None, np.float64("nan"), "a"]
    with pytest.raises(DetectError, match=r"'s': current values include a sequence"):
        prepare_window(reference, odd)


def test_numbers_and_their_text_match_as_the_same_category() -> None:
    reference = fit_reference(np.array([1, 2, 2, 10]), "categorical", "code")
    window = prepare_window(reference, np.array(["10", "2", "3"]))
    assert window.category_counts.tolist() == [0, 1, 1]
    assert window.new_categories.tolist() == ["3"]


def test_infinite_and_non_numeric_values_are_rejected_by_name() -> None:
    reference = fit_reference(np.arange(5.0), "continuous", "latency")
    with pytest.raises(DetectError, match="'latency': 1 infinite current value"):
        ks_test(reference, np.array([1.0, np.inf]))
    with pytest.raises(DetectError, match=r"'latency'.*declare the column categorical"):
        ks_test(reference, np.array(["fast", "slow"]))


def test_tests_refuse_the_wrong_kind_of_column() -> None:
    numbers = fit_reference(np.arange(5.0), "continuous", "n")
    labels = fit_reference(np.array(["a", "b"]), "categorical", "c")
    with pytest.raises(DetectError, match="chi2 needs a categorical column"):
        chi2_test(numbers, np.arange(5.0))
    with pytest.raises(DetectError, match="ks needs a continuous column"):
        ks_test(labels, np.array(["a"]))
    with pytest.raises(DetectError, match="wasserstein needs a continuous column"):
        wasserstein(labels, np.array(["a"]))
    with pytest.raises(DetectError, match="kind must be one of"):
        fit_reference(np.arange(3.0), "ordinal", "o")  # type: ignore[arg-type]


def test_window_from_another_reference_is_refused() -> None:
    first = fit_reference(np.arange(5.0), "continuous", "a")
    second = fit_reference(np.arange(5.0), "continuous", "a")
    with pytest.raises(DetectError, match="another reference"):
        ks_test(second, prepare_window(first, np.arange(3.0)))


def test_run_test_accepts_aliases_and_rejects_unknown_names() -> None:
    reference = fit_reference(np.arange(50.0), "continuous", "x")
    current = np.arange(10.0, 60.0)
    assert run_test(reference, current, "Kolmogorov-Smirnov").test == "ks"
    assert run_test(reference, current, "jensen_shannon").test == "js"
    assert run_test(reference, current, "wasserstein", 0.5).threshold == 0.5
    with pytest.raises(DetectError, match="unknown test 'anova'"):
        run_test(reference, current, "anova")
    with pytest.raises(DetectError, match="out of range"):
        run_test(reference, current, "ks", 1.5)


def test_large_windows_need_an_effect_size_beside_the_p_value() -> None:
    rng = np.random.default_rng(11)
    a, b = rng.normal(0, 1, 200_000), rng.normal(0.03, 1, 200_000)
    result = ks_test(fit_reference(a, "continuous", "score"), b)
    assert result.p_value is not None and result.p_value < 1e-6
    assert result.effect_size is not None and result.effect_size < 0.05
    assert not result.drifted
    assert result.effect_size_name == "KS D" and result.effect_floor == 0.05
    assert any("below the effect-size floor" in warning for warning in result.warnings)
    assert "rarely harmful" in result.advice
    assert ks_test(fit_reference(a, "continuous"), b, effect_floor=0.0).drifted


def test_small_windows_say_what_ks_cannot_see() -> None:
    rng = np.random.default_rng(5)
    result = ks_test(fit_reference(rng.normal(size=30), "continuous"), rng.normal(size=30))
    assert "can only see shifts with D above" in result.advice


def test_results_are_frozen_and_serialise_to_plain_json() -> None:
    rng = np.random.default_rng(2)
    reference = fit_reference(rng.normal(size=300), "continuous", "x")
    result = ks_test(reference, rng.normal(0.5, 1, 300))
    with pytest.raises(AttributeError):  # no field can be set: a result is read-only
        result.drifted = False  # type: ignore[misc]
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert type(data["statistic"]) is float and type(data["p_value"]) is float
    assert data["verdict"] == "DRIFT" and data["threshold_kind"] == "p_value"
    with pytest.raises(ValueError):
        reference.values[0] = 1.0


def test_categories_in_results_are_plain_python_values() -> None:
    reference = fit_reference(np.array([1, 1, 2]), "categorical", "k")
    result = chi2_test(reference, np.array([1, 3, 3]))
    assert result.new_categories == ((3, 2 / 3),)
    assert type(result.new_categories[0][0]) is int
    json.dumps(result.to_dict(), allow_nan=False)


def test_importing_detect_loads_neither_scipy_nor_ui_libraries() -> None:
    code = (
        "import sys, oncall.detect\n"
        "bad = [m for m in ('scipy', 'textual', 'pydantic', 'pandas') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
