"""A training/serving skew test: scores from the serving features match scores from the training
pipeline's features for the same logged requests (a timezone, unit or default mismatch breaks it).

It runs before a version is promoted, on logged serving requests.
"""

from __future__ import annotations

import numpy as np


def check_online_offline_agree(requests: dict[str, np.ndarray]) -> list[str]:
    """At least 99.9% of requests score the same online and offline."""
    close = np.isclose(requests["score"], requests["expected_score"], rtol=1e-6, atol=1e-6)
    share = float(close.mean())
    return [f"{1 - share:.1%} of requests score differently online and offline"] \
        if share < 0.999 else []
