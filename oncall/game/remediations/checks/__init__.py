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
from functools import cache
from types import FunctionType, ModuleType
from typing import Any

import numpy as np

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
from oncall.sim.quantile import quantiles

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
    return {name: _as_run(fn)(**{p: data[p] for p in fixtures_of(fn)})
            for name, fn in checks(module)}


def _quantile(a: Any, q: Any, *args: Any, **kwargs: Any) -> Any:
    """`np.quantile` as the game runs the checks: numpy's own for a 1-D float sample and a list
    of quantiles in [0, 1] read by `oncall.sim.quantile.quantiles`, the same value to the bit
    without numpy's path through `np.unique`, which imports numpy.ma (a sixtieth of a headless
    incident's instructions); any other call is numpy's."""
    if not args and not kwargs and isinstance(a, np.ndarray) and a.dtype == np.float64 \
            and a.ndim == 1 and a.size and isinstance(q, list) and q \
            and all(type(v) is float and 0 <= v <= 1 for v in q):
        return quantiles(a, q)
    return np.quantile(a, q, *args, **kwargs)


class _Numpy:
    """numpy as a check reads it when the game runs it: numpy itself, but `quantile`."""

    quantile = staticmethod(_quantile)

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


@cache
def _as_run(fn: Check) -> Check:
    """The check as the game runs it: its own code, with `np` read as `_Numpy` (the exported
    module, `source`, is the file as written)."""
    if not isinstance(fn, FunctionType) or fn.__globals__.get("np") is not np:
        return fn
    run = FunctionType(fn.__code__, {**fn.__globals__, "np": _Numpy()}, fn.__name__,
                       fn.__defaults__, fn.__closure__)
    run.__kwdefaults__ = fn.__kwdefaults__
    return run


def source(module: ModuleType) -> str:
    return inspect.getsource(module)
