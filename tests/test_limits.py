"""What a game keeps, and how much: refused lines are counted and summarised in the save, never
stored whole; a command over 64 KB is refused unseen; a record that reaches its limit ends the
game as abandoned; and every save the game writes is one it reads back and replays."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from fuzz_budget import budget, count, timed

from oncall import cli
from oncall.content import loader
from oncall.session import FULL, MAX_COMMAND_CHARS, Session, replay
from oncall.store.saves import MAX_SAVE_BYTES, load_save

MB = 1024 * 1024
SCENARIO = "search-1"


def vm_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_refused_megabyte_lines_are_counted_not_kept_and_the_save_replays(
        tmp_path: Path) -> None:
    """`--fuzz-long` sends the 10,000 lines of 1 MB; the peak RSS must stay under 300 MB."""
    n = budget(150, 10_000)
    home = tmp_path / "home"
    sc = loader.scenario(SCENARIO)
    big = "x" * MB
    kinds = [json.dumps({"do": "deploys", "model": big}).encode(),  # over 64 KB: refused
             b"{" + big.encode(),  # not JSON
             json.dumps({"do": big}).encode()]
    proc = subprocess.Popen([sys.executable, "-m", "oncall", "--home", str(home), "play",
                             "--headless", "--scenario", SCENARIO, "--seed", "5"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        assert proc.stdin is not None
        for i in range(n):
            proc.stdin.write(kinds[i % len(kinds)] + b"\n")
        for c in sc.playbook.right:
            proc.stdin.write(json.dumps(c).encode() + b"\n")
        proc.stdin.flush()

    with timed("refused 1 MB lines"):
        writer = threading.Thread(target=feed)
        writer.start()
        lines = 0
        for raw in proc.stdout:
            lines += 1
            last = json.loads(raw)
            if "saved" in last or "save_error" in last:
                break
        peak = vm_peak_mb(proc.pid)
        writer.join()
        proc.stdin.close()
        proc.wait(timeout=120)
    assert proc.returncode == 0 and last["saved"] and lines >= n
    assert peak < 300, f"peak RSS {peak:.0f} MB"
    save = load_save(Path(last["saved"]))
    assert save.refused is not None and save.refused.lines == n
    assert save.refused.chars >= n * MB and len(save.refused.first) == 3
    assert all(len(q) <= 300 for q in save.refused.first)
    assert all(len(json.dumps(e.command)) < MAX_COMMAND_CHARS for e in save.record.entries)
    assert Path(last["saved"]).stat().st_size < MB
    assert cli.main(["replay", last["saved"]]) == 0
    count("refused 1 MB lines", n)
    count(f"peak RSS (MB) over {n:,} refused 1 MB lines", round(peak))


def test_a_full_record_ends_the_game_as_abandoned_and_the_save_replays(tmp_path: Path) -> None:
    sc = loader.scenario(SCENARIO)
    s = Session(sc, 5, home=tmp_path, record_limit=50_000)
    answers = [s.do({"do": "deploys", "model": "m" * 20_000}) for _ in range(5)]
    assert s.ended and s.card is not None and s.outcome is not None and s.outcome.ok
    ending = next(a for a in answers if a.scorecard)
    assert FULL in ending.text and "unknown model" in ending.text
    save = load_save(s.outcome.path)  # type: ignore[arg-type]
    assert save.record.facts.abandoned_at is not None
    assert save.record.entries[-1].command == {"do": "abandon", "reason": FULL}
    again, card = replay(save.record, sc)
    assert again.model_dump(mode="json") == save.record.model_dump(mode="json")
    assert card == save.scorecard


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


ODD: list[Any] = [
    {"do": 5}, {"do": True}, {"do": None}, {"x": 1}, {}, {"do": "wait", "minutes": 10**400},
    {"do": "update", "message": "\u0000 nul, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, \u2028 line separator"},
    {"do": "deploys", "model": "y" * (MAX_COMMAND_CHARS - 100)},
    {"do": "logs", "model": {"a": nested(28)}},
    {"do": "wait", "minutes": -0.0}, {"do": "wait", "minutes": 1e308}, [1], "help", 7,
    {"do": "severity", "level": "2"}, {"do": "ack", "extra": {"k" * 300: "v"}},
]


@pytest.mark.parametrize("end", [{"do": "abandon", "reason": "\ud7ff odd reason"}, None])
def test_every_save_the_game_writes_is_one_it_reads_back_and_replays(
        tmp_path: Path, end: dict[str, Any] | None) -> None:
    sc = loader.scenario(SCENARIO)
    s = Session(sc, 5, home=tmp_path)
    for raw in ODD:
        s.do(raw)
    for c in [end] if end else sc.playbook.right:
        s.do(c)
    assert s.outcome is not None and s.outcome.ok and s.outcome.path is not None
    assert s.outcome.path.stat().st_size < MAX_SAVE_BYTES
    save = load_save(s.outcome.path)
    assert save.refused is not None and save.refused.lines >= 4  # the non-objects, do=5, ...
    again, card = replay(save.record, sc)
    assert again.model_dump(mode="json") == save.record.model_dump(mode="json")
    assert card == save.scorecard
