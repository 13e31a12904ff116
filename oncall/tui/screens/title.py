"""The title screen: start a shift or the daily night, look back over the career, read stories,
quit.

It imports nothing heavy, so `oncall` paints it within the start-up budget: its keys are one
line of text rather than a Footer (composing a Footer costs a sixth of the start-up).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

BANNER = """\
                       _ _
  ___  _ __   ___ __ _| | |
 / _ \\| '_ \\ / __/ _` | | |
| (_) | | | | (_| (_| | | |
 \\___/|_| |_|\\___\\__,_|_|_|"""


SHIFT_AHEAD_S = 0.3
"""Seconds after the title paints before the new-shift list is built behind it (after the
game's layout is read, `GAME_CSS_AFTER_S`)."""

KEYS = "  ".join(f"[b $footer-key-foreground]{key}[/] {what}" for key, what in (
    ("n", "New shift"), ("h", "Night shift"), ("d", "Daily"), ("c", "Career"),
    ("s", "Stories"), ("q", "Quit"), ("^p", "palette")))


class TitleScreen(Screen[None]):
    """The way in; every item also has its own key."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_shift", "New shift", id="new-shift", priority=True),
        Binding("h", "night_shift", "Night shift", id="night-shift"),
        Binding("d", "daily", "Daily night", id="daily"),
        Binding("c", "career", "Career", id="career"),
        Binding("s", "stories", "Stories", id="stories"),
        Binding("q", "app.quit", "Quit", id="title-quit"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._shift: Screen[None] | None = None
        """The new-shift list, built off the stack while the title is read."""

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.set_timer(SHIFT_AHEAD_S, self._build_shift))

    def on_screen_resume(self) -> None:
        if self._shift is None:  # back from the list (or a game): build the next one ahead
            self.set_timer(SHIFT_AHEAD_S, self._build_shift)

    def _build_shift(self) -> None:
        """Build the new-shift list (its screen, and its scenarios loaded in a worker) while
        the player reads the title, so `n` only shows it. Textual mounts a screen as it is
        pushed; `_get_screen` is that step on its own. The game's layout is read first."""
        from oncall.tui.screens.shift import ShiftPicker

        if self._shift is not None or self.app.screen is not self:
            return
        self.app._read_game_css()  # type: ignore[attr-defined]
        self._shift = ShiftPicker(ahead=True)
        self.app._get_screen(self._shift)

    def on_unmount(self) -> None:
        shift, self._shift = self._shift, None
        if shift is not None and shift.is_attached and shift not in self.app.screen_stack:
            shift.remove()

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            width = max(len(line) for line in BANNER.splitlines())
            # Centred line by line, so pad the lines to one width to keep the letters aligned.
            yield Static("\n".join(line.ljust(width) for line in BANNER.splitlines()),
                         id="banner", markup=False)
            yield Static("02:00. You are on call for the ML platform. The pager is quiet.",
                         id="tagline")
            with Center():
                yield OptionList(
                    Option("New shift", id="new"), Option("Night shift", id="night"),
                    Option("Daily night", id="daily"), Option("Career", id="career"),
                    Option("Stories", id="stories"), Option("Quit", id="quit"), id="menu")
        yield Static(" " + KEYS, id="title-keys")

    def action_cursor_down(self) -> None:
        self.query_one("#menu", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#menu", OptionList).action_cursor_up()

    @on(OptionList.OptionSelected, "#menu")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == "new":
            self.action_new_shift()
        elif choice == "night":
            self.action_night_shift()
        elif choice == "daily":
            self.action_daily()
        elif choice == "career":
            self.action_career()
        elif choice == "stories":
            self.action_stories()
        else:
            self.app.exit()

    def action_new_shift(self) -> None:
        from oncall.tui.screens.shift import ShiftPicker

        self.app.hold_input()  # type: ignore[attr-defined]  # the keys behind `n` are the list's
        shift, self._shift = self._shift, None
        self.app.push_screen(shift if shift is not None and shift.is_attached else ShiftPicker())

    def action_night_shift(self) -> None:
        from oncall.tui.screens.night import NightScreen

        self.app.push_screen(NightScreen(home=getattr(self.app, "home", None)))

    def action_daily(self) -> None:
        """Today's night: the same generated night for everyone on this version today."""
        from oncall import __version__
        from oncall.story import daily

        night = daily.night_of(daily.today(), __version__)
        self.app.start_incident(night.scenario, night.seed,  # type: ignore[attr-defined]
                                daily.DIFFICULTY)

    def action_career(self) -> None:
        from oncall.tui.screens.career import CareerScreen

        self.app.push_screen(CareerScreen(stories=False))

    def action_stories(self) -> None:
        from oncall.tui.screens.career import CareerScreen

        self.app.push_screen(CareerScreen(stories=True))
