"""Plain-English notes on when each result may mislead, built from the numbers at hand.

A verdict without its caveats teaches the wrong lesson: KS at a million rows flags harmless
shifts, PSI's bands false-alarm on small windows, every binned number depends on its bins.
"""

from __future__ import annotations


def _sizes(n: int, m: int) -> str:
    return f"{n:,} reference and {m:,} current rows"


def ks_advice(
    *, n: int, m: int, d: float, p: float, alpha: float, floor: float, critical_d: float
) -> str:
    parts = [
        "KS compares the whole cumulative distribution, so it reacts to any change of location, "
        f"spread or shape. Drift needs both p < {alpha:g} and D >= {floor:g}: with many rows KS "
        "finds shifts far too small to matter."
    ]
    if p < alpha and d < floor:
        parts.append(
            f"Here the p-value is significant but D = {d:.4f} is below the floor: with "
            f"{_sizes(n, m)} a shift this small is detectable yet rarely harmful."
        )
    if critical_d > floor:
        parts.append(
            f"With {_sizes(n, m)}, KS can only see shifts with D above about {critical_d:.3f}; "
            "a PASS here does not show that the distributions match."
        )
    parts.append("KS is least sensitive in the tails, where rare but costly inputs live.")
    return " ".join(parts)


def chi2_advice(
    *, n: int, m: int, v: float, p: float, alpha: float, floor: float, sparse: float
) -> str:
    parts = [
        "The chi-squared homogeneity test compares category shares over the union of both "
        f"windows' categories. Drift needs both p < {alpha:g} and Cramér's V >= {floor:g}; "
        "new categories enter as their own column and are listed separately, rather than "
        "making the statistic infinite."
    ]
    if p < alpha and v < floor:
        parts.append(
            f"Here the p-value is significant but V = {v:.4f} is below the floor: with "
            f"{_sizes(n, m)} tiny changes in the mix are detectable."
        )
    if sparse > 0.2:
        parts.append(
            f"{sparse:.0%} of cells expect fewer than 5 rows, where the chi-squared "
            "approximation is poor: merge rare categories or use a larger window."
        )
    parts.append("The test ignores any order among categories.")
    return " ".join(parts)


def psi_advice(
    *, bins: str, n: int, m: int, cutoff: float, warn_at: float, threshold: float, fill: float
) -> str:
    return (
        f"PSI depends on its bins (here {bins}); different binnings of the same data give "
        f"numbers tens of percent apart. The {warn_at:g} / {threshold:g} bands are a "
        "credit-scoring rule of thumb, not a test. Without drift PSI is about "
        "χ²(B−1)·(1/n + 1/m): with "
        f"{_sizes(n, m)}, 95% of no-drift windows stay below {cutoff:.3f}. Empty bins are "
        f"filled with {fill:g}, so a few values in a bin the other window never uses weigh heavily."
    )


def wasserstein_advice(*, noise: float, threshold: float, n: int, m: int) -> str:
    return (
        "Normed Wasserstein is how far values moved, in reference standard deviations "
        f"(0.1 = a tenth of one). It has no p-value: with {_sizes(n, m)}, sampling noise "
        f"alone gives about {noise:.3f} on average (threshold {threshold:g}). A few extreme "
        "values can move it, and a change of spread counts as much as a change of location."
    )


def js_advice(*, bins: str, cutoff: float, threshold: float, n: int, m: int) -> str:
    return (
        f"Jensen-Shannon distance compares binned shares (here {bins}); it cannot see changes "
        "within a bin and tops out at √ln2 ≈ 0.833. With "
        f"{_sizes(n, m)}, 95% of no-drift windows stay below {cutoff:.3f} "
        f"(threshold {threshold:g})."
    )


def all_missing_advice(n_missing: int) -> str:
    return (
        f"All {n_missing:,} current values are missing, so no distribution can be compared: "
        "a feature that stops arriving usually means a broken pipeline upstream, which is "
        "drift in the sense that matters."
    )
