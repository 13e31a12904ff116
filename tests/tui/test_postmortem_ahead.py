"""The postmortem form built behind the war room while the incident is worked is the form built
at the resolve, to the character; keys typed right after `r` land in it however far it got; it
goes with the room when the room is left another way; and the room, kept while the form comes,
is taken down once the form is whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import acked_room, recovered_room, screen_when, settle
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from oncall.tui.app import make_app
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.title import TitleScreen
from oncall.tui.screens.war_room import WarRoom


async def build_ahead(pilot: Pilot[None], room: WarRoom, build: Any, ahead: str) -> None:
    """Build the form behind `room` "all" the way, only "started" (its pieces still to come),
    or not at all ("none": it is built at the resolve)."""
    if ahead == "none":
        return
    build(room)
    form = room._form
    assert form is not None
    while ahead == "all" and not form.built:
        await pilot.pause()
    assert form.built == (ahead == "all")


async def whole_form(pilot: Pilot[None]) -> PostmortemScreen:
    screen = await screen_when(pilot, lambda s: isinstance(s, PostmortemScreen) and s.ready,
                               "the whole form")
    assert isinstance(screen, PostmortemScreen)
    return screen


@pytest.mark.heavy
async def test_the_form_built_ahead_is_the_form_built_at_the_resolve_and_takes_keys_at_once(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built ahead all the way, part-way or not at all: the keys typed right after `r` land in
    the form, which is then the same to the character (screen, fields and command); ctrl+s
    files it. (One app per way, each checked for both: an app played up to the resolve is
    the costly part.)"""
    build = WarRoom._build_form
    monkeypatch.setattr(WarRoom, "_build_form", lambda self: None)
    screens, commands, fields = [], [], []
    for ahead in ("none", "all", "started"):
        app = make_app(seed=1, scenario="fraud-1", home=home / ahead)
        async with app.run_test(size=(80, 24)) as pilot:
            room = await recovered_room(pilot)
            await build_ahead(pilot, room, build, ahead)
            await pilot.press("r", *"Typed at once", "tab", *"More")
            form = await whole_form(pilot)
            for widget in form.query("Input, TextArea"):
                if isinstance(widget, Input | TextArea):
                    widget.cursor_blink = False
            await pilot.pause()
            screens.append(app.export_screenshot())
            commands.append(form.command())
            fields.append([w.id for w in form.query("*") if w.id and w.id.startswith("pm-")])
            for _ in range(5):  # the room, kept while the form came, is taken down after
                await settle(pilot)
            assert not room.is_attached and not app.is_screen_installed(room)
            await pilot.press("ctrl+s")
            for _ in range(200):
                await settle(pilot)
                if app.game is not None and app.game.phase == "ended":
                    break
            game = app.game
            assert game is not None and game.phase == "ended"
            filed = game.record.facts.postmortem
            assert filed is not None and filed.summary == "Typed at once", ahead
            assert filed.impact == "More", "a section starts empty: its hint is no text"
    assert fields[0] == fields[1] == fields[2]
    assert commands[0] == commands[1] == commands[2]
    assert commands[0]["summary"] == "Typed at once" and commands[0]["impact"] == "More"
    assert screens[0] == screens[1] == screens[2]


async def test_the_form_built_ahead_goes_with_a_room_left_unresolved(home: Path) -> None:
    app = make_app(seed=1, scenario="fraud-1", home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        room._build_form()
        form = room._form
        assert form is not None and form.is_attached and form not in app.screen_stack
        await pilot.press("ctrl+g", "y")
        for _ in range(20):
            await settle(pilot)
            if isinstance(app.screen, TitleScreen):
                break
        assert isinstance(app.screen, TitleScreen)
        assert not form.is_attached
