"""A dependency-failure test: with a feature dependency slow or down, serving answers from cached
features within its SLO instead of failing or timing out.

It runs in the serving CI with the dependency degraded on purpose (here, on the minutes the
fixtures hold).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_errors_within_slo(telemetry: dict[str, np.ndarray], model_info: dict[str, Any]
                            ) -> list[str]:
    """Requests are answered: the error ratio stays within what the SLO allows."""
    errors = float(np.mean(telemetry["error_rate"]))
    allowed = 1 - model_info["slo"]
    if errors > allowed:
        return [f"{errors:.3%} of requests failed; the SLO allows {allowed:.3%}"]
    return []


def check_latency_within_slo(telemetry: dict[str, np.ndarray], model_info: dict[str, Any]
                             ) -> list[str]:
    """Requests are answered in time: the median minute's p99 stays within the objective."""
    p99 = float(np.median(telemetry["latency_p99_ms"]))
    if p99 > model_info["latency_slo_ms"]:
        return [f"median p99 {p99:.0f} ms over the {model_info['latency_slo_ms']:g} ms "
                "objective"]
    return []
