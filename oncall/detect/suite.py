"""Many features at once: one prepared window per column, and multiple-testing correction.

With 50 features tested at alpha = 0.05 and no drift at all, the chance that at least one
fires is 92%. Bonferroni or Benjamini-Hochberg keep the dataset verdict meaningful; the
corrected cut-off is written into each result so the table shows what was applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from oncall.detect.errors import DetectError
from oncall.detect.results import CORRECTIONS, Correction, DriftResult, FeatureResult, SuiteResult
from oncall.detect.samples import ColumnKind, Reference, Window, prepare_window
from oncall.detect.stattests import KINDS, Binning, TestName, canonical_test, run_test

AUTO_TESTS: dict[ColumnKind, tuple[TestName, ...]] = {
    "continuous": ("ks", "psi", "wasserstein", "js"),
    "categorical": ("chi2", "psi", "js"),
}
"""Per kind: the primary test first (it decides the verdict), then the distances beside it."""

_COUNTERPART: dict[tuple[ColumnKind, TestName], TestName] = {
    ("categorical", "ks"): "chi2",
    ("categorical", "wasserstein"): "js",
    ("continuous", "chi2"): "ks",
}


def corrected_thresholds(
    p_values: Sequence[float], alphas: Sequence[float], correction: Correction
) -> list[float]:
    """The cut-off each p-value must fall below once the family of k tests is corrected.

    Bonferroni: alpha / k. Benjamini-Hochberg: alpha * r / k, where r is the number of
    p-values the step-up procedure rejects at that alpha (alpha / k when it rejects none),
    which controls the expected share of false alarms among the columns flagged. The suite
    flags p < threshold; BH's own rule is p <= threshold, which differs only when a p-value
    equals its cut-off exactly.
    """
    if correction not in CORRECTIONS:
        raise DetectError(f"correction must be one of {CORRECTIONS}, not {correction!r}")
    k = len(p_values)
    if correction == "none" or k == 0:
        return [float(alpha) for alpha in alphas]
    if correction == "bonferroni":
        return [float(alpha) / k for alpha in alphas]
    ordered = np.sort(np.asarray(p_values, dtype=np.float64))
    ranks = np.arange(1, k + 1)
    result = []
    for alpha in alphas:
        passing = np.flatnonzero(ordered <= ranks * alpha / k)
        rejected = int(passing[-1]) + 1 if passing.size else 1
        result.append(float(alpha) * rejected / k)
    return result


def _plan(
    kind: ColumnKind, tests: str | Sequence[str], column: str, notes: list[str]
) -> list[TestName]:
    if isinstance(tests, str) and tests.strip().lower() == "auto":
        return list(AUTO_TESTS[kind])
    names = [tests] if isinstance(tests, str) else list(tests)
    if not names:
        raise DetectError("run_suite needs at least one test")
    plan: list[TestName] = []
    for name in names:
        test = canonical_test(name)
        if kind not in KINDS[test]:
            substitute = _COUNTERPART[(kind, test)]
            notes.append(f"{test} does not apply to {kind} column {column!r}: used {substitute}")
            test = substitute
        if test not in plan:
            plan.append(test)
    return plan


def _overrides(
    thresholds: Mapping[str, float] | None, plans: Mapping[str, list[TestName]]
) -> dict[tuple[str, TestName], float]:
    """Keys are "column" (its primary test) or "column:test" (that test only)."""
    found: dict[tuple[str, TestName], float] = {}
    for key, value in (thresholds or {}).items():
        column, _, test_name = key.rpartition(":") if ":" in key else (key, "", "")
        if column not in plans:
            raise DetectError(f"threshold for unknown column {column!r}")
        test = canonical_test(test_name) if test_name else plans[column][0]
        if test not in plans[column]:
            raise DetectError(f"threshold {key!r}: {test} is not run on column {column!r}")
        found[(column, test)] = float(value)
    return found


def run_suite(
    references: Mapping[str, Reference],
    current: Mapping[str, Any],
    tests: str | Sequence[str] = "auto",
    thresholds: Mapping[str, float] | None = None,
    correction: Correction = "none",
    *,
    binning: Binning = "deciles",
    dataset_share: float = 0.5,
) -> SuiteResult:
    """Test every referenced column of `current`; extra current columns are ignored.

    `tests` is "auto" (categorical: chi2 + PSI + JS; continuous: KS + PSI + Wasserstein + JS),
    one name, or a list whose first applicable test is each column's primary test; a test
    that does not fit a column's kind is replaced by its counterpart (KS by chi2, Wasserstein
    by JS, and back), with a note in the suite warnings. Correction covers every p-value test
    in the suite.
    """
    if correction not in CORRECTIONS:
        raise DetectError(f"correction must be one of {CORRECTIONS}, not {correction!r}")
    notes: list[str] = []
    plans = {column: _plan(ref.kind, tests, column, notes) for column, ref in references.items()}
    overrides = _overrides(thresholds, plans)
    windows: dict[str, Window] = {}
    results: dict[str, list[DriftResult]] = {}
    for column, reference in references.items():
        if column not in current:
            raise DetectError(f"column {column!r}: missing from the current data")
        windows[column] = window = prepare_window(reference, current[column])
        results[column] = [
            run_test(reference, window, test, overrides.get((column, test)), binning=binning)
            for test in plans[column]
        ]

    family = [
        (column, index, result)
        for column, column_results in results.items()
        for index, result in enumerate(column_results)
        if result.p_value is not None
    ]
    cuts = corrected_thresholds(
        [result.p_value for _, _, result in family if result.p_value is not None],
        [result.threshold for _, _, result in family],
        correction,
    )
    if correction != "none":
        for (column, index, result), cut in zip(family, cuts, strict=True):
            redone = run_test(references[column], windows[column], result.test, cut)
            results[column][index] = redone._replace(
                base_threshold=result.threshold, correction=correction
            )
    elif len(family) >= 2:
        chance = 1.0 - math.prod(1.0 - result.threshold for *_, result in family)
        notes.append(
            f"{len(family)} p-value tests without correction: a {chance:.0%} chance of at "
            "least one false alarm with no drift at all; consider bonferroni or bh"
        )

    features = tuple(
        FeatureResult(
            column=column,
            kind=references[column].kind,
            primary=column_results[0],
            others=tuple(column_results[1:]),
        )
        for column, column_results in results.items()
    )
    share = sum(feature.drifted for feature in features) / len(features) if features else 0.0
    return SuiteResult(
        features=features,
        correction=correction,
        family_size=len(family),
        drift_share=share,
        dataset_share=dataset_share,
        dataset_drifted=bool(features) and share >= dataset_share,
        warnings=tuple(notes),
    )
