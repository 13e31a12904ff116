"""Quality metrics for models that are not binary classifiers: rankers, regressors, embedders.

Each works on plain arrays. Rankers and retrieval models are judged per request: consecutive
rows of one logged request (a result page, a feed impression) form a group, and a group is only
judged once every label in it has arrived.
"""

from __future__ import annotations

import numpy as np

from oncall.detect.errors import DetectError


def _groups(values: np.ndarray, size: int) -> np.ndarray:
    whole = (len(values) // size) * size
    return np.asarray(values[:whole]).reshape(-1, size)


def ndcg_at_k(scores: np.ndarray, relevance: np.ndarray, group_size: int = 10,
              k: int = 10) -> float | None:
    """Mean NDCG@k over groups of `group_size` consecutive rows, ranking each group by score.
    Groups with no relevant row are skipped (their NDCG is undefined); None if none is left."""
    if group_size < 1 or k < 1:
        raise DetectError("ndcg_at_k: group_size and k must be positive")
    s = _groups(np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf), group_size)
    r = _groups(np.asarray(relevance, dtype=float), group_size)
    if not len(s):
        return None
    k = min(k, group_size)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    gains = np.take_along_axis(r, order, axis=1)
    dcg = (gains * discount).sum(axis=1)
    ideal = (-np.sort(-r, axis=1)[:, :k] * discount).sum(axis=1)
    ok = ideal > 0
    if not ok.any():
        return None
    return float(np.mean(dcg[ok] / ideal[ok]))


def recall_at_k(scores: np.ndarray, relevant: np.ndarray, group_size: int = 50,
                k: int = 10) -> float | None:
    """Share of relevant rows that rank in the top k of their group of `group_size` candidates
    (retrieval quality of an embedding model). None when no group has a relevant row."""
    if group_size < 1 or k < 1:
        raise DetectError("recall_at_k: group_size and k must be positive")
    s = _groups(np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf), group_size)
    r = _groups(np.asarray(relevant, dtype=bool), group_size)
    total = int(r.sum())
    if not len(s) or total == 0:
        return None
    top = np.argsort(-s, axis=1, kind="stable")[:, :min(k, group_size)]
    return float(np.take_along_axis(r, top, axis=1).sum() / total)


def mean_absolute_error(predicted: np.ndarray, actual: np.ndarray) -> float | None:
    """MAE over the rows where both are finite; None when there are none."""
    p = np.asarray(predicted, dtype=float)
    a = np.asarray(actual, dtype=float)
    if p.shape != a.shape:
        raise DetectError(f"mean_absolute_error: {p.shape} predictions vs {a.shape} actuals")
    ok = np.isfinite(p) & np.isfinite(a)
    if not ok.any():
        return None
    return float(np.mean(np.abs(p[ok] - a[ok])))
