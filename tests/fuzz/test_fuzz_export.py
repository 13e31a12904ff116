"""Tampered saves to `oncall export`: whatever paths, remediations or tunings a shared save
carries, and whatever the destination is called, the export writes only inside its destination
(or nothing), leaves no temporary folder, and a refusal is one line naming what was wrong."""

from __future__ import annotations

import io
import json
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from fuzz_budget import budget, count, timed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall import cli
from oncall.content import loader
from oncall.session import Session
from oncall.store.saves import save_incident

SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]

HOSTILE = ["../../PWNED.txt", "/tmp/PWNED-fuzz.txt", "monitoring/../../x", "monitoring/",
           "a\0b", "..", ".", "", "~/x", "C:\\x", "monitoring//x", "x" * 300,
           "runbooks/../../../etc/passwd", "monitoring/./x.yml", "\\\\host\\share\\x"]
paths = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                  st.lists(st.sampled_from(["..", ".", "a", "", "monitoring", "/"]),
                           min_size=1, max_size=6).map("/".join))
dest_names = st.one_of(st.just("out"), st.sampled_from(["..", ".", "x" * 300, "a\0b", "-"]),
                       st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                               min_size=1, max_size=20))


@pytest.fixture(scope="module")
def base_save() -> dict[str, Any]:
    sc = loader.scenario("fraud-1")
    s = Session(sc, 7, save=False)
    for c in sc.playbook.right:
        s.do(c)
    assert s.card is not None
    with tempfile.TemporaryDirectory() as home:
        return json.loads(save_incident(s.record, s.card, Path(home)).read_text())


@st.composite
def tampered(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(base))
    facts = data["record"]["facts"]
    for art in facts["artifacts"]:
        if draw(st.booleans()):
            art["path"] = draw(paths)
    if draw(st.booleans()):
        facts["artifacts"].append({"remediation": draw(st.sampled_from(
            ["mon-null-rate", "evil", ""])), "kind": "runbook", "path": draw(paths),
            "content": "PWNED"})
    pm = facts["postmortem"]
    if draw(st.booleans()):
        pm["remediations"] = draw(st.lists(st.one_of(
            st.sampled_from(["mon-feature-range", "test-feature-schema", "mon-gpu-headroom",
                             "../evil", "runbook-input-shift"]), st.text(max_size=12)),
            max_size=4))
    if draw(st.booleans()):
        pm["tuning"] = {draw(st.sampled_from(["mon-feature-range", "../x"])): {
            "threshold": draw(st.one_of(st.none(), st.floats(allow_nan=False, width=32))),
            "for_min": draw(st.one_of(st.none(), st.integers(-5, 500)))}}
    return data


def run_cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, err.getvalue()


@settings(max_examples=budget(6, 300), deadline=None, suppress_health_check=SLOW)
@given(data=st.data(), name=dest_names)
def test_a_tampered_save_exports_only_inside_its_destination(
        base_save: dict[str, Any], data: st.DataObject, name: str) -> None:
    with tempfile.TemporaryDirectory() as top, timed("exports"):
        root = Path(top) / "a" / "b"
        root.mkdir(parents=True)
        save = root / "shared.json"
        save.write_text(json.dumps(data.draw(tampered(base_save))))
        dest = root / "out" / name
        code, err = run_cli("--home", str(root / "home"), "export", str(save), str(dest))
        assert "internal error" not in err and "Traceback" not in err, err
        if code != 0:
            assert code == 2 and len(err.strip().splitlines()) == 1, err
        inside = dest.resolve() if code == 0 else None
        for p in Path(top).rglob("*"):
            if p.is_dir() or p == save or p.is_relative_to(root / "home"):
                continue
            assert inside is not None and p.resolve().is_relative_to(inside), p
        assert not any(p.name.startswith(".oncall-export-") for p in Path(top).rglob("*"))
        assert not Path("/tmp/PWNED-fuzz.txt").exists()
        if code == 0:
            assert all("PWNED" not in p.read_text(errors="replace")
                       for p in dest.rglob("*") if p.is_file())
    count("exports")
