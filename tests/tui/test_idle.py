"""A screen the player only reads costs nothing: once the work done ahead is over, the war room,
a form over it and the help over it repaint only for the cursor's blink. (A help built ahead
behind the room left the room repainting itself every frame under any modal screen: a core
spun and every key a test typed waited on the app going idle.)"""

from __future__ import annotations

import asyncio
import collections
from typing import Any

import pytest
from pilot_helpers import acked_room, settle
from textual.screen import Screen

from oncall.tui.app import OncallApp

READ_S = 0.6
AT_MOST = 6
"""Repaints in 0.6 s of reading: the cursor blinks twice a second, and a screen and the one
beneath repaint for it."""


async def repaints_while_reading(pilot: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts: collections.Counter[str] = collections.Counter()
    real = Screen._compositor_refresh

    def counted(self: Screen[Any]) -> None:
        counts[type(self).__name__] += 1
        real(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", counted)
    await asyncio.sleep(READ_S)
    monkeypatch.setattr(Screen, "_compositor_refresh", real)
    return dict(counts)


async def test_reading_a_screen_repaints_only_for_the_cursor(
        incident_app: OncallApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The room once what is built behind it is built; then a form over it; then the help."""
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        for _ in range(100):  # the room read: what is built behind it is built
            await asyncio.sleep(0.05)
            if room._form is not None and room._form.built:
                break
        await asyncio.sleep(0.2)  # its last piece drawn
        seen = {"the war room": await repaints_while_reading(pilot, monkeypatch)}
        await pilot.press("u")
        await settle(pilot)
        seen["a form over it"] = await repaints_while_reading(pilot, monkeypatch)
        await pilot.press("escape", "f1")
        await settle(pilot)
        seen["the help over it"] = await repaints_while_reading(pilot, monkeypatch)
        assert all(sum(counts.values()) <= AT_MOST for counts in seen.values()), seen
