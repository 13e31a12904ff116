"""Driving the app as a player does, shared by the TUI tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.pilot import Pilot
from textual.widgets import Input

if TYPE_CHECKING:
    from oncall.tui.screens.night import NightScreen


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


async def night_built(pilot: Pilot[None]) -> NightScreen:
    """The night screen once it is up and its shift built (the screen may open a frame late,
    and the shift builds in a worker)."""
    from oncall.tui.screens.night import NightScreen

    for _ in range(200):
        await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, NightScreen) and screen.session is not None:
            return screen
    raise AssertionError("the night never finished building")
