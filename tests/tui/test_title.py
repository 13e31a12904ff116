"""The title screen and the way from it into a shift."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from oncall.tui.app import OncallApp, make_app
from oncall.tui.screens.career import CareerScreen
from oncall.tui.screens.shift import ShiftPicker
from oncall.tui.screens.title import TitleScreen


async def test_title_screen_appears(home: Path) -> None:
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        menu = app.screen.query_one("#menu", OptionList)
        assert [menu.get_option_at_index(i).id for i in range(menu.option_count)] == [
            "new", "night", "daily", "career", "stories", "quit"]


async def test_d_starts_the_night_of_the_day(home: Path) -> None:
    from oncall import __version__
    from oncall.story import daily
    from oncall.tui.screens.page import PageScreen

    night = daily.night_of(daily.today(), __version__)
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        assert (app.scenario_id, app.seed) == (night.scenario, night.seed)


async def test_new_shift_lists_scenarios_and_starts(home: Path) -> None:
    from oncall.tui.screens.page import PageScreen

    app = make_app(seed=7, home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ShiftPicker)
        assert "fraud-1" in app.screen.known
        assert app.screen.query_one("#seed").value == "7"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        assert app.game is not None and app.game.seed == 7


async def test_every_scenario_title_is_shown_whole_in_the_list(home: Path) -> None:
    """A title that fits the list before its scrollbar appears and wraps once the scrollbar
    takes two columns was cut after its first line ("Churn scores jumped while nothing was",
    with no "released"): the list keeps its scrollbar's gutter from the start."""
    from oncall.content import loader

    app = make_app(seed=7, home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        menu = app.screen.query_one("#scenarios", OptionList)
        shown = []
        for top in range(0, menu.virtual_size.height, menu.size.height):  # page by page
            menu.scroll_to(y=top, animate=False, immediate=True)
            await pilot.pause()
            shown += [menu.render_line(y).text.strip() for y in range(menu.size.height)]
        text = " ".join(shown)
        for sid in loader.scenarios():
            assert loader.scenario(sid).title in text, sid


async def test_career_is_empty_at_first(home: Path) -> None:
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CareerScreen)
        assert "No saved incidents" in str(app.screen.query_one("#career-note").render())


async def test_a_theme_picked_is_remembered_by_the_next_start(home: Path) -> None:
    from oncall.store.settings import load_settings

    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert not (home / "settings.json").exists(), "nothing written until a choice"
        app.theme = "nord"
        await pilot.pause()
    assert load_settings(home)[0].theme == "nord"
    again = make_app(home=home)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_broken_settings_file_is_named_and_kept(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import oncall.tui.app as app_module

    monkeypatch.setattr(app_module, "SETTINGS_AFTER_S", 0.01)
    home.mkdir(parents=True)
    broken = '{"theme": "nord", "colour": "red"}'
    (home / "settings.json").write_text(broken)
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.theme == "textual-dark"
        notes = [n for n in app._notifications if n.title == "Settings not read"]
        assert len(notes) == 1 and "colour" in notes[0].message
    assert (home / "settings.json").read_text() == broken


def test_the_collector_pauses_only_while_a_worker_builds() -> None:
    """Paused for the build and on again after it, however the build ends; what a finished
    build made is out of its reach (frozen) until the game is left."""
    import gc

    from oncall.tui.app import collector_paused, thaw_heap

    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            kept = [object() for _ in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= len(kept)
        with pytest.raises(ValueError), collector_paused():
            raise ValueError("the build failed")
        assert gc.isenabled()
    finally:
        thaw_heap()
    assert gc.get_freeze_count() == 0


async def test_no_full_collection_runs_while_a_game_is_played(incident_app: OncallApp) -> None:
    """What a command builds between two answers was walked whole by a full collection in
    the middle of an answer (29 ms). While a game is on, the young generations are still
    collected (every 10,000 allocations) and no full collection comes on its own; the
    process's own settings are back once the game is left."""
    import gc

    from pilot_helpers import recovered_room

    from oncall.tui.app import FULL_THRESHOLD, NO_FULL_COLLECTION, YOUNG_COLLECTION, thaw_heap

    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    before = gc.get_threshold()
    gc.callbacks.append(seen)
    try:
        async with incident_app.run_test(size=(80, 24)) as pilot:
            await recovered_room(pilot)
            young, _, full = gc.get_threshold()
            assert young == YOUNG_COLLECTION, "ten young collections ran in one screen update"
            gc.set_threshold(100, 1, full)  # every young collection goes on to the middle one
            kept = [[[] for _ in range(200)] for _ in range(500)]  # survivors to promote
            assert 1 in collections and 2 not in collections, sorted(set(collections))
            del kept
    finally:
        gc.callbacks.remove(seen)
        thaw_heap()
        after = gc.get_threshold()
        gc.set_threshold(*before)  # as the tests before this one left the process
    assert after[2] == FULL_THRESHOLD[0] != NO_FULL_COLLECTION
    assert after[0] == FULL_THRESHOLD[1]


async def test_the_game_layout_timer_firing_as_the_app_closes_is_harmless(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other screens' layout is read on a timer after the title paints; an app closed
    before it fires (a test, a player quitting at once) has no screen left to restyle then."""
    import oncall.tui.app as app_module

    monkeypatch.setattr(app_module, "GAME_CSS_AFTER_S", 60)
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app.screen_stack
    app._read_game_css(ahead=True)  # what the timer does, had it fired now
    assert app.stylesheet.has_source(str(app_module.SCREENS_CSS), "")
