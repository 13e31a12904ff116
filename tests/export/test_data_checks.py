"""The data contract's checks on data built to test them: a x10 and a x100 unit change are caught
on z-scored, negative and positive fields; healthy samples of the same distributions pass,
whatever their sign; a renamed field and an empty one are named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from oncall.game.remediations.checks import contract

COLUMNS = {
    "zscored": lambda rng, n: rng.normal(0.0, 1.0, n),
    "negative": lambda rng, n: rng.normal(-40.0, 3.0, n),
    "amount": lambda rng, n: rng.lognormal(8.0, 1.0, n),
}


def suite(factor: dict[str, float], n_live: int = 400) -> tuple[dict[str, Any], dict[str, Any]]:
    """A contract written from 2000 training rows, and an output sample of n_live rows with
    each column multiplied by its factor."""
    rng = np.random.default_rng(1)
    spec = {}
    for name, draw in COLUMNS.items():
        q = np.quantile(draw(rng, 2000), [0.01, 0.10, 0.90, 0.99])
        spec[name] = dict(zip(("p01", "p10", "p90", "p99"), map(float, q), strict=True))
    output = {name: draw(rng, n_live) * factor.get(name, 1.0) for name, draw in COLUMNS.items()}
    return output, {"continuous": spec, "categorical": {"country": ["DE", "FR"]},
                    "max_missing": 0.02}


def problems(output: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    return [p for fn in (contract.check_value_ranges, contract.check_fields_present,
                         contract.check_categories_known) for p in fn(output, spec)]


@pytest.mark.parametrize("n_live", [150, 400, 2000])
def test_healthy_samples_pass_whatever_the_fields_sign(n_live: int) -> None:
    output, spec = suite({}, n_live)
    output["country"] = np.array(["DE", "FR"] * (n_live // 2))
    assert problems(output, spec) == []


@pytest.mark.parametrize("column", list(COLUMNS))
@pytest.mark.parametrize("factor", [10.0, 100.0, 0.1, 0.01])
def test_a_unit_change_is_caught_and_named(column: str, factor: float) -> None:
    output, spec = suite({column: factor})
    found = contract.check_value_ranges(output, spec)
    assert found and all(p.startswith(f"{column}: ") for p in found)
    assert any("unit change" in p for p in found)


def test_an_empty_field_and_a_renamed_one_are_named() -> None:
    output, spec = suite({"negative": np.nan})
    del output["amount"]
    found = contract.check_fields_present(output, spec)
    assert "negative: missing in 100.0% of rows (the contract allows 2%)" in found
    assert "amount: not in the output (renamed or dropped?)" in found
    assert "country: not in the output (renamed or dropped?)" in found


def test_values_outside_the_contract_are_named() -> None:
    output, spec = suite({})
    output["country"] = np.array(["DE", "XX", "YY", "FR"] * 100)
    found = contract.check_categories_known(output, spec)
    assert found == ["country: 50.0% of values are not in the contract, e.g. ['XX', 'YY']"]


def test_the_game_runs_the_checks_with_numpys_own_quantiles() -> None:
    """The game runs the exported checks with `np.quantile` read without numpy.ma
    (`checks._as_run`): the same problems, and each quantile the same to the bit."""
    from oncall.game.remediations import checks

    rng = np.random.default_rng(3)
    for n in [*range(1, 40), 399, 400, 2000]:
        for scale in (1e-3, 1.0, 1e4):
            sample = np.round(rng.normal(0.0, scale, n), 2 if n % 2 else 8)
            for qs in ([0.05, 0.10, 0.90, 0.95], [0.0, 0.5, 1.0], [0.01, 0.99]):
                ours = checks._quantile(sample.copy(), qs)
                assert ours.dtype == np.float64
                assert ours.tobytes() == np.quantile(sample, qs).tobytes(), (n, scale, qs)
    for factor in ({}, {"amount": 100.0}, {"negative": 0.1}):
        output, spec = suite(factor)
        assert checks.run(contract, {"output": output, "contract": spec}) == {
            name.removeprefix("check_"): getattr(contract, name)(output, spec)
            for name in ("check_value_ranges", "check_fields_present",
                         "check_categories_known")}
