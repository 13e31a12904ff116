"""The drill's terminal seat: a join form, then the shared log ("who (role)") and a command line.

The seat polls the drill's log twice a second, so the others' commands appear as they happen.
Commands are typed as in the war room (`dashboard ad-ctr pred_mean window=90`); the drill's own
verbs read `note TEXT`, `inject stakeholder [MESSAGE]`, `inject page`, `hint`, `pause`, `resume`;
the scribe's postmortem is `postmortem summary="…" root_cause="…"` or one JSON object.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, RichLog, Static

from oncall import __version__
from oncall.drill import roles
from oncall.drill.feedback import drill_cards
from oncall.drill.log import DrillLog, Event, LogError
from oncall.drill.table import Seat
from oncall.game.record import Observation
from oncall.tui.cmdline import LineError, parse_line

POLL_SECONDS = 0.5


def command_of(line: str) -> dict[str, Any]:
    """A typed line into a command dict (LineError if it cannot be read at all)."""
    text = line.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LineError(f"not JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(value, dict):
            raise LineError("a command is a JSON object with a \"do\" key")
        return value
    verb, _, rest = text.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb == "note":
        return {"do": "note", "text": rest}
    if verb == "inject":
        event, _, message = rest.partition(" ")
        return {"do": "inject", "event": event or "stakeholder"} | (
            {"message": message.strip()} if message.strip() else {})
    if verb in ("hint", "pause", "resume") and not rest:
        return {"do": verb}
    if verb == "postmortem":
        try:
            words = shlex.split(rest)
        except ValueError as exc:
            raise LineError(f"cannot read the postmortem: {exc}") from None
        pairs = [w.partition("=") for w in words]
        if any(not sep for _, sep, _ in pairs):
            raise LineError("postmortem: give fields as key=\"text\" (summary, root_cause, …)")
        return {"do": "postmortem"} | {k: v for k, _, v in pairs}
    return parse_line(text)


def log_line(ev: Event, obs: Observation) -> str:
    """One event of the shared log: `02:13 ann (incident commander) diagnose: …`, and the rest
    of what it showed, indented, so everyone reads the same observation."""
    title = roles.TITLES.get(ev.role, ev.role)
    lines = (obs.text or obs.error or "").splitlines() or [""]
    rest = "".join(f"\n    {line}" for line in lines[1:])
    return f"{obs.clock} {ev.who} ({title}) {ev.verb}: {lines[0]}{rest}"


class JoinScreen(Screen[None]):
    """Which drill, which role, which name."""

    def __init__(self, drill: str | None, role: str | None, name: str | None) -> None:
        super().__init__()
        self.given = (drill or "", role, name or "")

    def compose(self) -> ComposeResult:
        drill, role, name = self.given
        with Vertical(id="drill-join"):
            yield Static("Join a drill: the drill id (from `oncall drill new`), your role and "
                         "the name the others see.")
            yield Input(drill, placeholder="drill id, e.g. d-1a2b3c", id="join-drill")
            yield Input(role or "", placeholder="your role: " + ", ".join(roles.ROLES),
                        id="join-role")
            yield Input(name, placeholder="your name", id="join-name")
            yield Static("", id="join-error")
            yield Button("Join", id="join-go", variant="primary")

    def on_mount(self) -> None:
        empty = [i for i in self.query(Input) if not i.value]
        (empty[0] if empty else self.query_one("#join-go", Button)).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.join()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.join()

    def join(self) -> None:
        drill = self.query_one("#join-drill", Input).value.strip()
        role = self.query_one("#join-role", Input).value.strip().lower()
        name = self.query_one("#join-name", Input).value.strip()
        app = self.app
        assert isinstance(app, DrillApp)
        problem = app.sit(drill, role, name)
        if problem:
            self.query_one("#join-error", Static).update(problem)


class SeatScreen(Screen[None]):
    def __init__(self, seat: Seat) -> None:
        super().__init__()
        self.seat = seat
        self.shown: list[str] = []
        self.ended_shown = False

    def compose(self) -> ComposeResult:
        t = self.seat.table
        yield Static(f"Drill {self.seat.drill}: {t.scenario.title} — you are {self.seat.who}, "
                     f"{roles.TITLES[self.seat.role]}; your verbs: "
                     f"{', '.join(roles.verbs(self.seat.role))}", id="drill-head")
        yield RichLog(id="drill-log", wrap=True, markup=False)
        yield Static("", id="drill-status")
        yield Input(placeholder="a command, e.g. help", id="drill-command")
        yield Footer()

    def on_mount(self) -> None:
        self.say(self.seat.table.session.page().text)
        if self.seat.role == roles.FACILITATOR:
            key = self.seat.table.session.record.answers
            self.say(f"The key: {key.category} fault, {key.cause} ({key.cause_name}); signal "
                     f"{key.signal_alert}; SEV-{key.severity}.")
        self.show(self.seat.join())
        self.set_interval(POLL_SECONDS, self.poll)
        self.query_one("#drill-command", Input).focus()

    def say(self, text: str) -> None:
        self.shown.append(text)
        self.query_one("#drill-log", RichLog).write(text)

    def poll(self) -> None:
        try:
            self.show(self.seat.catch_up())
        except LogError as exc:
            self.say(f"the drill's log cannot be read: {exc}")

    def show(self, happened: list[tuple[Event, Observation]]) -> None:
        table = self.seat.table
        for ev, obs in happened:
            self.say(log_line(ev, obs))
        status = f"{table.session.phase}{', paused' if table.paused else ''}; event {table.seq}"
        self.query_one("#drill-status", Static).update(status)
        if table.session.ended and not self.ended_shown:
            self.ended_shown = True
            outcome = self.seat.save(self.app_home)  # every seat: the first write wins
            self.say(f"Saved the drill's record to {outcome.path}" if outcome.path else
                     f"The record could not be saved: {outcome.reason}")
            for card in drill_cards(table)["roles"]:
                self.say(f"{card['title']}: {card['met']} of {card['of']} — " +
                         "; ".join(("✓ " if c["ok"] else "✗ ") + c["text"]
                                   for c in card["checks"]))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        line = event.value
        event.input.value = ""
        if not line.strip():
            return
        try:
            command = command_of(line)
        except LineError as exc:
            self.say(f"! {exc}")
            return
        problem, _, happened = self.seat.issue(command)
        self.show(happened)
        if problem is not None:
            self.say(f"! {problem}")

    @property
    def app_home(self) -> Path | None:
        app = self.app
        return app.home if isinstance(app, DrillApp) else None


class DrillApp(App[None]):
    TITLE = "oncall drill"
    CSS = """
    #drill-join { padding: 1 2; width: 80; height: auto; }
    #drill-join Input, #drill-join Select { margin-bottom: 1; }
    #join-error { color: $error; }
    #drill-head { padding: 0 1; background: $boost; }
    #drill-log { height: 1fr; }
    #drill-status { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, log: DrillLog, home: Path | None, drill: str | None = None,
                 role: str | None = None, name: str | None = None) -> None:
        super().__init__()
        self.drill_log, self.home = log, home
        self.given = (drill, role, name)
        self.seat: Seat | None = None

    def on_mount(self) -> None:
        drill, role, name = self.given
        if drill and role and name and not self.sit(drill, role, name):
            return
        self.push_screen(JoinScreen(drill, role, name))

    def sit(self, drill: str, role: str, name: str) -> str | None:
        """Take the seat and show the drill; or why not, in one line."""
        from oncall.game.generator import scenario

        if not drill or not name:
            return "give the drill id and your name"
        if role not in roles.ROLES:
            return f"role: {role!r} is not a role; one of: {', '.join(roles.ROLES)}"
        try:
            info = self.drill_log.info(drill)
            if info.version != __version__:
                return (f"drill {drill} was made by oncall {info.version} and this is "
                        f"{__version__}; every seat needs the same version")
            self.seat = Seat(self.drill_log, info, scenario(info.scenario), name, role)
        except (LogError, ValueError) as exc:
            return str(exc)
        self.push_screen(SeatScreen(self.seat))
        return None


def serve_drill(host: str, port: int, home: Path | None, drill: str, store: str | None,
                public_url: str | None = None) -> None:
    """Every browser tab that connects takes a seat at the drill through the join form."""
    import sys

    from textual_serve.server import Server

    words = [sys.executable, "-m", "oncall", *(["--home", str(home)] if home else []),
             "drill", "join", drill, *(["--store", store] if store else [])]
    Server(shlex.join(words), host=host, port=port, title=f"oncall drill {drill}",
           public_url=public_url).serve()
