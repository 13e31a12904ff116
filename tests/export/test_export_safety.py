"""A save is shared between players, so an export trusts none of its paths: every file is made
again from the registry, and a destination that cannot take the export is refused in one line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from export_helpers import play
from oncall_cli import run_oncall

from oncall.scoring import score
from oncall.store.export import unsafe
from oncall.store.saves import save_incident


@pytest.fixture(scope="module")
def save(tmp_path_factory: pytest.TempPathFactory) -> Path:
    g = play("fraud-1")
    return save_incident(g.record, score(g.record), tmp_path_factory.mktemp("home"))


def tampered(save: Path, folder: Path, path: str) -> Path:
    data = json.loads(save.read_text())
    data["record"]["facts"]["artifacts"][0]["path"] = path
    out = folder / "evil.json"
    out.write_text(json.dumps(data))
    return out


def export(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_oncall(["export", *args], cwd=cwd)


@pytest.mark.parametrize("path", ["../../PWNED.txt", "/tmp/PWNED-abs.txt",
                                  "monitoring/../../x", "monitoring/", "a\0b"])
def test_a_tampered_artifact_path_writes_nothing_outside(save: Path, tmp_path: Path,
                                                         path: str) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    evil = tampered(save, work, path)
    out = export(str(evil), "out/x", cwd=work)
    assert "Traceback" not in out.stderr
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "refusing a tampered save" in out.stderr and "nothing was written" in out.stderr
    assert not (work / "out" / "x").exists()
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert all(w.startswith("a/b/out/x/") or w == "a/b/evil.json" for w in written), written
    assert not Path("/tmp/PWNED-abs.txt").exists()
    assert not list(tmp_path.rglob(".oncall-export-*"))


def test_the_destination_follows_the_umask_and_an_empty_one_keeps_its_mode(
        save: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = export(str(save), "new", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o755
        (tmp_path / "empty").mkdir(mode=0o750)
        out = export(str(save), "empty", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert stat.S_IMODE((tmp_path / "empty").stat().st_mode) == 0o750
    finally:
        os.umask(old)


def test_bad_destinations_and_urls_get_one_line(save: Path, tmp_path: Path) -> None:
    long = export(str(save), "x" * 300, cwd=tmp_path)
    assert long.returncode == 2 and "longer than 255 bytes" in long.stderr
    assert len(long.stderr.strip().splitlines()) == 1
    url = export(str(save), "d", "--runbook-base", "runbooks/", cwd=tmp_path)
    assert url.returncode == 2 and "not an absolute http(s) URL" in url.stderr
    assert not list(tmp_path.iterdir())


def test_the_runbook_base_goes_into_every_rule(save: Path, tmp_path: Path) -> None:
    out = export(str(save), "d", "--runbook-base", "https://git.example.org/rb/", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rule = (tmp_path / "d/monitoring/fraud-scorer-mon-feature-range.rules.yml").read_text()
    assert "runbook_url: https://git.example.org/rb/FeatureMeanShift.md" in rule


@pytest.mark.parametrize("rel", ["", "/x", "../x", "a/../b", "a/", "a//b", "./a", "a\0b",
                                 "x" * 256, "a\\b"])
def test_unsafe_paths_are_named(rel: str) -> None:
    assert unsafe(rel) is not None
    assert unsafe("monitoring/fraud-scorer.recording.rules.yml") is None
