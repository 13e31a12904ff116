"""The night's clock tells the truth: nothing runs past the shift's end, and what the night
records happens at its own minute, whatever the size of the player's waits."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from oncall.game.shift import Shift

END = 120


@pytest.fixture(scope="module")
def short_night() -> Shift:
    """Seed 1 over two hours, built once (each test plays a copy: a copy plays as a fresh
    build)."""
    return Shift(1, length=END)


def test_a_wait_stops_at_the_shift_end_and_the_night_closes_there(short_night: Shift) -> None:
    s = copy.deepcopy(short_night)
    while not s.ended:
        last = s.do({"do": "wait", "minutes": 30})
    assert (last.t, last.cost) == (END, 1) and last.text.endswith("The shift is over.")
    assert s.record.entries[-1].command == {"do": "wait", "minutes": 30}  # as typed
    assert s.now == s.record.facts.ended_at == END
    assert max(e.observation.t for e in s.record.entries) == END


def test_a_look_that_would_run_past_the_end_is_cut_at_it(short_night: Shift) -> None:
    s = copy.deepcopy(short_night)
    while s.now < END - 2:
        s.do({"do": "wait", "minutes": min(30, END - 2 - s.now)})
    obs = s.do({"do": "logs", "model": s.world.fault.model})  # 3 minutes, 2 left
    assert obs.ok and (obs.t, obs.cost) == (END, 2) and s.ended
    assert s.record.facts.ended_at == END


def _passive(s: Shift, wait: int, end_at: int | None = None) -> Shift:
    """Acknowledge every page, fix nothing, wait `wait` minutes at a time (woken early by the
    pager); go off the pager at `end_at`."""
    while not s.ended:
        if end_at is not None and s.now >= end_at:
            s.do({"do": "end"})
        elif any(p.acked_at is None for p in s.record.facts.pages):
            s.do({"do": "ack"})
        else:
            s.do({"do": "wait", "minutes": wait})
    return s


@pytest.fixture(scope="module")
def passive_nights() -> dict[str, Shift]:
    """Seed 1's whole night (the fraud-scorer fault pages at 01:20 and nobody fixes it) played
    with waits of 5 minutes, of 30, and gone off the pager at 02:00."""
    built = Shift(1)
    return {"wait 5": _passive(copy.deepcopy(built), 5),
            "wait 30": _passive(copy.deepcopy(built), 30),
            "end at 02:00": _passive(copy.deepcopy(built), 5, end_at=120)}


def test_the_secondary_takes_over_at_its_own_minute_whatever_the_waits(
        passive_nights: dict[str, Shift]) -> None:
    """Seed 1 handed over at 04:21 with waits of 5 minutes, 04:46 with waits of 30 and 06:00
    when the night was ended early (where the fault's stop was never recorded). Three hours
    after the page, each time, and the event says how long it was."""
    for how, s in passive_nights.items():
        inc = s.world.fault
        at = inc.page_at + 180
        g = s.game.record.facts
        said = [ev for e in s.record.entries for ev in e.observation.events
                if ev["kind"] == "handover"]
        assert [ev["t"] for ev in said] == [at], how
        assert said[0]["text"].startswith("three hours after the page the secondary"), how
        assert inc.course.fixed_at() == g.mitigated_at == at and g.handed_over, how
        item = next(it for it in s.record.facts.items if it.incident == inc.id)
        assert (item.done_at, item.outcome) == (at, "handed over"), how
    budgets = {how: s.record.facts.budget for how, s in passive_nights.items()}
    assert len({repr(b) for b in budgets.values()}) == 1, budgets


def test_the_budget_the_secondary_saved_is_not_the_players(
        passive_nights: dict[str, Shift]) -> None:
    """Nobody fixed seed 1's fault: the secondary's takeover saved the budget it saved, and
    `shift numbers` credited it to the player as saved by mitigating."""
    from oncall.sim import budget as bd

    s = passive_nights["wait 5"]
    model = s.world.fault.model
    b = s.record.facts.budget
    assert b["saved_pct"][model] == 0.0 and b["secondary_saved_pct"][model] > 10
    kept = list(s.world.fault.course.events)
    s.world.fault.course.events = []  # nobody at all: the night unfixed to its end
    unfixed = bd.failed_requests(s.world, model, 0, s.now)
    s.world.fault.course.events = kept
    total = 100 * (unfixed - bd.failed_requests(s.world, model, 0, s.now)) / \
        bd.budget_requests(s.world, model)
    assert abs(b["saved_pct"][model] + b["secondary_saved_pct"][model] - total) < 0.01


def test_an_answer_to_a_colleague_holds_when_it_was_said_and_when_they_answered(
        short_night: Shift, tmp_path: Path) -> None:
    """Seed 1's feature request arrives at 00:16; the player agrees at once (1 minute) and
    the requester answers 6 minutes later. The record held 00:23 as the minute the player
    said it. A save of record format 1 (which held only that) is read as format 2."""
    from oncall.scoring.shift import score_shift
    from oncall.store.shifts import load_shift, shift_text

    s = copy.deepcopy(short_night)
    assert s.do({"do": "wait", "minutes": 30}).clock == "00:16"
    obs = s.do({"do": "agree"})
    said = s.record.facts.conversations[0].said[0]
    delay = obs.data["answered_after"]
    assert (said.t, said.answered_at) == (17, 17 + delay) and delay > 1
    s.do({"do": "abandon"})
    saved = json.loads(shift_text(s.record, score_shift(s.record)))
    old = saved["record"]
    old["format"] = 1
    del old["facts"]["budget"]["secondary_saved_pct"]
    for cv in old["facts"]["conversations"]:
        for x in cv["said"]:
            x["t"] = x.pop("answered_at")
    path = tmp_path / "format-1.json"
    path.write_text(json.dumps(saved))
    assert load_shift(path).record == s.record
