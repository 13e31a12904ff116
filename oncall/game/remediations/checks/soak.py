"""A soak test of a serving release: under hours of steady load the working set levels off and
nothing is OOM-killed.

It runs on every serving release, on the telemetry of the soak run.
"""

from __future__ import annotations

import numpy as np


def check_memory_levels_off(telemetry: dict[str, np.ndarray]) -> list[str]:
    """The working set grows less than 5% of the limit per hour."""
    minutes = telemetry["minute"] - telemetry["minute"][0]
    growth = float(np.polyfit(minutes, telemetry["mem_frac"], 1)[0]) * 60
    return [f"working set grows {growth:.1%} of the limit per hour"] if growth >= 0.05 else []


def check_no_oom_kills(telemetry: dict[str, np.ndarray]) -> list[str]:
    """No container restarts (OOM kills) during the soak."""
    restarts = float(np.sum(telemetry["restarts"]))
    return [f"{restarts:g} container restarts (OOM kills?)"] if restarts > 0 else []
