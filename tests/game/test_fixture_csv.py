"""The exported fixtures' CSV: floats to 6 significant digits, NaN as an empty cell, text as it
is, cell for cell what numpy's own formatting of each value gives."""

from __future__ import annotations

import csv
import io

import numpy as np

from oncall.game.remediations.testfiles import write_csv


def _slow(columns: dict[str, np.ndarray]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(list(columns))
    for row in zip(*columns.values(), strict=True):
        w.writerow(["" if isinstance(v, float) and np.isnan(v) else
                    (format(v, ".6g") if isinstance(v, float) else v) for v in row])
    return out.getvalue()


def test_csv_cells_match_numpy_formatting_value_for_value() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.lognormal(0, 6, 500), -rng.normal(0, 1e-7, 50),
                        [np.nan, 0.0, -0.0, 1e21, 123456.5, 1234567.0, np.inf]])
    cols = {"minute": np.arange(len(x), dtype=float), "x": x,
            "country": np.array([["US", "", "a,b", 'say "hi"'][i % 4] for i in range(len(x))],
                                dtype=object)}
    text = write_csv(cols)
    assert text == _slow(cols)
    lines = text.splitlines()
    assert lines[0] == "minute,x,country" and ',"a,b"' in lines[3]
    assert lines[1 + 550].split(",")[1] == ""  # NaN is an empty cell
