"""The title paints alone: it is the first screen, with its own layout only; the rest of the
game's layout is read while the player reads the title, or with the first other screen if a key
comes sooner."""

from __future__ import annotations

from pathlib import Path

from oncall.tui.app import GAME_CSS_AFTER_S, SCREENS_CSS, make_app
from oncall.tui.screens.career import CareerScreen
from oncall.tui.screens.title import TitleScreen


async def test_the_title_is_the_first_screen_and_the_games_layout_comes_with_the_next(
        home: Path) -> None:
    """The title paints alone, without the rest of the game's layout parsed; the first other
    screen brings that layout, and leaving a game comes back to a title at the bottom."""
    from textual.css.scalar import Scalar

    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert len(app.screen_stack) == 1 and isinstance(app.screen, TitleScreen)
        assert not app.stylesheet.has_source(str(SCREENS_CSS), "")
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CareerScreen)
        assert app.stylesheet.has_source(str(SCREENS_CSS), "")
        assert app.screen.query_one("#saves").styles.min_height == Scalar.parse("4")
        app.back_to_title()
        await pilot.pause()
        assert len(app.screen_stack) == 1 and isinstance(app.screen, TitleScreen)



async def test_the_games_layout_is_read_while_the_title_is_up(home: Path) -> None:
    """A moment after the title paints, the other screens' layout is in (parsed, not waiting
    for the first key), and the title itself looks as it did."""
    from textual.css.scalar import Scalar

    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        menu = app.screen.query_one("#menu")
        before = (menu.styles.width, menu.styles.border)
        await pilot.pause(GAME_CSS_AFTER_S + 0.3)
        assert isinstance(app.screen, TitleScreen)
        assert app.stylesheet.has_source(str(SCREENS_CSS), "")
        assert (menu.styles.width, menu.styles.border) == before
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CareerScreen)
        assert app.screen.query_one("#saves").styles.min_height == Scalar.parse("4")
