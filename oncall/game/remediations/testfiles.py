"""Generated pytest files, their conftests and the data fixtures exported from the incident.

A test file is the module of checks behind its remediation (`checks/`), copied verbatim, and one
test per check. Tests read CSV fixtures through a conftest: one live window chosen by the
environment variable ONCALL_FIXTURES, `healthy` (before the fault, the default) or `faulty`
(after the page, with no fix applied). Only pytest and numpy are needed to run them.

The data contract runs where the contract lives: one folder per producer (`contracts/SOURCE/`)
for the producer's CI, with the contract written from the training data and a sample of the
producer's output standing for a release. The other tests live in `tests/`.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import weakref
from collections.abc import Callable, Iterator, Mapping
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from oncall.game.remediations import checks
from oncall.game.remediations.checks import csvdata
from oncall.game.remediations.monitors import canary_spans, replay_window
from oncall.sim import registry
from oncall.sim.quantile import quantiles

if TYPE_CHECKING:
    from oncall.sim.fleet import Model
    from oncall.sim.world import World

REFERENCE_SAMPLE = 2000
"""Training rows exported as the reference fixture."""
WINDOW = 60
"""Minutes of live traffic in each window."""
WINDOW_ROWS = 1000
"""Logged requests kept per window (every k-th, in arrival order), so fixtures stay small."""
MAX_MISSING = 0.02
"""The share of rows a contract lets a field be empty in."""
CONTRACT = "contract"
"""The checks a data contract exports: one test file per producer, in the producer's folder."""


def _canary(world: World, model: Model) -> str | None:
    if canary_spans(model, *replay_window(world)):
        return None
    return (f"{model.name} ran no canary revision in the week before the page or during the "
            "incident, so there is no canary to gate")


TESTS = checks.MODULES


def is_contract(rid: str) -> bool:
    """Whether a test remediation exports a data contract (one file per producer)."""
    return checks.MODULES.get(rid) is checks.BY_NAME[CONTRACT]


def fit(rid: str, world: World, model: Model) -> str | None:
    """Why a test cannot apply to a model whatever its fixtures show (None: it can)."""
    rem = registry.entries("remediation").get(rid)
    if rem is not None and rem.test is not None and rem.test.requires_canary:
        return _canary(world, model)
    return None


def ident(name: str) -> str:
    """A name as a Python identifier part."""
    return re.sub(r"\W", "_", name)


def sources(model: Model) -> list[str]:
    return sorted({f.source for f in model.features})


def test_path(rid: str, model: Model, source: str | None = None) -> str:
    if is_contract(rid):
        return f"contracts/{source}/test_{ident(source or '')}_contract.py"
    return f"tests/test_{ident(model.name)}_{ident(rid.removeprefix('test-'))}.py"


def test_file(rid: str, title: str, model: Model, source: str | None = None) -> str:
    """The test file: the checks' module verbatim, then one test per check."""
    module = checks.MODULES[rid]
    prefix = ident(source if source else model.name)
    what = (f"the contract of {source}'s output as {model.name} reads it" if source
            else f"{model.name}")
    out = [f"# {title}: {what}.", "# Fixtures: conftest.py (ONCALL_FIXTURES=healthy|faulty).",
           checks.source(module).rstrip(), "", "", "# -- the tests " + "-" * 80]
    for name, fn in checks.checks(module):
        args = ", ".join(checks.fixtures_of(fn))
        doc = (inspect.getdoc(fn) or name).splitlines()[0]
        out += ["", "", f"def test_{prefix}_{name}({args}):", f'    """{doc}"""',
                f"    problems = check_{name}({args})",
                '    assert not problems, "; ".join(problems)']
    return "\n".join(out) + "\n"


@cache
def _head() -> str:
    """What both conftests open with: the readers of the fixtures, the test's own copy of
    `csvdata.window` and `csvdata.parse_csv` (their source read when an export first asks)."""
    readers = inspect.getsource(csvdata.window) + "\n\n" + inspect.getsource(csvdata.parse_csv)
    return '''"""{doc}

ONCALL_FIXTURES picks the live window: `healthy` (the default; before the fault) or `faulty`
(from the page on, with no fix applied).
"""

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
WINDOWS = ("healthy", "faulty")


''' + readers + '''

def _live() -> str:
    try:
        return window()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


def _read(name: str) -> dict:
    return parse_csv((FIXTURES / name).read_text(encoding="utf-8"))
'''


@cache
def conftest() -> str:
    """The conftest of the generated tests: fixtures read from the incident's CSV files."""
    return _head().replace("{doc}", "Fixtures for the generated tests, read from CSV files "
                                    "exported from the incident.") + '''

@pytest.fixture(scope="session")
def model_info() -> dict:
    return json.loads((FIXTURES / "model.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def reference() -> dict:
    """Training reference rows: features and the score the validated model gave."""
    return _read("reference.csv")


@pytest.fixture(scope="session")
def requests() -> dict:
    """Logged requests of the live window: served features, the served score, and the score
    the validated pipeline (training features, approved artifacts) gives the same requests
    (expected_score)."""
    return _read(f"{_live()}/requests.csv")


@pytest.fixture(scope="session")
def telemetry() -> dict:
    """One row per minute of the live window: traffic, latency, errors, memory, restarts."""
    return _read(f"{_live()}/telemetry.csv")
'''


@cache
def contract_conftest() -> str:
    """The conftest of a producer's data contract: the contract and a sample of its output."""
    return _head().replace(
    "{doc}", "Fixtures for the data contract: the contract, and a sample of the producer's "
             "output.\n\nIn the producer's CI, point `output` at a sample of the release about "
             "to ship.") + '''

@pytest.fixture(scope="session")
def contract() -> dict:
    """What the consuming models need of each field, written from their training data."""
    return json.loads((Path(__file__).parent / "contract.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def output() -> dict:
    """A sample of the producer's output: here, the values its fields had when served in the
    live window."""
    return _read(f"{_live()}/output.csv")
'''


def write_csv(columns: dict[str, np.ndarray]) -> str:
    """Columns as CSV text: floats to 6 significant digits, NaN as an empty cell."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    names = list(columns)
    w.writerow(names)
    w.writerows(zip(*(_cells(columns[n]) for n in names), strict=True))
    return out.getvalue()


def _cells(col: np.ndarray) -> list[object]:
    """A column's cells: a float to 6 significant digits, NaN empty, anything else as it is
    (a float column formatted as Python floats, which format as numpy's do, at a fraction of
    the cost)."""
    if col.dtype.kind == "f":
        return ["" if x != x else f"{x:.6g}" for x in col.tolist()]
    return ["" if isinstance(v, float) and v != v else (f"{v:.6g}" if isinstance(v, float)
                                                         else v) for v in col]


def windows(world: World) -> dict[str, tuple[int, int]]:
    """The healthy window ends a quarter of an hour before the fault's first effect; the faulty
    one starts at the page."""
    onset = world.fault.onset - world.fault.lead
    return {"healthy": (onset - 15 - WINDOW, onset - 15),
            "faulty": (world.page_at, world.page_at + WINDOW)}


def _requests(world: World, model: Model, t0: int, t1: int) -> dict[str, np.ndarray]:
    """The window's logged requests, every k-th kept (WINDOW_ROWS at most), each kept cell
    converted (a category as text) and none of the others."""
    rows, scores = world.rows(model.name, t0, t1)
    step = _step(len(rows))
    return {"minute": rows.t[::step].astype(float),
            **_features(model, rows.features, step),
            "score": scores[::step].astype(float),
            "expected_score": world.expected_scores(model.name, t0, t1)[::step].astype(float)}


def _served(world: World, model: Model, t0: int, t1: int) -> dict[str, np.ndarray]:
    """The feature columns of `_requests`, without scoring the requests."""
    t, features = world.served(model.name, t0, t1)
    return _features(model, features, _step(len(t)))


def _step(rows: int) -> int:
    return -(-rows // WINDOW_ROWS)


def _features(model: Model, features: dict[str, np.ndarray], step: int
              ) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {}
    for f in model.features:
        v = features[f.name][::step]
        cols[f.name] = v.astype(float) if f.kind == "continuous" else \
            np.array(["" if x is None else str(x) for x in v.tolist()], dtype=object)
    return cols


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


def _contract(world: World, model: Model, source: str) -> dict[str, Any]:
    ref = world.stats(model.name).reference
    cont: dict[str, dict[str, float]] = {}
    cats: dict[str, list[str]] = {}
    for f in model.features:
        if f.source != source:
            continue
        v = ref[f.name][:REFERENCE_SAMPLE]
        if f.kind == "continuous":
            v = v.astype(float)
            q = quantiles(v[~np.isnan(v)], [0.01, 0.10, 0.90, 0.99])
            cont[f.name] = {k: float(f"{x:.6g}") for k, x in zip(("p01", "p10", "p90", "p99"),
                                                                   q, strict=True)}
        else:
            cats[f.name] = sorted({str(x) for x in v.tolist() if x is not None})
    return {"source": source, "model": model.name, "max_missing": MAX_MISSING,
            "continuous": cont, "categorical": cats}


T = TypeVar("T")


class Lazy(Mapping[str, T]):
    """A mapping whose values are made when first read, each once."""

    def __init__(self, make: dict[str, Callable[[], T]]) -> None:
        self._make = make
        self._made: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        if key not in self._made:
            self._made[key] = self._make[key]()
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._make)

    def __len__(self) -> int:
        return len(self._make)

    def made(self) -> list[str]:
        """The keys whose values have been made so far."""
        return [k for k in self._make if k in self._made]


class Fixtures(Lazy[str]):
    """Every fixture file of the model's tests and contracts, by path in the export, each
    written when first read: a postmortem that judges a load test writes (and parses) the
    telemetry its checks read, not the logged requests, drawn row by row, that none of them
    reads. Each file is what it would be were all written at once, in any order (every one is
    a function of the world nobody acts on), so a check judged here still reads what the
    exported test reads. It holds its world weakly: it is kept by that world's key
    (`remediations.fixtures`)."""

    def __init__(self, world: World, model: Model) -> None:
        self._world = weakref.ref(world)
        self._model = model
        self._spans = windows(world)
        self._requests: dict[str, dict[str, np.ndarray]] = {}
        self._served: dict[str, dict[str, np.ndarray]] = {}
        make: dict[str, Callable[[], str]] = {"tests/fixtures/model.json": self._info,
                                              "tests/fixtures/reference.csv": self._reference}
        for name in self._spans:
            make[f"tests/fixtures/{name}/requests.csv"] = \
                partial(self._csv, partial(self._window_requests, name))
            make[f"tests/fixtures/{name}/telemetry.csv"] = \
                partial(self._csv, partial(self._telemetry, name))
            for src in sources(model):
                make[f"contracts/{src}/fixtures/{name}/output.csv"] = \
                    partial(self._csv, partial(self._output, name, src))
        for src in sources(model):
            make[f"contracts/{src}/contract.json"] = partial(self._contract, src)
        super().__init__(make)

    @property
    def world(self) -> World:
        world = self._world()
        if world is None:
            raise ReferenceError("the fixtures' world is gone")
        return world

    @staticmethod
    def _csv(columns: Callable[[], dict[str, np.ndarray]]) -> str:
        return write_csv(columns())

    def _info(self) -> str:
        model = self._model
        info = {"model": model.name, "hardware": model.hardware, "slo": model.slo,
                "latency_slo_ms": model.latency_slo_ms,
                "memory_metric": "gpu_mem_frac" if model.hardware == "gpu" else "mem_frac",
                "continuous": [f.name for f in model.features if f.kind == "continuous"],
                "categorical": [f.name for f in model.features if f.kind != "continuous"],
                "windows": {k: list(v) for k, v in self._spans.items()}}
        return json.dumps(info, indent=2) + "\n"

    def _reference(self) -> str:
        stats = self.world.stats(self._model.name)
        ref: dict[str, np.ndarray] = {}
        for f in self._model.features:
            v = stats.reference[f.name][:REFERENCE_SAMPLE]
            ref[f.name] = v.astype(float) if f.kind == "continuous" else v.astype(str)
        ref["score"] = stats.reference_scores[:REFERENCE_SAMPLE].astype(float)
        return write_csv(ref)

    def _window_requests(self, name: str) -> dict[str, np.ndarray]:
        """The window's logged requests, drawn once for its requests and its outputs."""
        if name not in self._requests:
            self._requests[name] = _requests(self.world, self._model, *self._spans[name])
        return self._requests[name]

    def _window_served(self, name: str) -> dict[str, np.ndarray]:
        """The window's served features: the requests' own when they are drawn already, else
        drawn without scoring them (the producers' outputs read only these)."""
        if name in self._requests:
            return self._requests[name]
        if name not in self._served:
            self._served[name] = _served(self.world, self._model, *self._spans[name])
        return self._served[name]

    def _telemetry(self, name: str) -> dict[str, np.ndarray]:
        return _telemetry(self.world, self._model, *self._spans[name])

    def _output(self, name: str, src: str) -> dict[str, np.ndarray]:
        req = self._window_served(name)
        return {f.name: req[f.name] for f in self._model.features if f.source == src}

    def _contract(self, src: str) -> str:
        return json.dumps(_contract(self.world, self._model, src), indent=2) + "\n"


def fixtures(world: World, model: Model) -> Fixtures:
    """Every fixture file of the model's tests and contracts, by path in the export (each
    written as it is first read)."""
    return Fixtures(world, model)


def window_data(files: Mapping[str, str], window: str, source: str | None = None
                ) -> Lazy[Any]:
    """One window's fixtures as the exported conftest hands them to the checks, each read (and
    its file written) when a check first asks for it."""
    def parsed(path: str) -> Callable[[], dict[str, np.ndarray]]:
        return lambda: _parsed(files[path])

    def loaded(path: str) -> Callable[[], Any]:
        return lambda: json.loads(files[path])

    if source is not None:
        return Lazy({"contract": loaded(f"contracts/{source}/contract.json"),
                     "output": parsed(f"contracts/{source}/fixtures/{window}/output.csv")})
    return Lazy({"model_info": loaded("tests/fixtures/model.json"),
                 "reference": parsed("tests/fixtures/reference.csv"),
                 "requests": parsed(f"tests/fixtures/{window}/requests.csv"),
                 "telemetry": parsed(f"tests/fixtures/{window}/telemetry.csv")})


def _parsed(text: str) -> dict[str, np.ndarray]:
    """`csvdata.parse_csv` of a fixture, parsed once however many tests a postmortem judges on
    it; each caller gets its own arrays, so a check that changes one changes nothing else."""
    return {name: col.copy() for name, col in _parse_once(text).items()}


@lru_cache(maxsize=16)
def _parse_once(text: str) -> dict[str, np.ndarray]:
    return csvdata.parse_csv(text)


def blind(rid: str, files: Mapping[str, str], source: str | None = None) -> str | None:
    """Why the test cannot catch this incident (None: it can): a check fails on the healthy
    window, or none fails on the faulty one."""
    module = checks.MODULES[rid]
    healthy = {k: v for k, v in checks.run(module, window_data(files, "healthy", source)).items()
               if v}
    if healthy:
        name, problems = next(iter(healthy.items()))
        return f"its {name} check fails before the fault too ({problems[0]})"
    faulty = checks.run(module, window_data(files, "faulty", source))
    if not any(faulty.values()):
        return ("its checks pass on the hour from the page on, so it would not have caught "
                "this incident")
    return None
