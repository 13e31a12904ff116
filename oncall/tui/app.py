"""The Textual application: holds the settings of a run and moves between screens.

The app knows no game rules. It builds a `Session` in a worker (building the seeded world takes
a moment), then hands it to the screens, which drive it only through `session.do`: the session
is the error boundary, scores the end and saves it. An error in the UI itself is logged under the
oncall home before the app stops, so the CLI can say where to look and exit non-zero.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette

from oncall.tui.messages import GameFailed, GameReady

if TYPE_CHECKING:
    from textual.await_complete import AwaitComplete
    from textual.screen import Screen
    from textual.timer import Timer

    from oncall.game.engine import Game
    from oncall.session import SaveOutcome, Session, ShiftSession


SCREENS_CSS = Path(__file__).with_name("screens.tcss")
"""The layout of every screen but the title (which `oncall.tcss` holds with what all share)."""
DEFAULT_THEME = "textual-dark"
SETTINGS_AFTER_S = 1.0
"""Seconds after the first screen before the settings file is validated in the background."""
GAME_CSS_AFTER_S = 0.2
"""Seconds after the first screen before the other screens' layout is read, while the player
reads the title (a key pressed sooner reads it then)."""


def peek_theme(home: Path | None) -> str | None:
    """The theme named in the settings file, read with the standard library so the first frame
    already has it; the file is validated properly (pydantic) a moment later."""
    import json

    from oncall.store.locations import settings_file

    try:
        data = json.loads(settings_file(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) else None


def freeze_heap() -> None:
    """Take every object alive now (modules, the built world, the screens and the record so
    far) out of the garbage collector's reach. A game's objects live as long as the game: with
    them in view, a full collection walked a few hundred thousand objects, 100-300 ms on the
    event loop at random, in the middle of a key's answer. Called once the game is built and
    after each answer is shown; `thaw_heap` hands everything back when the game is left, so
    whatever became garbage during it is collected then.

    Full collections are left off until then too: what a command builds between two freezes
    (a world's series, the form built ahead) was walked whole by one, 29 ms in the middle of a
    command's answer, and what outlives the young generations is frozen with the next answer
    anyway. The young generations are still collected, every `YOUNG_COLLECTION` allocations
    rather than Python's 700 (ten of those ran inside one screen update)."""
    import gc

    gc.freeze()
    young, middle, full = gc.get_threshold()
    if full != NO_FULL_COLLECTION:
        FULL_THRESHOLD[:] = [full, young]
        gc.set_threshold(YOUNG_COLLECTION, middle, NO_FULL_COLLECTION)


YOUNG_COLLECTION = 10_000
"""Allocations between young collections while the heap is frozen (Python's 700 ran ten in one
screen update)."""
NO_FULL_COLLECTION = 1 << 30
"""The third collector threshold while the heap is frozen: no full collection comes on its own."""
FULL_THRESHOLD = [10, 700]
"""The third and first thresholds the process had before the heap was frozen, back once it is
thawed."""


def thaw_heap() -> None:
    import gc

    gc.unfreeze()
    _, middle, _ = gc.get_threshold()
    gc.set_threshold(FULL_THRESHOLD[1], middle, FULL_THRESHOLD[0])


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a worker builds what a screen keeps (the scenario list), and
    what it built frozen after: a worker's collection holds the interpreter's lock, and the
    event loop with it (a full one, 25 ms, came as the new-shift list loaded; 160 small ones
    another 30 ms)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
    freeze_heap()


LET_THROUGH = ("ctrl+c", "ctrl+q")
"""Keys a hold never keeps: the way out always answers."""

WARM_MODULES = (
    "oncall.tui.screens.war_room", "oncall.tui.screens.form", "oncall.tui.screens.confirm",
    "oncall.tui.screens.postmortem", "oncall.tui.screens.scorecard", "oncall.tui.screens.help",
    "oncall.game.remediations", "textual.widgets._text_area", "textual.widgets._data_table",
    "textual.widgets._selection_list", "textual.widgets._markdown", "textual_plotext",
    "scipy.stats",
)
"""Modules the incident's screens import on first use, loaded in the background."""


def _guard_option_paging() -> None:
    """Textual 8.2's OptionList pages through lines it may not have laid out yet (ctrl+p then
    Down Down PageDown at once, or PageDown on a select's list as it opens): `KeyError: 5`.
    Paging then jumps to the first or last option instead. Every OptionList in the app (the
    palette's, a Select's overlay, the menus) goes through this one method."""
    from textual.widgets import OptionList

    page = OptionList._move_page
    if getattr(page, "guarded", False):
        return

    def move_page(self: OptionList, direction: Any) -> None:
        try:
            page(self, direction)
        except (KeyError, IndexError):
            if self.option_count:
                self.highlighted = 0 if direction < 0 else self.option_count - 1

    move_page.guarded = True  # type: ignore[attr-defined]
    move_page.original = page  # type: ignore[attr-defined]
    OptionList._move_page = move_page  # type: ignore[method-assign]


class SafeCommandPalette(CommandPalette):
    """The command palette, closed safely when the stack changed beneath it (an answer that
    arrived while it was open replaced a screen): dismissing then must not pop another screen,
    or the last one (`ScreenStackError: Can't pop screen`)."""

    def dismiss(self, result: Any = None) -> Any:
        from textual.await_complete import AwaitComplete

        if self.app.screen is not self:
            if self in self.app.screen_stack:
                self.app._screen_stack.remove(self)
            return AwaitComplete.nothing()
        return super().dismiss(result)


class OncallApp(App[None]):
    """On call for a fleet of ML models at 2 AM."""

    CSS_PATH = "oncall.tcss"
    TITLE = "oncall"
    SUB_TITLE = "02:00, the pager is quiet"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", show=False, priority=True),
        # ctrl+g, not ctrl+t or ctrl+w: a browser keeps those for its tabs, so a game served
        # with `oncall serve` would never see them.
        Binding("ctrl+g", "abandon", "Abandon", id="abandon", show=False),
        # Focus moves as the key arrives: a plain binding runs only after the key has bubbled
        # up, and text sent right behind a tab would land in the field it was leaving.
        Binding("tab", "tab", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self, seed: int | None = None, scenario: str | None = None,
                 difficulty: str | None = None, home: Path | None = None,
                 realtime: float | None = None) -> None:
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Nothing slides: the tabs' underline took 20 frames after every chart and drift
            # test (half the UI work of each), and the game's scrolls already jump. A player's
            # TEXTUAL_ANIMATIONS still decides.
            self.animation_level = "none"
        self.realtime = realtime
        """Real seconds per simulated minute while a page waits unacknowledged (`--realtime`:
        60); None keeps the clock still between commands."""
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
        self._held: list[Any] | None = None
        self._replaying = False
        self._hold_timer: Timer | None = None
        self.night: ShiftSession | None = None
        """The night shift in play, once built (set by the night screen)."""
        self.crash_log: Path | None = None
        self.crash_id: str | None = None
        """Set when an error stopped the app: where its traceback was written, and its id."""
        self.last_input = 0.0
        """When the player last pressed a key or pasted (monotonic seconds): work done ahead
        waits for a pause."""

    # -- type-ahead: keys typed while the next screen is on its way ----------------------------
    HOLD_LIMIT_S = 5.0
    """Longest a hold lasts: keys are never kept from the player longer than this."""

    def hold_input(self) -> None:
        """Keep keys and pastes from now on, in order, for the screen that is coming (the
        postmortem after `resolve`, the war room after `a`, a list still loading). `release_input`
        hands them to it; a hold that is never released ends by itself."""
        if self._held is None:
            self._held = []
        if self._hold_timer is None:
            self._hold_timer = self.set_timer(self.HOLD_LIMIT_S, self.release_input)

    def release_input(self) -> None:
        """Deliver the kept keys, in order, to whatever has focus now, as if typed now. Keys
        that arrive before they are all delivered wait behind them: re-posted, a kept key would
        queue behind the keys typed since, and a paste kept from before a tab would land after
        the text typed after the tab."""
        if self._held is None or self._replaying:
            return
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        self._replaying = True
        self.call_later(self._replay)

    async def _replay(self) -> None:
        from textual import events

        try:
            while self._held and self._hold_timer is None:  # a key delivered may hold again
                kept = self._held.pop(0)
                fresh = events.Paste(kept.text) if isinstance(kept, events.Paste) else \
                    events.Key(kept.key, kept.character)
                await super().on_event(fresh)
        finally:
            self._replaying = False
        if self._hold_timer is None:
            self._held = None

    @property
    def holding(self) -> bool:
        return self._held is not None

    async def on_event(self, event: Any) -> None:
        from textual import events

        if isinstance(event, events.Key | events.Paste):
            self.last_input = time.monotonic()
        if self._held is not None and isinstance(event, events.Key | events.Paste) \
                and not event.is_forwarded and getattr(event, "key", "") not in LET_THROUGH:
            self._held.append(event)
            return
        await super().on_event(event)

    @property
    def game(self) -> Game | None:
        return self.session.game if self.session is not None else None

    def update_styles(self, node: Any, animate: bool = True) -> None:
        """Restyle a node whose classes changed, once it is in the app: a widget not mounted
        yet is styled as it mounts. Textual's own widgets switch a class on as they are built
        (`compact=True` on a TextArea, an Input, a Select) and each styled itself then, in
        vain: 2 ms a text area, a fifth of the postmortem form's lower half."""
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def _handle_exception(self, error: Exception) -> None:
        from oncall.store.errorlog import log_error, new_error_id

        if self.crash_id is None:
            self.crash_id = new_error_id()
            self.crash_log = log_error(self.home, self.crash_id, "the TUI stopped", error)
        super()._handle_exception(error)

    def action_tab(self) -> None:
        """Tab completes on a command line, and moves to the next field anywhere else."""
        focused = self.focused
        complete = getattr(focused, "action_complete", None)
        if focused is not None and callable(complete):
            focused.call_later(complete)  # after the letters already on their way to it
        else:
            self.screen.focus_next()

    def replace(self, old: Screen[Any], new: Screen[Any]) -> None:
        """Put `new` where `old` is, closing what was opened over `old` meanwhile (a palette, a
        help, a form): an answer from a worker replaces the screen that asked, never the one on
        top of it."""
        while self.screen is not old and old in self.screen_stack and len(self.screen_stack) > 1:
            self.pop_screen()
        self.switch_screen(new)

    # -- real time: the clock runs while a page waits ------------------------------------------
    def _realtime_minute(self) -> None:
        """One real-time minute has passed: the screen that holds the game (under any help or
        dialog over it) waits one simulated minute if a page is still unacknowledged. The wait
        is an ordinary recorded command, so a replay of the save reproduces the night."""
        for screen in reversed(self.screen_stack):
            minute = getattr(screen, "realtime_minute", None)
            if callable(minute):
                minute()
                return

    def on_mount(self) -> None:
        if self.realtime:
            self.set_interval(self.realtime, self._realtime_minute)
        _guard_option_paging()
        self._watch_signals()
        theme = peek_theme(self.home)
        self.theme = theme if theme in self.available_themes else DEFAULT_THEME
        self._saved_theme: str | None = self.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.scenario_id:
            self.start_incident(self.scenario_id, self.seed, self.difficulty)
        # What start-up built (Textual, the title) lives as long as the app: out of the
        # collector's reach once the title is up, a full collection no longer walks it in the
        # middle of the first key's answer (50-110 ms as the new-shift list loaded).
        self.screen.call_after_refresh(freeze_heap)
        # The settings model (pydantic) is read once the first screen is up and settled, and
        # the game's layout before the first key, not at it.
        self.screen.call_after_refresh(lambda: self.set_timer(SETTINGS_AFTER_S,
                                                              self._load_settings))
        self.screen.call_after_refresh(lambda: self.set_timer(
            GAME_CSS_AFTER_S, lambda: self._read_game_css(ahead=True)))

    # -- the game's layout, read with the first screen after the title -------------------------
    def push_screen(self, screen: Screen[Any] | str, *args: Any, **kwargs: Any) -> Any:
        self._read_game_css()
        return super().push_screen(screen, *args, **kwargs)

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        self._read_game_css()
        return super().switch_screen(screen)

    def _read_game_css(self, ahead: bool = False) -> None:
        """Add the other screens' layout to the stylesheet before the first of them is shown,
        so the title paints without parsing it. Added as a source it is parsed on its own, the
        rest kept as parsed; a screen's CSS_PATH would have Textual parse every source again
        (twice the cost, at the first key a player presses). Read while the title is up
        (`GAME_CSS_AFTER_S`, `ahead`): parsed in one frame and the screens restyled in the next,
        10 ms the first key no longer waits for."""
        if not self.stylesheet.has_source(str(SCREENS_CSS), ""):
            self.stylesheet.read(SCREENS_CSS)
            if ahead:
                _ = self.stylesheet.rules  # parsed now, the screens restyled a frame later
                if self.screen_stack:  # not once the app is closing (no screen is left)
                    self.screen.call_after_refresh(self.stylesheet.update, self)
                return
            self.stylesheet.update(self)

    def get_default_screen(self) -> Screen[Any]:
        """The title is the first screen itself, not pushed over an empty one: one screen
        composed and painted at start rather than two. Given a scenario, the game's screens
        go over a blank one instead."""
        if self.scenario_id:
            return super().get_default_screen()
        from oncall.tui.screens.title import TitleScreen

        return TitleScreen()

    def start_incident(self, scenario_id: str, seed: int | None,
                       difficulty: str | None = None) -> None:
        """Show the loading screen and build the incident off the event loop."""
        from oncall.tui.screens.loading import LoadingScreen

        self.seed = seed if seed is not None else random.randrange(1, 100_000)
        self.scenario_id = scenario_id
        self.difficulty = difficulty
        self.push_screen(LoadingScreen(f"Building the fleet for {scenario_id}, seed {self.seed}"))
        self._build(scenario_id, self.seed, difficulty)

    @work(thread=True, exclusive=True, group="build")
    def _build(self, scenario_id: str, seed: int, difficulty: str | None) -> None:
        from oncall.content.loader import ContentError
        from oncall.game.generator import scenario
        from oncall.session import Session
        from oncall.sim.world import NoPage

        try:
            session = Session(scenario(scenario_id), seed, difficulty, home=self.home)
        except ContentError as exc:
            self.post_message(GameFailed(str(exc)))
            return
        except NoPage as exc:  # the content's to fix: said as `play --headless` says it
            self.post_message(GameFailed(f"{scenario_id}: fault: {exc}"))
            return
        except Exception as exc:  # a failed build is a message, not a crash
            from oncall.store.errorlog import log_error, new_error_id

            error_id = new_error_id()
            log = log_error(self.home, error_id, f"building {scenario_id} seed {seed}", exc)
            self.post_message(GameFailed(f"internal error {error_id} ({type(exc).__name__})"
                                         + (f"; details in {log}" if log else "")))
            return
        import oncall.tui.screens.page
        import oncall.tui.screens.war_room  # noqa: F401  # both are built as this posts
        page = session.page()
        freeze_heap()
        self.post_message(GameReady(session, page))

    @on(GameReady)
    def _game_ready(self, message: GameReady) -> None:
        from oncall.tui.screens.loading import LoadingScreen
        from oncall.tui.screens.page import PageScreen
        from oncall.tui.screens.war_room import WarRoom

        self.session = message.session
        self.sub_title = f"{message.session.scenario.title} (seed {message.session.seed})"
        loading = next((s for s in reversed(self.screen_stack) if isinstance(s, LoadingScreen)),
                       self.screen)
        # The war room is built beneath the page, so acknowledging only closes the page.
        room = WarRoom(message.session, message.page)
        self.replace(loading, room)
        self.push_screen(PageScreen(message.session, message.page, room))
        self._warm()

    @work(thread=True, exclusive=True, group="warm")
    def _warm(self) -> None:
        """While the player reads the page, import what the next screens and the drift lab
        need (scipy most of all), so acknowledging, the first test and the postmortem do not
        wait for imports on the event loop."""
        import importlib

        for name in WARM_MODULES:
            with contextlib.suppress(ImportError):  # a missing piece shows where it is used
                importlib.import_module(name)
        freeze_heap()

    @on(GameFailed)
    def _game_failed(self, message: GameFailed) -> None:
        from oncall.tui.screens.title import TitleScreen

        self.notify(message.error, title="Cannot start the incident", severity="error",
                    timeout=15)
        self.switch_screen(TitleScreen())

    @work(thread=True, group="settings")
    def _load_settings(self) -> None:
        """Validate the settings file off the event loop (its model imports pydantic, a fifth
        of the start-up); the theme peeked at start stands unless the file does not read."""
        from oncall.store.settings import load_settings

        settings, problem = load_settings(self.home)
        self.call_from_thread(self._apply_settings, settings.theme, problem)

    def _apply_settings(self, theme: str | None, problem: str | None) -> None:
        """The validated theme; a file that does not read leaves the default and is not
        rewritten (only a theme the player picks replaces it)."""
        if theme in self.available_themes:
            target = theme
        else:
            target = DEFAULT_THEME if problem else self.theme
        self._saved_theme = target
        self.theme = target
        if problem:
            self.notify(problem, title="Settings not read", severity="warning", timeout=10)

    def _remember_theme(self, theme: object) -> None:
        from oncall.store.settings import Settings, save_settings

        name = getattr(theme, "name", None)
        if name == self._saved_theme:
            return
        self._saved_theme = name
        try:
            save_settings(Settings(theme=name), self.home)
        except OSError as exc:
            self.notify(f"The theme is not remembered: {exc.strerror or exc}",
                        severity="warning")

    @property
    def live(self) -> Session | ShiftSession | None:
        """The game under way that leaving would cut short: a night shift that has started and
        not ended, or an incident with a command run and no end. Leaving it asks first and
        keeps it as an abandoned save."""
        night = self.night
        if night is not None and not night.ended:
            return night
        s = self.session
        return s if s is not None and not s.ended else None

    @property
    def in_incident(self) -> bool:
        return self.live is not None

    def _what(self) -> str:
        return "night" if self.live is self.night and self.night is not None else "incident"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "abandon":
            return self.in_incident
        return True

    async def action_quit(self) -> None:
        """Quit; mid-game, ask first, and keep the game as an abandoned save."""
        if not self.in_incident:
            self.exit()
            return
        self._ask_to_leave(f"Quit in the middle of the {self._what()}?", "Quit", then_exit=True)

    def action_abandon(self) -> None:
        if self.in_incident:
            self._ask_to_leave(f"Abandon this {self._what()} and go back to the title?",
                               "Abandon", then_exit=False)

    def _ask_to_leave(self, question: str, yes: str, then_exit: bool) -> None:
        from oncall.tui.screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        kept = f"The {self._what()} is saved as abandoned, scored as it stands."

        def answered(answer: bool | None) -> None:
            if answer:
                self._leave(then_exit)

        self.push_screen(ConfirmScreen(question, kept, yes=yes), answered)

    @work(thread=True, exclusive=True, group="engine")
    def _leave(self, then_exit: bool) -> None:
        """Save the unfinished game (under the session's lock, after any command)."""
        what = self._what()
        live = self.live
        outcome = _abandon(live) if live is not None else None
        self.call_from_thread(self._left, outcome, then_exit, what)

    def _left(self, outcome: SaveOutcome | None, then_exit: bool, what: str = "incident"
              ) -> None:
        self._keep(outcome)
        if then_exit:
            self.exit()
            return
        where = f" Saved to {outcome.path}." if outcome is not None and outcome.path else ""
        self.back_to_title()
        self.notify(f"{what.capitalize()} abandoned.{where}", title="Abandoned", timeout=8)

    def _keep(self, outcome: SaveOutcome | None) -> None:
        if outcome is not None and not outcome.ok and outcome.save_json is not None:
            self.unsaved.append(outcome.save_json)

    # -- going away without a word: a closed terminal or browser tab, a kill ---------------------
    def _watch_signals(self) -> None:
        """SIGHUP (the terminal closed) and SIGTERM (a kill, a served tab's process stopped)
        end the app the way a quit does, so the game under way is kept (see `_on_exit_app`).
        Not in headless runs (tests), which own their process's signals."""
        import asyncio
        import signal

        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(sig, self.exit)

    async def _on_exit_app(self) -> None:
        """Every way out passes here (a quit, a signal, textual-serve closing a tab's app): a
        game still under way is saved as abandoned before the app closes."""
        live = self.live
        if live is not None and not self.is_headless:
            with contextlib.suppress(Exception):  # leaving must never be stopped by a save
                self._keep(_abandon(live))
        await super()._on_exit_app()

    def another_night(self, same: bool) -> None:
        """From the scorecard: the same night again (scenario, seed, difficulty), or a new
        random night drawn from a fresh seed."""
        from oncall.game.generator import random_id

        session = self.session
        self.back_to_title()
        if same and session is not None:
            self.start_incident(session.scenario.id, session.seed, session.difficulty)
            return
        seed = random.randrange(1, 100_000)
        self.start_incident(random_id(seed, self.difficulty or "normal"), seed, self.difficulty)

    def back_to_title(self) -> None:
        """Leave the incident and return to the title screen at the bottom of the stack."""
        from oncall.tui.screens.title import TitleScreen

        self.session = None
        self.night = None
        thaw_heap()
        self.clear_notifications()  # the night's toasts do not follow the player out
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if not isinstance(self.screen, TitleScreen):  # a game started from the command line
            self.push_screen(TitleScreen())


def _abandon(live: Session | ShiftSession) -> SaveOutcome | None:
    """Stop the game where it stands and save it: even a page nobody answered yet is a night
    the player walked away from (`abandon` is a command of every phase before the end)."""
    if not live.ended:
        live.do({"do": "abandon"})
    return live.outcome


def make_app(seed: int | None = None, scenario: str | None = None,
             difficulty: str | None = None, home: Path | None = None,
             realtime: float | None = None) -> OncallApp:
    """The one way to build the app, for the CLI and the tests alike."""
    return OncallApp(seed=seed, scenario=scenario, difficulty=difficulty, home=home,
                     realtime=realtime)
