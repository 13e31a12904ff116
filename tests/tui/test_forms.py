"""Forms by keyboard alone: focus, validation in the form, and questions before steps that cannot
be taken back (a diagnosis with no evidence, an empty postmortem, quitting, abandoning)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import recovered_room, settle
from textual.widgets import Input, Select, Static

from oncall.store.saves import list_saves, load_save
from oncall.tui.app import OncallApp
from oncall.tui.screens.confirm import ConfirmScreen
from oncall.tui.screens.form import FormDialog
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.scorecard import ScorecardScreen
from oncall.tui.screens.title import TitleScreen
from oncall.tui.screens.war_room import WarRoom


async def acked(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, WarRoom)


def form_error(app: OncallApp) -> str:
    error = app.screen.query_one("#form-error", Static)
    return str(error.render()) if error.has_class("shown") else ""


async def test_typing_lands_in_the_first_field(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        await pilot.press("u")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.focused is form.query_one("#f-message", Input)
        await pilot.press(*"rolling back", "ctrl+s")
        await settle(pilot)
        entry = app.game.record.entries[-1]  # type: ignore[union-attr]
        assert entry.command == {"do": "update", "message": "rolling back"}
        assert entry.observation.ok


async def test_the_focused_field_has_a_plain_border(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        await pilot.press("x")
        await pilot.pause()
        model = app.screen.query_one("#f-model", Select)
        fix = app.screen.query_one("#f-fix", Select)
        assert model.has_focus and not fix.has_focus
        assert model.styles.border_left[0] == "outer"
        assert model.styles.border_left[1] != fix.styles.border_left[1]
        accent = app.current_theme.to_color_system().accent
        bar = model.styles.border_left[1]
        assert max(abs(a - b) for a, b in zip(bar.rgb, accent.rgb, strict=True)) <= 2


async def test_a_required_choice_left_blank_is_named_with_its_values(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        entries = len(app.game.record.entries)  # type: ignore[union-attr]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog), "the form stays open"
        error = form_error(app)
        assert "Fix is required" in error and "restart_pods" in error
        assert "apply_unit_conversion" in error and "dashboard" not in error
        await pilot.press("u")  # still in the form: a letter is not a war-room key here
        await pilot.press("escape")
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Status update is required" in form_error(app)
        assert len(app.game.record.entries) == entries  # type: ignore[union-attr]


async def test_a_value_the_command_refuses_is_named_in_the_form(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        before = app.game.now  # type: ignore[union-attr]
        await pilot.press("w")
        await pilot.pause()
        field = app.screen.query_one("#f-minutes", Input)
        assert field.has_focus
        field.value = "99"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "minutes" in form_error(app) and "30" in form_error(app)
        field.value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.game.now == before + 3  # type: ignore[union-attr]


async def test_a_diagnosis_with_no_evidence_asks_first(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        game = app.game
        assert game is not None
        for answer in ("n", "y"):
            await pilot.press("g")
            await pilot.pause()
            app.screen.query_one("#f-cause", Select).value = "D4"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert app.screen.focused is app.screen.query_one("#no")
            await pilot.press(answer)
            await settle(pilot)
            assert isinstance(app.screen, WarRoom)
            if answer == "n":
                assert game.record.facts.diagnosis is None
        assert game.record.facts.diagnosis == {"category": "data", "cause": "D4",
                                               "evidence": []}


async def test_an_empty_postmortem_asks_first(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        room = app.screen
        assert isinstance(room, WarRoom)
        room.send({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"})
        await settle(pilot)
        for _ in range(6):
            room.send({"do": "wait", "minutes": 15})
            await settle(pilot)
            room.send({"do": "resolve"})
            await settle(pilot)
            if isinstance(app.screen, PostmortemScreen):
                break
        assert isinstance(app.screen, PostmortemScreen)
        await pilot.press("ctrl+s")
        for _ in range(20):  # a loaded machine paints the question a few frames later
            await pilot.pause()
            if isinstance(app.screen, ConfirmScreen):
                break
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PostmortemScreen) and app.game.phase == "resolved"  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen) and app.game.phase == "ended"  # type: ignore[union-attr]


async def test_ctrl_s_typed_before_the_form_is_whole_is_honoured_once_it_is(
        incident_app: OncallApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """ctrl+s as soon as the postmortem shows, before its lower half is in: it is kept and
    answered once the form is whole (here: the question an empty form asks)."""
    held: list[PostmortemScreen] = []

    def hold(screen: PostmortemScreen) -> None:
        held.append(screen)  # the lower half waits until the test lets it in

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        room = await recovered_room(pilot)
        game = room.game
        with monkeypatch.context() as patch:
            patch.setattr(PostmortemScreen, "_reveal", hold)
            room.send({"do": "resolve"})
            for _ in range(40):
                await settle(pilot)
                if held:
                    break
            form = app.screen
            assert isinstance(form, PostmortemScreen) and held == [form] and not form.ready
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form, "nothing to submit yet"
        form._reveal()
        for _ in range(40):
            await pilot.pause()
            if isinstance(app.screen, ConfirmScreen):
                break
        assert form.ready and isinstance(app.screen, ConfirmScreen), app.screen
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is form and game.phase == "resolved"


async def test_quitting_mid_incident_asks_and_saves_it_abandoned(
        incident_app: OncallApp, home: Path) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, WarRoom) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
    assert app.return_code in (None, 0)
    saves = list_saves(home)
    assert len(saves) == 1
    save = load_save(saves[0])
    assert save.record.facts.postmortem is None
    assert save.record.entries[0].command == {"do": "ack"}


async def test_abandoning_goes_back_to_the_title_and_keeps_the_night(
        incident_app: OncallApp, home: Path) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await acked(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen) and app.session is None
        assert len(list_saves(home)) == 1
        assert any("abandoned" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+q")  # nothing open now: quits at once
        await pilot.pause()
    assert not app.is_running
