"""A load test of a serving config: at peak traffic on the production hardware, memory, latency
and errors stay within their objectives and nothing restarts.

It runs on every serving config change, on the telemetry of a load run (here, the minutes the
fixtures hold).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_no_restarts(telemetry: dict[str, np.ndarray]) -> list[str]:
    """No container restarts under load."""
    restarts = float(np.sum(telemetry["restarts"]))
    return [f"{restarts:g} container restarts under load"] if restarts > 0 else []


def check_memory_headroom(telemetry: dict[str, np.ndarray], model_info: dict[str, Any]
                          ) -> list[str]:
    """Memory (GPU framebuffer on GPUs) peaks under 90% of capacity."""
    memory = model_info["memory_metric"]
    peak = float(np.max(telemetry[memory]))
    return [f"{memory} peaked at {peak:.0%} of capacity (limit 90%)"] if peak >= 0.9 else []


def check_latency_objective(telemetry: dict[str, np.ndarray], model_info: dict[str, Any]
                            ) -> list[str]:
    """p99 latency stays within the objective at every minute."""
    p99 = float(np.max(telemetry["latency_p99_ms"]))
    if p99 > model_info["latency_slo_ms"]:
        return [f"p99 {p99:.0f} ms over the {model_info['latency_slo_ms']:g} ms objective"]
    return []


def check_error_objective(telemetry: dict[str, np.ndarray], model_info: dict[str, Any]
                          ) -> list[str]:
    """The error ratio stays within what the SLO allows."""
    errors = float(np.mean(telemetry["error_rate"]))
    allowed = 1 - model_info["slo"]
    if errors > allowed:
        return [f"{errors:.3%} of requests failed; the SLO allows {allowed:.3%}"]
    return []
