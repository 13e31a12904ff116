"""The new-shift list built behind the title while it is read is the list `n` builds, keys sent
right after `n` reach it whether it was ready or still loading, and leaving it builds the next
one ahead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import screen_when, settle
from textual.pilot import Pilot
from textual.widgets import OptionList

from oncall.tui.app import make_app
from oncall.tui.screens.shift import ShiftPicker
from oncall.tui.screens.title import TitleScreen


async def listed(pilot: Pilot[None]) -> ShiftPicker:
    screen = await screen_when(pilot, lambda s: isinstance(s, ShiftPicker) and bool(s.known),
                               "the filled list")
    assert isinstance(screen, ShiftPicker)
    return screen


async def built_ahead(pilot: Pilot[None], build: Any, loaded: bool) -> ShiftPicker:
    """The list built behind the title, its scenarios `loaded` or still loading."""
    title = pilot.app.screen
    assert isinstance(title, TitleScreen)
    build(title)
    shift = title._shift
    assert isinstance(shift, ShiftPicker) and shift not in pilot.app.screen_stack
    while loaded and not ((shift._found or shift.known) and shift._choices_in):
        await settle(pilot)
    return shift


@pytest.mark.parametrize("ahead", ["loaded", "loading", "none"])
async def test_keys_sent_right_after_n_reach_the_list(
        home: Path, monkeypatch: pytest.MonkeyPatch, ahead: str) -> None:
    build = TitleScreen._build_shift
    monkeypatch.setattr(TitleScreen, "_build_shift", lambda self: None)
    app = make_app(seed=7, home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shift = None
        if ahead != "none":
            shift = await built_ahead(pilot, build, ahead == "loaded")
        await pilot.press("n", "down", "down")
        picker = await listed(pilot)
        assert shift is None or picker is shift
        menu = picker.query_one("#scenarios", OptionList)
        assert menu.highlighted == 2 and menu.has_focus
        assert picker.query_one("#seed").value == "7"  # type: ignore[attr-defined]


async def test_the_list_built_ahead_is_the_list_n_builds(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = TitleScreen._build_shift
    monkeypatch.setattr(TitleScreen, "_build_shift", lambda self: None)
    shots = []
    for ahead in (False, True):
        app = make_app(seed=7, home=home)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            if ahead:
                await built_ahead(pilot, build, loaded=True)
            await pilot.press("n")
            picker = await listed(pilot)
            assert not picker.ahead
            await settle(pilot)
            picker.query_one("#seed").cursor_blink = False  # type: ignore[attr-defined]
            await pilot.pause()
            shots.append(app.export_screenshot())
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, TitleScreen) and not picker.is_attached
    assert shots[0] == shots[1]


async def test_the_title_builds_the_list_ahead_again_after_it(home: Path) -> None:
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        title = await screen_when(pilot, lambda s: isinstance(s, TitleScreen)
                                  and s._shift is not None, "the list built ahead")
        assert isinstance(title, TitleScreen)
        first = title._shift
        await pilot.press("n")
        assert await listed(pilot) is first
        await pilot.press("escape")
        await screen_when(pilot, lambda s: s is title and title._shift is not None,
                          "the next list built ahead")
        assert title._shift is not first and not first.is_attached
