"""Reading the exported CSV fixtures: the one parser both the game and the exported conftest use,
so a check judged here reads exactly the numbers the exported test reads."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

WINDOWS = ("healthy", "faulty")


def window() -> str:
    """The live window ONCALL_FIXTURES picks: `healthy` (the default) or `faulty`."""
    name = os.environ.get("ONCALL_FIXTURES", "healthy")
    if name not in WINDOWS:
        raise ValueError(f"ONCALL_FIXTURES={name!r}: use one of {', '.join(WINDOWS)}")
    return name


def parse_csv(text: str) -> dict[str, np.ndarray]:
    """Columns by name: numbers as float arrays (empty cells are NaN), text as str arrays. A
    column converts at once (numpy parses each cell as Python's float does); one that is not all
    numbers stays text."""
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    out: dict[str, np.ndarray] = {}
    for i, name in enumerate(header):
        cells = np.array([r[i] for r in body], dtype=str)
        try:
            out[name] = np.where(cells == "", "nan", cells).astype(float)
        except ValueError:
            out[name] = cells
    return out


def read_csv(path: Path) -> dict[str, np.ndarray]:
    return parse_csv(path.read_text(encoding="utf-8"))
