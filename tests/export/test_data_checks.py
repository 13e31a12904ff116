"""The generated feature-schema test on data built to test it: a x10 and a x100 unit change are
caught on z-scored, negative and positive features; healthy samples of the same distributions
pass, whatever their sign."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.remediations import testfiles

COLUMNS = {
    "zscored": lambda rng, n: rng.normal(0.0, 1.0, n),
    "negative": lambda rng, n: rng.normal(-40.0, 3.0, n),
    "amount": lambda rng, n: rng.lognormal(8.0, 1.0, n),
}


def write_suite(folder: Path, factor: dict[str, float], n_live: int = 400) -> None:
    """A generated schema test over a reference of 2000 rows and a live window of n_live rows,
    with each column of the live window multiplied by its factor."""
    model = Game(loader.scenario("fraud-1"), 7).world.model("fraud-scorer")
    tests = folder / "tests"
    (tests / "fixtures" / "healthy").mkdir(parents=True)
    (tests / "conftest.py").write_text(testfiles.CONFTEST)
    (tests / "test_schema.py").write_text(
        testfiles.test_file("test-feature-schema", "schema", model))
    rng = np.random.default_rng(1)
    ref = {name: draw(rng, 2000) for name, draw in COLUMNS.items()}
    live = {name: draw(rng, n_live) * factor.get(name, 1.0) for name, draw in COLUMNS.items()}
    (tests / "fixtures" / "reference.csv").write_text(testfiles.write_csv(ref))
    (tests / "fixtures" / "healthy" / "requests.csv").write_text(testfiles.write_csv(live))
    (tests / "fixtures" / "model.json").write_text(json.dumps(
        {"continuous": list(COLUMNS), "categorical": []}))


def run(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ONCALL_FIXTURES": "healthy", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests", "-k", "ranges or present"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("n_live", [150, 400, 2000])
def test_healthy_windows_pass_whatever_the_features_sign(tmp_path: Path, n_live: int) -> None:
    write_suite(tmp_path, {}, n_live)
    out = run(tmp_path)
    assert out.returncode == 0, out.stdout[-1500:]


@pytest.mark.parametrize("column", list(COLUMNS))
@pytest.mark.parametrize("factor", [10.0, 100.0, 0.1, 0.01])
def test_a_unit_change_is_caught_and_named(tmp_path: Path, column: str, factor: float) -> None:
    write_suite(tmp_path, {column: factor})
    out = run(tmp_path)
    assert out.returncode == 1, out.stdout[-1500:]
    assert f"{column}: " in out.stdout and "unit change" in out.stdout


def test_missing_values_are_caught(tmp_path: Path) -> None:
    write_suite(tmp_path, {"negative": np.nan})
    out = run(tmp_path)
    assert out.returncode == 1
    assert "negative: missing in 100.0% of requests" in out.stdout
