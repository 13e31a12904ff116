"""Typed result records, one per test, and their JSON-safe form.

JSON has no NaN or infinity, and different readers choke on them differently, so `to_dict`
applies one rule everywhere: NaN becomes None, and +/-infinity become the strings "inf" and
"-inf" (an infinite normed Wasserstein on a constant reference is meaningful, not missing).
"""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

from oncall.detect.samples import ColumnKind

ThresholdKind = Literal["p_value", "distance"]
Correction = Literal["none", "bonferroni", "bh"]
CORRECTIONS: tuple[Correction, ...] = ("none", "bonferroni", "bh")

Category = str | int | float | bool


def json_safe(value: Any) -> Any:
    """Plain JSON types under the module's rule for non-finite floats."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, tuple | list):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if hasattr(value, "item"):
        return json_safe(value.item())
    return str(value)


class DriftResult(NamedTuple):
    """One test of one column: the number, the decision, and what could make it mislead.

    `threshold` is the cut-off actually applied (after any multiple-testing correction);
    `base_threshold` is the one asked for. A p-value test drifts when p < threshold and the
    effect size reaches `effect_floor`; a distance test drifts when statistic >= threshold.
    """

    column: str
    kind: ColumnKind
    test: str
    statistic_name: str
    statistic: float
    p_value: float | None
    threshold: float
    threshold_kind: ThresholdKind
    drifted: bool
    effect_size: float | None
    effect_size_name: str | None
    effect_floor: float | None
    n_reference: int
    n_current: int
    missing_reference: float
    """Share of reference rows with no value (dropped before the test)."""
    missing_current: float
    bins: str | None
    new_categories: tuple[tuple[Category, float], ...]
    """Categories absent from the reference, with their share of the current window."""
    missing_categories: tuple[tuple[Category, float], ...]
    """Reference categories absent from the current window, with their reference share."""
    warnings: tuple[str, ...]
    advice: str
    base_threshold: float
    correction: Correction = "none"

    @property
    def verdict(self) -> str:
        return "DRIFT" if self.drifted else "PASS"

    def to_dict(self) -> dict[str, Any]:
        data = {name: json_safe(getattr(self, name)) for name in self._fields}
        data["verdict"] = self.verdict
        return data


class FeatureResult(NamedTuple):
    """Every test run on one column; the primary test decides the column's verdict."""

    column: str
    kind: ColumnKind
    primary: DriftResult
    others: tuple[DriftResult, ...]

    @property
    def drifted(self) -> bool:
        return self.primary.drifted

    @property
    def results(self) -> tuple[DriftResult, ...]:
        return (self.primary, *self.others)

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kind": self.kind,
            "drifted": self.drifted,
            "primary": self.primary.to_dict(),
            "others": [result.to_dict() for result in self.others],
        }


class SuiteResult(NamedTuple):
    """Many columns tested together, with the correction that keeps false alarms in check.

    `family_size` is how many p-value tests were corrected together; each result's
    `threshold` shows its corrected cut-off. The dataset drifts when at least
    `dataset_share` of the columns do (Evidently's rule, 0.5 by default).
    """

    features: tuple[FeatureResult, ...]
    correction: Correction
    family_size: int
    drift_share: float
    dataset_share: float
    dataset_drifted: bool
    warnings: tuple[str, ...]

    def feature(self, column: str) -> FeatureResult:
        for feature in self.features:
            if feature.column == column:
                return feature
        raise KeyError(column)

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        return tuple(feature.column for feature in self.features if feature.drifted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "correction": self.correction,
            "family_size": self.family_size,
            "drift_share": json_safe(self.drift_share),
            "dataset_share": self.dataset_share,
            "dataset_drifted": self.dataset_drifted,
            "drifted_columns": list(self.drifted_columns),
            "warnings": list(self.warnings),
            "features": [feature.to_dict() for feature in self.features],
        }
