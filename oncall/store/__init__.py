"""Saves: where they live, how they are written (atomically, never overwritten) and read back."""

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

__all__ = ["SAVE_FORMAT", "IncidentSave", "SaveError", "dump_json", "fallback_dir", "home_dir",
           "incidents_dir", "list_saves", "load_save", "load_saves", "logs_dir", "save_incident",
           "save_stem", "save_text", "sweep", "sweep_orphans"]
