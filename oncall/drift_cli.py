"""`oncall drift REFERENCE.csv CURRENT.csv`: the drift lab's detectors on your own data.

CSV files are read with the standard library so the command needs nothing beyond the game's
own dependencies. Every problem with the input ends in one line on stderr and exit code 2;
a traceback would bury the file, column and row that need fixing.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

from oncall.detect import (
    BINNINGS,
    CORRECTIONS,
    TESTS,
    ColumnKind,
    DetectError,
    DriftResult,
    SuiteResult,
    fit_reference,
    run_suite,
)

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none"})
"""Cells read as missing (case-insensitive), in numeric and categorical columns alike."""

EXIT_OK = 0
EXIT_USAGE = 2


class InputError(Exception):
    """A problem with the files or arguments, reported in one line."""


@dataclass(frozen=True, slots=True)
class Table:
    path: str
    header: tuple[str, ...]
    columns: dict[str, list[str]]
    first_lines: list[int]
    """Line number in the file of each data row, for error messages."""


def _configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "reference", metavar="REFERENCE.csv", help="reference window (a header row)"
    )
    parser.add_argument("current", metavar="CURRENT.csv", help="current window, same columns")
    parser.add_argument(
        "--test",
        choices=(*TESTS, "auto"),
        default="auto",
        help="test for every column; auto: chi2 for categorical, KS for continuous "
        "(with PSI, Wasserstein and JS in --json output)",
    )
    parser.add_argument(
        "--threshold",
        metavar="COL=VAL",
        nargs="+",
        action="extend",
        default=[],
        help="per-feature threshold (alpha for p-value tests); COL:TEST=VAL targets one test",
    )
    parser.add_argument("--correction", choices=CORRECTIONS, default="none")
    parser.add_argument(
        "--categorical",
        metavar="COL",
        nargs="+",
        action="extend",
        default=[],
        help="columns to treat as categories; all others must be numeric",
    )
    parser.add_argument(
        "--binning", choices=BINNINGS, default="deciles", help="bins for PSI and JS"
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    return parser


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `drift` on the main CLI's subparsers; dispatch to `run(args)`.

    The parser's defaults carry `handler=run`, so the main CLI can call
    `args.handler(args)` after parsing.
    """
    parser = subparsers.add_parser(
        "drift",
        help="test CURRENT.csv for drift against REFERENCE.csv",
        description="Test each column of CURRENT.csv for drift against REFERENCE.csv.",
    )
    _configure(parser)
    parser.set_defaults(handler=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    return _configure(
        argparse.ArgumentParser(
            prog="oncall drift",
            description="Test each column of CURRENT.csv for drift against REFERENCE.csv.",
        )
    )


MAX_CSV_BYTES = 2 * 1024**3
"""A bigger file is refused unread."""


def _check_file(path: str) -> None:
    """Refuse what is not a regular file before opening it (a FIFO would block forever)."""
    import os
    import stat

    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read ({getattr(error, 'strerror', None) or error})"
                         ) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder, not a CSV file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file (a pipe or a device)")
    if st.st_size > MAX_CSV_BYTES:
        raise InputError(f"{path}: too large ({st.st_size:,} bytes)")


def _read(path: str) -> Table:
    _check_file(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: the file is empty (no header row)")
            header = [name.strip() for name in header]
            duplicates = sorted({name for name in header if header.count(name) > 1})
            if duplicates:
                raise InputError(f"{path}: duplicate column(s) {', '.join(duplicates)}")
            columns: dict[str, list[str]] = {name: [] for name in header}
            cells = [columns[name] for name in header]
            lines = []
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise InputError(
                        f"{path}: line {reader.line_num} has {len(row)} fields, "
                        f"the header has {len(header)}"
                    )
                for column, value in zip(cells, row, strict=True):
                    column.append(value)
                lines.append(reader.line_num)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except (OSError, csv.Error) as error:
        raise InputError(f"{path}: cannot read ({error})") from None
    if not lines:
        raise InputError(f"{path}: no data rows")
    return Table(path=path, header=tuple(header), columns=columns, first_lines=lines)


def _missing_mask(values: list[str]) -> np.ndarray:
    return np.fromiter(
        (value.strip().lower() in MISSING_TOKENS for value in values), dtype=bool, count=len(values)
    )


def _numeric(table: Table, name: str) -> np.ndarray:
    values = table.columns[name]
    missing = _missing_mask(values)
    if missing.all():
        raise InputError(f"{table.path}: column {name!r} is empty (no values)")
    cleaned = ["nan" if absent else value for value, absent in zip(values, missing, strict=True)]
    try:
        return np.array(cleaned, dtype=np.float64)
    except ValueError:
        pass
    for row, (value, absent) in enumerate(zip(values, missing, strict=True), start=1):
        if absent:
            continue
        try:
            float(value)
        except ValueError:
            raise InputError(
                f"{table.path}: column {name!r}, row {row} (line {table.first_lines[row - 1]}): "
                f"{value!r} is not a number; declare the column with --categorical"
            ) from None
    raise InputError(f"{table.path}: column {name!r} could not be read as numbers")


def _categorical(table: Table, name: str) -> np.ndarray:
    values = table.columns[name]
    missing = _missing_mask(values)
    if missing.all():
        raise InputError(f"{table.path}: column {name!r} is empty (no values)")
    labels = np.asarray([value.strip() for value in values], dtype=str)
    labels[missing] = ""
    return labels


def _thresholds(pairs: Sequence[str], columns: Sequence[str]) -> dict[str, float]:
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--threshold {pair!r}: expected COL=VALUE")
        if key.split(":")[0] not in columns:
            raise InputError(f"--threshold {pair!r}: no column {key.split(':')[0]!r}")
        try:
            found[key] = float(value)
        except ValueError:
            raise InputError(f"--threshold {pair!r}: {value!r} is not a number") from None
    return found


def analyse(args: argparse.Namespace) -> SuiteResult:
    """Read both files and run the suite; raises InputError or DetectError on bad input."""
    reference, current = _read(args.reference), _read(args.current)
    only_reference = [name for name in reference.header if name not in current.columns]
    only_current = [name for name in current.header if name not in reference.columns]
    if only_reference or only_current:
        parts = []
        if only_reference:
            parts.append(f"only in {reference.path}: {', '.join(only_reference)}")
        if only_current:
            parts.append(f"only in {current.path}: {', '.join(only_current)}")
        raise InputError("columns differ; " + "; ".join(parts))
    unknown = [name for name in args.categorical if name not in reference.columns]
    if unknown:
        raise InputError(f"--categorical: no column(s) {', '.join(unknown)}")
    categorical = set(args.categorical)
    references = {}
    windows = {}
    for name in reference.header:
        read = _categorical if name in categorical else _numeric
        kind: ColumnKind = "categorical" if name in categorical else "continuous"
        references[name] = fit_reference(read(reference, name), kind, name)
        windows[name] = read(current, name)
    return run_suite(
        references,
        windows,
        tests=args.test,
        thresholds=_thresholds(args.threshold, reference.header),
        correction=args.correction,
        binning=args.binning,
    )


def _number(value: float | None, digits: int = 4) -> str:
    if value is None or value != value:
        return "-"
    if value == float("inf"):
        return "inf"
    if value != 0 and (abs(value) < 10 ** -(digits - 1) or abs(value) >= 10**6):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}f}"


def _effect(result: DriftResult) -> str:
    if result.effect_size is None:
        return "-"
    text = f"{result.effect_size_name} {_number(result.effect_size, 3)}"
    if result.effect_floor is not None:
        text += f" (floor {result.effect_floor:g})"
    return text


def render(suite: SuiteResult, out: TextIO) -> None:
    """The plain-text table: one row per feature, then the warnings it refers to."""
    header = (
        "feature",
        "test",
        "statistic",
        "p-value",
        "threshold",
        "result",
        "effect size",
        "warn",
    )
    rows = []
    notes: list[str] = []
    for feature in suite.features:
        result = feature.primary
        rows.append(
            (
                feature.column,
                result.test,
                _number(result.statistic),
                _number(result.p_value) if result.p_value is not None else "-",
                f"{result.threshold:.4g}",
                result.verdict,
                _effect(result),
                str(len(result.warnings)) if result.warnings else "",
            )
        )
        notes.extend(f"{feature.column}: {warning}" for warning in result.warnings)
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    numeric = {2, 3, 4}
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.write("  ".join(cells).rstrip() + "\n")
    if notes:
        out.write("\nwarnings:\n")
        out.writelines(f"  - {note}\n" for note in notes)
    drifted = sum(feature.drifted for feature in suite.features)
    out.write(
        f"\n{drifted} of {len(suite.features)} features drifted ({suite.drift_share:.0%}); "
        f"dataset drift at {suite.dataset_share:.0%}: "
        f"{'DRIFT' if suite.dataset_drifted else 'PASS'}. correction: {suite.correction}"
        f" over {suite.family_size} p-value test(s).\n"
    )
    for warning in suite.warnings:
        out.write(f"note: {warning}\n")


def run(args: argparse.Namespace) -> int:
    """Run a parsed `oncall drift` command; returns the exit code."""
    try:
        suite = analyse(args)
    except (InputError, DetectError) as error:
        print(f"oncall drift: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(suite.to_dict(), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        render(suite, sys.stdout)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: parse argv (without the program name) and run."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    return run(args)
