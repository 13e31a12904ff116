"""The war room: the status bar, the log, a chart, the drift lab and a command line.

Every command goes through the session (the error boundary) in a worker thread behind one lock
(the engine is not thread-safe and commands must stay in order); results come back as `Observed`
messages and the screen renders them. The status bar reads the engine's `glance`, taken in the
worker or under the session's lock, never the world directly. Keys, forms and the command line
all end in the same `send(command)`. From 120 columns a side panel keeps the impact and the
latest chart beside the log.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane

from oncall.tui.app import freeze_heap
from oncall.tui.commands import WarRoomCommands
from oncall.tui.messages import PAGER_EVENTS, Observed
from oncall.tui.screens.actions import (
    ACTIONS,
    NO_FORM,
    PER_MODEL,
    describe_value,
    form_for,
    to_command,
    vocabulary,
)
from oncall.tui.slices import FRAME_S, Slices
from oncall.tui.widgets.charts import DistributionPlot, MetricChart
from oncall.tui.widgets.cmdinput import CommandInput, CommandLine
from oncall.tui.widgets.drift import DriftTable
from oncall.tui.widgets.footer import FittingFooter
from oncall.tui.widgets.obslog import ObservationLog
from oncall.tui.widgets.status import (
    IncidentStatus,
    ack_overdue,
    ack_text,
    budget_crossed,
    impact_text,
    look,
    update_text,
)

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation
    from oncall.session import Session
    from oncall.tui.app import OncallApp
    from oncall.tui.screens.postmortem import PostmortemScreen

TABS = {"dashboard": "tab-chart", "drift": "tab-drift"}
WIDE = 120
"""From this many columns a side panel keeps the impact and the latest chart beside the log."""
FORM_AHEAD_S = 0.1
"""Seconds after the room is shown before the postmortem form starts being built behind it."""
QUIET_S = 0.3
"""Seconds without a key or an answer before the room counts as quiet (work ahead may run)."""


class WarRoom(Screen[None]):
    """Where the incident is worked. Letters act; `:` types a command; F1 or ? helps."""

    COMMANDS: ClassVar = {WarRoomCommands}
    AUTO_FOCUS = "#log"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: an action key is taken in turn with the keys after it, so `r` holds what
        # is typed next for the postmortem before any of it can reach another key.
        # Every action is in the footer, the main ones first: as many as fit show, and the
        # help key says how many more it lists.
        *(Binding(a.key, f"act('{a.name}')", a.label, id=a.name, priority=True)
          for a in sorted(ACTIONS, key=lambda a: not a.show)),
        Binding("colon,slash", "cmdline", "Type", show=False, id="cmdline", priority=True),
        Binding("f1,question_mark", "help", "Help", id="help"),
        Binding("1", "tab('tab-log')", "Log", show=False, id="tab-log"),
        Binding("2", "tab('tab-chart')", "Chart", show=False, id="tab-chart"),
        Binding("3", "tab('tab-drift')", "Drift lab", show=False, id="tab-drift"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="up"),
    ]

    def __init__(self, session: Session, page: Observation) -> None:
        super().__init__()
        self.session = session
        self.page = page
        self.entries: list[tuple[dict[str, Any], Observation]] = []
        """Every command and answer in this room, for the log and the evidence picker."""
        self._lock = threading.Lock()
        self._warned_ack = False
        self._budget = 0.0
        """The error-budget share last shown, to toast each threshold once as it is crossed."""
        self._form: PostmortemScreen | None = None
        """The postmortem form, built behind the room while the incident is worked."""
        self._last_answer = 0.0
        """When a command was last sent or answered (monotonic seconds)."""

    @property
    def game(self) -> Game:
        """The session's game (a new object if the session rebuilt it after an error)."""
        return self.session.game

    def compose(self) -> ComposeResult:
        yield IncidentStatus(id="status")
        with Horizontal(id="room"):
            with TabbedContent(id="tabs"):
                with TabPane("Log 1", id="tab-log"):
                    yield ObservationLog(id="log")
                with TabPane("Chart 2", id="tab-chart"):
                    yield MetricChart(id="chart")
                with TabPane("Drift lab 3", id="tab-drift"):
                    yield DriftTable(id="drift-table")
                    yield DistributionPlot(id="drift-plot")
            with Vertical(id="side"):
                yield Static("", id="side-impact", markup=False)
                side = MetricChart(id="side-chart")
                side.display = False
                yield side
        yield CommandLine(self.vocabulary, self.describe, id="cmdline-box",
                          placeholder=": type a command (tab completes, up: history, "
                                      "esc: keys)")
        yield Static("", id="cmd-error", markup=False)
        yield FittingFooter(held=True)  # until the room is on top (`arrive`)

    def on_mount(self) -> None:
        """The room is built under the page while the player reads it, so `a` only has to
        close the page (`arrive`)."""
        log = self.query_one(ObservationLog)
        log.add({"do": "page"}, self.page)
        self._show_state(look(self.session))
        self.set_focus(log)

    def arrive(self, first: Observation | None, state: dict[str, Any]) -> None:
        """The page above is acknowledged (`first` is the answer) or set aside (`w`): close it
        and whatever was opened over it, show where things stand, and hand over the keys typed
        since `a`."""
        app = self.oncall
        while app.screen is not self and self in app.screen_stack:
            app.pop_screen()
        if first is not None:
            self._show_observation({"do": "ack"}, first)
        if state:
            self._show_state(state)
        self.refresh_bindings()
        # The room's first frame is the status bar, the log and the tabs; the answer's entry
        # is laid out in the next one or two, and the keys come three frames after, the
        # acknowledged incident's (drawn in the first frame as they were under the page, then
        # again as they are, they cost both frames 3-4 ms; sooner, they shared the entry's).
        footer = self.query_one(FittingFooter)
        Slices(footer, [footer.release]).start(3 * FRAME_S)
        self.call_after_refresh(app.release_input)
        self.call_after_refresh(freeze_heap)
        self._last_answer = time.monotonic()  # the room itself is the answer to `a`
        self.set_timer(FORM_AHEAD_S, self._build_form)

    def _build_form(self) -> None:
        """Start building the postmortem form off the stack, a few widgets a frame while the
        room is on top (`PostmortemScreen`), so `resolve` only has to show it. Textual mounts a
        screen as it is pushed; `_get_screen` is that step on its own."""
        from oncall.tui.screens.postmortem import PostmortemScreen

        if self._form is not None or not self.is_attached or self.game.phase == "resolved":
            return
        self._form = PostmortemScreen(self.session, None, self.entries, behind=self)
        self.app._get_screen(self._form)

    @property
    def quiet(self) -> bool:
        """The room is on top, nothing the player started is under way (a command, a chart
        being drawn) and the player is reading (no key or answer for `QUIET_S`): work done
        ahead waits for such moments."""
        last = max(self._last_answer, self.oncall.last_input)
        return self.app.screen is self and time.monotonic() - last > QUIET_S \
            and not any(w.is_running for w in self.app.workers)

    def on_unmount(self) -> None:
        """Left without resolving (abandoned, quit): the form built behind goes too."""
        form, self._form = self._form, None
        if form is not None and form.is_attached:
            form.remove()

    def waited_on_the_page(self, observation: Observation) -> None:
        """A real-time minute passed on the page above: its recorded `wait 1` joins the log."""
        self._show_observation({"do": "wait", "minutes": 1}, observation)

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "wide")

    @property
    def wide(self) -> bool:
        return self.has_class("wide")

    def vocabulary(self, field: str, cmd: dict[str, Any]) -> list[str]:
        """What the command line may complete a field with."""
        return vocabulary(self.game, self.entries, field, cmd)

    def describe(self, field: str, value: str) -> str:
        """One line on a value the command line offers."""
        return describe_value(self.game, self.entries, field, value)

    def realtime_minute(self) -> None:
        """In real-time mode, a real minute with the page still unacknowledged (the player came
        in with `w`) is a recorded `wait 1`, unless a command is on its way."""
        status = self.query(IncidentStatus)
        if status and self.game.phase == "paged" and not status.first().busy:
            self.send({"do": "wait", "minutes": 1})

    # -- sending -------------------------------------------------------------------------------
    def send(self, command: dict[str, Any]) -> None:
        """Run one engine command off the event loop."""
        self._last_answer = time.monotonic()
        status = self.query_one(IncidentStatus)
        status.show(status.state, busy=True)
        if command.get("do") == "resolve":
            self.oncall.hold_input()  # what is typed next belongs to the postmortem, if it opens
        self._run(command)

    @property
    def oncall(self) -> OncallApp:
        return self.app  # type: ignore[return-value]

    @work(thread=True, group="engine")
    def _run(self, command: dict[str, Any]) -> None:
        with self._lock:
            obs = self.session.do(command)
            state = look(self.session)
        self.post_message(Observed(command, obs, state))

    @on(Observed)
    def _observed(self, message: Observed) -> None:
        self._last_answer = time.monotonic()
        self.call_after_refresh(freeze_heap)  # the answer and its widgets live with the game
        obs = message.observation
        if obs.kind == "resolve" and obs.ok and message.state.get("phase") == "resolved":
            self._leave_for_postmortem(message.command, obs)
            return
        self._show_observation(message.command, message.observation)
        if message.state:
            self._show_state(message.state)
        self.refresh_bindings()
        self._announce(obs)
        if message.command.get("do") == "resolve":
            self.oncall.release_input()  # not resolved: the keys are the war room's again

    def _announce(self, obs: Observation) -> None:
        """The bell for what pages (in real time), a toast for what people say and do."""
        if self.oncall.realtime and any(ev.get("kind") in PAGER_EVENTS for ev in obs.events):
            self.app.bell()
        for ev in obs.events:
            if ev.get("kind") in ("message", "mitigated", "handover", "escalation"):
                self.notify(str(ev.get("text", "")), title=str(ev.get("by") or ev["kind"]),
                            timeout=6)

    def _leave_for_postmortem(self, command: dict[str, Any], obs: Observation) -> None:
        """Resolved: the postmortem takes the room's place at once, the form built behind
        the room if it is there. The room is not brought up to date first (its log, status bar
        and keys would be drawn for nobody); the answer joins the entries the postmortem looks
        back at, and its news is announced."""
        from oncall.tui.screens.postmortem import PostmortemScreen

        self.entries.append((command, obs))
        self._announce(obs)
        form, self._form = self._form, None
        if form is not None and form.is_attached:
            form.show(obs)
        else:
            form = PostmortemScreen(self.session, obs, self.entries)
        # Kept (installed) as the form replaces it, and taken down once the form is whole:
        # its few hundred widgets closing shared the form's first frames.
        self.app.install_screen(self, f"war-room-{id(self)}")
        form.replaces = self
        self.oncall.replace(self, form)

    def _show_state(self, state: dict[str, Any]) -> None:
        """The status bar and side panel, and a toast for each new kind of pressure."""
        self.query_one(IncidentStatus).show(state)
        impact = state.get("impact") or {}
        spent = float(impact.get("budget_consumed_pct", 0.0))
        crossed = budget_crossed(self._budget, spent)
        if crossed:  # one toast for the highest step passed, however many at once
            self.notify(f"{crossed[-1]:g}% of the 30-day error budget is gone ({spent:g}% "
                        "now).", title="Error budget", severity="warning", timeout=8)
        self._budget = max(self._budget, spent)
        if ack_overdue(state) and not self._warned_ack:
            self._warned_ack = True
            late = int(state["now"]) - int(state["page_at"])
            self.notify(f"The page is {late} min old and not acknowledged (target "
                        f"{state['ack_target']} min). Press a.", title="Acknowledge",
                        severity="error", timeout=10)
        firing = "\n".join(f"  {sev} {rule} on {model}" for sev, rule, model in
                           state.get("firing", [])) or "  nothing firing"
        self.query_one("#side-impact", Static).update(
            f"{state['clock']}  {ack_text(state)}  {update_text(state)}\n{impact_text(state)}\n"
            f"firing:\n{firing}")

    def _show_observation(self, command: dict[str, Any], obs: Observation) -> None:
        self.entries.append((command, obs))
        self.query_one(ObservationLog).add(command, obs)
        error = self.query_one("#cmd-error", Static)
        error.update(f"✗ {obs.error}\n  valid now: {' '.join(obs.valid or [])}"
                     if not obs.ok and obs.kind == "error" else "")
        error.set_class(not obs.ok and obs.kind == "error", "shown")
        tab = TABS.get(obs.kind) if obs.ok else None
        if tab == "tab-chart":
            self.query_one("#chart", MetricChart).show(obs.data)
            side = self.query_one("#side-chart", MetricChart)
            side.display = True
            side.show(obs.data)
            if self.wide:  # the chart stays in view beside the log
                tab = None
        elif tab == "tab-drift":
            # The lab comes up with its table emptied and the rows a frame after: the tab's
            # first frame and the table's rows in one held the loop for more than a frame.
            table = self.query_one(DriftTable)
            table.clear()
            Slices(self, [partial(table.show, obs.data,
                                  self.query_one(TabbedContent).size.width)]).start()
            self.query_one(DistributionPlot).show(obs.data)
        self.query_one(TabbedContent).active = tab or "tab-log"
        if self.focused is not self.query_one("#cmdline", Input):
            self.focus_body()  # the keys follow what is on screen, not a hidden pane

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer `ack` only while the page is unacknowledged; the footer follows."""
        if action in ("act", "cmdline") and isinstance(self.focused, Input):
            return False  # letters typed on the command line are text, not keys
        if action == "act" and parameters == ("ack",):
            return self.game.phase == "paged"
        return True

    def action_act(self, name: str) -> None:
        if name in NO_FORM:
            self.send({"do": name})
            return
        self._ask(name, None)

    def _ask(self, name: str, model: str | None) -> None:
        from oncall.tui.screens.form import FormDialog

        fields = form_for(name, self.game, self.entries, model)
        action = next(a for a in ACTIONS if a.name == name)
        title = f"{action.label}{' ' + model if model else ''}: {action.about}"
        final = name not in PER_MODEL or model is not None
        check = partial(self._check, name, model) if final else None
        self.app.push_screen(FormDialog(title, fields, check=check),
                             partial(self._answered, name, model))

    def _check(self, name: str, model: str | None, values: dict[str, Any]) -> str | None:
        """What the engine's command parser says of the form's values (it reads no state)."""
        from oncall.game.commands import CommandError, parse

        try:
            parse(to_command(name, values | ({"model": model} if model else {})),
                  self.game.phase)
        except CommandError as exc:
            return str(exc)
        return None

    def _answered(self, name: str, model: str | None, values: dict[str, Any] | None) -> None:
        if values is None:
            return
        if name in PER_MODEL and model is None:
            if "model" in values:
                self._ask(name, values["model"])
            return
        command = to_command(name, values | ({"model": model} if model else {}))
        if name == "diagnose" and not command.get("evidence"):
            from oncall.tui.screens.confirm import ConfirmScreen

            self.app.push_screen(ConfirmScreen(
                "File this diagnosis with no evidence?",
                "A diagnosis is judged on the observations it cites (space ticks them in the "
                "form). Without any it scores as a guess.", yes="File it"),
                lambda yes: self.send(command) if yes else None)
            return
        self.send(command)

    def action_cmdline(self) -> None:
        # At once, not on the next idle (`focus()`): the letters typed right after `:` are
        # already queued and must land in the line, not on the war room's keys.
        self.set_focus(self.query_one("#cmdline", Input))

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.focus_body()

    def action_scroll(self, lines: int) -> None:
        log = self.query_one(ObservationLog)
        log.scroll_relative(y=lines * 3, animate=False)

    def action_help(self) -> None:
        from oncall.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.game.phase))

    @on(Input.Submitted, "#cmdline")
    def _typed(self, event: Input.Submitted) -> None:
        from oncall.tui.cmdline import LineError, parse_line

        line = event.value.strip()
        if not line:
            return
        try:
            command = parse_line(line)
        except LineError as exc:
            error = self.query_one("#cmd-error", Static)
            error.update(f"✗ {exc}")
            error.add_class("shown")
            self.query_one(CommandInput).put_back(line)
            return
        self.query_one(CommandInput).remember(line)
        self.send(command)
        # Back to the keys, as vim's `:` does: the next command starts with `:` again, and no
        # Escape is needed (in a browser a lone Escape is only seen with the next key). The
        # body takes focus when the answer lands, in the tab that shows it.
        self.set_focus(None)

    def key_escape(self) -> None:
        if self.focused is self.query_one("#cmdline", Input):
            self.focus_body()

    def focus_body(self) -> None:
        """Focus what the open tab shows (focusing a hidden pane's widget would switch tabs)."""
        from textual.widgets import Tabs

        active = self.query_one(TabbedContent).active
        if active == "tab-log":
            self.query_one(ObservationLog).focus()
        elif active == "tab-drift":
            self.query_one(DriftTable).focus()
        else:
            self.query_one(Tabs).focus()
