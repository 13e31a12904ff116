"""Generated scenario files to the loader and generated saves to replay and story: every one is
read, or refused with one line naming the file; nothing else escapes."""

from __future__ import annotations

import copy
import io
import json
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzz_budget import budget, count, timed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall import cli
from oncall.content import loader
from oncall.content.loader import ContentError, parse_scenario
from oncall.scoring import score
from oncall.session import Session
from oncall.store.saves import SaveError, load_save, save_incident

SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["", "ack", "obs-1", "D4", "data", "fraud-scorer", "01:44", "insane",
                     "auto", "x" * 300]))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)


def paths_of(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in nested dicts and lists."""
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths_of(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths_of(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` with a few values replaced, deleted or added at random paths."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = paths_of(data)
        path = draw(st.sampled_from(paths[1:] or paths))
        if not path:
            data = draw(json_values)
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        else:
            parent[path[-1]] = draw(json_values)
    return data


# -- scenario files --------------------------------------------------------------------------------
SCENARIO_DATA = [yaml.load(p.read_text(encoding="utf-8"),  # libyaml's safe loader: 10x faster
                           Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                 for p in sorted(loader.incidents_dir().glob("*.yaml"))]

yaml_files = st.one_of(
    st.sampled_from(SCENARIO_DATA).flatmap(mutated).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True).encode("utf-8")),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    st.integers(min_value=1, max_value=5000).map(lambda n: b"a: " + b"[" * n + b"]" * n),
    st.integers(min_value=4000, max_value=6000).map(lambda n: b"id: " + b"7" * n),
    st.integers(min_value=1, max_value=400).map(
        lambda n: b"a: &a [1]\nb: [" + b", ".join([b"*a"] * n) + b"]\n"),
)


@pytest.mark.heavy
@settings(max_examples=budget(150, 2000), deadline=None, suppress_health_check=SLOW)
@given(yaml_files)
def test_any_scenario_file_parses_or_is_refused_with_its_name(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder, timed("scenario files"):
        path = Path(folder) / "fuzzed.yaml"
        path.write_bytes(content)
        try:
            parse_scenario(path)
        except ContentError as exc:
            assert exc.problems and all(p.file == str(path) for p in exc.problems)
            assert all("\n" not in str(p) for p in exc.problems)
        problems = loader.validate([path])
        assert all(p.file == str(path) for p in problems)
    count("scenario files")


# -- saves ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_save() -> dict[str, Any]:
    sc = loader.scenario("search-1")
    s = Session(sc, 5, save=False)
    for c in sc.playbook.right:
        s.do(c)
    assert s.card is not None
    with tempfile.TemporaryDirectory() as home:
        path = save_incident(s.record, s.card, Path(home))
        return json.loads(path.read_text(encoding="utf-8"))


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


save_edits = st.one_of(
    st.just("keep"), st.just("bytes"), st.just("truncate"), st.just("mutate"),
    st.just("mutate"), st.just("mutate"))


@pytest.mark.heavy
@settings(max_examples=budget(60, 2000), deadline=None, suppress_health_check=SLOW)
@given(edit=save_edits, data=st.data())
def test_any_save_replays_or_is_refused_with_its_name(base_save: dict[str, Any], edit: str,
                                                      data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder, timed("saves"):
        path = Path(folder) / "fuzzed.json"
        text = json.dumps(base_save)
        if edit == "bytes":
            raw = data.draw(st.binary(max_size=300))
        elif edit == "truncate":
            raw = text.encode()[: data.draw(st.integers(0, len(text) - 1))]
        elif edit == "mutate":
            raw = json.dumps(data.draw(mutated(base_save))).encode()
        else:
            raw = text.encode()
        path.write_bytes(raw)
        try:
            load_save(path)
            readable = True
        except SaveError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
            readable = False
        for command in ("replay", "story"):
            code, _, err = run_cli("--home", folder, command, str(path))
            assert "internal error" not in err, (command, err)
            if readable:
                assert code in (0, 1) if command == "replay" else code == 0, (command, err)
            else:
                assert code == 2 and len(err.strip().splitlines()) == 1
                assert str(path) in err
        if edit == "keep":
            assert run_cli("replay", str(path))[0] == 0
    count("saves")


def test_the_unchanged_save_replays_exactly(base_save: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(base_save), encoding="utf-8")
    code, out, _ = run_cli("replay", str(path))
    assert code == 0 and "reproduces exactly" in out
    assert score(load_save(path).record) == load_save(path).scorecard
