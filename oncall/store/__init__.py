"""Saves: where they live, how they are written (atomically, never overwritten) and read back."""

from oncall.store.jsonio import dump_json
from oncall.store.locations import home_dir, incidents_dir
from oncall.store.saves import (
    SAVE_FORMAT,
    IncidentSave,
    SaveError,
    list_saves,
    load_save,
    load_saves,
    save_incident,
)

__all__ = ["SAVE_FORMAT", "IncidentSave", "SaveError", "dump_json", "home_dir", "incidents_dir",
           "list_saves", "load_save", "load_saves", "save_incident"]
