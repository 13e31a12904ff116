"""The night shift in the TUI and its command surface: the budget and pages always in view, the
war room's command line (completion with a list, echoes that retype), lines typed while a
command runs queued in order, unknown obs ids and arguments refused for free, incidents named by
their page, and leaving asks first and saves the night as abandoned."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from oncall.game.shift import Shift
from oncall.session import ShiftSession
from oncall.store.shifts import load_shifts
from oncall.tui.app import make_app
from oncall.tui.cmdline import parse_line
from oncall.tui.screens.confirm import ConfirmScreen
from oncall.tui.screens.night import NightScreen, night_app
from oncall.tui.widgets.obslog import ObservationLog


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _built(pilot) -> NightScreen:  # type: ignore[no-untyped-def]
    """Wait until the night screen is up and its shift built (the screen may open a frame late,
    and the shift builds in a worker)."""
    for _ in range(200):
        await _settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, NightScreen) and screen.session is not None:
            return screen
    raise AssertionError("the night never finished building")


async def _type(pilot, line: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one("#night-cmd", Input)
    field.value = line
    await pilot.press("enter")
    await _settle(pilot)


def _log_text(screen: NightScreen) -> str:
    return screen.query_one(ObservationLog).text()


# -- the shift's command surface (no screen) ----------------------------------------------------
def test_an_unknown_obs_id_or_argument_is_refused_and_costs_nothing() -> None:
    s = Shift(2)
    s.do({"do": "wait", "minutes": 30})
    before = s.now
    obs = s.do({"do": "reply", "about": "c1", "evidence": ["obs-99"]})
    assert not obs.ok and "obs-99 is not an observation of this night" in obs.text
    for raw in ({"do": "status", "verbose": 1}, {"do": "help", "x": "y"}):
        refused = s.do(raw)
        assert not refused.ok and "unknown argument" in refused.text
    assert s.now == before
    assert "at most 30, got 40" in s.do({"do": "wait", "minutes": 40}).text


def test_take_reads_about_and_old_saves_with_item_still_replay() -> None:
    a, b = Shift(2), Shift(2)
    a.do({"do": "take", "about": "q1"})
    b.do({"do": "take", "item": "q1"})
    assert a.record.entries[-1].command == b.record.entries[-1].command == \
        {"do": "take", "about": "q1"}
    assert a.record.model_dump(mode="json") == b.record.model_dump(mode="json")


def _paged(seed: int = 2) -> Shift:
    s = Shift(seed)
    while not s.record.facts.pages and not s.ended:
        s.do({"do": "wait", "minutes": 30})
    return s


def test_incidents_are_named_by_their_page() -> None:
    s = _paged()
    while not any(it.incident is not None for it in s.record.facts.items) and not s.ended:
        s.do({"do": "wait", "minutes": 30})  # the first page may be noise
    page = next(it for it in s.record.facts.items if it.incident is not None)
    assert s.incident_names() == {page.incident: page.page}
    obs = s.do({"do": "resolve", "incident": page.page})
    recorded = s.record.entries[-1].command
    assert recorded["incident"] == page.page, "the record keeps the page the player named"
    assert f"incident {page.incident} " not in obs.text
    missing = s.do({"do": "resolve", "incident": "p99"})
    assert not missing.ok and "no page or queue item 'p99'" in missing.text


def test_abandoning_a_night_ends_it_and_saves_it_marked(tmp_path: Path) -> None:
    session = ShiftSession(2, home=tmp_path)
    assert session.abandon() is None, "nothing to keep before the first command"
    session.do({"do": "wait", "minutes": 10})
    outcome = session.abandon()
    assert outcome is not None and outcome.ok and outcome.path is not None
    saves, errors = load_shifts(tmp_path)
    assert not errors and saves[0].record.facts.abandoned_at == 10 and saves[0].record.ended


def test_every_shift_command_echoes_as_a_line_that_types_it_back() -> None:
    from oncall.tui.cmdline import command_line

    for command in ({"do": "take", "about": "q3"}, {"do": "ack", "page": "p2"},
                    {"do": "reply", "about": "c1", "evidence": ["obs-3", "obs-4"]},
                    {"do": "defer", "about": "c2", "minutes": 60},
                    {"do": "silence", "alert": "*", "model": "fraud-scorer", "minutes": 90},
                    {"do": "diagnose", "evidence": ["obs-9"], "category": "data",
                     "cause": "D4"}):
        line = command_line(command)
        typed = {k: [str(x) for x in v] if isinstance(v, list) else str(v)
                 for k, v in command.items()}
        assert parse_line(line, shift=True) == typed, line
    assert command_line({"do": "diagnose", "evidence": ["obs-9"], "category": "data",
                         "cause": "D4"}) == "diagnose data D4 evidence=obs-9"


# -- the screen ------------------------------------------------------------------------------------
async def test_title_opens_a_night_with_the_budget_in_view(tmp_path: Path) -> None:
    app = make_app(home=tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.press("h")
        screen = await _built(pilot)
        status = str(screen.query_one("#night-status", Static).render())
        assert "budget" in status and "% left" in status and "shift ends 06:00" in status
        assert "q1" in str(screen.query_one("#night-queue", Static).render())


async def test_a_line_typed_while_a_command_runs_is_queued_and_runs_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    real = ShiftSession.do

    def slow(self: ShiftSession, raw: Any) -> Any:
        if isinstance(raw, dict) and raw.get("do") == "wait":
            gate.wait(10)
        return real(self, raw)

    monkeypatch.setattr(ShiftSession, "do", slow)
    app = night_app(2, 360, "normal", tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await _built(pilot)
        await pilot.press(*"wait 30", "enter", *"queue", "enter")
        await pilot.pause()
        assert list(screen.waiting) == ["queue"] and screen.busy
        assert "queued: queue" in _log_text(screen)
        gate.set()
        for _ in range(20):
            await _settle(pilot)
        assert screen.session is not None
        done = [e.command["do"] for e in screen.session.shift.record.entries]
        assert done == ["wait", "queue"] and not screen.waiting


async def test_tab_lists_the_choices_with_what_each_is_and_stays_in_the_line(
        tmp_path: Path) -> None:
    app = night_app(2, 360, "normal", tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await _built(pilot)
        field = screen.query_one("#night-cmd", Input)
        await pilot.press(*"si")
        await pilot.press("tab")
        assert field.has_focus and field.value == "silence "
        await pilot.press("tab")  # no word yet: tab lists the alerts, with their summary
        menu = screen.query_one("#night-cmd-menu", OptionList)
        assert menu.display and menu.option_count > 3
        first = str(menu.get_option_at_index(0).prompt)
        assert first.startswith("*") and field.has_focus
        await pilot.press("down", "tab")
        assert field.value.startswith("silence ") and len(field.value.split()) == 2
        assert not menu.display


@pytest.mark.parametrize("key", ["escape", "ctrl+q", "ctrl+g"])
async def test_leaving_asks_first_and_saves_the_night_as_abandoned(
        tmp_path: Path, key: str) -> None:
    app = night_app(2, 360, "normal", tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await _built(pilot)
        await _type(pilot, "wait 10")
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), f"{key} left without asking"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and not load_shifts(tmp_path)[0]
        await pilot.press(key)
        await pilot.pause()
        await pilot.press("y")
        for _ in range(10):
            await _settle(pilot)
    saves, _ = load_shifts(tmp_path)
    assert len(saves) == 1 and saves[0].record.facts.abandoned_at == 10


async def test_unknown_obs_ids_are_refused_on_screen_for_free(tmp_path: Path) -> None:
    app = night_app(2, 360, "normal", tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await _built(pilot)
        await _type(pilot, "wait 30")
        await _type(pilot, "take q1")
        assert screen.session is not None
        now = screen.session.shift.now
        await _type(pilot, "reply c9 evidence=obs-99")
        assert screen.session.shift.now == now
        assert "obs-99 is not an observation of this night" in _log_text(screen)
        assert "taken" in str(screen.query_one("#night-queue", Static).render())


async def test_a_saved_night_is_listed_in_stories_and_tells_its_story(tmp_path: Path) -> None:
    from textual.widgets import DataTable

    from oncall.tui.screens.career import CareerScreen
    from oncall.tui.screens.story import StoryScreen

    session = ShiftSession(2, home=tmp_path)
    session.do({"do": "wait", "minutes": 10})
    assert session.abandon() is not None
    app = make_app(home=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(CareerScreen(stories=True))
        await _settle(pilot)
        table = app.screen.query_one("#saves", DataTable)
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == "night shift normal" and row[1] == "2" and "(abandoned)" in row[2]
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        assert "No story" not in app.screen.query_one("#story-md").source  # type: ignore[attr-defined]


def test_the_queue_column_says_a_later_days_deadline_by_its_date() -> None:
    """A certificate ticket due in 11 days reads `by Mar 28`, never `by 00:00` (tonight)."""
    from oncall.sim.clock import DAY
    from oncall.tui.widgets.nightstatus import queue_text

    def item(i: str, deadline: int) -> dict[str, object]:
        return {"id": i, "priority": 4, "title": "ticket", "deadline": deadline,
                "done_at": None, "arrives_at": 0, "outcome": None, "taken_at": None}

    text = queue_text({"queue": [item("q1", 11 * DAY), item("q2", 270)], "talks": []})
    assert "q1 P4 ticket (by Mar 28; waiting)" in text
    assert "q2 P4 ticket (by 04:30; waiting)" in text
