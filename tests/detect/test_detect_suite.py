"""Many features at once: plans, per-feature thresholds and multiple-testing correction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.detect import (
    DetectError,
    Reference,
    corrected_thresholds,
    fit_reference,
    run_suite,
)


def frames(seed: int = 0, n: int = 2_000) -> tuple[dict[str, Reference], dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    reference = {
        "amount": fit_reference(rng.normal(0, 1, n), "continuous", "amount"),
        "age": fit_reference(rng.normal(40, 10, n), "continuous", "age"),
        "country": fit_reference(rng.choice(["US", "DE", "FR"], n), "categorical", "country"),
        "device": fit_reference(rng.choice(["ios", "web"], n), "categorical", "device"),
    }
    current = {
        "amount": rng.normal(0.5, 1, n),  # drifted
        "age": rng.normal(40, 10, n),
        "country": rng.choice(["US", "DE", "FR", "BR"], n),  # drifted, new category
        "device": rng.choice(["ios", "web"], n),
        "ignored_extra": rng.normal(size=n),
    }
    return reference, current


def test_auto_plan_runs_primary_test_then_distances_per_kind() -> None:
    reference, current = frames()
    suite = run_suite(reference, current)
    assert [r.test for r in suite.feature("amount").results] == ["ks", "psi", "wasserstein", "js"]
    assert [r.test for r in suite.feature("country").results] == ["chi2", "psi", "js"]
    assert suite.drifted_columns == ("amount", "country")
    assert suite.drift_share == 0.5 and suite.dataset_drifted
    assert [f.column for f in suite.features] == ["amount", "age", "country", "device"]
    assert suite.family_size == 4


def test_a_test_that_does_not_fit_the_kind_is_replaced_and_noted() -> None:
    reference, current = frames()
    suite = run_suite(reference, current, tests="ks")
    assert suite.feature("country").primary.test == "chi2"
    assert any("ks does not apply to categorical column 'country'" in w for w in suite.warnings)
    suite = run_suite(reference, current, tests=["wasserstein", "psi"])
    assert [r.test for r in suite.feature("device").results] == ["js", "psi"]
    assert suite.family_size == 0


def test_per_feature_thresholds_target_the_primary_or_a_named_test() -> None:
    reference, current = frames()
    suite = run_suite(reference, current, thresholds={"age": 0.01, "amount:psi": 0.05})
    assert suite.feature("age").primary.threshold == 0.01
    amount = {r.test: r for r in suite.feature("amount").results}
    assert amount["psi"].threshold == 0.05 and amount["ks"].threshold == 0.05
    with pytest.raises(DetectError, match="unknown column 'agee'"):
        run_suite(reference, current, thresholds={"agee": 0.1})
    with pytest.raises(DetectError, match="chi2 is not run on column 'amount'"):
        run_suite(reference, current, thresholds={"amount:chi2": 0.1})


def test_missing_current_column_and_bad_correction_are_errors() -> None:
    reference, current = frames()
    del current["device"]
    with pytest.raises(DetectError, match="'device': missing from the current data"):
        run_suite(reference, current)
    with pytest.raises(DetectError, match="correction"):
        run_suite(reference, frames()[1], correction="holm")  # type: ignore[arg-type]


def test_uncorrected_family_warns_about_false_alarms() -> None:
    reference, current = frames()
    suite = run_suite(reference, current)
    assert any("4 p-value tests without correction: a 19% chance" in w for w in suite.warnings)


def test_bonferroni_divides_alpha_and_shows_the_corrected_threshold() -> None:
    rng = np.random.default_rng(1)
    n = 400
    references = {
        f"f{i}": fit_reference(rng.normal(0, 1, n), "continuous", f"f{i}") for i in range(10)
    }
    current = {f"f{i}": rng.normal(0, 1, n) for i in range(10)}
    current["f0"] = rng.normal(0.17, 1, n)  # a modest shift
    plain = run_suite(references, current, tests="ks")
    strict = run_suite(references, current, tests="ks", correction="bonferroni")
    for feature in strict.features:
        assert feature.primary.threshold == pytest.approx(0.005)
        assert feature.primary.base_threshold == 0.05
        assert feature.primary.correction == "bonferroni"
        assert "p < 0.005" in feature.primary.advice
    p = plain.feature("f0").primary.p_value
    assert p is not None
    assert plain.feature("f0").drifted == (p < 0.05)
    assert strict.feature("f0").drifted == (p < 0.005)
    assert sum(f.drifted for f in strict.features) <= sum(f.drifted for f in plain.features)


def test_benjamini_hochberg_on_a_textbook_example() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]
    cuts = corrected_thresholds(p, [0.05] * 8, "bh")
    assert cuts == [pytest.approx(0.0125)] * 8  # two rejections: 2/8 * 0.05
    assert [value < cut for value, cut in zip(p, cuts, strict=True)] == [True, True] + [False] * 6
    assert corrected_thresholds([0.5, 0.9], [0.05, 0.05], "bh") == [0.025, 0.025]
    assert corrected_thresholds(p, [0.05] * 8, "bonferroni") == [0.00625] * 8
    assert corrected_thresholds(p, [0.05] * 8, "none") == [0.05] * 8


def bh_adjusted(p: list[float]) -> np.ndarray:
    """Textbook BH adjusted p-values (q-values)."""
    values = np.asarray(p)
    k = values.size
    order = np.argsort(values)
    scaled = values[order] * k / np.arange(1, k + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(k)
    out[order] = np.minimum(q, 1.0)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0, allow_subnormal=False), min_size=1, max_size=40),
    st.sampled_from([0.01, 0.05, 0.1]),
)
def test_bh_thresholds_reject_exactly_what_adjusted_p_values_reject(
    p: list[float], alpha: float
) -> None:
    cuts = corrected_thresholds(p, [alpha] * len(p), "bh")
    ours = [value <= cut for value, cut in zip(p, cuts, strict=True)]
    assert ours == list(bh_adjusted(p) <= alpha * (1 + 1e-12))


def test_dataset_drift_needs_the_configured_share_of_columns() -> None:
    reference, current = frames()
    assert run_suite(reference, current, dataset_share=0.6).dataset_drifted is False
    suite = run_suite(reference, current, dataset_share=0.5)
    data = suite.to_dict()
    assert data["drifted_columns"] == ["amount", "country"]
    assert data["features"][0]["primary"]["test"] == "ks"
