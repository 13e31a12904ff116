"""Kolmogorov-Smirnov null distributions without scipy.stats (which costs most of a second).

Only numpy is used, and scipy.special where kstwo.sf needs its Smirnov function. Each
function reproduces the scipy.stats routine named in its docstring, branch for branch where
scipy switches methods, and the property tests in tests/detect compare them with
scipy.stats across sizes and statistics.

- `exact_two_sample_sf(n, m, d)`: P(D_{n,m} >= d), the exact two-sided two-sample p-value
  behind ks_2samp(method="exact"), with D rounded to the lattice of the distribution.
- `kolmogorov_n_sf(d, n)`: scipy.stats.kstwo.sf(d, n), the one-sample finite-n distribution.
- `binomial_pmf(k, n, p)`: the binomial probability with full relative accuracy.
"""

from __future__ import annotations

import math

import numpy as np

_HAS_WIDE_FLOAT = np.finfo(np.longdouble).maxexp >= 16384
_LN2 = math.log(2.0)
_FLOAT64_BITS = 1000.0
_NEGLIGIBLE_BITS = 1130.0


def lattice_statistic(n: int, m: int, d: float) -> tuple[int, float]:
    """D on the lattice of D_{n,m}: multiples of 1/lcm(n, m), rounded half to even as scipy."""
    lcm = (n // math.gcd(n, m)) * m
    h = round(d * lcm)
    return h, h / lcm


def exact_two_sample_sf(n: int, m: int, d: float) -> tuple[float, float] | None:
    """(D on the lattice, P(D_{n,m} >= D)) for the two-sided two-sample KS test.

    The p-value is the share of the C(n + m, n) monotone lattice paths from (0, 0) to (n, m)
    that touch |x/n - y/m| >= D. Equal sizes use the reflection formula (an alternating sum
    of binomial ratios, evaluated innermost first); unequal sizes count the paths that have
    left the band column by column (see `_unequal_sf`). None when the count cannot be
    carried out in floating point here (very wide bands without an 80-bit long double), as
    scipy falls back to the asymptotic distribution when its exact routine fails.
    """
    h, d_lattice = lattice_statistic(n, m, d)
    if h == 0:
        return d_lattice, 1.0
    p: float | None
    if n == m:
        p = _equal_sf(n, h)
        if not 0.0 <= p <= 1.0:
            # Rounding can lift the alternating sum to 1 + 2^-52 at D = 1/n; scipy then
            # reports failure and falls back to the asymptotic distribution, as callers do.
            return None
    else:
        p = _unequal_sf(min(n, m), max(n, m), h * math.gcd(n, m))
        if p is None:
            return None
    return d_lattice, min(max(p, 0.0), 1.0)


def _equal_sf(n: int, h: int) -> float:
    """P(D_{n,n} >= h/n) = 2 sum_{k>=1} (-1)^(k+1) C(2n, n - kh) / C(2n, n).

    With A_k = C(2n, n - (k+1)h) / C(2n, n - kh) (and A_0 the first ratio), the sum is
    2 A_0 (1 - A_1 (1 - A_2 (...))). Each A_k is a product of h factors (n - t)/(n + t + 1)
    over one block t in [kh, (k+1)h); the blocks are multiplied out at once, and the nesting
    stops where a block's product is zero (t reached n, or it underflowed).
    """
    blocks = n // h + 1
    t = np.arange(blocks * h, dtype=np.float64)
    factors = np.maximum(n - t, 0.0) / (n + t + 1.0)
    ratios = np.prod(factors.reshape(blocks, h), axis=1)
    stop = np.flatnonzero(ratios == 0.0)
    last = int(stop[0]) if stop.size else blocks
    nested = 0.0
    for ratio in ratios[:last][::-1].tolist():
        nested = ratio * (1.0 - nested)
    if nested < 0.5 - 1e-12:
        return 2.0 * nested
    # Near p = 1 a rounding decides whether scipy's sum passes 1 and it switches to the
    # asymptotic p-value; there the blocks are multiplied in scipy's order, one factor
    # at a time, so the outcome is the same (a few thousand scalar steps at most).
    nested = 0.0
    for k in range(last - 1, -1, -1):
        product = 1.0
        for j in range(h):
            product = (n - k * h - j) * product / (n + k * h + j + 1)
        nested = product * (1.0 - nested)
    return 2.0 * nested


def _unequal_sf(s: int, big: int, hg: int) -> float | None:
    """Share of the paths from (0, 0) to (s, big) that touch |big i - s j| >= hg.

    Columns i = 0..s run over the smaller sample and rows j = 0..big over the larger one, so
    there are few columns and the band is narrow in relative terms. O(i, j) counts the paths
    to an inside point (i, j) that have already left the band (Viehmann's recursion for 1 - p,
    which keeps small p-values exact): O(i, j) = O(i - 1, j) + O(i, j - 1), where a neighbour
    outside the band contributes every path to it, a binomial coefficient. Within a column
    this is one cumulative sum over the band, starting from the binomial below it; the
    binomials entering from the left, one per row when the band first reaches it, are put in
    place before the sweep. Counts are stored scaled by 2^-E with E a fixed schedule (near
    log2 of the central binomial, changed every 48 bits), so no division happens per column
    and the rescaling is exact. The band's counts span about 2^(d big log2(1 + s/big)) either
    side of the centre: float64 holds that up to about 2^900, an 80-bit long double always.
    """
    i = np.arange(s + 1, dtype=np.int64)
    lo = np.maximum((big * i - hg) // s + 1, 0)
    hi = np.minimum((big * i + hg - 1) // s, big)
    if np.any(lo > hi):
        return 1.0
    # Bits either side of the centre: the band's spread of binomials, and the depth of p.
    spread = hg / s * math.log2(1.0 + s / big)
    depth = 2.0 * (hg / (s * big)) ** 2 * (s * big / (s + big)) / _LN2
    if depth > _NEGLIGIBLE_BITS:
        # p < 2^-1130: below the smallest double by a factor far beyond the few percent by
        # which the exact tail can exceed exp(-2 d^2 n m / (n + m)); scipy returns 0 or
        # subnormal noise here.
        return 0.0
    if spread + depth <= _FLOAT64_BITS:
        dtype: type = np.float64
    elif _HAS_WIDE_FLOAT:
        dtype = np.longdouble
    else:
        return None

    def log_binomial(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return _log_factorial(x + y) - _log_factorial(x) - _log_factorial(y)

    centre = np.clip((big * i) // s, 0, big)
    scale_bits = (np.floor(log_binomial(i, centre) / _LN2) // 48).astype(np.int64) * 48
    # The column where row j first enters the band, and the binomial arriving from its left.
    first = np.searchsorted(hi, np.arange(big + 1), side="left")
    buffer: np.ndarray = np.zeros(big + 1, dtype=dtype)
    rows = np.arange(hi[0] + 1, big + 1)
    column = first[rows]
    buffer[rows] = np.exp(
        (log_binomial(column - 1, rows) - scale_bits[column] * _LN2).astype(dtype)
    )
    # The binomial below each column's band: every path to (i, lo_i - 1) has left it.
    below_cols = np.flatnonzero(lo >= 1)
    below: np.ndarray = np.zeros(s + 1, dtype=dtype)
    below[below_cols] = np.exp(
        (log_binomial(below_cols, lo[below_cols] - 1) - scale_bits[below_cols] * _LN2).astype(dtype)
    )
    lo_list, hi_list, bits = lo.tolist(), (hi + 1).tolist(), scale_bits.tolist()
    below_list = below.tolist() if dtype is np.float64 else list(below)
    changes = set(np.flatnonzero(np.diff(scale_bits)) + 1)
    accumulate = np.add.accumulate
    for col in range(1, s + 1):
        a = lo_list[col]
        if col in changes:
            prev = buffer[lo_list[col - 1] : hi_list[col - 1]]
            prev[...] = np.ldexp(prev, bits[col - 1] - bits[col])
        if a:
            buffer[a] += below_list[col]
        window = buffer[a : hi_list[col]]
        accumulate(window, out=window)
    out = float(buffer[big]) if dtype is np.float64 else buffer[big]
    if out <= 0:
        return 0.0
    log_p = np.log(out) + bits[s] * _LN2 - log_binomial(s, big)
    return float(np.exp(log_p))


# --- One-sample finite-n Kolmogorov distribution, kstwo.sf ------------------------------


def _log_factorial_over_power(n: int) -> float:
    """log(n! / n^n): Stirling's series (no log(n!) - n log n cancellation), a sum below 50."""
    if n < 50:
        return math.fsum(math.log(i / n) for i in range(1, n + 1))
    r = 1.0 / n
    series = r * (1.0 / 12.0 - r * r * (1.0 / 360.0 - r * r * (1.0 / 1260.0 - r * r / 1680.0)))
    return 0.5 * math.log(2.0 * math.pi * n) - n + series


def _durbin_cdf(n: int, d: float) -> float:
    """P(D_n < d) by Durbin's matrix (Marsaglia, Tsang and Wang 2003): n!/n^n (H^n)_kk.

    With n d = k - h (k an integer, 0 <= h < 1), H is (2k-1) square: 1/(i - j + 1)! on and
    below the first superdiagonal, less h^(i+1)/(i+1)! down the first column and
    h^(m-j)/(m-j)! along the last row, plus (2h - 1)^m/m! in the corner when 2h > 1. The
    power is taken by squaring, with powers of two split off to keep it finite.
    """
    k = math.ceil(n * d)
    h = k - n * d
    size = 2 * k - 1
    offset = np.subtract.outer(np.arange(size), np.arange(size)) + 1  # i - j + 1
    factorial = np.array([math.factorial(v) for v in range(size + 1)], dtype=np.float64)
    matrix = np.where(offset >= 0, 1.0 / factorial[np.clip(offset, 0, size)], 0.0)
    powers = h ** np.arange(1, size + 1) / factorial[1:]
    matrix[:, 0] -= powers
    matrix[-1, :] -= powers[::-1]
    if 2.0 * h > 1.0:
        matrix[-1, 0] += (2.0 * h - 1.0) ** size / factorial[size]
    result, result_exp = np.eye(size), 0
    square, square_exp = matrix, 0
    remaining = n
    while remaining:
        if remaining & 1:
            result = result @ square
            result_exp += square_exp
            _, exp = np.frexp(np.max(np.abs(result)))
            result = np.ldexp(result, -int(exp))
            result_exp += int(exp)
        remaining >>= 1
        if remaining:
            square = square @ square
            square_exp *= 2
            _, exp = np.frexp(np.max(np.abs(square)))
            square = np.ldexp(square, -int(exp))
            square_exp += int(exp)
    entry = float(result[k - 1, k - 1])
    if entry <= 0.0:
        return 0.0
    log_p = math.log(entry) + result_exp * _LN2 + _log_factorial_over_power(n)
    return math.exp(log_p)


def _pelz_good_cdf(n: int, d: float) -> float:
    """Pelz and Good's (1976) expansion K0 + K1/sqrt(n) + K2/n + K3/n^1.5 of P(D_n <= d).

    Each K_i is written with Jacobi's theta transformation as sums over odd m of
    q^(m^2), q = exp(-pi^2 / (8 z^2)), z = d sqrt(n) (K2 and K3 add sums over all k of
    exp(-pi^2 k^2 / (2 z^2))), taken to k = ceil(16 z / pi) terms as scipy does.
    """
    z = d * math.sqrt(n)
    z2 = z * z
    if -(math.pi**2) / (8.0 * z2) < -708.0:
        return 0.0
    k = np.arange(1, math.ceil(16.0 * z / math.pi) + 1, dtype=np.float64)
    m2 = (2.0 * k - 1.0) ** 2
    q = np.exp(-(math.pi**2) * m2 / (8.0 * z2))
    pi2, pi4, pi6 = math.pi**2, math.pi**4, math.pi**6
    root = math.sqrt(2.0 * math.pi)
    k0 = root / z * np.sum(q)
    k1 = root / (6.0 * z2 * z2) * np.sum((pi2 * m2 / 4.0 - z2) * q)
    poly2 = 6.0 * z2**3 + 2.0 * z2**2 + (2.0 * z2**2 - 5.0 * z2) * pi2 * m2 / 4.0
    poly2 = poly2 + pi4 * (1.0 - 2.0 * z2) * m2 * m2 / 16.0
    theta = np.exp(-pi2 * k * k / (2.0 * z2))
    k2 = root / (72.0 * z2**3 * z) * np.sum(poly2 * q)
    k2 -= root * pi2 / (36.0 * z2 * z) * np.sum(k * k * theta)
    poly3 = -30.0 * z2**3 - 90.0 * z2**4 + pi2 * (135.0 * z2**2 - 96.0 * z2**3) * m2 / 4.0
    poly3 = poly3 + pi4 * (212.0 * z2**2 - 60.0 * z2) * m2 * m2 / 16.0
    poly3 = poly3 + pi6 * (5.0 - 30.0 * z2) * m2**3 / 64.0
    k3 = root / (6480.0 * z2**5) * np.sum(poly3 * q)
    k3 += root * pi2 / (216.0 * z2**3) * np.sum((3.0 * z2 - pi2 * k * k) * k * k * theta)
    root_n = math.sqrt(n)
    return float(k0 + k1 / root_n + k2 / n + k3 / (n * root_n))


def kolmogorov_n_sf(d: float, n: int) -> float:
    """scipy.stats.kstwo.sf(d, n): P(D_n >= d) for the one-sample two-sided statistic.

    The same method on each region as scipy (Simard and L'Ecuyer 2011): Ruben and Gambino's
    closed forms for n d <= 1 and n d >= n - 1; twice the one-sided Smirnov tail
    (scipy.special.smirnov) when d >= 1/2, or n d^2 >= 4 (n <= 140), or 2.2 <= n d^2 < 370
    (n > 140), zero beyond 370; otherwise 1 - P(D_n < d) from Durbin's matrix (n <= 140, or
    n <= 100,000 with n d^1.5 <= 1.4) or the Pelz-Good expansion. For n <= 140 and
    0.754693 < n d^2 <= 4, where scipy uses Pomeranz's recursion, Durbin's exact matrix is
    used as well (at most 47 square there): both are exact, so they agree to rounding.
    """
    if d >= 1.0:
        return 0.0
    if d <= 0.0:
        return 1.0
    t = n * d
    if t <= 1.0:
        if t <= 0.5:
            return 1.0
        if n <= 140:
            cdf = float(np.prod(np.arange(1, n + 1) * (1.0 / n) * (2.0 * t - 1.0)))
        else:
            cdf = math.exp(_log_factorial_over_power(n) + n * math.log(2.0 * t - 1.0))
        return _clip(1.0 - cdf)
    if t >= n - 1:
        return _clip(2.0 * (1.0 - d) ** n)
    if d >= 0.5:
        return _clip(2.0 * _smirnov(n, d))
    squared = t * d
    if n <= 140:
        if squared <= 4.0:
            return _clip(1.0 - _durbin_cdf(n, d))
        return _clip(2.0 * _smirnov(n, d))
    if squared >= 370.0:
        return 0.0
    if squared >= 2.2:
        return _clip(2.0 * _smirnov(n, d))
    if n <= 100_000 and n * d**1.5 <= 1.4:
        return _clip(1.0 - _durbin_cdf(n, d))
    return _clip(1.0 - _pelz_good_cdf(n, d))


SMIRNOV_MINLOG = -7.451332191019412076235e2
"""scipy.special.smirnov(n, d) is exactly 0 where -2 n d^2 is below this (its own cut-off)."""


def _smirnov(n: int, d: float) -> float:
    """scipy.special.smirnov(n, d): 0 below scipy's own cut-off without asking it, and scipy
    imported only when it must answer. scipy.special costs a fifth of a second of imports, and
    a drift that shows (a large D on many rows) is below the cut-off."""
    if -2.0 * n * d * d < SMIRNOV_MINLOG:
        return 0.0
    from scipy.special import smirnov

    return float(smirnov(n, d))


def _clip(p: float) -> float:
    return min(max(p, 0.0), 1.0)


# --- Binomial probabilities ---------------------------------------------------------------

_STIRLING_SMALL = [
    math.lgamma(v + 1.0) - (v + 0.5) * math.log(v) + v - 0.5 * math.log(2.0 * math.pi) if v else 0.0
    for v in range(16)
]


def _stirling_error(k: np.ndarray) -> np.ndarray:
    """log(k!) - log(sqrt(2 pi k) (k/e)^k) for integers k >= 0 (0 at k = 0), as in Loader."""
    k = np.asarray(k, dtype=np.float64)
    small = k < 16
    safe = np.where(small, 16.0, k)
    r = 1.0 / safe
    r2 = r * r
    series = r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)))
    table = np.asarray(_STIRLING_SMALL)[np.where(small, k, 0).astype(np.int64)]
    return np.where(small, table, series)


def _log_factorial(k: np.ndarray) -> np.ndarray:
    """log(k!) for integers k >= 0, from Stirling's formula plus its exact error term.

    As accurate as scipy.special.gammaln (about 1e-16 of the value) without importing it:
    the exact KS path then loads nothing beyond numpy.
    """
    k = np.asarray(k, dtype=np.float64)
    safe = np.maximum(k, 1.0)
    stirling = (safe + 0.5) * np.log(safe) - safe + 0.5 * math.log(2.0 * math.pi)
    return np.where(k >= 1.0, stirling + _stirling_error(safe), 0.0)


def _deviance(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """x log(x / mean) + mean - x, by its series in v = (x - mean)/(x + mean) when small."""
    x, mean = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(mean, np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = x * np.log(x / mean) + mean - x
    near = np.flatnonzero(np.abs(x - mean) < 0.1 * (x + mean))
    if near.size:
        xs, ms = x.flat[near], mean.flat[near]
        v = (xs - ms) / (xs + ms)
        v2 = v * v
        term = 2.0 * xs * v
        series = (xs - ms) * v
        # |v| < 0.1; stop once v^(2j) is below 1e-17 of the first term for every element.
        largest = float(np.max(np.abs(v)))
        terms = 9 if largest >= 0.1 else math.ceil(8.5 / -math.log10(max(largest, 1e-300)))
        for j in range(1, min(terms, 9) + 1):
            term = term * v2
            series = series + term / (2 * j + 1)
        out = np.array(out, dtype=np.float64)
        out.flat[near] = series
    return out


def binomial_pmf(k: np.ndarray | float, n: int, p: np.ndarray | float) -> np.ndarray:
    """P(K = k) for K ~ Binomial(n, p), to full relative accuracy (Loader's saddle point).

    exp(stirling(n) - stirling(k) - stirling(n - k) - deviance(k, np) - deviance(n - k, nq))
    * sqrt(n / (2 pi k (n - k))): no large logarithms are subtracted, so a probability of
    1e-300 is as accurate as one of 0.3. k must be integers in [0, n], 0 <= p <= 1.
    """
    k = np.asarray(k, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    k, p = np.broadcast_arrays(k, p)
    q = 1.0 - p
    inner = (k > 0) & (k < n)
    kk = np.where(inner, k, 1.0)
    pp = np.where(inner & (p > 0) & (q > 0), p, 0.5)
    exponent = (
        float(_stirling_error(np.array(float(n))))
        - _stirling_error(kk)
        - _stirling_error(n - kk)
        - _deviance(kk, n * pp)
        - _deviance(n - kk, n * (1.0 - pp))
    )
    with np.errstate(divide="ignore", over="ignore"):
        middle = np.exp(exponent) * np.sqrt(n / (2.0 * math.pi * kk * (n - kk)))
    with np.errstate(divide="ignore"):
        at_zero = np.exp(n * np.log1p(-p))
        at_n = np.exp(n * np.log(p))
    out = np.where(k == 0, at_zero, np.where(k == n, at_n, middle))
    out = np.where(inner & ((p <= 0) | (q <= 0)), 0.0, out)
    return out
