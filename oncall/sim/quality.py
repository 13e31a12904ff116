"""Each model judged by the metric of its type: F1 for classifiers, NDCG@10 for rankers, MAE for
regressors, recall@10 for embedders, all over the same simulated rows and labels.

Every model in the simulation scores rows; what its score means depends on the type. A ranker's
rows are grouped into result pages of ten, an embedder's into candidate sets of fifty, and a
regressor serves `target_base + target_span x score` while the outcome lies between what the
healthy model expected and what the label drew.
"""

from __future__ import annotations

import numpy as np

from oncall.detect.quality import mean_absolute_error, ndcg_at_k, recall_at_k
from oncall.sim.catalogue import QUALITY_METRICS, Archetype

OUTCOME_NOISE = 0.5
"""Regressors: the share of the outcome that the label's draw decides rather than the inputs."""


def served_value(arch: Archetype, scores: np.ndarray) -> np.ndarray:
    return arch.target_base + arch.target_span * np.asarray(scores, dtype=float)


def outcome(arch: Archetype, healthy: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """What really happened, for a regressor: mostly what the healthy model expected."""
    mix = (1 - OUTCOME_NOISE) * np.asarray(healthy, dtype=float) + OUTCOME_NOISE * labels
    return served_value(arch, mix)


def measure(arch: Archetype, scores: np.ndarray, labels: np.ndarray, healthy: np.ndarray,
            threshold: float) -> float | None:
    """The type's quality metric over rows with labels; None where it is undefined."""
    kind = arch.model_type
    if kind == "ranker":
        return ndcg_at_k(scores, labels, group_size=10, k=10)
    if kind == "embedder":
        return recall_at_k(scores, labels, group_size=50, k=10)
    if kind == "regressor":
        return mean_absolute_error(served_value(arch, scores), outcome(arch, healthy, labels))
    pred = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0) >= threshold
    y = np.asarray(labels, dtype=bool)
    tp = float(np.sum(y & pred))
    fp = float(np.sum(~y & pred))
    fn = float(np.sum(y & ~pred))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def higher_is_better(arch: Archetype) -> bool:
    return QUALITY_METRICS[arch.model_type][2]
