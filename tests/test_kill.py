"""kill -9 while saving: no corrupt save, no save reported written and then lost, and no temp file
left once the game starts again."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fuzz_budget import budget, count, timed
from record_factory import d4_play

from oncall import cli
from oncall.scoring import score
from oncall.store.saves import list_saves, load_save, save_incident

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the savers are forked")


def killed_while_saving(save: Callable[[], Path], delay: float) -> list[Path]:
    """Fork a process that saves again and again, kill -9 it `delay` seconds after it is ready,
    and return the saves it reported written (whole lines only: a pipe write this short is
    atomic, so a line is either all there or not at all). The saver is forked from this process,
    which has imported everything and built what it saves, so a kill costs milliseconds."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the saver: never returns to the test
        try:
            os.close(read)
            os.write(write, b"ready\n")
            while True:
                os.write(write, f"{save()}\n".encode())
        finally:
            os._exit(1)
    os.close(write)
    with os.fdopen(read, "r") as out:
        assert out.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        lines = out.read().split("\n")
    return [Path(x) for x in lines[:-1] if x]


@pytest.mark.heavy
def test_kill_9_while_saving_loses_and_corrupts_nothing(tmp_path: Path) -> None:
    rng = random.Random(12)
    home = tmp_path / "home"
    record = d4_play()
    card = score(record)
    reported: list[Path] = []
    orphans_seen = 0
    kills = budget(12, 100)
    with timed("kill -9 during saving"):
        for _ in range(kills):
            reported += killed_while_saving(lambda: save_incident(record, card, home),
                                            rng.uniform(0.0, 0.08))
            folder = home / "incidents"
            orphans_seen += sum(1 for p in folder.glob(".*.tmp")) if folder.is_dir() else 0
            # The next start: any command that opens the home sweeps what the kill left.
            assert cli.main(["--home", str(home), "numbers"]) == 0
            if folder.is_dir():
                assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    saves = list_saves(home)
    for path in saves:
        load_save(path)  # raises if a single save is corrupt
    assert set(reported) <= set(saves), "a save reported written is missing"
    assert len(saves) >= len(reported) > 0
    count("kill -9 during saving", kills)
    count("saves written under kill -9", len(saves))
    count("orphan temp files swept", orphans_seen)


def test_kill_9_while_saving_a_shift_leaves_no_temp_file_after_the_next_start(
        tmp_path: Path) -> None:
    from oncall.session import ShiftSession
    from oncall.store.shifts import ShiftSave, load_shift, save_shift, shift_text, shifts_dir

    session = ShiftSession(2, 120, save=False)
    session.do({"do": "abandon"})
    assert session.card is not None
    # Saved as the save file holds it, as a player's next start would read it.
    save = ShiftSave.model_validate_json(shift_text(session.shift.record, session.card))
    home, rng = tmp_path / "home", random.Random(21)
    folder = shifts_dir(home)
    reported: list[Path] = []
    orphans = 0
    kills = budget(8, 100)
    with timed("kill -9 during shift saves"):
        for _ in range(kills):
            reported += killed_while_saving(lambda: save_shift(save.record, save.card, home),
                                            rng.uniform(0.0, 0.05))
            orphans += sum(1 for _ in folder.glob(".*.tmp")) if folder.is_dir() else 0
            assert cli.main(["--home", str(home), "shift", "numbers"]) == 0  # the next start
            assert not list(folder.glob("*.tmp")) if folder.is_dir() else True
    saved = sorted(folder.glob("*.json"))
    assert set(reported) <= set(saved) and saved
    for path in saved[:5] + saved[-5:]:
        load_shift(path)
    count("kill -9 during shift saves", kills)
    count("shift temp files swept", orphans)
