"""A command line the parser refuses comes back selected: the next typing replaces it, an arrow
keeps it to edit, and ctrl+u clears it as in a shell."""

from __future__ import annotations

from pilot_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Input, Static

from oncall.tui.app import OncallApp

BROKEN = 'logs fraud-scorer level="WARN'
"""A quote left open: the parser cannot read the line."""


async def refused(pilot: Pilot[None]) -> Input:
    """Type the broken line (set at once rather than key by key) and enter it."""
    await pilot.press("colon")
    line = pilot.app.screen.query_one("#cmdline", Input)
    line.value = BROKEN
    await pilot.press("enter")
    await settle(pilot)
    return line


async def test_a_refused_line_is_replaced_by_what_is_typed_next_or_put_right(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        line = await refused(pilot)
        error = app.screen.query_one("#cmd-error", Static)
        assert error.has_class("shown") and "cannot read" in str(error.render())
        assert line.has_focus and line.selected_text == line.value == BROKEN
        await pilot.press("ctrl+u")
        assert line.value == ""
        await pilot.press(*"status", "enter")
        await settle(pilot)
        assert app.game is not None
        assert app.game.record.entries[-1].observation.kind == "status"
        await refused(pilot)
        await pilot.press("end", "quotation_mark", "enter")  # put right: the quote closed
        await settle(pilot)
        assert app.game.record.entries[-1].command == {
            "do": "logs", "model": "fraud-scorer", "level": "WARN"}
        await refused(pilot)
        await pilot.press(*"status", "enter")  # replaced: not `statuslogs ...`
        await settle(pilot)
        assert app.game.record.entries[-1].observation.kind == "status"
        assert not error.has_class("shown")
