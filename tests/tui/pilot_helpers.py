"""Driving the app as a player does, shared by the TUI tests."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def typed(pilot: Pilot[None], line: str) -> None:
    """Type a command line as the player would: `:` to focus, the text, enter."""
    await pilot.press("colon")
    field = pilot.app.screen.query_one("#cmdline", Input)
    assert field.has_focus
    field.value = line
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("escape")  # back from the command line to the keys
