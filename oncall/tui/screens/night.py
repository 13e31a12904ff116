"""The night shift screen: the pager's pressure on top, the queue beside the log, and the war
room's command line over the shift session.

The status lines and the queue are redrawn after every command from the shift's own state, so
the error budget and any unacknowledged page are always in view. Commands run in a worker
thread one at a time; a line entered while one runs waits its turn, shown as queued, and none is
ever dropped. The log is the war room's: ids first, echoes that retype, events coloured by their
weight (a critical page, an escalation to the secondary).
"""

from __future__ import annotations

import random
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from oncall.tui.cmdline import SHIFT
from oncall.tui.widgets.cmdinput import CommandLine
from oncall.tui.widgets.footer import FittingFooter
from oncall.tui.widgets.nightstatus import NightStatus, queue_text, view_of
from oncall.tui.widgets.obslog import ObservationLog

if TYPE_CHECKING:
    from oncall.game.record import Observation
    from oncall.session import ShiftSession
    from oncall.tui.app import OncallApp

HINT = ": ack · take q2 · reply c1 obs-3 · agree c1 · silence ALERT MODEL · wait 10 · " \
       "tab completes · F1 help"
NARROW = 110
"""Below this many columns the queue sits above the log instead of beside it."""


class ShiftBuilt(Message):
    def __init__(self, session: ShiftSession | None, error: str = "") -> None:
        super().__init__()
        self.session = session
        self.error = error


class ShiftAnswered(Message):
    def __init__(self, command: dict[str, Any], observation: Observation,
                 view: dict[str, Any]) -> None:
        super().__init__()
        self.command = command
        self.observation = observation
        self.view = view


class NightScreen(Screen[None]):
    """A night on call: build the shift in a worker, then answer commands in order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="night-help"),
        Binding("escape", "leave", "Leave", id="night-leave"),
        Binding("ctrl+g", "app.abandon", "Abandon", id="night-abandon"),
        Binding("ctrl+q", "app.quit", "Quit", id="night-quit", priority=True),
        Binding("pageup", "scroll(-1)", "Log up", id="night-up", show=False),
        Binding("pagedown", "scroll(1)", "Log down", id="night-down", show=False),
    ]

    def realtime_minute(self) -> None:
        """In real-time mode, a real minute with a page unacknowledged is a recorded `wait 1`
        (never while a command runs or waits its turn)."""
        if self.session is None or self.busy or self.waiting or not self.view.get("unacked") \
                or self.view.get("ended"):
            return
        self._start("wait 1")

    def __init__(self, seed: int | None = None, length: int = 360,
                 difficulty: str = "normal", home: Path | None = None) -> None:
        super().__init__()
        self.seed = seed if seed is not None else random.randrange(1, 100_000)
        self.length, self.difficulty, self.home = length, difficulty, home
        self.session: ShiftSession | None = None
        self.busy = False
        self.waiting: deque[str] = deque()
        """Lines entered while a command ran (or before the night was built), in order."""
        self.view: dict[str, Any] = {}

    @property
    def oncall(self) -> OncallApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NightStatus(f"Building the night (seed {self.seed})…", id="night-status")
        with Horizontal(id="night-body"):
            with VerticalScroll(id="night-left"):
                yield Static("", id="night-queue", markup=False)
            yield ObservationLog(id="night-log")
        yield CommandLine(self.vocabulary, self.describe, SHIFT, placeholder=HINT,
                          input_id="night-cmd", id="night-cmdline")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#night-cmd", Input).focus()  # type-ahead lands here, and waits
        self._build()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "narrow")

    @work(thread=True, exclusive=True, group="night-build")
    def _build(self) -> None:
        from oncall.session import ShiftSession

        try:
            session = ShiftSession(self.seed, self.length, self.difficulty, home=self.home)
        except Exception as exc:  # a failed build is a message, not a crash
            self.post_message(ShiftBuilt(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(ShiftBuilt(session))

    @on(ShiftBuilt)
    def _built(self, message: ShiftBuilt) -> None:
        if message.session is None:
            self.notify(message.error, title="Cannot start the shift", severity="error")
            self.app.pop_screen()
            return
        self.session = message.session
        self.oncall.night = message.session
        start = message.session.start()
        self.query_one(ObservationLog).add({"do": "shift"}, start, head=f"{start.clock}  the night "
                                           "begins")
        self._show(view_of(message.session))
        self.refresh_bindings()  # leaving now asks first
        self._next()

    def _show(self, view: dict[str, Any]) -> None:
        self.view = view
        self.query_one(NightStatus).show(view)
        self.query_one("#night-queue", Static).update(queue_text(view))

    # -- the command line ------------------------------------------------------------------------
    def vocabulary(self, field: str, cmd: dict[str, Any]) -> list[str]:
        """What the command line may complete a field with, from the shift as it stands."""
        from oncall.tui.screens.actions import vocabulary

        if self.session is None:
            return []
        shift = self.session.shift
        f = shift.record.facts
        if field == "about":
            if cmd.get("do") == "take":
                return [it.id for it in f.items if it.arrived]
            return [cv.id for cv in f.conversations if cv.closed_at is None]
        if field == "page":
            return [p.id for p in f.pages if p.acked_at is None]
        if field == "incident":
            return [p.id for p in f.pages]
        if field == "evidence":
            if cmd.get("do") == "diagnose":  # an incident's diagnosis cites what it looked at
                return [e.observation.id for e in shift.game.record.entries
                        if e.observation.id and e.observation.ok]
            return shift._known_obs()
        if field == "alert" and cmd.get("do") == "silence":
            return ["*", *vocabulary(shift.game, [], field, cmd)]
        return vocabulary(shift.game, [], field, cmd)

    def describe(self, field: str, value: str) -> str:
        from oncall.tui.screens.actions import describe_value

        if self.session is None:
            return ""
        shift = self.session.shift
        f = shift.record.facts
        if field in ("about", "incident", "page"):
            item = next((it for it in f.items if value in (it.id, it.page)), None)
            if item is not None:
                return f"{item.title} (by {item.requester})"
            conv = next((cv for cv in f.conversations if cv.id == value), None)
            if conv is not None:
                return f"{conv.person} ({conv.role}) on {conv.model}"
        entries = [(e.command, e.observation) for e in shift.record.entries]
        return describe_value(shift.game, entries, field, value, SHIFT)

    @on(Input.Submitted, "#night-cmd")
    def _typed(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        if not line:
            return
        self.query_one(CommandLine).input.remember(line)
        self._submit(line)

    def action_send(self, line: str) -> None:
        self._submit(line)

    def _submit(self, line: str) -> None:
        """Run the line now, or queue it behind the command that runs (never drop it)."""
        if self.busy or self.session is None or self.waiting:
            self.waiting.append(line)
            why = "the night is still being built" if self.session is None else \
                "after the command before it"
            self.query_one(ObservationLog).add_text(f"queued: {line}  (runs {why})",
                                                     classes="queued")
            return
        self._start(line)

    def _start(self, line: str) -> None:
        from oncall.tui.cmdline import LineError, parse_line

        try:
            command = parse_line(line, shift=True)
        except LineError as exc:
            self.query_one(ObservationLog).add_text(f"✗ {exc}", classes="entry-error")
            self._next()
            return
        self.busy = True
        self.query_one(NightStatus).busy(True)
        self._run(command)

    def _next(self) -> None:
        if self.waiting and not self.busy and self.session is not None:
            self._start(self.waiting.popleft())

    @work(thread=True, group="night-do")
    def _run(self, command: dict[str, Any]) -> None:
        assert self.session is not None
        obs = self.session.do(command)
        entries = self.session.shift.record.entries
        recorded = entries[-1].command if entries and entries[-1].observation is obs \
            else command
        self.post_message(ShiftAnswered(recorded, obs, view_of(self.session)))

    @on(ShiftAnswered)
    def _answered(self, message: ShiftAnswered) -> None:
        self.busy = False
        self.query_one(NightStatus).busy(False)
        obs = message.observation
        self.query_one(ObservationLog).add(message.command, obs)
        self._show(message.view)
        if message.view["ended"]:
            self.refresh_bindings()
        if any(ev.get("kind") in ("page", "renotify", "escalation", "repage")
               for ev in obs.events):
            self.app.bell()  # the pager buzzes
        if message.view["ended"] and self.session is not None:
            self.waiting.clear()
            out = self.session.outcome
            where = f"saved to {out.path}" if out is not None and out.path else "not saved"
            self.notify(f"The shift is over ({where}). Career and Stories list it.",
                        title="Handed over", timeout=15)
            return
        self._next()

    # -- keys ------------------------------------------------------------------------------------
    def action_help(self) -> None:
        from oncall.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen("active", night=True))

    def action_scroll(self, pages: int) -> None:
        log = self.query_one(ObservationLog)
        log.scroll_relative(y=pages * max(3, log.size.height - 2), animate=False)

    def action_leave(self) -> None:
        """Esc clears the line first; on an empty line it leaves (asking first mid-night)."""
        cmd = self.query_one("#night-cmd", Input)
        if cmd.value:
            cmd.value = ""
            return
        if self.oncall.in_incident:
            self.oncall.action_abandon()
        else:
            self.app.pop_screen()

    def on_unmount(self) -> None:
        if getattr(self.app, "night", None) is self.session:
            self.oncall.night = None


def night_app(seed: int | None, length: int, difficulty: str, home: Path | None,
              realtime: float | None = None) -> OncallApp:
    """The app opened straight onto a night shift (`oncall shift`), the title screen under it."""
    from oncall.tui.app import OncallApp

    class NightApp(OncallApp):
        CSS_PATH = str(Path(__file__).resolve().parent.parent / "oncall.tcss")

        def on_mount(self) -> None:
            super().on_mount()
            # The app's own start shows the title screen; the night opens over it.
            self.call_after_refresh(self.push_screen,
                                    NightScreen(seed, length, difficulty, home))

    return NightApp(seed=seed, difficulty=difficulty, home=home, realtime=realtime)
