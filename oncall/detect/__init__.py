"""Drift and performance detectors: numpy and scipy only, no UI, no pydantic.

Fit a Reference once per reference window, then test current windows against it:

    ref = fit_reference(train["amount"], "continuous", name="amount")
    result = run_test(ref, today["amount"], "ks")

Prediction drift is the same call on model outputs (probabilities as a continuous column,
predicted classes as a categorical one). scipy is imported only inside the functions that
need it, so importing this package stays cheap.
"""

import importlib
from typing import TYPE_CHECKING, Any

from oncall.detect.errors import DetectError
from oncall.detect.results import CORRECTIONS, Correction, DriftResult, FeatureResult, SuiteResult
from oncall.detect.samples import (
    COLUMN_KINDS,
    ColumnKind,
    Reference,
    Window,
    fit_reference,
    prepare_window,
)
from oncall.detect.stattests import (
    BINNINGS,
    DEFAULT_THRESHOLDS,
    TESTS,
    Binning,
    TestName,
    binned_counts,
    canonical_test,
    chi2_test,
    expected_wasserstein_noise,
    jensen_shannon,
    ks_test,
    psi,
    run_test,
    wasserstein,
)

if TYPE_CHECKING:
    from oncall.detect.performance import (
        ESTIMATE_ASSUMPTIONS,
        F1Estimate,
        F1Result,
        F1Window,
        estimate_f1,
        f1_on_arrived,
        rolling_f1,
    )
    from oncall.detect.suite import AUTO_TESTS, corrected_thresholds, run_suite

__all__ = [
    "AUTO_TESTS",
    "BINNINGS",
    "COLUMN_KINDS",
    "CORRECTIONS",
    "DEFAULT_THRESHOLDS",
    "ESTIMATE_ASSUMPTIONS",
    "TESTS",
    "Binning",
    "ColumnKind",
    "Correction",
    "DetectError",
    "DriftResult",
    "F1Estimate",
    "F1Result",
    "F1Window",
    "FeatureResult",
    "Reference",
    "SuiteResult",
    "TestName",
    "Window",
    "binned_counts",
    "canonical_test",
    "chi2_test",
    "corrected_thresholds",
    "estimate_f1",
    "expected_wasserstein_noise",
    "f1_on_arrived",
    "fit_reference",
    "jensen_shannon",
    "ks_test",
    "prepare_window",
    "psi",
    "rolling_f1",
    "run_suite",
    "run_test",
    "wasserstein",
]

_LAZY = {**dict.fromkeys(("ESTIMATE_ASSUMPTIONS", "F1Estimate", "F1Result", "F1Window",
                          "estimate_f1", "f1_on_arrived", "rolling_f1"), "performance"),
         **dict.fromkeys(("AUTO_TESTS", "corrected_thresholds", "run_suite"), "suite")}
"""Names whose module is imported when one of them is first asked for: a game reads drift
tests and quality measures of this package, never its F1 estimates or its suite."""


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
