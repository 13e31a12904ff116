"""Generated pytest files, their conftest and the data fixtures exported from the incident.

Every test reads CSV fixtures through `conftest.py`: the training reference, and one live window
chosen by the environment variable ONCALL_FIXTURES, `healthy` (before the fault, the default) or
`faulty` (after the page). Only pytest and numpy are needed to run them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from string import Template
from typing import TYPE_CHECKING

import numpy as np

from oncall.game.remediations.monitors import canary_spans, replay_window

if TYPE_CHECKING:
    from oncall.sim.fleet import Model
    from oncall.sim.world import World

REFERENCE_SAMPLE = 2000
"""Training rows exported as the reference fixture."""
WINDOW = 60
"""Minutes of live traffic in each window."""
WINDOW_ROWS = 1000
"""Logged requests kept per window (every k-th, in arrival order), so fixtures stay small."""


@dataclass(frozen=True, slots=True)
class GeneratedTest:
    body: str
    """The test functions, a `string.Template` with $model_id."""
    fit: Callable[[World, Model], str | None] = lambda w, m: None


def _canary(world: World, model: Model) -> str | None:
    if canary_spans(model, *replay_window(world)):
        return None
    return (f"{model.name} ran no canary revision in the week before the page or during the "
            "incident, so there is no canary to gate")


FEATURE_SCHEMA = '''
TOLERANCE = 0.25
"""How far beyond the training 1%..99% range a live 5%..95% range may reach, as a share of the
training range: wide enough for sampling noise, narrow enough for a broken producer."""
SCALE_LIMIT = 3.0
"""A live spread (10%..90%) more than this many times larger or smaller than training's is a
unit change: x10 and x100 (or /10, /100) are caught, sampling noise is not."""


def test_${model_id}_feature_ranges(requests, reference, model_info):
    """Values and units stay within the training profile (a data contract)."""
    problems = []
    for name in model_info["continuous"]:
        ref = reference[name][~np.isnan(reference[name])]
        live = requests[name][~np.isnan(requests[name])]
        if live.size == 0:
            problems.append(f"{name}: no values in the live window")
            continue
        r01, r10, r90, r99 = np.quantile(ref, [0.01, 0.10, 0.90, 0.99])
        l05, l10, l90, l95 = np.quantile(live, [0.05, 0.10, 0.90, 0.95])
        slack = TOLERANCE * (r99 - r01)
        if l05 < r01 - slack or l95 > r99 + slack:
            problems.append(f"{name}: live 5%..95% range {l05:.4g}..{l95:.4g} leaves the "
                            f"training range {r01:.4g}..{r99:.4g} (+/- {slack:.3g})")
        scale = (l90 - l10) / (r90 - r10)
        if not 1 / SCALE_LIMIT <= scale <= SCALE_LIMIT:
            problems.append(f"{name}: spread is {scale:.3g}x training's: a unit change?")
    assert not problems, "; ".join(problems)


def test_${model_id}_features_present(requests, model_info):
    """No feature arrives empty in more than 2% of requests."""
    problems = []
    for name in model_info["continuous"]:
        share = float(np.isnan(requests[name]).mean())
        if share > 0.02:
            problems.append(f"{name}: missing in {share:.1%} of requests")
    for name in model_info["categorical"]:
        share = float((requests[name] == "").mean())
        if share > 0.02:
            problems.append(f"{name}: missing in {share:.1%} of requests")
    assert not problems, "; ".join(problems)


def test_${model_id}_categories_known(requests, reference, model_info):
    """Categorical features carry the values training saw (at most 1% unseen)."""
    problems = []
    for name in model_info["categorical"]:
        known = set(reference[name].tolist())
        present = requests[name][requests[name] != ""]
        unseen = [v for v in present.tolist() if v not in known]
        if present.size and len(unseen) / present.size > 0.01:
            problems.append(f"{name}: {len(unseen) / present.size:.1%} of values unseen in "
                            f"training, e.g. {sorted(set(unseen))[:3]}")
    assert not problems, "; ".join(problems)
'''

CANARY_GATE = '''

def test_${model_id}_canary_gate(telemetry):
    """Promotion stops when the canary fails more, or scores differently, than stable."""
    canary, stable = telemetry["error_rate_canary"].mean(), telemetry["error_rate_stable"].mean()
    assert canary <= max(2 * stable, 0.002), (
        f"canary fails {canary:.2%} of requests against stable's {stable:.2%}")
    shift = telemetry["pred_mean_canary"].mean() / telemetry["pred_mean_stable"].mean() - 1
    assert abs(shift) < 0.2, f"canary mean score is {shift:+.0%} from stable's"
'''

SERVING_LOAD = '''

def test_${model_id}_serving_load(telemetry, model_info):
    """At the window's peak traffic the serving config stays within memory, latency and error
    objectives, with no restart."""
    restarts = telemetry["restarts"].sum()
    assert restarts == 0, f"{restarts:g} container restarts under load"
    memory = model_info["memory_metric"]
    peak = telemetry[memory].max()
    assert peak < 0.9, f"{memory} peaked at {peak:.0%} of capacity (limit 90%)"
    p99 = telemetry["latency_p99_ms"].max()
    assert p99 <= model_info["latency_slo_ms"], (
        f"p99 {p99:.0f} ms over the {model_info['latency_slo_ms']:g} ms objective")
    errors = telemetry["error_rate"].mean()
    assert errors <= 1 - model_info["slo"], (
        f"{errors:.3%} of requests failed; the SLO allows {1 - model_info['slo']:.3%}")
'''

SOAK = '''

def test_${model_id}_memory_levels_off(telemetry):
    """Under steady load the working set does not grow (a leak) and nothing is OOM-killed."""
    minutes = telemetry["minute"] - telemetry["minute"][0]
    slope = np.polyfit(minutes, telemetry["mem_frac"], 1)[0]
    growth = slope * 60
    assert growth < 0.05, f"working set grows {growth:.1%} of the limit per hour"
    assert telemetry["restarts"].sum() == 0, "containers restarted (OOM kills?)"
'''

DEPENDENCY = '''

def test_${model_id}_serves_within_slo_when_a_dependency_degrades(telemetry, model_info):
    """Requests are answered (from cached features if need be) within the SLO: a slow or
    failing dependency must not turn into errors or timeouts."""
    errors = telemetry["error_rate"].mean()
    assert errors <= 1 - model_info["slo"], (
        f"{errors:.3%} of requests failed; the SLO allows {1 - model_info['slo']:.3%}")
    p99 = np.median(telemetry["latency_p99_ms"])
    assert p99 <= model_info["latency_slo_ms"], (
        f"median p99 {p99:.0f} ms over the {model_info['latency_slo_ms']:g} ms objective")
'''

GOLDEN = '''

def test_${model_id}_golden_set(requests):
    """The serving path reproduces the validated scores on the same logged requests, end to
    end: the model artifact and every model upstream of it (encoders, embeddings)."""
    served, golden = requests["score"], requests["expected_score"]
    nan = int(np.isnan(served).sum())
    assert nan == 0, f"{nan} NaN scores served"
    worst = float(np.abs(served - golden).max())
    assert worst < 0.05, f"served scores differ from the golden ones by up to {worst:.3f}"
'''

SKEW = '''

def test_${model_id}_training_serving_skew(requests):
    """Scores from the serving features match scores from the training pipeline's features
    for the same logged requests (a timezone, unit or default mismatch breaks this)."""
    served, offline = requests["score"], requests["expected_score"]
    close = np.isclose(served, offline, rtol=1e-6, atol=1e-6)
    assert close.mean() >= 0.999, (
        f"{1 - close.mean():.1%} of requests score differently online and offline")
'''

TESTS: dict[str, GeneratedTest] = {
    "test-feature-schema": GeneratedTest(FEATURE_SCHEMA),
    "test-canary-gate": GeneratedTest(CANARY_GATE, fit=_canary),
    "test-serving-load": GeneratedTest(SERVING_LOAD),
    "test-golden-set": GeneratedTest(GOLDEN),
    "test-soak": GeneratedTest(SOAK),
    "test-dependency-fallback": GeneratedTest(DEPENDENCY),
    "test-serving-skew": GeneratedTest(SKEW),
}


def test_file(rid: str, title: str, model: Model) -> str:
    model_id = model.name.replace("-", "_")
    return (f'"""{title} for {model.name}.\n\nData: conftest.py (ONCALL_FIXTURES=healthy|faulty)'
            f'."""\n\nimport numpy as np\n'
            + Template(TESTS[rid].body).substitute(model_id=model_id))


CONFTEST = '''"""Fixtures for the generated tests, read from CSV files exported from the incident.

ONCALL_FIXTURES picks the live window: `healthy` (the default; before the fault) or `faulty`
(after the page). The tests pass on the first and fail on the second.
"""

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
WINDOWS = ("healthy", "faulty")


def _window() -> str:
    window = os.environ.get("ONCALL_FIXTURES", "healthy")
    if window not in WINDOWS:
        raise pytest.UsageError(f"ONCALL_FIXTURES={window!r}: use one of {', '.join(WINDOWS)}")
    return window


def read_csv(path: Path) -> dict:
    """Columns by name: numbers as float arrays (empty cells are NaN), text as str arrays."""
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    out = {}
    for i, name in enumerate(header):
        cells = [r[i] for r in body]
        try:
            out[name] = np.array([float(c) if c else np.nan for c in cells])
        except ValueError:
            out[name] = np.array(cells, dtype=str)
    return out


@pytest.fixture(scope="session")
def model_info() -> dict:
    return json.loads((FIXTURES / "model.json").read_text())


@pytest.fixture(scope="session")
def reference() -> dict:
    """Training reference rows: features and the score the validated model gave."""
    return read_csv(FIXTURES / "reference.csv")


@pytest.fixture(scope="session")
def requests() -> dict:
    """Logged requests of the live window: served features, the served score, and the score
    the validated pipeline (training features, approved artifacts) gives the same requests
    (expected_score)."""
    return read_csv(FIXTURES / _window() / "requests.csv")


@pytest.fixture(scope="session")
def telemetry() -> dict:
    """One row per minute of the live window: traffic, latency, errors, memory, restarts."""
    return read_csv(FIXTURES / _window() / "telemetry.csv")
'''


def write_csv(columns: dict[str, np.ndarray]) -> str:
    """Columns as CSV text: floats to 6 significant digits, NaN as an empty cell."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    names = list(columns)
    w.writerow(names)
    for row in zip(*(columns[n] for n in names), strict=True):
        w.writerow(["" if isinstance(v, float) and np.isnan(v) else
                    (f"{v:.6g}" if isinstance(v, float) else v) for v in row])
    return out.getvalue()


def windows(world: World) -> dict[str, tuple[int, int]]:
    """The healthy window ends a quarter of an hour before the fault's first effect; the faulty
    one starts at the page."""
    onset = world.fault.onset - world.fault.lead
    return {"healthy": (onset - 15 - WINDOW, onset - 15),
            "faulty": (world.page_at, world.page_at + WINDOW)}


def _requests(world: World, model: Model, t0: int, t1: int) -> dict[str, np.ndarray]:
    rows, scores = world.rows(model.name, t0, t1)
    cols: dict[str, np.ndarray] = {"minute": rows.t.astype(float)}
    for f in model.features:
        v = rows.features[f.name]
        cols[f.name] = v.astype(float) if f.kind == "continuous" else \
            np.array(["" if x is None else str(x) for x in v.tolist()], dtype=object)
    cols["score"] = scores.astype(float)
    cols["expected_score"] = world.expected_scores(model.name, t0, t1).astype(float)
    step = -(-len(rows) // WINDOW_ROWS)
    return {k: v[::step] for k, v in cols.items()}


TELEMETRY = ("rps", "latency_p99_ms", "error_rate", "pred_mean", "mem_frac", "restarts")


def _telemetry(world: World, model: Model, t0: int, t1: int) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {"minute": np.arange(t0, t1, dtype=float)}
    metrics = (*TELEMETRY, "gpu_mem_frac") if model.hardware == "gpu" else TELEMETRY
    for m in metrics:
        cols[m] = world.series(model.name, m, t0, t1)[1].astype(float)
    for rev in ("canary", "stable"):
        for m in ("error_rate", "pred_mean"):
            cols[f"{m}_{rev}"] = world.series(model.name, m, t0, t1, rev)[1].astype(float)
    return cols


def fixtures(world: World, model: Model) -> dict[str, str]:
    """The fixture files, by path under `tests/fixtures/`."""
    stats = world.stats(model.name)
    ref: dict[str, np.ndarray] = {}
    for f in model.features:
        v = stats.reference[f.name][:REFERENCE_SAMPLE]
        ref[f.name] = v.astype(float) if f.kind == "continuous" else v.astype(str)
    ref["score"] = stats.reference_scores[:REFERENCE_SAMPLE].astype(float)
    info = {"model": model.name, "hardware": model.hardware, "slo": model.slo,
            "latency_slo_ms": model.latency_slo_ms,
            "memory_metric": "gpu_mem_frac" if model.hardware == "gpu" else "mem_frac",
            "continuous": [f.name for f in model.features if f.kind == "continuous"],
            "categorical": [f.name for f in model.features if f.kind != "continuous"],
            "windows": {k: list(v) for k, v in windows(world).items()}}
    out = {"model.json": json.dumps(info, indent=2) + "\n", "reference.csv": write_csv(ref)}
    for name, (t0, t1) in windows(world).items():
        out[f"{name}/requests.csv"] = write_csv(_requests(world, model, t0, t1))
        out[f"{name}/telemetry.csv"] = write_csv(_telemetry(world, model, t0, t1))
    return out
