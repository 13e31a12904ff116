"""Real-time mode (`--realtime`): while the page waits unacknowledged the clock runs one simulated
minute per real minute (a short one here), each minute a recorded `wait 1`; the bell rings on the
page and on each escalation; the status bar turns red past the acknowledgement target; the burn
bar and the next update's countdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pilot_helpers import night_built, settle, typed

from oncall.tui.app import OncallApp, make_app
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.war_room import WarRoom
from oncall.tui.widgets.obslog import ObservationLog
from oncall.tui.widgets.status import IncidentStatus, burn_bar, update_due

MINUTE_S = 0.05
"""The real-time minute of these tests."""


def _app(home: Path, realtime: float | None = MINUTE_S) -> tuple[OncallApp, list[int]]:
    app = make_app(seed=1, scenario="fraud-1", home=home, realtime=realtime)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    return app, bells


def _waits(app: OncallApp) -> list[dict[str, object]]:
    assert app.session is not None
    return [e.command for e in app.session.record.entries if e.command.get("do") == "wait"]


async def _until(pilot, test, what: str) -> None:  # type: ignore[no-untyped-def]
    """Poll the app's state. Not `pilot.pause`: it waits on every widget of the screen, and a
    toast or footer key removed meanwhile (the clock runs every few milliseconds here) never
    answers, so a loaded machine timed out."""
    import asyncio

    for _ in range(200):
        await asyncio.sleep(MINUTE_S)
        await pilot.app.workers.wait_for_complete()
        if test():
            return
    raise AssertionError(f"never: {what}")


async def test_the_unanswered_page_runs_the_clock_rings_and_turns_red(home: Path) -> None:
    app, bells = _app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, PageScreen) and bool(bells),
                     "the page, with a bell")
        status = app.screen.query_one(IncidentStatus)
        await _until(pilot, lambda: status.has_class("overdue"), "red past the ack target")
        assert "ACK OVERDUE" in str(status.render())
        assert app.session is not None
        with app.session._lock:  # a wait may be under way in its worker
            waits = _waits(app)
            late = app.session.game.now - app.session.game.record.facts.page_at
        assert len(waits) >= 6 and all(w == {"do": "wait", "minutes": 1} for w in waits)
        assert late == len(waits)
        assert len(bells) >= 2, "no bell when the page escalated to the secondary"
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, WarRoom), "the war room")
        acked = len(_waits(app))
        room = app.screen
        assert isinstance(room, WarRoom)
        logged = [c for c, _ in room.entries if c.get("do") == "wait"]
        assert len(logged) == acked, "a real-time minute on the page is missing from the log"
        heads = room.query_one(ObservationLog).heads()
        assert sum("wait 1 (1 min)" in h for h in heads) == acked
        await pilot.pause(MINUTE_S * 6)
        await settle(pilot)
        assert len(_waits(app)) == acked, "the clock ran after the acknowledgement"
        head = str(app.screen.query_one(IncidentStatus).render()).splitlines()[0]
        # a silent fault with no labels in yet: the bar gives the predictions' shift (its size
        # depends on how many real-time minutes the loaded machine let pass)
        assert "update 15m" in head and re.search(r"pred -\d+%", head) and len(head) <= 80


async def test_the_war_room_before_the_ack_runs_the_clock_too(home: Path) -> None:
    app, _ = _app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, PageScreen), "the page")
        await pilot.press("w")
        await _until(pilot, lambda: len(_waits(app)) >= 2, "waits in the war room")
        assert isinstance(app.screen, WarRoom)


async def test_without_realtime_the_clock_waits_for_the_player(home: Path) -> None:
    app, bells = _app(home, realtime=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        assert isinstance(app.screen, PageScreen) and not _waits(app) and not bells


async def test_updates_count_down_from_the_ack_then_the_last_update(home: Path) -> None:
    app, _ = _app(home, realtime=None)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await typed(pilot, "wait 20")
        head = str(app.screen.query_one(IncidentStatus).render()).splitlines()[0]
        assert "update overdue 5 min" in head and "labelled" in head
        await typed(pilot, 'update "looking into fraud-scorer"')
        head = str(app.screen.query_one(IncidentStatus).render()).splitlines()[0]
        assert "update due in 30 min" in head


@pytest.mark.parametrize(("pct", "bar"), [(0, "░" * 10), (0.1, "█" + "░" * 9),
                                          (5, "█" * 5 + "░" * 5), (40, "█" * 10)])
def test_the_burn_bar_fills_to_ten_percent(pct: float, bar: str) -> None:
    assert burn_bar(pct) == bar


def test_no_update_is_due_before_the_ack_or_after_the_resolve() -> None:
    state = {"phase": "paged", "acked_at": None, "now": 130, "updates_at": []}
    assert update_due(state) is None
    assert update_due(state | {"phase": "active", "acked_at": 125}) == 10
    assert update_due(state | {"phase": "resolved", "acked_at": 125}) is None
    assert update_due(state | {"phase": "active", "acked_at": 100, "updates_at": [110]}) == 10


@pytest.mark.parametrize("verb", [["play", "--scenario", "fraud-1", "--seed", "1"], ["shift"]])
def test_realtime_is_refused_headless(verb: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from oncall.cli import main

    assert main([*verb, "--realtime", "--headless"]) == 2
    assert "--realtime is for the TUI" in capsys.readouterr().err


async def test_the_night_waits_a_minute_only_while_a_page_is_unacknowledged(home: Path) -> None:
    from oncall.tui.screens.night import night_app

    app = night_app(2, 120, "normal", home, realtime=3600.0)  # minutes run by hand here
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await night_built(pilot)
        assert screen.session is not None
        entries = screen.session.shift.record.entries
        screen.realtime_minute()  # no page waiting: the clock stays
        await settle(pilot)
        assert not entries
        now = screen.view["now"]
        screen.view = screen.view | {"unacked": [("p1", now, "critical")]}
        screen.realtime_minute()
        await settle(pilot)
        assert [e.command for e in entries] == [{"do": "wait", "minutes": 1}]
        assert screen.session.shift.now == now + 1
