"""Issue #12 in the TUI: nothing typed ends the night, the palette survives fast paging, the drift
form offers only tests that fit, and a save that cannot be written still shows the card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle, typed
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import RadioButton, RadioSet, Select, Static

from oncall.game import engine
from oncall.tui.app import OncallApp, SafeCommandPalette, make_app
from oncall.tui.screens.actions import fitting_tests, form_for
from oncall.tui.screens.form import FormDialog
from oncall.tui.screens.scorecard import ScorecardScreen
from oncall.tui.screens.war_room import WarRoom


async def war_room(pilot: Pilot[None]) -> WarRoom:
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    room = pilot.app.screen
    assert isinstance(room, WarRoom)
    return room


async def test_a_drift_test_that_does_not_fit_is_an_error_and_the_game_goes_on(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(100, 30)) as pilot:
        room = await war_room(pilot)
        await typed(pilot, "drift fraud-scorer prediction test=chi2")
        assert app.is_running and app.screen is room
        error = room.query_one("#cmd-error", Static)
        assert error.has_class("shown") and "chi2" in str(error.render())
        await typed(pilot, "status")
        assert app.game is not None and app.game.record.entries[-1].observation.ok


async def test_an_engine_crash_shows_its_id_and_the_game_goes_on(
        incident_app: OncallApp, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: engine.Game, cmd: Any) -> Any:
        raise KeyError("a bug in a tool")

    monkeypatch.setattr(engine.Game, "_do_logs", boom)
    app = incident_app
    async with app.run_test(size=(100, 30)) as pilot:
        room = await war_room(pilot)
        await typed(pilot, "logs fraud-scorer")
        assert app.is_running and app.screen is room
        shown = str(room.query_one("#cmd-error", Static).render())
        assert "internal error err-" in shown
        monkeypatch.undo()
        await typed(pilot, "logs fraud-scorer")
        assert app.game is not None and app.game.record.entries[-1].observation.kind == "logs"


def test_the_drift_form_offers_only_the_tests_that_fit_each_feature() -> None:
    assert "chi2" not in fitting_tests("continuous") and "ks" in fitting_tests("continuous")
    assert "ks" not in fitting_tests("categorical") and "chi2" in fitting_tests("categorical")


async def test_the_drift_form_disables_tests_that_do_not_fit(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(100, 40)) as pilot:
        room = await war_room(pilot)
        assert app.game is not None
        fields = form_for("drift", app.game, [], "fraud-scorer")
        kinds = {f.name: f.kind for f in app.game.world.model("fraud-scorer").features}
        categorical = next(n for n, k in kinds.items() if k == "categorical")
        room._ask("drift", "fraud-scorer")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog) and fields
        radio = form.query_one("#f-test", RadioSet)

        def enabled() -> set[str]:
            return {b.name or "" for b in radio.query(RadioButton) if not b.disabled}

        assert "chi2" not in enabled() and "ks" in enabled()  # prediction: continuous
        form.query_one("#f-feature", Select).value = categorical
        await pilot.pause()
        assert "chi2" in enabled() and "ks" not in enabled()
        for button in radio.query(RadioButton):
            if button.name == "chi2":
                button.value = True
        form.query_one("#f-feature", Select).value = "prediction"
        await pilot.pause()
        assert form.values().get("test") != "chi2"


async def palette_before_layout(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch
                                ) -> CommandPalette:
    """The palette after Down Down Down, faster than a layout: its list has no lines yet and
    cannot make them (it has no region)."""
    await war_room(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    commands = palette.query_one(CommandList)
    commands._line_cache.clear()
    monkeypatch.setattr(commands, "_update_lines", lambda: None)
    for _ in range(3):
        palette._action_cursor_down()
    return palette


async def test_fast_paging_in_the_command_palette_does_not_crash(
        incident_app: OncallApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        palette = await palette_before_layout(pilot, monkeypatch)
        assert isinstance(palette, SafeCommandPalette)
        palette._action_command_list("page_down")
        palette._action_command_list("page_up")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, CommandPalette)


async def test_textual_alone_would_crash_on_fast_paging(
        incident_app: OncallApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reason for the paging guard: if Textual fixes this, the guard can go."""
    from textual.widgets import OptionList

    async with incident_app.run_test(size=(80, 24)) as pilot:
        palette = await palette_before_layout(pilot, monkeypatch)
        original = OptionList._move_page.original  # type: ignore[attr-defined]
        with pytest.raises((KeyError, IndexError)):
            original(palette.query_one(CommandList), 1)


async def test_pagedown_on_a_select_list_before_it_is_laid_out_does_not_crash(
        incident_app: OncallApp) -> None:
    """`KeyError: 5` in OptionList._move_page: PageDown on a select's list the moment it
    opens, before its lines exist."""
    from textual.widgets import OptionList

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        room = await war_room(pilot)
        room._ask("hotfix", None)
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        overlay = form.query_one("#f-fix", Select).query_one(OptionList)
        overlay._lines.clear()  # as before its first layout
        overlay.highlighted = 5
        overlay._index_to_line.clear()
        overlay._move_page(1)
        await pilot.press("pagedown", "pageup")
        assert app.is_running and app._exception is None


async def test_the_palette_closes_safely_after_the_stack_changed_beneath_it(
        incident_app: OncallApp) -> None:
    """An answer that replaces the screen while the palette is open, then Esc: no
    `ScreenStackError`, and the new screen stays."""
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        page = app.screen
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, SafeCommandPalette)
        app._screen_stack.remove(palette)  # the stack changes beneath the open palette
        palette.dismiss()  # Textual's own would pop the page, then fail on the last screen
        assert app.screen is page
        await pilot.press("a")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, WarRoom)


async def test_an_answer_replaces_the_screen_that_asked_not_the_palette_over_it(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        page = app.screen
        assert app.session is not None
        obs = app.session.do({"do": "ack"})
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, SafeCommandPalette)
        page.room.arrive(obs, {})  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WarRoom) and len(app.screen_stack) == 2


async def test_a_save_the_home_refuses_still_shows_the_card_and_where_it_went(
        tmp_path: Path) -> None:
    from oncall.content import loader

    home = tmp_path / "home"
    home.write_text("a file, not a folder")
    app = make_app(seed=1, scenario="fraud-1", home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.session is not None
        for command in loader.scenario("fraud-1").playbook.right[:-1]:
            app.session.do(command)
        last = loader.scenario("fraud-1").playbook.right[-1]
        obs = app.session.do(last)
        app.switch_screen(ScorecardScreen(app.session, obs))
        await settle(pilot)
        card = app.screen
        assert isinstance(card, ScorecardScreen) and card.card["total"] > 0
        shown = str(card.query_one("#card-saved", Static).render())
        assert "Could not save to the oncall home" in shown and "saved instead" in shown
        assert card.path is not None and card.path.is_file()
