"""A golden-set check of a model artifact: the serving path reproduces the validated scores on
the same requests, end to end (the artifact and every model upstream of it).

It runs before any new artifact serves, on logged requests replayed through the candidate.
"""

from __future__ import annotations

import numpy as np


def check_no_nan_scores(requests: dict[str, np.ndarray]) -> list[str]:
    """No request is answered with a NaN score."""
    nan = int(np.isnan(requests["score"]).sum())
    return [f"{nan} NaN scores served"] if nan else []


def check_scores_match_golden(requests: dict[str, np.ndarray]) -> list[str]:
    """Served scores are within 0.05 of the golden ones on every request."""
    diff = np.abs(requests["score"] - requests["expected_score"])
    worst = float(np.nanmax(diff)) if np.isfinite(diff).any() else 0.0
    return [f"served scores differ from the golden ones by up to {worst:.3f}"] \
        if worst >= 0.05 else []
