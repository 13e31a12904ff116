"""Saves on a really read-only and a really full file system (tmpfs mounts; skipped where the
test may not mount): the card is delivered, the reason given, the record recoverable."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncall.content import loader
from oncall.session import Session, replay
from oncall.store.saves import load_save


def mount(point: Path, options: str) -> bool:
    point.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                          capture_output=True)
    return proc.returncode == 0


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    ro, full = tmp_path / "ro", tmp_path / "full"
    try:
        if not mount(ro, "ro,size=1m"):
            pytest.skip("cannot mount a tmpfs here")
        if not mount(full, "size=64k"):
            pytest.skip("cannot mount a tmpfs here")
        (full / "home" / "incidents").mkdir(parents=True)
        fd = os.open(full / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill it up to the last byte
            for size in (4096, 1):
                with contextlib.suppress(OSError):
                    while os.write(fd, b"\0" * size):
                        pass
        finally:
            os.close(fd)
        yield ro / "home", full / "home"
    finally:
        for point in (ro, full):
            subprocess.run(["umount", str(point)], capture_output=True)


def test_read_only_and_full_homes_still_deliver_the_card(mounts: tuple[Path, Path]) -> None:
    sc = loader.scenario("search-1")
    for home, reason in zip(mounts, ("Read-only file system", "No space left on device"),
                            strict=True):
        s = Session(sc, 5, home=home)
        last = None
        for c in sc.playbook.right:
            last = s.do(c)
        assert last is not None and last.scorecard and s.card is not None
        out = s.outcome
        assert out is not None and out.fallback and reason in out.reason
        assert out.path is not None and not out.path.is_relative_to(home)
        saved = load_save(out.path)
        again, card = replay(saved.record, sc)
        assert again.model_dump(mode="json") == saved.record.model_dump(mode="json")
        assert card == saved.scorecard == s.card


# -- nothing writable at all: a read-only home and no writable temp folder ------------------------
SEAL = """set -e
for d in /tmp /var/tmp /usr/tmp /dev/shm "$0"; do
  if [ -d "$d" ]; then mount --bind "$d" "$d"; mount -o remount,bind,ro "$d"; fi
done
cd "$0"
exec "$@"
"""
"""Run a command in its own mount namespace where the home, the current folder and every
temp folder are read-only (bind mounts: whatever lives there, the venv included, stays
readable, wherever the checkout is)."""


def sealed(home: Path) -> list[str]:
    home.mkdir(parents=True, exist_ok=True)
    probe = subprocess.run(["unshare", "-m", "sh", "-c", SEAL, str(home), "true"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a private mount namespace here ({probe.stderr[:80]!r})")
    return ["unshare", "-m", "sh", "-c", SEAL, str(home)]


def sealed_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEMP", "TMP")}
    return env | {"TMPDIR": str(home), "HOME": str(home)}


def headless(home: Path, args: list[str], lines: list[dict[str, Any]]
             ) -> tuple[dict[str, Any], str]:
    proc = subprocess.run([*sealed(home), sys.executable, "-m", "oncall", "--home", str(home),
                           *args, "--headless"],
                          input="".join(json.dumps(x) + "\n" for x in lines),
                          capture_output=True, text=True, env=sealed_env(home), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not (home / "incidents").exists() and not (home / "shifts").exists()
    return json.loads(proc.stdout.splitlines()[-1]), proc.stderr


def test_with_nothing_writable_play_still_gives_the_card_and_the_whole_save(
        tmp_path: Path) -> None:
    home = tmp_path / "home"
    sc = loader.scenario("search-1")
    last, err = headless(home, ["play", "--scenario", "search-1", "--seed", "5"],
                         list(sc.playbook.right))
    assert last["scorecard"]["total"] > 0 and "saved" not in last
    reason = last["save_error"]
    assert str(home) in reason and "Read-only file system" in reason
    assert "no temp folder is writable" in reason
    assert err.startswith("oncall: nothing could be written (") and err.count("\n") == 1
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(last["save"]))
    saved = load_save(kept)
    again, card = replay(saved.record, sc)
    assert again.model_dump(mode="json") == saved.record.model_dump(mode="json")
    assert card is not None and card.model_dump(mode="json") == last["scorecard"]


def test_with_nothing_writable_a_shift_still_gives_the_card_and_the_whole_save(
        tmp_path: Path) -> None:
    from oncall.scoring.shift import score_shift
    from oncall.store.shifts import load_shift

    home = tmp_path / "home"
    last, _ = headless(home, ["shift", "--seed", "3", "--length", "2h"],
                       [{"do": "status"}, {"do": "abandon"}])
    assert last["scorecard"]["max"] > 0 and "no temp folder is writable" in last["save_error"]
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(last["save"]))
    save = load_shift(kept)
    assert score_shift(save.record).model_dump(mode="json") == last["scorecard"]


def test_with_nothing_writable_the_tui_prints_the_save_when_it_closes(tmp_path: Path) -> None:
    from test_hangup import played_and_left

    home = tmp_path / "home"
    prefix = sealed(home)
    code, out = played_and_left(["--home", str(home), "play", "--scenario", "search-1",
                                 "--seed", "5"], signal.SIGTERM, prefix, sealed_env(home))
    assert code == 0, out[-2000:]
    said = out[out.index("oncall: nothing could be written ("):]
    assert str(home) in said.splitlines()[0] and "Score " in said.splitlines()[0]
    save, _ = json.JSONDecoder().raw_decode(said[said.index("{"):])
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(save))
    assert load_save(kept).record.facts.abandoned_at is not None
