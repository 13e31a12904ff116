"""What the tests compare with from scipy, imported when a test first reads it.

Importing scipy.stats costs a test process over a second (its distributions build their
docstrings). Every xdist worker collects every test module, so a module-level import cost each
worker that second, though only the worker that runs the `scipy` group (the modules that
compare with scipy, `GROUP` below) ever calls it.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

GROUP = pytest.mark.xdist_group("scipy")


class Lazy:
    """A module imported at the first attribute read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # what collection asks of any object (`issubclass` reads
            raise AttributeError(attr)  # `__bases__`) is not a reason to import the module
        return getattr(importlib.import_module(self._name), attr)


stats = Lazy("scipy.stats")
special = Lazy("scipy.special")
stats_py = Lazy("scipy.stats._stats_py")
distance = Lazy("scipy.spatial.distance")
