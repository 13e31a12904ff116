"""No field of the game's pydantic models has a builtin type for its default factory.

pydantic reads each factory's signature as it builds a model's validator, in every process; for
`list` that parse costs a headless game's start milliseconds (`oncall.sim.fields`)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from pydantic import BaseModel

import oncall
from oncall.sim.fields import empty_list

SLOW_FACTORIES = (list, tuple, set, frozenset)


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(oncall.__path__, "oncall."):
        if info.name.startswith(("oncall.tui", "oncall.__main__")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseModel) and \
                    obj.__module__ == info.name:
                found[f"{info.name}.{name}"] = obj
    return list(found.values())


def test_no_builtin_default_factory() -> None:
    models = _models()
    assert len(models) > 50  # the walk found the game's models
    slow = [f"{m.__module__}.{m.__qualname__}.{name}" for m in models
            for name, f in m.model_fields.items() if f.default_factory in SLOW_FACTORIES]
    assert slow == [], f"use oncall.sim.fields.empty_list: {slow}"


def test_empty_list_is_new_each_time() -> None:
    assert empty_list() == [] and empty_list() is not empty_list()
