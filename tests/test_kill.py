"""kill -9 while saving: no corrupt save, no save reported written and then lost, and no temp file
left once the game starts again."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from fuzz_budget import budget, count, timed

from oncall import cli
from oncall.store.saves import list_saves, load_save

SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from record_factory import d4_play
    from oncall.scoring import score
    from oncall.store.saves import save_incident

    record = d4_play()
    card = score(record)
    home = Path(sys.argv[1])
    print("ready", flush=True)
    while True:
        print(save_incident(record, card, home), flush=True)
""")


def test_kill_9_while_saving_loses_and_corrupts_nothing(tmp_path: Path) -> None:
    rng = random.Random(12)
    home = tmp_path / "home"
    script = tmp_path / "saver.py"
    script.write_text(SAVER.format(tests=str(Path(__file__).parent)))
    reported: list[Path] = []
    orphans_seen = 0
    kills = budget(30, 100)
    with timed("kill -9 during saving"):
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, str(script), str(home)],
                                    stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.08))
            os.kill(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            # Only whole lines were certainly written by print() before the kill.
            lines = out.split("\n")
            reported += [Path(x) for x in lines[:-1] if x]
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


SHIFT_SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from oncall.store.shifts import ShiftSave, save_shift

    save = ShiftSave.model_validate_json(Path(sys.argv[2]).read_text())
    home = Path(sys.argv[1])
    print("ready", flush=True)
    while True:
        print(save_shift(save.record, save.card, home), flush=True)
""")


def test_kill_9_while_saving_a_shift_leaves_no_temp_file_after_the_next_start(
        tmp_path: Path) -> None:
    from oncall.session import ShiftSession
    from oncall.store.shifts import load_shift, shift_text, shifts_dir

    session = ShiftSession(2, 120, save=False)
    session.do({"do": "abandon"})
    assert session.card is not None
    night = tmp_path / "night.json"
    night.write_text(shift_text(session.shift.record, session.card))
    script = tmp_path / "shift_saver.py"
    script.write_text(SHIFT_SAVER)
    home, rng = tmp_path / "home", random.Random(21)
    folder = shifts_dir(home)
    reported: list[Path] = []
    orphans = 0
    kills = budget(8, 100)
    with timed("kill -9 during shift saves"):
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, str(script), str(home), str(night)],
                                    stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.05))
            os.kill(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=30)
            reported += [Path(x) for x in out.split("\n")[:-1] if x]
            orphans += sum(1 for _ in folder.glob(".*.tmp")) if folder.is_dir() else 0
            assert cli.main(["--home", str(home), "shift", "numbers"]) == 0  # the next start
            assert not list(folder.glob("*.tmp")) if folder.is_dir() else True
    saved = sorted(folder.glob("*.json"))
    assert set(reported) <= set(saved) and saved
    for path in saved[:5] + saved[-5:]:
        load_shift(path)
    count("kill -9 during shift saves", kills)
    count("shift temp files swept", orphans)
