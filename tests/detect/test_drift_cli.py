"""`oncall drift`: a table or JSON on success, one line and exit code 2 on bad input."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
import pytest

from oncall import drift_cli
from oncall.drift_cli import main


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> str:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    rng = np.random.default_rng(0)
    n = 600
    reference = [
        [f"{a:.5f}", f"{b:.3f}", c]
        for a, b, c in zip(
            rng.normal(0, 1, n),
            rng.normal(40, 5, n),
            rng.choice(["US", "DE", "FR"], n),
            strict=True,
        )
    ]
    current = [
        [f"{a:.5f}", f"{b:.3f}", c]
        for a, b, c in zip(
            rng.normal(0.6, 1, n),
            rng.normal(40, 5, n),
            rng.choice(["US", "DE", "FR"], n),
            strict=True,
        )
    ]
    current[3][1] = ""  # one missing age
    header = ["amount", "age", "country"]
    return (
        write_csv(tmp_path / "reference.csv", header, reference),
        write_csv(tmp_path / "current.csv", header, current),
    )


def fail(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("oncall drift: error: ")
    return lines[0]


def test_table_has_one_row_per_feature(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reference, current = files
    assert main([reference, current, "--categorical", "country"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:6] == [
        "feature",
        "test",
        "statistic",
        "p-value",
        "threshold",
        "result",
    ]
    rows = {line.split()[0]: line for line in lines[1:4]}
    assert set(rows) == {"amount", "age", "country"}
    assert " ks " in rows["amount"] and "DRIFT" in rows["amount"]
    assert "PASS" in rows["age"]
    assert " chi2 " in rows["country"] and "Cramér's V" in rows["country"]
    assert "1 of 3 features drifted" in out


def test_json_output_is_valid_and_complete(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reference, current = files
    argv = [reference, current, "--categorical", "country", "--json", "--threshold", "age=0.01"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    features = {f["column"]: f for f in data["features"]}
    assert features["amount"]["drifted"] is True
    assert features["age"]["primary"]["threshold"] == 0.01
    assert features["age"]["primary"]["n_current"] == 599
    assert [o["test"] for o in features["amount"]["others"]] == ["psi", "wasserstein", "js"]


def test_chosen_test_and_correction_show_in_the_table(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reference, current = files
    assert main([reference, current, "--categorical", "country", "--correction", "bonferroni"]) == 0
    out = capsys.readouterr().out
    assert "0.01667" in out and "correction: bonferroni over 3" in out
    assert main([reference, current, "--categorical", "country", "--test", "psi"]) == 0
    out = capsys.readouterr().out
    assert out.count(" psi ") == 3


def test_missing_file(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "nope.csv")
    assert missing in fail(capsys, [files[0], missing])


def test_mismatched_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_csv(tmp_path / "a.csv", ["x", "y"], [[1, 2], [3, 4]])
    b = write_csv(tmp_path / "b.csv", ["x", "z"], [[1, 2], [3, 4]])
    line = fail(capsys, [a, b])
    assert "columns differ" in line and "only in " + a + ": y" in line and "z" in line


def test_empty_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_csv(tmp_path / "a.csv", ["x", "y"], [[1, 2], [3, 4]])
    b = write_csv(tmp_path / "b.csv", ["x", "y"], [[1, ""], [3, "NA"]])
    line = fail(capsys, [a, b])
    assert b in line and "column 'y' is empty" in line


def test_non_numeric_value_names_file_column_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write_csv(tmp_path / "a.csv", ["x", "y"], [[1, 2], [3, 4], [5, 6]])
    b = write_csv(tmp_path / "b.csv", ["x", "y"], [[1, 2], [3, 4], [5, "six"]])
    line = fail(capsys, [a, b])
    assert b in line and "column 'y'" in line and "row 3" in line and "'six'" in line


def test_other_input_problems_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write_csv(tmp_path / "a.csv", ["x", "y"], [[1, 2], [3, 4]])
    ragged = write_csv(tmp_path / "r.csv", ["x", "y"], [[1, 2], [3]])
    assert "line 3 has 1 fields" in fail(capsys, [a, ragged])
    empty = tmp_path / "e.csv"
    empty.write_text("")
    assert "no header row" in fail(capsys, [a, str(empty)])
    header_only = write_csv(tmp_path / "h.csv", ["x", "y"], [])
    assert "no data rows" in fail(capsys, [a, header_only])
    assert "no column 'nope'" in fail(capsys, [a, a, "--threshold", "nope=0.1"])
    assert "expected COL=VALUE" in fail(capsys, [a, a, "--threshold", "x"])
    assert "'abc' is not a number" in fail(capsys, [a, a, "--threshold", "x=abc"])
    assert "--categorical: no column(s) q" in fail(capsys, [a, a, "--categorical", "q"])
    infinite = write_csv(tmp_path / "i.csv", ["x", "y"], [[1, "inf"], [3, 4]])
    assert "'y'" in fail(capsys, [a, infinite])


def test_bad_option_is_a_usage_error_not_an_exception(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["a.csv", "b.csv", "--test", "anova"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_add_parser_registers_drift_with_a_handler(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="oncall")
    subparsers = parser.add_subparsers(dest="command")
    drift_cli.add_parser(subparsers)
    args = parser.parse_args(["drift", *files, "--categorical", "country", "--json"])
    assert args.handler is drift_cli.run
    assert args.handler(args) == 0
    assert json.loads(capsys.readouterr().out)["drifted_columns"] == ["amount"]
