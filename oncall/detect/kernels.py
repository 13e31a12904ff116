"""The statistics themselves, on sorted arrays and counts, matching scipy's definitions.

scipy is imported inside the functions that need it: `import scipy.stats` costs most of a
second, and the game's title screen imports this package.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from oncall.detect.samples import FloatArray, IntArray

KS_EXACT_MAX_N = 10_000
"""scipy.stats.ks_2samp(method="auto") is exact when the larger sample is at most this big."""


def ecdf_distances(reference: FloatArray, current: FloatArray) -> tuple[float, float]:
    """Two-sample KS statistic D and Wasserstein-1 distance from one merge of sorted samples.

    A stable sort of the two concatenated sorted runs is a single linear merge (timsort finds
    the runs), far cheaper than sorting afresh. Both ECDFs are then running counts, read at the
    last element of each group of tied values, which is where scipy evaluates them.
    """
    n, m = reference.size, current.size
    joined = np.concatenate((reference, current))
    order = np.argsort(joined, kind="stable")
    merged = joined[order]
    from_reference = order < n
    count_reference = np.cumsum(from_reference)
    count_current = np.arange(1, n + m + 1) - count_reference
    gap = count_reference / n
    gap -= count_current / m
    np.abs(gap, out=gap)
    steps = np.diff(merged)
    # np.sum of the products, as scipy sums them; np.dot would wake BLAS threads for little.
    wasserstein = float(np.sum(gap[:-1] * steps))
    # The last element always has gap 0 (both ECDFs reach 1), so only group ends before it count.
    d = float(np.max(gap[:-1], where=steps != 0, initial=0.0))
    return d, wasserstein


@lru_cache(maxsize=256)
def _exact_ks_pvalue(n: int, m: int, d: float) -> tuple[float, float] | None:
    """scipy's exact two-sided path; None when it reports a floating-point failure.

    The routine is private to scipy; should a release drop it, the asymptotic p-value is
    used instead and the property tests against ks_2samp say so.
    """
    from scipy.stats import _stats_py

    attempt = getattr(_stats_py, "_attempt_exact_2kssamp", None)
    if attempt is None:
        return None
    success, d_exact, p = attempt(n, m, math.gcd(n, m), d, "two-sided")
    if not success:
        return None
    return float(d_exact), float(p)


def ks_pvalue(d: float, n: int, m: int) -> tuple[float, float]:
    """(statistic, p-value) with scipy.stats.ks_2samp(method="auto") semantics.

    Exact up to 10,000 rows in the larger sample, where, as in scipy, D is rounded to the
    lattice of the exact distribution; asymptotic (Kolmogorov with the effective size
    nm/(n+m)) above. The exact path is scipy's own routine, cached by (n, m, D): it is
    quick for equal sizes but tens of milliseconds for unequal sizes near 10,000.
    """
    if max(n, m) <= KS_EXACT_MAX_N:
        exact = _exact_ks_pvalue(n, m, d)
        if exact is not None:
            d_exact, p = exact
            return d_exact, min(max(p, 0.0), 1.0)
        lattice = (n // math.gcd(n, m)) * m
        d = round(d * lattice) / lattice
    large, small = float(max(n, m)), float(min(n, m))
    effective = int(np.round(large * small / (large + small)))
    return d, min(max(kolmogorov_sf(d, effective), 0.0), 1.0)


SMIRNOV_MAX_COMPUTE_N = 1_000_000
"""Above this n, scipy.special.smirnov switches to a closed-form approximation."""
_MINLOG = -7.451332191019412076235e2


def kolmogorov_sf(d: float, n: int) -> float:
    """scipy.stats.kstwo.sf(d, n), with its slowest branch computed vectorised.

    For n above 140 and 2.2 <= n d^2 < 370, scipy evaluates 2 * scipy.special.smirnov(n, d),
    a scalar loop over about n terms: half a second at n = 500,000 (KS at 1M rows a side,
    when D is small but significant). The same Birnbaum-Tingey sum, written as binomial
    probabilities, is one vectorised call and agrees to about 1e-13. Every other branch is
    scipy's own.
    """
    t = n * d
    squared = t * d
    if 140 < n <= SMIRNOV_MAX_COMPUTE_N and 1.0 < t < n - 1 and d < 0.5 and 2.2 <= squared < 370:
        return min(max(2.0 * _smirnov_sf(n, d), 0.0), 1.0)
    from scipy.stats import kstwo

    return float(kstwo.sf(d, n))


def _smirnov_sf(n: int, x: float) -> float:
    """One-sided Smirnov P(D+_n > x) = x * sum_v C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v).

    Each term is a binomial probability at v with success chance x + v/n, divided by that
    chance, which scipy's binom.pmf computes with full relative accuracy.
    """
    if -2.0 * n * x * x < _MINLOG:
        return 0.0
    from scipy.stats import binom

    last = n - math.floor(n * x) - 1
    v = np.arange(last + 1, dtype=np.float64)
    chance = x + v / n
    return float(x * np.sum(binom.pmf(v, n, chance) / chance))


def ks_critical_d(n: int, m: int, alpha: float = 0.05) -> float:
    """Smallest D a KS test at level alpha can detect (asymptotic), for the advice text."""
    c = math.sqrt(-0.5 * math.log(alpha / 2.0))
    return c * math.sqrt((n + m) / (n * m))


def sturges_edges(reference: FloatArray, current: FloatArray) -> FloatArray:
    """np.histogram_bin_edges(both samples, bins="sturges"), from the sorted ends alone.

    Evidently bins PSI and JS this way; reproducing numpy's arithmetic step by step keeps the
    edges bit-identical without concatenating and scanning both samples.
    """
    low = min(reference[0], current[0])
    high = max(reference[-1], current[-1])
    size = reference.size + current.size
    width = np.subtract(high, low) / (np.log2(size) + 1.0)
    first, last = (low - 0.5, high + 0.5) if low == high else (low, high)
    bins = int(np.ceil((last - first) / width)) if width else 1
    return np.linspace(first, last, bins + 1, endpoint=True, dtype=np.float64)


def filled_shares(counts: IntArray, total: int, fill: float) -> FloatArray:
    shares = counts / total
    shares[shares == 0] = fill
    return shares


def psi_value(reference_shares: FloatArray, current_shares: FloatArray) -> float:
    """PSI = sum over bins of (c - r) * ln(c / r); shares must already be free of zeros."""
    return float(
        np.sum((current_shares - reference_shares) * np.log(current_shares / reference_shares))
    )


def js_distance(reference_counts: IntArray, current_counts: IntArray) -> float:
    """scipy.spatial.distance.jensenshannon (natural log) of the two count vectors."""
    from scipy.special import rel_entr

    p = reference_counts / np.sum(reference_counts)
    q = current_counts / np.sum(current_counts)
    mid = (p + q) / 2.0
    divergence = np.sum(rel_entr(p, mid)) + np.sum(rel_entr(q, mid))
    return float(np.sqrt(divergence / 2.0))


def chi2_homogeneity(
    reference_counts: IntArray, current_counts: IntArray
) -> tuple[float, float, int, float]:
    """Pearson chi-squared on the 2 x K table, as scipy.stats.chi2_contingency(correction=False).

    Returns statistic, p-value, degrees of freedom and the share of cells expecting fewer than
    five rows (where the chi-squared approximation is poor). Every column must have a count.
    """
    from scipy.special import chdtrc

    observed = np.vstack((reference_counts, current_counts)).astype(np.float64)
    dof = observed.shape[1] - 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    sparse = float(np.mean(expected < 5.0))
    if dof == 0:
        return 0.0, 1.0, 0, sparse
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    return statistic, float(chdtrc(dof, statistic)), dof, sparse


def chi2_ppf95(dof: int) -> float:
    """95th percentile of chi-squared with dof degrees of freedom."""
    from scipy.special import chdtri

    return float(chdtri(dof, 0.05)) if dof > 0 else 0.0
