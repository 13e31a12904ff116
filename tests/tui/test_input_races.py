"""No key is lost: what is typed or pasted right after `r` lands in the postmortem, tab and text
at machine speed fill the right fields, keys sent while the scenario list loads are honoured,
and the war room's command line lists its choices without leaving the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import recovered_room, settle
from textual.widgets import Input, OptionList, TextArea

from oncall.tui.app import OncallApp, make_app
from oncall.tui.screens.confirm import ConfirmScreen
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.shift import ShiftPicker
from oncall.tui.screens.war_room import WarRoom


def field(app: OncallApp, name: str) -> str:
    return app.screen.query_one(f"#pm-{name}", TextArea).text


@pytest.mark.heavy
async def test_text_and_tabs_typed_right_after_resolve_fill_the_right_fields(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await recovered_room(pilot)
        # All in one go, before the resolve has come back from its worker.
        await pilot.press("r", *"Browser typed summary", "tab", *"More", "tab", *"Root")
        for _ in range(10):
            await settle(pilot)
        assert isinstance(app.screen, PostmortemScreen)
        assert field(app, "summary") == "Browser typed summary"
        impact = field(app, "impact")
        assert impact.endswith("More") and impact.startswith(
            field(app, "impact")[: -len("More")]), "typed text goes after the pre-fill"
        assert field(app, "root_cause") == "Root"


@pytest.mark.heavy
async def test_a_paste_right_after_resolve_lands_whole_in_the_summary(
        incident_app: OncallApp) -> None:
    from textual import events

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await recovered_room(pilot)
        await pilot.press("r")
        app.post_message(events.Paste("Pasted summary of the night."))
        for _ in range(10):
            await settle(pilot)
        assert isinstance(app.screen, PostmortemScreen)
        assert field(app, "summary") == "Pasted summary of the night."


async def test_keys_arriving_as_the_kept_ones_are_handed_over_wait_behind_them(
        incident_app: OncallApp) -> None:
    """A paste kept while the form was on its way, then a tab and text that reached the app
    before the kept paste was handed over (as tmux sends them): the paste goes first, into the
    summary, and the cursor is not pulled back to it."""
    from textual import events

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        room = await recovered_room(pilot)
        room.send({"do": "resolve"})
        for _ in range(10):
            await settle(pilot)
        assert isinstance(app.screen, PostmortemScreen) and app.screen.ready
        app.hold_input()
        app.post_message(events.Paste("Kept paste."))
        await pilot.pause()
        assert app.holding
        for key in ("tab", "M", "tab", "R"):  # queued, not yet read
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        app.release_input()
        for _ in range(5):
            await settle(pilot)
        assert not app.holding
        assert field(app, "summary") == "Kept paste."
        assert field(app, "impact") == "M"
        assert field(app, "root_cause") == "R"


async def test_keys_typed_right_after_ack_reach_the_war_room(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a", "colon", *"severity 2", "enter")  # before the ack is answered
        for _ in range(5):
            await settle(pilot)
        room = app.screen
        assert isinstance(room, WarRoom)
        assert [c["do"] for c, _ in room.entries] == ["ack", "severity"]
        assert room.game.record.facts.severity == 2


async def test_keys_sent_as_the_picker_opens_are_honoured(home: Path) -> None:
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n", "down", "down")  # before the list has loaded
        for _ in range(50):
            await settle(pilot)
            if isinstance(app.screen, ShiftPicker) and app.screen.known:
                break
        menu = app.screen.query_one("#scenarios", OptionList)
        assert menu.highlighted == 2, "the two downs were lost or reset"


async def test_the_war_room_command_line_lists_choices_and_tab_stays_in_it(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("colon", *"diagnose data ")
        line = app.screen.query_one("#cmdline", Input)
        await pilot.press("tab")
        menu = app.screen.query_one("#cmdline-menu", OptionList)
        assert line.has_focus and menu.display
        shown = [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
        assert any(s.startswith("I1") and "infra:" in s for s in shown), shown[:3]
        await pilot.press("escape")
        assert not menu.display and line.has_focus, "esc closes the list first"


async def test_leaving_the_page_asks_first(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PageScreen)
        for key in ("ctrl+q", "ctrl+g"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen), key
            await pilot.press("n")
            await pilot.pause()
        assert app.is_running and isinstance(app.screen, PageScreen)
