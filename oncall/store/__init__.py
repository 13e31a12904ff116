"""Saves: where they live, how they are written (atomically, never overwritten) and read back.

The names below are loaded on first use, so a caller that needs one small module (the settings
file, the paths) does not pay for the saves' readers and the scoring they pull in.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncall.store.jsonio import dump_json, sweep_orphans
    from oncall.store.locations import fallback_dir, home_dir, incidents_dir, logs_dir
    from oncall.store.saves import (
        SAVE_FORMAT,
        IncidentSave,
        SaveError,
        list_saves,
        load_save,
        load_saves,
        save_incident,
        save_stem,
        save_text,
        sweep,
    )

_WHERE = {
    "dump_json": "jsonio", "sweep_orphans": "jsonio",
    "fallback_dir": "locations", "home_dir": "locations", "incidents_dir": "locations",
    "logs_dir": "locations",
    **{name: "saves" for name in ("SAVE_FORMAT", "IncidentSave", "SaveError", "list_saves",
                                  "load_save", "load_saves", "save_incident", "save_stem",
                                  "save_text", "sweep")},
}

__all__ = ["SAVE_FORMAT", "IncidentSave", "SaveError", "dump_json", "fallback_dir", "home_dir",
           "incidents_dir", "list_saves", "load_save", "load_saves", "logs_dir", "save_incident",
           "save_stem", "save_text", "sweep", "sweep_orphans"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'oncall.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"oncall.store.{module}"), name)
