"""The statistics themselves, on sorted arrays and counts, matching scipy's definitions.

scipy.special is imported inside the functions that need it, and scipy.stats never: it costs
most of a second, and the game's title screen imports this package. The KS null
distributions scipy.stats would supply are in `ksdist`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from oncall.detect.ksdist import (
    SMIRNOV_MINLOG,
    binomial_pmf,
    exact_two_sample_sf,
    kolmogorov_n_sf,
)

if TYPE_CHECKING:
    from oncall.detect.samples import FloatArray, IntArray

KS_EXACT_MAX_N = 10_000
"""scipy.stats.ks_2samp(method="auto") is exact when the larger sample is at most this big."""
KS_CUT_SPACING = 8
"""KS reads the ECDFs at every (sqrt(n + m) / KS_CUT_SPACING)-th value of each sample."""


def ks_statistic(reference: FloatArray, current: FloatArray) -> float:
    """max |F_ref(x) - F_cur(x)| over every value of both sorted samples, as ks_2samp reads it.

    scipy evaluates both ECDFs (right-sided searchsorted counts over the size) at every value,
    two binary searches per row: several sorts' worth at a million rows. Here the counts are
    taken exactly at every stride-th value of each sample (the cuts), and between two cuts
    the gap can only move as far as the counts change across them; values there are looked at
    only when that reach, in exact integers (units of 1/(n m)), is at least the largest gap at
    the cuts. The values left out cannot hold the maximum, so D is bit for bit scipy's. At a
    million rows a side this reads about one value in forty; samples so alike that most values
    stay in reach are merged instead, which is cheaper than searching nearly every value.
    """
    n, m = reference.size, current.size
    stride = math.isqrt(n + m) // KS_CUT_SPACING
    if stride < 4:
        return _gap_at(reference, current, np.arange(n), np.arange(m))
    ref_cuts = np.append(np.arange(0, n, stride), n - 1)
    cur_cuts = np.append(np.arange(0, m, stride), m - 1)
    ref_own, cur_other = _counts_around(reference, current, ref_cuts)
    cur_own, ref_other = _counts_around(current, reference, cur_cuts)
    values = np.concatenate((reference[ref_cuts], current[cur_cuts]))
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    order = order[np.append(True, ordered[1:] != ordered[:-1])]
    # Columns: counts below and up to each cut, in the reference and in the current sample.
    ref_left, ref_right = np.concatenate((ref_own, ref_other), axis=1)[:, order]
    cur_left, cur_right = np.concatenate((cur_other, cur_own), axis=1)[:, order]
    best = int(np.max(np.abs(ref_right * m - cur_right * n)))
    if best == 0 and n == m and np.array_equal(reference, current):
        return 0.0  # every value would need a look otherwise
    # Values strictly between cuts x0 < x1 have counts between those right of x0 and left of x1.
    ref_low, ref_high = ref_right[:-1], ref_left[1:]
    cur_low, cur_high = cur_right[:-1], cur_left[1:]
    reach = np.maximum(ref_high * m - cur_low * n, cur_high * n - ref_low * m)
    open_ = (reach >= best) & ((ref_high > ref_low) | (cur_high > cur_low))
    ref_spans = (ref_low[open_], ref_high[open_])
    cur_spans = (cur_low[open_], cur_high[open_])
    in_reach = np.sum(ref_spans[1] - ref_spans[0]) + np.sum(cur_spans[1] - cur_spans[0])
    if 2 * in_reach > n + m:
        # Samples this alike leave most values in reach: a merge is cheaper than searching.
        return _gap_by_merge(reference, current)
    inside = _gap_at(reference, current, _spans(*ref_spans), _spans(*cur_spans))
    return max(_largest_gap(ref_right, cur_right, n, m), inside)


def _gap_by_merge(reference: FloatArray, current: FloatArray) -> float:
    """Largest |F_ref - F_cur| at every value, from one merge of the two sorted samples.

    A stable sort of the two sorted runs is one linear merge (timsort finds the runs); the
    counts are then running sums, read at the last of each run of tied values.
    """
    n, m = reference.size, current.size
    joined = np.concatenate((reference, current))
    order = np.argsort(joined, kind="stable")
    ref_counts = np.cumsum(order < n)
    cur_counts = np.arange(1, n + m + 1) - ref_counts
    merged = joined[order]
    last = np.append(merged[1:] != merged[:-1], True)
    return _largest_gap(ref_counts[last], cur_counts[last], n, m)


def _counts_around(
    own: FloatArray, other: FloatArray, index: IntArray
) -> tuple[IntArray, IntArray]:
    """How many values lie below own[index] (row 0) and up to it (row 1), in own and in other.

    In its own sample a value's counts follow from its index unless it is tied with a
    neighbour; only ties and the other sample need a binary search.
    """
    x = own[index]
    last = own.size - 1
    own_counts = np.stack((index, index + 1))
    tied = np.flatnonzero(own[np.maximum(index - 1, 0)] == x)
    own_counts[0, tied] = np.searchsorted(own, x[tied], "left")
    tied = np.flatnonzero(own[np.minimum(index + 1, last)] == x)
    own_counts[1, tied] = np.searchsorted(own, x[tied], "right")
    below = np.searchsorted(other, x, "left")
    other_counts = np.stack((below, below))
    hit = np.flatnonzero(other[np.minimum(below, other.size - 1)] == x)
    other_counts[1, hit] = np.searchsorted(other, x[hit], "right")
    return own_counts, other_counts


def _gap_at(
    reference: FloatArray, current: FloatArray, ref_index: IntArray, cur_index: IntArray
) -> float:
    """Largest |F_ref - F_cur| at the given values of each sample.

    A value's count in its own sample is one past its index at the last of its ties, which
    holds the same value; only the other sample is searched.
    """
    n, m = reference.size, current.size
    ref_index = _last_of_ties(reference, ref_index)
    cur_index = _last_of_ties(current, cur_index)
    return max(
        _largest_gap(ref_index + 1, np.searchsorted(current, reference[ref_index], "right"), n, m),
        _largest_gap(np.searchsorted(reference, current[cur_index], "right"), cur_index + 1, n, m),
    )


def _last_of_ties(values: FloatArray, index: IntArray) -> IntArray:
    following = values[np.minimum(index + 1, values.size - 1)]
    return index[(following != values[index]) | (index == values.size - 1)]


def _largest_gap(ref_counts: IntArray, cur_counts: IntArray, n: int, m: int) -> float:
    """max |ref_counts / n - cur_counts / m| with scipy's arithmetic, so D matches it bitwise."""
    if ref_counts.size == 0:
        return 0.0
    gap = ref_counts / n
    gap -= cur_counts / m
    return float(np.max(np.abs(gap, out=gap)))


def _spans(starts: IntArray, stops: IntArray) -> IntArray:
    """The indices of every range [start, stop), concatenated."""
    lengths = stops - starts
    total = int(np.sum(lengths))
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def wasserstein_sorted(reference: FloatArray, current: FloatArray) -> float:
    """scipy.stats.wasserstein_distance of two sorted samples, from their quantile functions.

    W1 is the area between the two ECDFs, which equals the area between the two quantile
    functions: sum |ref[i] - cur[j]| over the pieces of [0, 1] on which both are constant.
    Those pieces depend only on the sizes (breakpoints i/n and j/m), so no merge of the values
    is needed. Every term is non-negative and exact to rounding, so the sum is the exact area
    to about 1e-15; scipy's, which subtracts rounded ECDF values, is off by a few 1e-13
    at a million rows.
    """
    n, m = reference.size, current.size
    if n == m:
        return float(np.sum(np.abs(reference - current))) / n
    big, small = (reference, current) if n > m else (current, reference)
    size, few = big.size, small.size
    # In units of 1/(size * few), big piece i spans [i few, (i + 1) few] and small piece j
    # spans [j size, (j + 1) size]. Small breakpoint k size (0 < k < few) falls in big piece
    # `piece`, `before` units after its start; when that is not 0 it splits the piece, whose
    # first part belongs to small piece k - 1 and the rest to small piece k.
    k = np.arange(1, few, dtype=np.int64)
    position = k * size
    piece = position // few
    before = position - piece * few
    split = before != 0
    # Small piece j holds the starts of big pieces from ceil(j size / few) on.
    starts = np.concatenate(([0], piece + split, [size]))
    distance = np.repeat(small, np.diff(starts))
    np.subtract(big, distance, out=distance)
    np.abs(distance, out=distance)
    piece, k, before = piece[split], k[split], before[split]
    distance[piece] *= before / few
    rest = np.abs(big[piece] - small[k]) * ((few - before) / few)
    return float(np.sum(distance) + np.sum(rest)) / size


@lru_cache(maxsize=256)
def _exact_ks_pvalue(n: int, m: int, d: float) -> tuple[float, float] | None:
    """(D on the lattice, exact two-sided p-value), or None where scipy's exact path fails."""
    return exact_two_sample_sf(n, m, d)


def ks_pvalue(d: float, n: int, m: int) -> tuple[float, float]:
    """(statistic, p-value) with scipy.stats.ks_2samp(method="auto") semantics.

    Exact up to 10,000 rows in the larger sample, where, as in scipy, D is rounded to the
    lattice of the exact distribution; asymptotic (Kolmogorov with the effective size
    nm/(n+m)) above, where it equals scipy's to 4e-13 relative (2e-12 for p below 1e-30;
    see `kolmogorov_sf`) in under a millisecond at any size. The exact path
    (`ksdist.exact_two_sample_sf`) is cached by (n, m, D): it is quick for equal sizes but
    tens of milliseconds for unequal sizes near 10,000.
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


def kolmogorov_sf(d: float, n: int) -> float:
    """scipy.stats.kstwo.sf(d, n), with its slowest branch computed in about a thousand terms.

    For n above 140 and 2.2 <= n d^2 < 370, scipy evaluates 2 * scipy.special.smirnov(n, d),
    a scalar loop over about n terms: half a second at n = 500,000 (KS at 1M rows a side,
    when D is small but significant). The same Birnbaum-Tingey sum, written as binomial
    probabilities, is evaluated on a coarse grid (`_smirnov_sf`) in under a millisecond; it
    agrees with scipy to 4e-13 relative where p > 1e-30 and to 2e-12 below. Every other
    branch is `ksdist.kolmogorov_n_sf`, which follows scipy's choice of method without
    scipy.stats.
    """
    t = n * d
    squared = t * d
    if 140 < n <= SMIRNOV_MAX_COMPUTE_N and 1.0 < t < n - 1 and d < 0.5 and 2.2 <= squared < 370:
        return min(max(2.0 * _smirnov_sf(n, d), 0.0), 1.0)
    return kolmogorov_n_sf(d, n)


SMIRNOV_GRID_PER_SIGMA = 32
"""Grid points per standard width of the Smirnov summand's bump (see `_smirnov_sf`)."""
SMIRNOV_EDGE_NX = 50.0
"""The grid is coarse only where n x is at least this: the summand at both ends of the sum
is then below e^-50 of its peak, so leaving the ends out of the trapezoid rule costs nothing."""


def _smirnov_sf(n: int, x: float, *, every_term: bool = False) -> float:
    """One-sided Smirnov P(D+_n > x) = x * sum_v C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v).

    Each term is a binomial probability at v with success chance x + v/n, divided by that
    chance, which `ksdist.binomial_pmf` computes with full relative accuracy.

    The terms, as a function of v, form one smooth bump: about exp(-n x^2 / (2 p q)) with
    p = x + v/n, whose standard width is sigma = sqrt(n) / (4 x) terms (at least n / 77 in
    scipy's range, n d^2 < 370), and which is negligible at both ends once n x >= 50. For a
    smooth bump that vanishes at its ends, the trapezoid rule with step h equals the sum over
    every integer up to terms of order exp(-2 pi^2 (sigma / h)^2) (Poisson summation), so
    every h-th term, weighted by h, gives the same sum. With h = sigma / 32 that is at most
    a few hundred to a thousand terms instead of n: measured against scipy.special.smirnov
    for n from 141 to 1,000,000 and n x^2 from 2.2 to 369, the worst relative difference
    was 3.5e-13 where p > 1e-30 and 1.6e-12 below (p down to 1e-300), the size of the
    rounding difference between scipy's loop and the full sum here (up to 8e-13 on the same
    grid). `every_term` sums every term (n of them), for the tests that check the grid.
    """
    if -2.0 * n * x * x < SMIRNOV_MINLOG:
        return 0.0
    last = n - math.floor(n * x) - 1
    step = 1
    if not every_term and n * x >= SMIRNOV_EDGE_NX:
        step = max(1, int(math.sqrt(n) / (4.0 * x) / SMIRNOV_GRID_PER_SIGMA))
    v = np.arange(0, last + 1, step, dtype=np.float64)
    chance = x + v / n
    return float(step * x * np.sum(binomial_pmf(v, n, chance) / chance))


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
