"""The checks behind the exported tests, one module per test remediation.

Each module is exported verbatim into its test file (numpy is its only import), and the game
runs the very same functions on the incident's fixtures to decide whether a test can see the
fault: a test that passes on the faulty window, or fails on the healthy one, is not offered.
A check takes fixtures by name (`requests`, `reference`, `telemetry`, `model_info`, `output`,
`contract`) and returns its problems, one line each.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

from oncall.game.remediations.checks import (
    canary_gate,
    contract,
    dependency_fallback,
    golden_set,
    serving_load,
    serving_skew,
    soak,
)

MODULES: dict[str, ModuleType] = {
    "test-feature-schema": contract,
    "test-canary-gate": canary_gate,
    "test-serving-load": serving_load,
    "test-golden-set": golden_set,
    "test-soak": soak,
    "test-dependency-fallback": dependency_fallback,
    "test-serving-skew": serving_skew,
}
"""The module of checks behind each test remediation."""

Check = Callable[..., list[str]]


def checks(module: ModuleType) -> list[tuple[str, Check]]:
    """The module's checks in the order the source defines them, without the `check_` prefix."""
    return [(name.removeprefix("check_"), fn) for name, fn in vars(module).items()
            if name.startswith("check_") and inspect.isfunction(fn)]


def fixtures_of(fn: Check) -> list[str]:
    return list(inspect.signature(fn).parameters)


def run(module: ModuleType, data: dict[str, Any]) -> dict[str, list[str]]:
    """Each check's problems on one window's fixtures."""
    return {name: fn(**{p: data[p] for p in fixtures_of(fn)}) for name, fn in checks(module)}


def source(module: ModuleType) -> str:
    return inspect.getsource(module)
