"""The Textual application: holds the settings of a run and moves between screens.

The app knows no game rules. It builds a `Game` in a worker (building the seeded world takes most
of a second), then hands it to the screens, which drive it only through `game.do`.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType

from oncall.tui.messages import GameFailed, GameReady

if TYPE_CHECKING:
    from oncall.game.engine import Game


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
        self.game: Game | None = None
        """The incident in play, once built."""

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
        from oncall.content.loader import ContentError, scenario
        from oncall.game.engine import Game

        try:
            game = Game(scenario(scenario_id), seed, difficulty)
        except ContentError as exc:
            self.post_message(GameFailed(str(exc)))
            return
        self.post_message(GameReady(game, game.page()))

    @on(GameReady)
    def _game_ready(self, message: GameReady) -> None:
        from oncall.tui.screens.page import PageScreen

        self.game = message.game
        self.sub_title = f"{message.game.scenario.title} (seed {message.game.seed})"
        self.switch_screen(PageScreen(message.game, message.page))

    @on(GameFailed)
    def _game_failed(self, message: GameFailed) -> None:
        from oncall.tui.screens.title import TitleScreen

        self.notify(message.error, title="Cannot start the incident", severity="error",
                    timeout=15)
        self.switch_screen(TitleScreen())

    def back_to_title(self) -> None:
        """Leave the incident and return to a fresh title screen."""
        from oncall.tui.screens.title import TitleScreen

        self.game = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(TitleScreen())


def make_app(seed: int | None = None, scenario: str | None = None,
             difficulty: str | None = None, home: Path | None = None) -> OncallApp:
    """The one way to build the app, for the CLI and the tests alike."""
    return OncallApp(seed=seed, scenario=scenario, difficulty=difficulty, home=home)
