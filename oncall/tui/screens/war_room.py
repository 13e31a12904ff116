"""The war room: the incident's header, the log, a chart, the drift lab and a command line.

Every command goes through the session (the error boundary) in a worker thread behind one lock
(the engine is not thread-safe and commands must stay in order); results come back as `Observed`
messages and the screen renders them. Keys, forms and the command line all end in the same
`send(command)`.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane

from oncall.tui.commands import WarRoomCommands
from oncall.tui.messages import Observed
from oncall.tui.screens.actions import ACTIONS, NO_FORM, PER_MODEL, form_for, to_command
from oncall.tui.widgets.charts import DistributionPlot, MetricChart
from oncall.tui.widgets.drift import DriftTable
from oncall.tui.widgets.obslog import ObservationLog
from oncall.tui.widgets.status import IncidentStatus

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation
    from oncall.session import Session

TABS = {"dashboard": "tab-chart", "drift": "tab-drift"}


def snapshot(game: Game) -> dict[str, Any]:
    """What the header shows; taken in the worker because `firing()` reads telemetry."""
    from oncall.game.commands import WORKING
    from oncall.sim.clock import hhmm

    firing = game.world.firing() if game.phase in WORKING else []
    return {"clock": hhmm(game.now), "phase": game.phase,
            "severity": game.record.facts.severity,
            "firing": [f"{e.rule}/{e.model}" for e in firing],
            "obs": sum(1 for e in game.record.entries if e.observation.id)}


class WarRoom(Screen[None]):
    """Where the incident is worked. Letters act; `:` types a command; F1 or ? helps."""

    COMMANDS: ClassVar = {WarRoomCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(a.key, f"act('{a.name}')", a.label, show=a.show, id=a.name)
          for a in ACTIONS),
        Binding("colon,slash", "cmdline", "Type", show=False, id="cmdline"),
        Binding("f1,question_mark", "help", "Help", id="help"),
        Binding("1", "tab('tab-log')", "Log", show=False, id="tab-log"),
        Binding("2", "tab('tab-chart')", "Chart", show=False, id="tab-chart"),
        Binding("3", "tab('tab-drift')", "Drift lab", show=False, id="tab-drift"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="up"),
    ]

    def __init__(self, session: Session, page: Observation, first: Observation | None) -> None:
        super().__init__()
        self.session = session
        self.page = page
        self.first = first
        self.entries: list[tuple[dict[str, Any], Observation]] = []
        """Every command and answer in this room, for the log and the evidence picker."""
        self._lock = threading.Lock()

    @property
    def game(self) -> Game:
        """The session's game (a new object if the session rebuilt it after an error)."""
        return self.session.game

    def compose(self) -> ComposeResult:
        yield IncidentStatus(id="status", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane("Log 1", id="tab-log"):
                yield ObservationLog(id="log")
            with TabPane("Chart 2", id="tab-chart"):
                yield MetricChart(id="chart")
            with TabPane("Drift lab 3", id="tab-drift"):
                yield DriftTable(id="drift-table")
                yield DistributionPlot(id="drift-plot")
        yield Input(placeholder=": type a command, e.g. logs fraud-scorer level=WARN (esc: keys)",
                    id="cmdline")
        yield Static("", id="cmd-error", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        log = self.query_one(ObservationLog)
        log.add({"do": "page"}, self.page)
        if self.first is not None:
            self._show_observation({"do": "ack"}, self.first)
        state = snapshot(self.game)
        self.query_one(IncidentStatus).show(state)
        log.focus()

    # -- sending -------------------------------------------------------------------------------
    def send(self, command: dict[str, Any]) -> None:
        """Run one engine command off the event loop."""
        self.query_one(IncidentStatus).show(snapshot(self.game) | {"busy": True})
        self._run(command)

    @work(thread=True, group="engine")
    def _run(self, command: dict[str, Any]) -> None:
        with self._lock:
            obs = self.session.do(command)
            state = snapshot(self.game)
        self.post_message(Observed(command, obs, state))

    @on(Observed)
    def _observed(self, message: Observed) -> None:
        self._show_observation(message.command, message.observation)
        if message.state:
            self.query_one(IncidentStatus).show(message.state)
        self.refresh_bindings()
        obs = message.observation
        for ev in obs.events:
            if ev.get("kind") in ("message", "mitigated", "handover", "escalation"):
                self.notify(str(ev.get("text", "")), title=str(ev.get("by") or ev["kind"]),
                            timeout=6)
        if obs.kind == "resolve" and obs.ok:
            from oncall.tui.screens.postmortem import PostmortemScreen

            self.app.switch_screen(PostmortemScreen(self.session, obs))

    def _show_observation(self, command: dict[str, Any], obs: Observation) -> None:
        self.entries.append((command, obs))
        self.query_one(ObservationLog).add(command, obs)
        error = self.query_one("#cmd-error", Static)
        error.update(f"✗ {obs.error}\n  valid now: {' '.join(obs.valid or [])}"
                     if not obs.ok and obs.kind == "error" else "")
        error.set_class(not obs.ok and obs.kind == "error", "shown")
        tab = TABS.get(obs.kind) if obs.ok else None
        if tab == "tab-chart":
            self.query_one(MetricChart).show(obs.data)
        elif tab == "tab-drift":
            self.query_one(DriftTable).show(obs.data)
            self.query_one(DistributionPlot).show(obs.data)
        self.query_one(TabbedContent).active = tab or "tab-log"

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer `ack` only while the page is unacknowledged; the footer follows."""
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
        self.app.push_screen(FormDialog(title, fields), partial(self._answered, name, model))

    def _answered(self, name: str, model: str | None, values: dict[str, Any] | None) -> None:
        if values is None:
            return
        if name in PER_MODEL and model is None:
            if "model" in values:
                self._ask(name, values["model"])
            return
        command = to_command(name, values | ({"model": model} if model else {}))
        self.send(command)

    def action_cmdline(self) -> None:
        self.query_one("#cmdline", Input).focus()

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
            return
        event.input.value = ""
        self.send(command)

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
