"""The night shift in the TUI: reached from the title screen, the error budget always in view,
commands typed on its command line answered from the shift, the queue redrawn."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, RichLog, Static

from oncall.tui.app import make_app
from oncall.tui.screens.night import NightScreen, night_app


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
    field.focus()
    field.value = line
    await pilot.press("enter")
    await _settle(pilot)


async def test_title_opens_a_night_with_the_budget_in_view(tmp_path: Path) -> None:
    app = make_app(home=tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.press("h")
        await _built(pilot)
        status = str(app.screen.query_one("#night-status", Static).render())
        assert "error budget: worst" in status and "% left" in status
        queue = str(app.screen.query_one("#night-queue", Static).render())
        assert "q1" in queue


async def test_typed_commands_move_the_night_and_redraw_the_queue(tmp_path: Path) -> None:
    app = night_app(2, 360, "normal", tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await _built(pilot)
        assert screen.session is not None
        await _type(pilot, "wait 30")
        await _type(pilot, "take q1")
        assert screen.session.shift.now >= 30
        assert screen.session.shift.record.facts.items[0].taken_at is not None
        queue = str(screen.query_one("#night-queue", Static).render())
        assert "taken" in queue
        await _type(pilot, "reply c9 evidence=obs-1")
        log = screen.query_one("#night-log", RichLog)
        assert any("nothing open about 'c9'" in str(line) for line in log.lines)
