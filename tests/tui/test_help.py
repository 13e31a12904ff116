"""The help paints what fills its box first and the other sections over the next frames; all
of it is there once settled, in order, reading as the one text."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import settle
from textual.widgets import Static

from oncall.tui.app import make_app
from oncall.tui.screens.help import SHOWN_ROWS, HelpScreen, help_markdown, pieces


def test_the_pieces_of_the_help_read_as_the_whole() -> None:
    for night in (False, True):
        source = help_markdown("active", night)
        parts = pieces(source, SHOWN_ROWS)
        assert "\n".join(parts) == source and len(parts) > 2
        assert len(parts[0].splitlines()) == SHOWN_ROWS
        assert all(part.lstrip("\n").startswith("## ") for part in parts[2:])


async def test_the_whole_help_is_shown_once_settled(home: Path) -> None:
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(HelpScreen("active"))
        await pilot.press("escape")  # closed while its sections are still coming
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, HelpScreen)
        app.push_screen(HelpScreen("active"))
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        while not help_screen.ready:  # the other sections come one a frame
            await pilot.pause()
        shown = [str(s.render()) for s in help_screen.query(".help-text").results(Static)]
        assert len(shown) == len(pieces(help_screen.source, SHOWN_ROWS))
        assert shown[0].startswith("WAR ROOM HELP") and "Causes" in shown[-1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_help_follows_a_resize_of_the_terminal(home: Path) -> None:
    """The help skips the second layout Textual gives a screen as it comes up, not a resize."""
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(HelpScreen("active"))
        await settle(pilot)
        box = app.screen.query_one("#help")
        assert box.region.x == 1
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        await pilot.pause()
        assert app.screen.size == (120, 40)
        assert box.region.x == (120 - 78) // 2 and box.region.y == (40 - 22) // 2


async def test_the_help_paints_its_box_first_and_its_text_a_frame_after(home: Path) -> None:
    """F1's first frame is the box over the dimmed room; the text that fills the box comes in
    a frame after, the other sections after it."""
    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        help_screen = HelpScreen("active")
        painted: list[int] = []
        paint = help_screen._compositor_refresh

        def counted() -> None:
            painted.append(len(help_screen.query(".help-text")))
            paint()

        help_screen._compositor_refresh = counted  # type: ignore[method-assign]
        app.push_screen(help_screen)
        while not help_screen.ready:
            await pilot.pause()
        await settle(pilot)
        # The box alone first; then the text, then the other sections over a few frames.
        assert painted[0] == 0 and max(painted) > 0 and painted == sorted(painted)
        assert len(help_screen.query(".help-text")) == len(pieces(help_screen.source,
                                                                  SHOWN_ROWS))


async def test_the_room_beneath_a_modal_is_dimmed_as_textual_dims_it(home: Path) -> None:
    """The modals draw the screen beneath through `DimmedScreen`, which keeps each style's
    tint: its segments are the ones Textual's own `BackgroundScreen` makes."""
    from rich.console import Console
    from textual._context import visible_screen_stack
    from textual.renderables.background_screen import BackgroundScreen

    from oncall.tui.screens.dimmed import DimmedScreen

    app = make_app(home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(HelpScreen("active"))
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        beneath = app.screen_stack[-2]
        color = help_screen.styles.background
        assert 0 < color.a < 1
        visible_screen_stack.set([beneath])
        assert isinstance(help_screen.render(), DimmedScreen)
        console = Console(width=80, height=24, legacy_windows=False, force_terminal=True)
        ours = list(console.render(DimmedScreen(beneath, color)))
        textuals = list(console.render(BackgroundScreen(beneath, color)))
        assert ours == textuals and len(ours) > 100
