"""A producer's data contract: what its output must look like for the models that read it.

It runs in the producer's CI on a sample of each release's output, before the release ships.
The contract (contract.json) was written from the training data of the models that read it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TOLERANCE = 0.25
"""How far beyond the training 1%..99% range an output's 5%..95% range may reach, as a share of
the training range: wide enough for sampling noise, narrow enough for a broken producer."""
SCALE_LIMIT = 3.0
"""An output spread (10%..90%) more than this many times larger or smaller than training's is a
unit change: x10 and x100 (or /10, /100) are caught, sampling noise is not."""


def check_value_ranges(output: dict[str, np.ndarray], contract: dict[str, Any]) -> list[str]:
    """Values and units stay within the training profile."""
    problems = []
    for name, spec in contract["continuous"].items():
        column = output.get(name)
        if column is None:
            problems.append(f"{name}: not in the output (renamed or dropped?)")
            continue
        live = column[~np.isnan(column)]
        if live.size == 0:
            continue  # an empty column is the presence check's to report
        l05, l10, l90, l95 = np.quantile(live, [0.05, 0.10, 0.90, 0.95])
        slack = TOLERANCE * (spec["p99"] - spec["p01"])
        if l05 < spec["p01"] - slack or l95 > spec["p99"] + slack:
            problems.append(f"{name}: output 5%..95% range {l05:.4g}..{l95:.4g} leaves the "
                            f"contract's {spec['p01']:.4g}..{spec['p99']:.4g} (+/- {slack:.3g})")
        scale = (l90 - l10) / (spec["p90"] - spec["p10"])
        if not 1 / SCALE_LIMIT <= scale <= SCALE_LIMIT:
            problems.append(f"{name}: spread is {scale:.3g}x the contract's: a unit change?")
    return problems


def check_fields_present(output: dict[str, np.ndarray], contract: dict[str, Any]) -> list[str]:
    """Every field is in the output and filled in all but a small share of rows."""
    problems = []
    for name in [*contract["continuous"], *contract["categorical"]]:
        column = output.get(name)
        if column is None:
            problems.append(f"{name}: not in the output (renamed or dropped?)")
            continue
        empty = np.isnan(column) if column.dtype.kind == "f" else column == ""
        share = float(empty.mean()) if column.size else 1.0
        if share > contract["max_missing"]:
            problems.append(f"{name}: missing in {share:.1%} of rows (the contract allows "
                            f"{contract['max_missing']:.0%})")
    return problems


def check_categories_known(output: dict[str, np.ndarray], contract: dict[str, Any]) -> list[str]:
    """Categorical fields carry the values the contract lists (at most 1% others)."""
    problems = []
    for name, known in contract["categorical"].items():
        column = output.get(name)
        if column is None:
            continue  # the presence check reports it
        present = [str(v) for v in column.tolist() if v != ""]
        unseen = [v for v in present if v not in set(known)]
        if present and len(unseen) / len(present) > 0.01:
            problems.append(f"{name}: {len(unseen) / len(present):.1%} of values are not in the "
                            f"contract, e.g. {sorted(set(unseen))[:3]}")
    return problems
