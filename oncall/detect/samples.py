"""Fitted references and prepared windows: every side is cleaned and sorted exactly once.

NaN policy, for every test in this package: missing values (NaN, None, and empty strings in
string columns) are dropped before testing and counted. Each result reports the missing share of
both windows and warns when the shares differ by a percentage point or more, because a rise in
missing values is itself a drift signal that a test on the remaining values cannot see. A
current window whose values are all missing is reported as drifted rather than as an error: a
feature that stopped arriving is the incident, not bad input. Infinite values are rejected,
since no distance between distributions is defined with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from oncall.detect.errors import DetectError

ColumnKind = Literal["continuous", "categorical"]
COLUMN_KINDS: tuple[ColumnKind, ...] = get_args(ColumnKind)

if TYPE_CHECKING:  # numpy.typing costs a start 1.4 ms; the aliases are for the checker
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

DECILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""Quantiles whose values, with the reference min and max, are the default PSI/JS bin edges."""

_EMPTY_FLOAT: FloatArray = np.empty(0, dtype=np.float64)
_EMPTY_INT: IntArray = np.empty(0, dtype=np.int64)


def _frozen(array: np.ndarray) -> Any:
    """Read-only view, so a Reference shared between tests and threads cannot be altered."""
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True, slots=True, eq=False)
class Reference:
    """A reference window fitted once and reused against many current windows.

    The sorted values make KS binary searches at a small share of the values, Wasserstein one
    pass, and binning a handful of binary searches per current window; the decile edges fix
    PSI and JS bins to the reference so results from different days are comparable. Equality
    is identity because the arrays can be large.
    """

    name: str
    kind: ColumnKind
    n: int
    """Rows with a value (missing rows excluded)."""
    n_missing: int
    values: FloatArray
    """Sorted non-missing values (continuous columns; empty for categorical)."""
    std: float | None
    """Population standard deviation (ddof=0, as Evidently normalises Wasserstein)."""
    n_distinct: int
    decile_edges: FloatArray
    """Distinct edges: min, the nine deciles, max; repeated quantiles collapse into one."""
    decile_counts: IntArray
    noise_scale: float
    """Integral of sqrt(F(1 - F)) over the reference ECDF divided by std: sets the size of
    normed Wasserstein under no drift (see `expected_wasserstein_noise`)."""
    categories: np.ndarray
    """Sorted distinct categories (categorical columns; empty for continuous)."""
    category_counts: IntArray

    @property
    def missing_share(self) -> float:
        return self.n_missing / (self.n + self.n_missing)

    @property
    def minimum(self) -> float:
        return float(self.values[0])

    @property
    def maximum(self) -> float:
        return float(self.values[-1])


@dataclass(frozen=True, slots=True, eq=False)
class Window:
    """A current window prepared against one Reference, so a suite of tests sorts it once.

    Categorical counts are aligned with `reference.categories`; categories the reference never
    saw are kept apart in `new_categories`. The private cache keeps KS D and Wasserstein once
    computed, for a suite that reruns KS with a corrected threshold.
    """

    reference: Reference
    n: int
    n_missing: int
    values: FloatArray
    """Sorted non-missing values (continuous columns)."""
    category_counts: IntArray
    new_categories: np.ndarray
    new_category_counts: IntArray
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.reference.name

    @property
    def kind(self) -> ColumnKind:
        return self.reference.kind

    @property
    def missing_share(self) -> float:
        return self.n_missing / (self.n + self.n_missing)


def _as_1d(values: Any, name: str, side: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise DetectError(f"column {name!r}: {side} values must be one-dimensional")
    if array.size == 0:
        raise DetectError(f"column {name!r}: the {side} window is empty")
    return array


def _clean_continuous(array: np.ndarray, name: str, side: str) -> tuple[FloatArray, int]:
    if array.dtype.kind in "biuf":
        numbers = array.astype(np.float64, copy=False)
    elif array.dtype.kind == "O":
        try:
            numbers = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise DetectError(
                f"column {name!r}: {side} values are not all numeric; "
                "declare the column categorical"
            ) from error
    else:
        raise DetectError(
            f"column {name!r}: {side} values have dtype {array.dtype}, not numbers; "
            "declare the column categorical"
        )
    if np.isfinite(numbers).all():
        return numbers, 0  # the usual case, in one pass
    missing = np.isnan(numbers)
    n_missing = int(np.count_nonzero(missing))
    valid = numbers[~missing] if n_missing else numbers
    n_infinite = int(np.count_nonzero(np.isinf(valid)))
    if n_infinite:
        raise DetectError(
            f"column {name!r}: {n_infinite} infinite {side} value(s); drop or cap them first"
        )
    return valid, n_missing


def _is_missing_object(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _missing_objects(array: np.ndarray) -> np.ndarray:
    """Which values of an object column are missing: None, or a NaN (a value not equal to
    itself), compared in numpy's loop rather than one Python call per value (a quarter of the
    time). A value that cannot say whether it equals itself (an array inside a cell) is read
    one by one."""
    try:
        none = np.array([None], dtype=object)
        return np.asarray(np.equal(array, none) | np.not_equal(array, array), dtype=bool)
    except (TypeError, ValueError):
        return np.fromiter(map(_is_missing_object, array), dtype=bool, count=array.size)


def _clean_categorical(array: np.ndarray, name: str, side: str) -> tuple[np.ndarray, int]:
    kind = array.dtype.kind
    if kind == "f":
        missing = np.isnan(array)
    elif kind in "US":
        missing = array == array.dtype.type()
    elif kind == "O":
        missing = _missing_objects(array)
    elif kind in "biu":
        return array, 0
    else:
        raise DetectError(
            f"column {name!r}: {side} values of dtype {array.dtype} are not categories"
        )
    n_missing = int(np.count_nonzero(missing))
    valid = array[~missing] if n_missing else array
    if kind == "O":
        # One homogeneous dtype lets categories sort and be searched; mixed ints and strings
        # become strings rather than failing to compare.
        try:
            valid = np.asarray(valid.tolist()) if valid.size else np.empty(0, dtype=str)
        except ValueError as error:  # a cell holding a sequence
            raise DetectError(
                f"column {name!r}: {side} values include a sequence, not one category each"
            ) from error
        if valid.dtype.kind == "O":
            valid = valid.astype(str)
    return valid, n_missing


def _decile_edges(sorted_values: FloatArray) -> FloatArray:
    """Linear-interpolation quantiles (numpy's default) read straight off the sorted values."""
    n = sorted_values.size
    positions = np.asarray(DECILES) * (n - 1)
    lower = np.floor(positions).astype(np.int64)
    upper = np.minimum(lower + 1, n - 1)
    fraction = positions - lower
    low_values = sorted_values[lower]
    quantiles = low_values + (sorted_values[upper] - low_values) * fraction
    edges = np.sort(np.clip(np.concatenate(([sorted_values[0]], quantiles, [sorted_values[-1]])),
                            sorted_values[0], sorted_values[-1]))
    # The distinct edges, as `np.unique` finds them (without its check for a masked array,
    # which imports numpy.ma: 6-9 ms of a process's first drift test).
    return edges[np.concatenate(([True], edges[1:] != edges[:-1]))]


def bin_counts(sorted_values: FloatArray, edges: FloatArray) -> tuple[IntArray, int]:
    """Counts per bin [e0, e1), …, [e_k-1, e_k] (last closed, as np.histogram) and outside.

    Binary searches of the few edges into already sorted data cost O(B log n); np.histogram
    with an edges array would sort the data again. A single edge is one bin holding exactly
    that value (a constant reference).
    """
    n = sorted_values.size
    left = np.searchsorted(sorted_values, edges, side="left").astype(np.int64)
    top = int(np.searchsorted(sorted_values, edges[-1], side="right"))
    if edges.size == 1:
        counts = np.array([top - int(left[0])], dtype=np.int64)
    else:
        counts = np.diff(left)
        counts[-1] = top - int(left[-2])
    outside = int(left[0]) + (n - top)
    return counts, outside


def _noise_scale(sorted_values: FloatArray, std: float) -> float:
    n = sorted_values.size
    if n < 2 or std == 0.0:
        return 0.0
    cdf = np.arange(1, n, dtype=np.float64) / n
    spread = np.sqrt(cdf * (1.0 - cdf))
    return float(np.sum(spread * np.diff(sorted_values)) / std)


def fit_reference(values: Any, kind: ColumnKind, name: str = "") -> Reference:
    """Fit a reference window once; the kind comes from a declared schema, never a guess.

    Guessing categorical columns by counting distinct values (as Evidently does) silently
    switches the test when a numeric column happens to have few values in one window.
    """
    if kind not in COLUMN_KINDS:
        raise DetectError(f"column {name!r}: kind must be one of {COLUMN_KINDS}, not {kind!r}")
    array = _as_1d(values, name, "reference")
    if kind == "continuous":
        valid, n_missing = _clean_continuous(array, name, "reference")
        if valid.size == 0:
            raise DetectError(f"column {name!r}: all {n_missing} reference values are missing")
        ordered = np.sort(valid)
        std = float(np.std(ordered))
        edges = _decile_edges(ordered)
        counts, _ = bin_counts(ordered, edges)
        return Reference(
            name=name,
            kind=kind,
            n=int(ordered.size),
            n_missing=n_missing,
            values=_frozen(ordered),
            std=std,
            n_distinct=int(np.count_nonzero(np.diff(ordered))) + 1,
            decile_edges=_frozen(edges),
            decile_counts=_frozen(counts),
            noise_scale=_noise_scale(ordered, std),
            categories=_frozen(np.empty(0)),
            category_counts=_frozen(_EMPTY_INT),
        )
    labels, n_missing = _clean_categorical(array, name, "reference")
    if labels.size == 0:
        raise DetectError(f"column {name!r}: all {n_missing} reference values are missing")
    categories, category_counts = np.unique(labels, return_counts=True)
    return Reference(
        name=name,
        kind=kind,
        n=int(labels.size),
        n_missing=n_missing,
        values=_frozen(_EMPTY_FLOAT),
        std=None,
        n_distinct=int(categories.size),
        decile_edges=_frozen(_EMPTY_FLOAT),
        decile_counts=_frozen(_EMPTY_INT),
        noise_scale=0.0,
        categories=_frozen(categories),
        category_counts=_frozen(category_counts.astype(np.int64)),
    )


def _match_categories(
    categories: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Bring current labels and reference categories to one comparable dtype.

    Returns the categories to search, a sorter when string conversion broke their order, and
    the labels. Numbers and strings meet as strings, so "1" in a CSV matches a fitted 1.
    """
    numeric = "biuf"
    if (categories.dtype.kind in numeric) == (labels.dtype.kind in numeric):
        return categories, None, labels
    as_text = categories.astype(str)
    return as_text, np.argsort(as_text, kind="stable"), labels.astype(str)


def _tally(labels: np.ndarray) -> tuple[np.ndarray, IntArray] | None:
    """Distinct labels and their counts, when fixed-width strings map one-to-one onto integers.

    Up to two characters fill at most eight bytes and are read as one integer as they are; up
    to eight characters below U+0100 pack a byte each. Counting integer codes is one SIMD sort,
    where matching the rows as strings is a binary search of string comparisons per row.
    None for any other labels.
    """
    width = labels.dtype.itemsize // 4
    if labels.dtype.kind != "U" or not labels.dtype.isnative or not 0 < width <= 8:
        return None
    labels = np.ascontiguousarray(labels)
    if width <= 2:
        codes, counts = np.unique(labels.view(f"u{4 * width}"), return_counts=True)
        return codes.view(labels.dtype), counts.astype(np.int64)
    chars = labels.view(np.uint32).reshape(labels.size, width)
    if chars.max() >= 256:
        return None
    packed = np.zeros((labels.size, 8), dtype=np.uint8)
    packed[:, :width] = chars
    codes, counts = np.unique(packed.view(np.uint64).ravel(), return_counts=True)
    distinct = codes.view(np.uint8).reshape(codes.size, 8)[:, :width].astype(np.uint32)
    return distinct.view(labels.dtype).ravel(), counts.astype(np.int64)


def _count(index: IntArray, weights: IntArray | None, length: int) -> IntArray:
    """Rows per index, or the sum of their weights (counts of distinct labels)."""
    return np.bincount(index, weights, minlength=length).astype(np.int64)


def prepare_window(reference: Reference, values: Any) -> Window:
    """Clean and sort (or count) a current window once, for every test run against it."""
    name = reference.name
    array = _as_1d(values, name, "current")
    if reference.kind == "continuous":
        valid, n_missing = _clean_continuous(array, name, "current")
        return Window(
            reference=reference,
            n=int(valid.size),
            n_missing=n_missing,
            values=np.sort(valid),
            category_counts=_EMPTY_INT,
            new_categories=np.empty(0),
            new_category_counts=_EMPTY_INT,
        )
    labels, n_missing = _clean_categorical(array, name, "current")
    k = reference.categories.size
    counts = np.zeros(k, dtype=np.int64)
    new_categories: np.ndarray = np.empty(0, dtype=reference.categories.dtype)
    new_counts = _EMPTY_INT
    n = int(labels.size)
    if n:
        # Match each distinct label once when the labels pack into integers, else every row.
        tally = _tally(labels)
        labels, weights = (labels, None) if tally is None else tally
        categories, sorter, labels = _match_categories(reference.categories, labels)
        position = np.searchsorted(categories, labels, sorter=sorter)
        np.minimum(position, k - 1, out=position)
        index = position if sorter is None else sorter[position]
        seen = categories[index] == labels
        if seen.all():
            counts = _count(index, weights, k)
        else:
            counts = _count(index[seen], None if weights is None else weights[seen], k)
            new_categories, inverse = np.unique(labels[~seen], return_inverse=True)
            new_counts = _count(inverse, None if weights is None else weights[~seen], 0)
    return Window(
        reference=reference,
        n=n,
        n_missing=n_missing,
        values=_EMPTY_FLOAT,
        category_counts=counts,
        new_categories=new_categories,
        new_category_counts=new_counts,
    )


def as_window(reference: Reference, current: Any) -> Window:
    """Accept either raw values or a Window already prepared against this reference."""
    if isinstance(current, Window):
        if current.reference is not reference:
            raise DetectError(
                f"column {reference.name!r}: the window was prepared against another reference"
            )
        return current
    return prepare_window(reference, current)


def to_python(value: Any) -> Any:
    """Numpy scalars to plain Python values, so results print and serialise cleanly."""
    return value.item() if isinstance(value, np.generic) else value
