"""The five drift tests, each returning one DriftResult, and `run_test` to pick one by name.

Each test takes a fitted Reference and the current values (a numpy array, or a Window already
prepared against that reference so several tests share one sort). See `samples` for the NaN
policy, which every test applies.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from oncall.detect import advice
from oncall.detect.errors import DetectError
from oncall.detect.kernels import (
    chi2_homogeneity,
    chi2_ppf95,
    filled_shares,
    js_distance,
    ks_critical_d,
    ks_pvalue,
    ks_statistic,
    psi_value,
    sturges_edges,
    wasserstein_sorted,
)
from oncall.detect.results import Category, DriftResult, ThresholdKind
from oncall.detect.samples import (
    ColumnKind,
    Reference,
    Window,
    as_window,
    bin_counts,
    to_python,
)

if TYPE_CHECKING:
    from oncall.detect.samples import IntArray

TestName = Literal["ks", "chi2", "psi", "wasserstein", "js"]
TESTS: tuple[TestName, ...] = ("ks", "chi2", "psi", "wasserstein", "js")

ALIASES: dict[str, TestName] = {
    "ks": "ks",
    "kolmogorov-smirnov": "ks",
    "ks_2samp": "ks",
    "chi2": "chi2",
    "chi-squared": "chi2",
    "chisquare": "chi2",
    "chi2_contingency": "chi2",
    "psi": "psi",
    "wasserstein": "wasserstein",
    "wasserstein_norm": "wasserstein",
    "wd": "wasserstein",
    "emd": "wasserstein",
    "js": "js",
    "jensen-shannon": "js",
    "jensen_shannon": "js",
    "jensenshannon": "js",
}

DEFAULT_THRESHOLDS: dict[TestName, float] = {
    "ks": 0.05,
    "chi2": 0.05,
    "psi": 0.25,
    "wasserstein": 0.1,
    "js": 0.1,
}
THRESHOLD_KINDS: dict[TestName, ThresholdKind] = {
    "ks": "p_value",
    "chi2": "p_value",
    "psi": "distance",
    "wasserstein": "distance",
    "js": "distance",
}
KINDS: dict[TestName, tuple[ColumnKind, ...]] = {
    "ks": ("continuous",),
    "chi2": ("categorical",),
    "psi": ("continuous", "categorical"),
    "wasserstein": ("continuous",),
    "js": ("continuous", "categorical"),
}
KS_EFFECT_FLOOR = 0.05
"""KS D below which a significant result is called harmless (large windows)."""
CHI2_EFFECT_FLOOR = 0.1
"""Cramér's V below which a significant result is called harmless: Cohen's "small" effect."""
PSI_WARN = 0.1
EMPTY_BIN_FILL = 1e-4

Binning = Literal["deciles", "sturges"]
BINNINGS: tuple[Binning, ...] = ("deciles", "sturges")


def canonical_test(name: str) -> TestName:
    """The canonical test name for a name or alias, case-insensitively."""
    found = ALIASES.get(name.strip().lower())
    if found is None:
        raise DetectError(f"unknown test {name!r}; choose one of {', '.join(TESTS)}")
    return found


def _check_kind(window: Window, test: TestName) -> None:
    if window.kind not in KINDS[test]:
        other = "chi2 or js" if window.kind == "categorical" else "ks or wasserstein"
        raise DetectError(
            f"column {window.name!r}: {test} needs a {KINDS[test][0]} column but it is "
            f"{window.kind}; use {other}"
        )


def _threshold(test: TestName, threshold: float | None) -> float:
    value = DEFAULT_THRESHOLDS[test] if threshold is None else float(threshold)
    if not math.isfinite(value) or value < 0 or (THRESHOLD_KINDS[test] == "p_value" and value > 1):
        raise DetectError(f"{test}: threshold {threshold!r} is out of range")
    return value


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _share_text(items: tuple[tuple[Category, float], ...], limit: int = 3) -> str:
    shown = ", ".join(f"{category!r} ({share:.1%})" for category, share in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _category_changes(
    window: Window,
) -> tuple[tuple[tuple[Category, float], ...], tuple[tuple[Category, float], ...]]:
    if window.kind != "categorical":
        return (), ()
    reference = window.reference
    new = tuple(
        sorted(
            (
                (to_python(category), int(count) / window.n)
                for category, count in zip(
                    window.new_categories, window.new_category_counts, strict=True
                )
            ),
            key=lambda item: (-item[1], str(item[0])),
        )
    )
    gone = tuple(
        (to_python(category), int(count) / reference.n)
        for category, count, now in zip(
            reference.categories, reference.category_counts, window.category_counts, strict=True
        )
        if now == 0
    )
    return new, gone


_STATISTIC_NAMES: dict[TestName, str] = {
    "ks": "D",
    "chi2": "chi2",
    "psi": "PSI",
    "wasserstein": "W1/std",
    "js": "JS distance",
}
_EFFECT_NAMES: dict[TestName, str] = {
    "ks": "KS D",
    "chi2": "Cramér's V",
    "psi": "PSI",
    "wasserstein": "normed Wasserstein",
    "js": "JS distance",
}


def _common_warnings(
    window: Window,
    new: tuple[tuple[Category, float], ...],
    gone: tuple[tuple[Category, float], ...],
) -> list[str]:
    warnings = []
    before, after = window.reference.missing_share, window.missing_share
    if abs(after - before) >= 0.01:
        warnings.append(
            f"missing share changed from {before:.1%} to {after:.1%}; missing rows are dropped "
            "before the test, which cannot see this change"
        )
    if new:
        warnings.append(
            f"{len(new)} new categor{'y' if len(new) == 1 else 'ies'}: {_share_text(new)}"
        )
    if gone:
        warnings.append(
            f"{len(gone)} reference categor{'y' if len(gone) == 1 else 'ies'} absent now: "
            f"{_share_text(gone)}"
        )
    return warnings


def _result(
    window: Window,
    test: TestName,
    *,
    statistic: float,
    p_value: float | None,
    threshold: float,
    drifted: bool,
    effect_size: float | None,
    effect_floor: float | None,
    bins: str | None,
    warnings: list[str],
    advice_text: str,
) -> DriftResult:
    new, gone = _category_changes(window)
    return DriftResult(
        column=window.name,
        kind=window.kind,
        test=test,
        statistic_name=_STATISTIC_NAMES[test],
        statistic=float(statistic),
        p_value=None if p_value is None else float(p_value),
        threshold=threshold,
        threshold_kind=THRESHOLD_KINDS[test],
        drifted=bool(drifted),
        effect_size=None if effect_size is None else float(effect_size),
        effect_size_name=_EFFECT_NAMES[test],
        effect_floor=effect_floor,
        n_reference=window.reference.n,
        n_current=window.n,
        missing_reference=window.reference.missing_share,
        missing_current=window.missing_share,
        bins=bins,
        new_categories=new,
        missing_categories=gone,
        warnings=tuple(_common_warnings(window, new, gone) + warnings),
        advice=advice_text,
        base_threshold=threshold,
    )


def _all_missing(
    window: Window, test: TestName, threshold: float, floor: float | None
) -> DriftResult:
    return _result(
        window,
        test,
        statistic=math.nan,
        p_value=None,
        threshold=threshold,
        drifted=True,
        effect_size=None,
        effect_floor=floor,
        bins=None,
        warnings=[
            f"all {window.n_missing:,} current values are missing: the feature is not arriving"
        ],
        advice_text=advice.all_missing_advice(window.n_missing),
    )


def _sorted_statistic(window: Window, test: Literal["ks", "wasserstein"]) -> float:
    """KS D or raw Wasserstein-1 of a prepared window, cached: a corrected suite reruns KS."""
    cached = window._cache.get(test)
    if cached is None:
        kernel = ks_statistic if test == "ks" else wasserstein_sorted
        cached = window._cache[test] = kernel(window.reference.values, window.values)
    return cached


def ks_test(
    reference: Reference,
    current: np.ndarray | Window,
    *,
    threshold: float | None = None,
    effect_floor: float | None = None,
) -> DriftResult:
    """Two-sample Kolmogorov-Smirnov, equal to scipy.stats.ks_2samp(method="auto").

    Drift needs p < threshold (alpha, 0.05) and D >= effect_floor (0.05): at large sizes
    the p-value alone flags shifts of a few hundredths of a standard deviation.
    """
    window = as_window(reference, current)
    _check_kind(window, "ks")
    alpha = _threshold("ks", threshold)
    floor = KS_EFFECT_FLOOR if effect_floor is None else float(effect_floor)
    if window.n == 0:
        return _all_missing(window, "ks", alpha, floor)
    n, m = reference.n, window.n
    d, p = ks_pvalue(_sorted_statistic(window, "ks"), n, m)
    warnings = []
    if p < alpha and d < floor:
        warnings.append(f"significant but D = {d:.4f} is below the effect-size floor {floor:g}")
    if reference.n_distinct <= 10:
        warnings.append(
            f"only {reference.n_distinct} distinct reference values: KS p-values are "
            "conservative on discrete data; consider declaring the column categorical"
        )
    return _result(
        window,
        "ks",
        statistic=d,
        p_value=p,
        threshold=alpha,
        drifted=p < alpha and d >= floor,
        effect_size=d,
        effect_floor=floor,
        bins=None,
        warnings=warnings,
        advice_text=advice.ks_advice(
            n=n, m=m, d=d, p=p, alpha=alpha, floor=floor, critical_d=ks_critical_d(n, m, alpha)
        ),
    )


def _categorical_counts(window: Window) -> tuple[IntArray, IntArray, str]:
    """Counts over the union of categories: reference order first, then new ones."""
    reference = window.reference
    k, j = reference.categories.size, window.new_categories.size
    ref_counts = np.concatenate((reference.category_counts, np.zeros(j, dtype=np.int64)))
    cur_counts = np.concatenate((window.category_counts, window.new_category_counts))
    return ref_counts, cur_counts, f"categories: {k} in reference + {j} new"


def chi2_test(
    reference: Reference,
    current: np.ndarray | Window,
    *,
    threshold: float | None = None,
    effect_floor: float | None = None,
) -> DriftResult:
    """Chi-squared homogeneity test on the 2 x K table over the union of categories.

    Equal to scipy.stats.chi2_contingency(correction=False). Unlike a goodness-of-fit test
    against reference shares, one row of an unseen category gives a finite statistic; new
    categories are also listed on their own. Drift needs p < threshold and Cramér's V >=
    effect_floor (0.1).
    """
    window = as_window(reference, current)
    _check_kind(window, "chi2")
    alpha = _threshold("chi2", threshold)
    floor = CHI2_EFFECT_FLOOR if effect_floor is None else float(effect_floor)
    if window.n == 0:
        return _all_missing(window, "chi2", alpha, floor)
    ref_counts, cur_counts, bins = _categorical_counts(window)
    statistic, p, dof, sparse = chi2_homogeneity(ref_counts, cur_counts)
    n, m = reference.n, window.n
    v = math.sqrt(statistic / (n + m)) if dof else 0.0
    warnings = []
    if dof == 0:
        warnings.append("a single category in both windows: nothing to compare")
    if p < alpha and v < floor:
        warnings.append(
            f"significant but Cramér's V = {v:.4f} is below the effect-size floor {floor:g}"
        )
    if sparse > 0.2:
        warnings.append(f"{sparse:.0%} of cells expect fewer than 5 rows: p-value unreliable")
    return _result(
        window,
        "chi2",
        statistic=statistic,
        p_value=p,
        threshold=alpha,
        drifted=p < alpha and v >= floor,
        effect_size=v,
        effect_floor=floor,
        bins=bins,
        warnings=warnings,
        advice_text=advice.chi2_advice(n=n, m=m, v=v, p=p, alpha=alpha, floor=floor, sparse=sparse),
    )


def binned_counts(window: Window, binning: Binning = "deciles") -> tuple[IntArray, IntArray, str]:
    """Reference and current counts per bin, and a description naming the binning.

    Continuous columns: "deciles" uses the reference's decile edges plus one unseen bin for
    current values outside the reference range; "sturges" uses Evidently's equal-width
    Sturges bins over both samples. Categorical columns use the union of categories.
    """
    if window.kind == "categorical":
        return _categorical_counts(window)
    reference = window.reference
    if binning == "deciles":
        edges = reference.decile_edges
        inside, outside = bin_counts(window.values, edges)
        ref_counts = np.append(reference.decile_counts, 0)
        cur_counts = np.append(inside, outside)
        description = (
            f"reference deciles: {_plural(inside.size, 'bin')} + unseen bin outside "
            f"[{reference.minimum:.6g}, {reference.maximum:.6g}]"
        )
        return ref_counts, cur_counts, description
    if binning == "sturges":
        edges = sturges_edges(reference.values, window.values)
        ref_counts, _ = bin_counts(reference.values, edges)
        cur_counts, _ = bin_counts(window.values, edges)
        description = (
            f"Sturges: {_plural(ref_counts.size, 'equal-width bin')} over both samples "
            f"[{edges[0]:.6g}, {edges[-1]:.6g}]"
        )
        return ref_counts, cur_counts, description
    raise DetectError(f"column {window.name!r}: binning must be one of {BINNINGS}, not {binning!r}")


def _occupied(ref_counts: IntArray, cur_counts: IntArray) -> int:
    return int(np.count_nonzero(ref_counts + cur_counts))


def psi(
    reference: Reference,
    current: np.ndarray | Window,
    *,
    threshold: float | None = None,
    binning: Binning = "deciles",
    fill: float = EMPTY_BIN_FILL,
    warn_at: float = PSI_WARN,
) -> DriftResult:
    """Population Stability Index: sum over bins of (c - r) * ln(c / r) on shares.

    Empty bins get share `fill` on either side (not renormalised, as Evidently does), so
    the logarithm is defined. Drift at PSI >= threshold (0.25); a warning from `warn_at`
    (0.1); and a warning with the size-aware cut-off chi2.ppf(0.95, B-1) * (1/n + 1/m)
    when that cut-off passes `warn_at`, because the bands then false-alarm on noise.
    """
    window = as_window(reference, current)
    _check_kind(window, "psi")
    cut = _threshold("psi", threshold)
    if not 0.0 < fill < 1.0:
        raise DetectError(f"column {window.name!r}: the empty-bin fill must be in (0, 1)")
    if window.n == 0:
        return _all_missing(window, "psi", cut, None)
    ref_counts, cur_counts, bins = binned_counts(window, binning)
    n, m = reference.n, window.n
    value = psi_value(filled_shares(ref_counts, n, fill), filled_shares(cur_counts, m, fill))
    cutoff = chi2_ppf95(_occupied(ref_counts, cur_counts) - 1) * (1.0 / n + 1.0 / m)
    warnings = []
    if warn_at <= value < cut:
        warnings.append(f"PSI {value:.3f} is in the {warn_at:g}–{cut:g} band: a moderate shift")
    if cutoff > warn_at:
        warnings.append(
            f"small windows: without drift PSI reaches {cutoff:.3f} in 5% of windows of these "
            "sizes (more when values fall in filled empty bins), so the 0.1 / 0.25 bands are "
            "unreliable"
        )
    return _result(
        window,
        "psi",
        statistic=value,
        p_value=None,
        threshold=cut,
        drifted=value >= cut,
        effect_size=value,
        effect_floor=None,
        bins=bins + f"; empty bins filled with {fill:g}",
        warnings=warnings,
        advice_text=advice.psi_advice(
            bins=bins, n=n, m=m, cutoff=cutoff, warn_at=warn_at, threshold=cut, fill=fill
        ),
    )


def expected_wasserstein_noise(reference: Reference, m: int) -> float:
    """Mean normed Wasserstein between the reference and a same-distribution window of m rows.

    From the Brownian-bridge limit: E|F_n - F_m|(x) ~ sqrt(2 F (1 - F) / pi) * sqrt(1/n + 1/m),
    integrated over x with the reference ECDF standing in for F.
    """
    return math.sqrt(2.0 / math.pi) * math.sqrt(1.0 / reference.n + 1.0 / m) * reference.noise_scale


def wasserstein(
    reference: Reference, current: np.ndarray | Window, *, threshold: float | None = None
) -> DriftResult:
    """Wasserstein-1 distance divided by the reference standard deviation (ddof=0).

    Equal to scipy.stats.wasserstein_distance / np.std(reference). A constant reference has
    no spread to scale by: the result is 0 when nothing moved and infinite otherwise.
    """
    window = as_window(reference, current)
    _check_kind(window, "wasserstein")
    cut = _threshold("wasserstein", threshold)
    if window.n == 0:
        return _all_missing(window, "wasserstein", cut, None)
    raw = _sorted_statistic(window, "wasserstein")
    std = reference.std or 0.0
    warnings = []
    if std > 0.0:
        value = raw / std
    else:
        value = 0.0 if raw == 0.0 else math.inf
        warnings.append("constant reference (std 0): any change is infinitely many deviations")
    noise = expected_wasserstein_noise(reference, window.n)
    if 2.0 * noise >= cut:
        warnings.append(
            f"small windows: without drift normed Wasserstein averages {noise:.3f} at these "
            "sizes, close to the threshold"
        )
    return _result(
        window,
        "wasserstein",
        statistic=value,
        p_value=None,
        threshold=cut,
        drifted=value >= cut,
        effect_size=value,
        effect_floor=None,
        bins=None,
        warnings=warnings,
        advice_text=advice.wasserstein_advice(
            noise=noise, threshold=cut, n=reference.n, m=window.n
        ),
    )


def jensen_shannon(
    reference: Reference,
    current: np.ndarray | Window,
    *,
    threshold: float | None = None,
    binning: Binning = "deciles",
) -> DriftResult:
    """Jensen-Shannon distance (natural log) between binned shares, as scipy computes it.

    No empty-bin fill is needed: the mixture is never zero where either share is not.
    """
    window = as_window(reference, current)
    _check_kind(window, "js")
    cut = _threshold("js", threshold)
    if window.n == 0:
        return _all_missing(window, "js", cut, None)
    ref_counts, cur_counts, bins = binned_counts(window, binning)
    n, m = reference.n, window.n
    value = js_distance(ref_counts, cur_counts)
    cutoff = math.sqrt(
        chi2_ppf95(_occupied(ref_counts, cur_counts) - 1) * (1.0 / n + 1.0 / m) / 8.0
    )
    warnings = []
    if cutoff >= cut:
        warnings.append(
            f"small windows: without drift JS reaches {cutoff:.3f} in 5% of windows of these "
            "sizes, above the threshold"
        )
    return _result(
        window,
        "js",
        statistic=value,
        p_value=None,
        threshold=cut,
        drifted=value >= cut,
        effect_size=value,
        effect_floor=None,
        bins=bins,
        warnings=warnings,
        advice_text=advice.js_advice(bins=bins, cutoff=cutoff, threshold=cut, n=n, m=m),
    )


def run_test(
    reference: Reference,
    current: np.ndarray | Window,
    test: str,
    threshold: float | None = None,
    *,
    effect_floor: float | None = None,
    binning: Binning = "deciles",
    fill: float = EMPTY_BIN_FILL,
) -> DriftResult:
    """Run one test by name or alias ("ks", "chi2", "psi", "wasserstein", "js").

    Options that do not apply to the chosen test are ignored, so one call site can drive
    every test from the game's drift lab.
    """
    name = canonical_test(test)
    if name == "ks":
        return ks_test(reference, current, threshold=threshold, effect_floor=effect_floor)
    if name == "chi2":
        return chi2_test(reference, current, threshold=threshold, effect_floor=effect_floor)
    if name == "psi":
        return psi(reference, current, threshold=threshold, binning=binning, fill=fill)
    if name == "wasserstein":
        return wasserstein(reference, current, threshold=threshold)
    return jensen_shannon(reference, current, threshold=threshold, binning=binning)
