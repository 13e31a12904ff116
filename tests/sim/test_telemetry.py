"""Baseline telemetry: scipy-free noise, and a week before the page a monitor can be wrong about."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from oncall.sim import telemetry as tm


@pytest.mark.parametrize("day", [-8, -1, 0, 3])
def test_day_noise_equals_scipy_lfilter(day: int) -> None:
    signal = pytest.importorskip("scipy.signal")
    rho = 0.8
    for seed in (0, 7, 123):
        rng = np.random.default_rng(tm.key(seed, "fraud-scorer", "rps", day + 10_000))
        eps = rng.standard_normal(tm.DAY + 120)
        want = signal.lfilter([math.sqrt(1 - rho * rho)], [1.0, -rho], eps)[120:]
        got = tm._day_noise(seed, "fraud-scorer", "rps", day, rho)
        assert got.shape == (tm.DAY,)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert not got.flags.writeable


def test_simulation_does_not_import_scipy() -> None:
    code = ("import sys, numpy as np; from oncall.sim import telemetry as tm; "
            "tm._day_noise(1, 'm', 'rps', 0, 0.8); import oncall.sim.world; "
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
