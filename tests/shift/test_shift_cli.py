"""`oncall shift` from the command line: a headless night saved, then read back as stories and
as career numbers; bad arguments get one clear line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from oncall_cli import run_oncall
from shift_players import Calm

from oncall.game.shift import Shift
from oncall.store.shifts import load_shifts
from oncall.story.career import career_sheet


def _oncall(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_oncall(args, input=stdin, timeout=180)


@pytest.mark.heavy
def test_a_saved_shift_reads_back_as_stories_and_numbers(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for seed in (2, 4):
        played = Calm(Shift(seed)).play()
        script = "".join(json.dumps(e.command) + "\n" for e in played.record.entries)
        run = _oncall("--home", str(home), "shift", "--headless", "--seed", str(seed),
                      stdin=script)
        assert run.returncode == 0, run.stderr
        last = json.loads(run.stdout.splitlines()[-1])
        assert Path(last["saved"]).is_file()
    saves, errors = load_shifts(home)
    assert len(saves) == 2 and not errors
    story = _oncall("--home", str(home), "shift", "story", "--kind", "tradeoff")
    assert story.returncode == 0 and "reliability against team velocity" in story.stdout
    numbers = _oncall("--home", str(home), "shift", "numbers")
    assert numbers.returncode == 0
    assert numbers.stdout == career_sheet(saves)
    incidents = sum(1 for s in saves for it in s.record.facts.items if it.kind == "incident")
    assert f"Incidents handled: {incidents}," in numbers.stdout
    assert "| Temperament |" in numbers.stdout


def test_bad_arguments_get_one_line(tmp_path: Path) -> None:
    run = _oncall("shift", "--headless", "--length", "forever")
    assert run.returncode == 2 and "--length" in run.stderr and "Traceback" not in run.stderr
    run = _oncall("--home", str(tmp_path), "shift", "story")
    assert run.returncode == 2 and "no shift saved" in run.stderr
    bad = tmp_path / "shifts" / "broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    run = _oncall("--home", str(tmp_path), "shift", "story", str(bad))
    assert run.returncode == 2 and "broken.json" in run.stderr and "Traceback" not in run.stderr


def test_a_headless_night_whose_input_ends_without_end_is_kept_as_abandoned(
        tmp_path: Path) -> None:
    """It was dropped without a word: no save, no card, the last line the last answer. Kept
    now as a player who goes away leaves it, its abandon recorded (so it replays)."""
    import io

    from oncall.headless import _Watch, run_shift
    from oncall.store.shifts import load_shift

    out, watch = io.StringIO(), _Watch()
    session = run_shift(7, 120, "normal", io.StringIO('{"do":"wait","minutes":30}\n'), out,
                        home=tmp_path, watch=watch)
    last = json.loads(out.getvalue().splitlines()[-1])
    assert last["kind"] == "abandoned" and "input ended" in last["text"]
    assert last["scorecard"]["total"] >= 0
    record = load_shift(Path(last["saved"])).record
    assert record.facts.abandoned_at == record.entries[0].observation.t > 0
    assert record.entries[-1].command == {"do": "abandon", "reason": "the input ended"}
    assert record == session.shift.record and watch.note and last["saved"] in watch.note
