"""Shift saves carry the incident saves' guarantees: validated on load with one-line reasons,
swept of orphan temp files, and re-scored to exactly the card they hold."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fuzz_budget import budget, count

from oncall.scoring.shift import score_shift
from oncall.session import ShiftSession
from oncall.store.jsonio import dump_json
from oncall.store.saves import SaveError, sweep
from oncall.store.shifts import load_shift, shift_text


def typed_out_of_order(rng: random.Random, session: ShiftSession) -> dict[str, Any]:
    """A command as a player types it: arguments in any order (a save stores them sorted),
    often a move on an incident's model before any evidence (the card quotes those)."""
    burning = [k.model for k in session.shift.record.key.incidents]
    model = rng.choice(burning if rng.random() < 0.6 else session.shift.world.fleet.names())
    return rng.choice([
        {"minutes": rng.choice([5, 15, 30]), "do": "wait"},
        {"model": model, "do": "silence", "minutes": 60, "alert": "*"},
        {"do": "queue"}, {"window": 60, "model": model, "do": "logs"},
        {"item": f"q{rng.randint(1, 4)}", "do": "take"},
        {"page": "p1", "do": "ack"},
        {"team": "model-owners", "do": "escalate", "model": model},
        {"model": model, "fix": "restart_pods", "do": "hotfix"},
        {"to": "r1", "model": model, "do": "rollback"},
        {"model": model, "do": "rollback"},
    ])


@cache
def night(seed: int) -> tuple[str, dict[str, Any]]:
    """A night from a fuzz seed, ended, saved; its save's text and the card the player saw."""
    rng = random.Random(seed)
    session = ShiftSession(seed, 120, rng.choice(["easy", "normal", "hard"]), save=False)
    for _ in range(rng.randint(3, 12)):
        session.do(typed_out_of_order(rng, session))
        if session.ended:
            break
    if not session.ended:
        session.do({"reason": "fuzz", "do": "abandon"})
    assert session.card is not None
    return shift_text(session.shift.record, session.card), session.card.model_dump(mode="json")


@pytest.mark.parametrize("seed", range(budget(4, 30)))
def test_every_fuzzed_shift_save_rescores_to_its_card_byte_for_byte(
        seed: int, tmp_path: Path) -> None:
    text, shown = night(seed)
    path = tmp_path / "night.json"
    path.write_text(text)
    save = load_shift(path)
    again = score_shift(save.record)
    assert dump_json(again) == dump_json(save.card)
    assert again.model_dump(mode="json") == shown
    count("shift saves re-scored")


def tampered(tmp_path: Path, change: Any) -> Path:
    data = json.loads(night(1)[0])
    change(data)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    return path


def deep(data: dict[str, Any]) -> None:
    nest: Any = 0
    for _ in range(600):
        nest = [nest]
    data["record"]["entries"][0]["command"]["x"] = nest


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d.update(format=2), "format version 2; this version of oncall reads shift "
                                   "format 1"),
    (lambda d: d["record"].update(seed=-1), "record.seed: -1 is outside 0..2**63-1"),
    (lambda d: d["record"].update(length=0), "record.length: 0 minutes is outside 120..720"),
    (lambda d: d["record"].update(difficulty="insane"), "record.difficulty: 'insane' is not"),
    (lambda d: d["record"]["facts"].update(start=10**20), "record.facts.start: "),
    (lambda d: d["record"]["game"].update(seed=-5), "record.game.seed: -5 is outside"),
    (lambda d: d["record"]["entries"][0]["command"].update(do=5),
     "record.entries[0].command.do: not a command name"),
    (deep, "nested more than 64 levels deep"),
])
def test_a_tampered_shift_save_is_refused_in_one_line(
        tmp_path: Path, change: Any, reason: str) -> None:
    path = tampered(tmp_path, change)
    before = path.read_bytes()
    with pytest.raises(SaveError) as err:
        load_shift(path)
    assert reason in str(err.value) and "\n" not in str(err.value), str(err.value)
    assert str(path) in str(err.value) and path.read_bytes() == before


def test_orphans_are_swept_from_every_folder_the_game_writes(tmp_path: Path) -> None:
    dead = 2**22 + 12345  # above any pid this machine hands out
    orphans = [tmp_path / folder / f".x.json.{dead}.abc.tmp"
               for folder in ("incidents", "shifts", "stories")]
    for p in orphans:
        p.parent.mkdir()
        p.write_text("{")
    mine = tmp_path / ".notes.tmp"  # not a file the game writes: left alone
    mine.write_text("keep")
    assert sorted(sweep(tmp_path)) == sorted(orphans)
    assert not any(p.exists() for p in orphans) and mine.exists()
