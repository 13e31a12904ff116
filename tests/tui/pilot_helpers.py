"""Driving the app as a player does, shared by the TUI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

if TYPE_CHECKING:
    from oncall.tui.screens.night import NightScreen
    from oncall.tui.screens.war_room import WarRoom


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def screen_when(pilot: Pilot[None], ready: Callable[[Screen[Any]], bool],
                      what: str) -> Screen[Any]:
    """The app's screen once `ready(screen)` holds, settling between looks."""
    for _ in range(200):
        await settle(pilot)
        if ready(pilot.app.screen):
            return pilot.app.screen
    raise AssertionError(f"{what} never came")


async def acked_room(pilot: Pilot[None]) -> WarRoom:
    """The war room, once the page has come and `a` acknowledged it."""
    from oncall.tui.screens.war_room import WarRoom

    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    room = pilot.app.screen
    assert isinstance(room, WarRoom)
    return room


async def recovered_room(pilot: Pilot[None]) -> WarRoom:
    """fraud-1 acknowledged and played right up to the resolve, its model recovered."""
    from oncall.content import loader

    room = await acked_room(pilot)
    for move in loader.scenario("fraud-1").playbook.right:
        if move["do"] not in ("ack", "postmortem", "resolve"):
            room.send(move)
            await settle(pilot)
    game = room.game
    for _ in range(6):
        if game.world.recovered(game.world.fault.id):
            break
        room.send({"do": "wait", "minutes": 10})
        await settle(pilot)
    return room


async def drawn(pilot: Pilot[None], selector: str) -> None:
    """Wait until the plot `selector` shows its figure (charts are drawn in a worker once
    they are laid out)."""
    for _ in range(100):
        await settle(pilot)
        if pilot.app.screen.query_one(selector).drawn:
            return
    raise AssertionError(f"{selector} was never drawn")


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


SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "ONCALL_UPDATE_SNAPSHOTS"


class Snapshot:
    """Compares the app's screen, as `App.export_screenshot` writes it (SVG text), with the
    file stored under tests/tui/snapshots/. `ONCALL_UPDATE_SNAPSHOTS=1 pytest tests/tui` writes
    the files anew; review them (open the SVG in a browser) before committing."""

    def __init__(self, out: Path) -> None:
        self.out = out

    async def __call__(self, pilot: Pilot[None], name: str) -> None:
        import os

        from textual.widgets import Input, TextArea

        app = pilot.app
        for widget in app.screen.query("Input, TextArea"):  # a blinking cursor is not layout
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
        app.clear_notifications()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        svg = app.export_screenshot(title=name)
        stored = SNAPSHOTS / f"{name}.svg"
        if os.environ.get(UPDATE) == "1" or not stored.exists():
            if os.environ.get("CI") and not stored.exists():
                raise AssertionError(f"no stored snapshot {stored}; run with {UPDATE}=1")
            SNAPSHOTS.mkdir(exist_ok=True)
            stored.write_text(svg, encoding="utf-8")
            return
        if stored.read_text(encoding="utf-8") != svg:
            got = self.out / f"{name}.svg"
            got.write_text(svg, encoding="utf-8")
            raise AssertionError(f"screen {name!r} differs from {stored}; this run's is {got} "
                                 f"(open both in a browser; {UPDATE}=1 accepts the new one)")
