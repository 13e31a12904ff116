"""A canary gate: promotion stops when the canary fails more, or scores differently, than stable.

It runs in the rollout before any traffic shift, on the canary's and stable's telemetry over the
same minutes.
"""

from __future__ import annotations

import numpy as np


def check_canary_errors(telemetry: dict[str, np.ndarray]) -> list[str]:
    """The canary fails no more than twice as often as stable (and under 0.2%)."""
    canary = float(np.nanmean(telemetry["error_rate_canary"]))
    stable = float(np.nanmean(telemetry["error_rate_stable"]))
    if canary > max(2 * stable, 0.002):
        return [f"canary fails {canary:.2%} of requests against stable's {stable:.2%}"]
    return []


def check_canary_scores(telemetry: dict[str, np.ndarray]) -> list[str]:
    """The canary's mean score is within 20% of stable's."""
    shift = float(np.nanmean(telemetry["pred_mean_canary"])
                  / np.nanmean(telemetry["pred_mean_stable"]) - 1)
    return [f"canary mean score is {shift:+.0%} from stable's"] if abs(shift) >= 0.2 else []
