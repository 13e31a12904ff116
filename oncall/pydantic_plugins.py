"""pydantic's plugin lookup, turned off without importing what it would look with.

pydantic asks `pydantic.plugin._loader.get_plugins()` for plugins as it builds each validator,
and that module imports `importlib.metadata` (with `email`, `zipfile` and the rest) at its top,
even when PYDANTIC_DISABLE_PLUGINS tells `get_plugins` to look for none: 12-16 ms of a headless
game's start, for nothing. While the variable turns every plugin off, the game's process puts
`StandIn` in that module's place: its `get_plugins` reads the variable as pydantic's does, and
for anything else (plugins turned back on, a name a later pydantic reads from the module) it
imports pydantic's own module, which from then on takes its place.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterable
from typing import Any

ENV = "PYDANTIC_DISABLE_PLUGINS"
LOADER = "pydantic.plugin._loader"
ALL_OFF = ("__all__", "1", "true")
"""The values of ENV with which pydantic's own `get_plugins` returns no plugin."""


class StandIn(types.ModuleType):
    """The plugin loader's place while no plugin may load."""

    def get_plugins(self) -> Iterable[Any]:
        if os.environ.get(ENV) in ALL_OFF:
            return ()
        return real().get_plugins()  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system's questions (`__path__`): a module's own
            raise AttributeError(name)
        return getattr(real(), name)


def real() -> types.ModuleType:
    """pydantic's own plugin loader, imported in the stand-in's place if it is not yet."""
    if isinstance(sys.modules.get(LOADER), StandIn):
        del sys.modules[LOADER]
    return importlib.import_module(LOADER)


def stand_in() -> None:
    """Put `StandIn` in the loader's place, if the environment turns every plugin off and
    nothing has imported pydantic's own loader yet."""
    if os.environ.get(ENV) in ALL_OFF and LOADER not in sys.modules:
        sys.modules[LOADER] = StandIn(LOADER, __doc__)
