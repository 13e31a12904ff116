"""The Textual application: holds the settings of a run and moves between screens.

The app knows no game rules. It builds a `Session` in a worker (building the seeded world takes
a moment), then hands it to the screens, which drive it only through `session.do`: the session
is the error boundary, scores the end and saves it. An error in the UI itself is logged under the
oncall home before the app stops, so the CLI can say where to look and exit non-zero.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette

from oncall.tui.messages import GameFailed, GameReady

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.session import Session


class SafeCommandPalette(CommandPalette):
    """The command palette, minus a crash in Textual 8.2's OptionList: paging before the list
    has been laid out (ctrl+p, then quickly Down Down Down PageDown) looks up a line that is
    not there yet (`KeyError: 3`). Paging then jumps to the first or last command instead."""

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            from textual.command import CommandList

            commands = self.query_one(CommandList)
            if action == "page_up":
                commands.action_first()
            elif action == "page_down":
                commands.action_last()


class OncallApp(App[None]):
    """On call for a fleet of ML models at 2 AM."""

    CSS_PATH = "oncall.tcss"
    TITLE = "oncall"
    SUB_TITLE = "02:00, the pager is quiet"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", show=False, priority=True),
    ]

    def __init__(self, seed: int | None = None, scenario: str | None = None,
                 difficulty: str | None = None, home: Path | None = None) -> None:
        super().__init__()
        self.seed = seed
        """The seed of the next incident; None draws one when the shift starts."""
        self.scenario_id = scenario
        """Given on the command line: skip the title and go straight to the page."""
        self.difficulty = difficulty
        self.home = home
        """Where saves go; None lets the store pick (checkout `saves/` or the user data dir)."""
        self.session: Session | None = None
        """The incident in play, once built."""
        self.unsaved: list[str] = []
        """Saves no folder could take: the CLI prints them after the app closes."""
        self.crash_log: Path | None = None
        self.crash_id: str | None = None
        """Set when an error stopped the app: where its traceback was written, and its id."""

    @property
    def game(self) -> Game | None:
        return self.session.game if self.session is not None else None

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def _handle_exception(self, error: Exception) -> None:
        from oncall.store.errorlog import log_error, new_error_id

        if self.crash_id is None:
            self.crash_id = new_error_id()
            self.crash_log = log_error(self.home, self.crash_id, "the TUI stopped", error)
        super()._handle_exception(error)

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.scenario_id:
            self.start_incident(self.scenario_id, self.seed, self.difficulty)
        else:
            from oncall.tui.screens.title import TitleScreen

            self.push_screen(TitleScreen())

    def start_incident(self, scenario_id: str, seed: int | None,
                       difficulty: str | None = None) -> None:
        """Show the loading screen and build the incident off the event loop."""
        from oncall.tui.screens.loading import LoadingScreen

        self.seed = seed if seed is not None else random.randrange(1, 100_000)
        self.scenario_id = scenario_id
        self.push_screen(LoadingScreen(f"Building the fleet for {scenario_id}, seed {self.seed}"))
        self._build(scenario_id, self.seed, difficulty)

    @work(thread=True, exclusive=True, group="build")
    def _build(self, scenario_id: str, seed: int, difficulty: str | None) -> None:
        from oncall.content.loader import ContentError
        from oncall.game.generator import scenario
        from oncall.session import Session

        try:
            session = Session(scenario(scenario_id), seed, difficulty, home=self.home)
        except ContentError as exc:
            self.post_message(GameFailed(str(exc)))
            return
        except Exception as exc:  # a failed build is a message, not a crash
            from oncall.store.errorlog import log_error, new_error_id

            error_id = new_error_id()
            log = log_error(self.home, error_id, f"building {scenario_id} seed {seed}", exc)
            self.post_message(GameFailed(f"internal error {error_id} ({type(exc).__name__})"
                                         + (f"; details in {log}" if log else "")))
            return
        self.post_message(GameReady(session, session.page()))

    @on(GameReady)
    def _game_ready(self, message: GameReady) -> None:
        from oncall.tui.screens.page import PageScreen

        self.session = message.session
        self.sub_title = f"{message.session.scenario.title} (seed {message.session.seed})"
        self.switch_screen(PageScreen(message.session, message.page))

    @on(GameFailed)
    def _game_failed(self, message: GameFailed) -> None:
        from oncall.tui.screens.title import TitleScreen

        self.notify(message.error, title="Cannot start the incident", severity="error",
                    timeout=15)
        self.switch_screen(TitleScreen())

    def back_to_title(self) -> None:
        """Leave the incident and return to a fresh title screen."""
        from oncall.tui.screens.title import TitleScreen

        self.session = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(TitleScreen())


def make_app(seed: int | None = None, scenario: str | None = None,
             difficulty: str | None = None, home: Path | None = None) -> OncallApp:
    """The one way to build the app, for the CLI and the tests alike."""
    return OncallApp(seed=seed, scenario=scenario, difficulty=difficulty, home=home)
