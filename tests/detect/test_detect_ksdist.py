"""The KS null distributions written without scipy.stats agree with scipy.stats.

`ksdist` replaces scipy's exact two-sample routine, kstwo.sf and binom.pmf so that a drift
test never imports scipy.stats (most of a second). Each function is compared here with the
scipy.stats original across sizes 1-10,000 (equal and unequal) and statistics in (0, 1], to
a relative 1e-9; p-values too small for a double (scipy returns 0 or subnormal noise there)
only need to be below 1e-300.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from fuzz_budget import budget
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy_lazy import GROUP, special, stats
from scipy_lazy import stats_py as _stats_py

from oncall.detect import fit_reference, ks_test
from oncall.detect.kernels import SMIRNOV_MAX_COMPUTE_N, _smirnov_sf, kolmogorov_sf
from oncall.detect.ksdist import (
    SMIRNOV_MINLOG,
    binomial_pmf,
    exact_two_sample_sf,
    kolmogorov_n_sf,
    lattice_statistic,
)

pytestmark = GROUP

REL = 1e-9
TINY = 1e-300
SOME = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def agree(ours: float, theirs: float) -> bool:
    if ours == theirs:
        return True
    if abs(ours) < TINY and abs(theirs) < TINY:
        return True
    return bool(np.isclose(ours, theirs, rtol=REL, atol=0.0))


def scipy_exact(n: int, m: int, d: float) -> tuple[bool, float, float]:
    success, d_exact, p = _stats_py._attempt_exact_2kssamp(n, m, math.gcd(n, m), d, "two-sided")
    return bool(success), float(d_exact), float(p)


def check_exact(n: int, m: int, d: float) -> None:
    success, d_theirs, p_theirs = scipy_exact(n, m, d)
    ours = exact_two_sample_sf(n, m, d)
    if not success:  # scipy falls back to the asymptotic p-value, and so must we
        assert ours is None, (n, m, d)
        return
    assert ours is not None
    d_ours, p_ours = ours
    assert d_ours == d_theirs
    assert agree(p_ours, p_theirs), (n, m, d, p_ours, p_theirs)


def lattice_d(draw: st.DrawFn, n: int, m: int) -> float:
    """A statistic on the lattice of D_{n,m} (as KS produces), or any d in (0, 1]."""
    lcm = (n // math.gcd(n, m)) * m
    if draw(st.booleans()):
        # Mostly near where p-values live: D of order 1/sqrt(effective size).
        scale = math.sqrt((n + m) / (n * m))
        d = min(1.0, draw(st.floats(0.05, 8.0)) * scale)
        return max(1, round(d * lcm)) / lcm
    return draw(st.floats(1e-6, 1.0))


@st.composite
def sizes_and_d(draw: st.DrawFn, max_size: int) -> tuple[int, int, float]:
    n = draw(st.integers(1, max_size))
    m = draw(st.sampled_from([n, draw(st.integers(1, max_size)), max(1, n - 1), n // 3 + 1]))
    return n, m, lattice_d(draw, n, m)


@SOME
@given(sizes_and_d(600))
def test_exact_two_sample_matches_scipy_small(case: tuple[int, int, float]) -> None:
    check_exact(*case)


@FEW
@given(sizes_and_d(10_000))
def test_exact_two_sample_matches_scipy_up_to_ten_thousand(case: tuple[int, int, float]) -> None:
    check_exact(*case)


NEAR_SIZES = [(10_000, 9_999), (9_999, 10_000), (10_000, 5_000), (10_000, 3_333), (10_000, 7),
              (10_000, 1), (1_000, 10_000), (10_000, 10_000), (6_000, 4_000), (1, 1), (2, 3)]
NEAR_D = [0.003, 0.02, 0.05, 0.1, 0.2, 0.45, 1.0]
NEAR_CASES = [(n, m, d) for n, m in NEAR_SIZES for d in NEAR_D
              if not (n != m and n * m > 9e7 and d in (0.1, 0.45))]
"""Each size near scipy's limit of 10,000 with statistics from the smallest lattice step to 1.
The two unequal pairs at the limit itself (scipy's own sum costs half a second each at large
d) skip 0.1 and 0.45: 0.05, 0.2 and 1.0 on each side of them cover the same branches."""


@pytest.mark.parametrize(("n", "m", "d"), NEAR_CASES)
def test_exact_two_sample_matches_scipy_near_the_limits(n: int, m: int, d: float) -> None:
    check_exact(n, m, d)


def test_lattice_rounds_half_to_even_like_scipy() -> None:
    # lcm(2, 4) = 4: 0.375 * 4 = 1.5 rounds to 2 and 0.625 * 4 = 2.5 to 2, as np.round does.
    assert lattice_statistic(2, 4, 0.375) == (2, 0.5)
    assert lattice_statistic(2, 4, 0.625) == (2, 0.5)
    assert scipy_exact(2, 4, 0.375)[1] == scipy_exact(2, 4, 0.625)[1] == 0.5


@st.composite
def n_and_d(draw: st.DrawFn) -> tuple[int, float]:
    """Sizes and statistics spread over every region where kstwo.sf changes method."""
    n = draw(st.one_of(st.integers(1, 140), st.integers(141, 200_000), st.integers(1, 12)))
    region = draw(st.sampled_from(["nd2", "t", "any"]))
    if region == "nd2":
        d = math.sqrt(draw(st.floats(0.01, 400.0)) / n)
    elif region == "t":
        d = draw(st.floats(0.3, float(n))) / n
    else:
        d = draw(st.floats(1e-6, 1.0))
    return n, min(d, 1.0)


@SOME
@given(n_and_d())
def test_kolmogorov_n_sf_matches_kstwo(case: tuple[int, float]) -> None:
    n, d = case
    theirs = float(stats.kstwo.sf(d, n))
    assert agree(kolmogorov_n_sf(d, n), theirs), (n, d)
    assert agree(kolmogorov_sf(d, n), theirs), (n, d)


BOUNDARY_N = [1, 2, 3, 10, 50, 140, 141, 1_000, 50_000, 100_000, 100_001,
              *[400_000] * budget(0, 1)]
"""Each side of every size where kstwo.sf changes method (140/141, 100,000/100,001); 400,000,
on the branches of 100,001 at four times the cost (scipy and ours sum n terms), under
`--fuzz-long`."""
BOUNDARY_ND2 = [0.05, 0.3, 0.754, 0.76, 1.5, 2.19, 2.21, 3.9, 4.1, 17.0, 50.0]


@pytest.mark.parametrize("n", BOUNDARY_N)
@pytest.mark.parametrize("n_d_squared", BOUNDARY_ND2)
def test_kolmogorov_n_sf_matches_kstwo_at_method_boundaries(n: int, n_d_squared: float) -> None:
    d = min(1.0, math.sqrt(n_d_squared / n))
    theirs = float(stats.kstwo.sf(d, n))
    assert agree(kolmogorov_n_sf(d, n), theirs), (n, d)


@SOME
@given(
    st.integers(1, 2_000_000),
    st.floats(0.0, 1.0),
    st.one_of(st.just(0.0), st.floats(1e-300, 1.0)),  # scipy's own pmf fails on subnormal p
)
def test_binomial_pmf_matches_binom_pmf(n: int, share: float, p: float) -> None:
    k = np.unique(np.clip(np.round(np.array([share, p, 0.0, 1.0]) * n), 0, n))
    ours = binomial_pmf(k, n, p)
    theirs = stats.binom.pmf(k, n, p)
    for o, t in zip(ours.tolist(), theirs.tolist(), strict=True):
        # scipy's own pmf loses relative accuracy in the far tail below ~1e-290.
        assert agree(o, t) or (t < 1e-280 and o < 1e-280), (n, p, o, t)


@settings(max_examples=budget(15, 120), deadline=None,  # scipy's smirnov sums n terms
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(141, budget(250_000, 1_000_000)), st.floats(2.2, 369.0))
@example(SMIRNOV_MAX_COMPUTE_N, 2.2)  # the largest size summed (a second of scipy's CPU)
def test_smirnov_sum_matches_scipy_special_smirnov(n: int, n_d_squared: float) -> None:
    d = math.sqrt(n_d_squared / n)
    if d >= 0.5:
        return
    assert agree(_smirnov_sf(n, d), float(special.smirnov(n, d)))


@pytest.mark.parametrize("n", [1_136, 5_000, 60_000, 250_000])
@pytest.mark.parametrize("n_d_squared", [2.2, 3.0, 9.0, 40.0, 200.0])
def test_smirnov_on_a_coarse_grid_equals_the_sum_of_every_term(n: int,
                                                               n_d_squared: float) -> None:
    d = math.sqrt(n_d_squared / n)
    coarse, full = _smirnov_sf(n, d), _smirnov_sf(n, d, every_term=True)
    assert coarse == pytest.approx(full, rel=1e-11), (n, d)


@pytest.mark.parametrize("n", [2, 9, 140, 141, 1_000, 40_000, 1_000_000])
def test_beyond_scipys_cut_off_the_smirnov_tail_is_zero_as_scipy_says(n: int) -> None:
    """Where -2 n d^2 is below scipy's cut-off, scipy.special.smirnov is exactly 0, and so is
    kstwo.sf on every branch that asks it: a drift that shows answers without importing it."""
    for d in np.linspace(0.05, 0.999, 80):
        if -2.0 * n * d * d < SMIRNOV_MINLOG:
            assert float(special.smirnov(n, d)) == 0.0, (n, d)
            assert kolmogorov_n_sf(float(d), n) == float(stats.kstwo.sf(d, n)), (n, d)


def test_drift_tests_do_not_import_scipy_stats() -> None:
    """KS (exact and asymptotic), chi2, PSI, Wasserstein, JS and F1 leave scipy.stats alone."""
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from oncall.detect import (
            chi2_test, estimate_f1, f1_on_arrived, fit_reference, jensen_shannon, ks_test,
            psi, rolling_f1, wasserstein,
        )
        rng = np.random.default_rng(0)
        for n, m in ((300, 300), (400, 250), (20_000, 15_000), (30_000, 40)):
            ref = fit_reference(rng.normal(0, 1, n), "continuous")
            cur = rng.normal(0.1, 1, m)
            assert 0.0 <= ks_test(ref, cur).p_value <= 1.0
            psi(ref, cur); wasserstein(ref, cur); jensen_shannon(ref, cur)
        cats = fit_reference(rng.choice(list("abc"), 500), "categorical")
        assert 0.0 <= chi2_test(cats, rng.choice(list("abcd"), 400)).p_value <= 1.0
        jensen_shannon(cats, rng.choice(list("abd"), 300)); psi(cats, rng.choice(list("ab"), 30))
        truth, pred = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
        f1_on_arrived(truth, pred, rng.random(200) < 0.5)
        estimate_f1(rng.random(200))
        leaked = sorted(name for name in sys.modules if name.startswith("scipy.stats"))
        print(",".join(leaked))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("n", [5, 7, 13, 14, 15, 23, 27])
def test_exact_failure_falls_back_to_the_asymptotic_p_value_as_scipy(n: int) -> None:
    # D = 1/n: the alternating sum rounds to 1 + 2^-52 and scipy switches to kstwo.
    assert exact_two_sample_sf(n, n, 1.0 / n) is None
    a = np.arange(n, dtype=np.float64)
    with pytest.warns(RuntimeWarning, match="Exact calculation unsuccessful"):
        theirs = stats.ks_2samp(a, a + 0.5)
    ours = ks_test(fit_reference(a, "continuous"), a + 0.5)
    assert ours.statistic == float(theirs.statistic)
    assert ours.p_value == float(theirs.pvalue)


@pytest.mark.parametrize(("n", "d"), [(152, 0.015625), (94, 1 / 47), (91, 2 / 91), (7, 1 / 7)])
def test_exact_equal_sizes_fail_exactly_where_scipy_fails(n: int, d: float) -> None:
    """Whether the sum rounds past 1 depends on the order of every product, as in scipy."""
    check_exact(n, n, d)
