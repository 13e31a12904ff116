"""Saves on a really read-only and a really full file system (tmpfs mounts; skipped where the
test may not mount): the card is delivered, the reason given, the record recoverable."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

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
