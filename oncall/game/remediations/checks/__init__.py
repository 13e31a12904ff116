"""The checks behind the exported tests, one module per test remediation.

Each module is exported verbatim into its test file (numpy is its only import), and the game
runs the very same functions on the incident's fixtures to decide whether a test can see the
fault: a test that passes on the faulty window, or fails on the healthy one, is not offered.
A check takes fixtures by name (`requests`, `reference`, `telemetry`, `model_info`, `output`,
`contract`) and returns its problems, one line each.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
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
from oncall.sim import registry
from oncall.sim.catalogue import RegistryView

BY_NAME: dict[str, ModuleType] = {
    "contract": contract,
    "canary_gate": canary_gate,
    "serving_load": serving_load,
    "golden_set": golden_set,
    "soak": soak,
    "dependency_fallback": dependency_fallback,
    "serving_skew": serving_skew,
}
"""Each module of checks by the name a test remediation's `test: {checks: NAME}` gives it
(`oncall.sim.monitordef.TEST_CHECKS`)."""


def _modules() -> dict[str, ModuleType]:
    return {rid: BY_NAME[rem.test.checks] for rid, rem in registry.entries("remediation").items()
            if rem.test is not None}


MODULES: Mapping[str, ModuleType] = RegistryView(_modules)
"""The module of checks behind each test remediation of the registry, by id."""

Check = Callable[..., list[str]]


def checks(module: ModuleType) -> list[tuple[str, Check]]:
    """The module's checks in the order the source defines them, without the `check_` prefix."""
    return [(name.removeprefix("check_"), fn) for name, fn in vars(module).items()
            if name.startswith("check_") and inspect.isfunction(fn)]


def fixtures_of(fn: Check) -> list[str]:
    return list(inspect.signature(fn).parameters)


def run(module: ModuleType, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each check's problems on one window's fixtures (only those its checks take are read)."""
    return {name: fn(**{p: data[p] for p in fixtures_of(fn)}) for name, fn in checks(module)}


def source(module: ModuleType) -> str:
    return inspect.getsource(module)
