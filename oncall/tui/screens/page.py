"""The page as a pager shows it at 02:xx: every alert, its expression, value against threshold.

Alerts are listed critical first, as the status bar lists them. The simulated clock only moves
when the player acts (so the same commands always give the same night), but the page ticks in
real time beside it, the way a pager keeps buzzing: how long it has been on screen, and the
simulated minutes left to acknowledge. In real-time mode (`--realtime`) the clock runs too: each
real minute the page waits is a recorded `wait 1`, and the bell rings on the page and on each
escalation or new alert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from oncall.game.engine import SEVERITY_ORDER
from oncall.tui.messages import PAGER_EVENTS, Observed, Waited
from oncall.tui.widgets.footer import FittingFooter
from oncall.tui.widgets.status import IncidentStatus, ack_text, look

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation
    from oncall.session import Session
    from oncall.tui.screens.war_room import WarRoom


def alert_text(a: dict[str, Any], clock: Any) -> str:
    """One alert as the pager prints it."""
    return (f"{a['summary']}\n"
            f"  expr: {a['expr']}\n"
            f"  value {a['value']:g} vs threshold {a['threshold']:g} ({a['unit']}), "
            f"firing since {clock(a['fired_at'])}\n"
            f"  runbook: {a['runbook']}")


class PageScreen(Screen[None]):
    """The pager. Acknowledge, or walk into the war room without acknowledging."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ack", "Acknowledge", id="ack", priority=True),
        Binding("w", "war_room", "War room", id="war-room"),
        Binding("f1,question_mark", "help", "Help", id="page-help"),
        Binding("j,down", "scroll_down", "Scroll", show=False),
        Binding("k,up", "scroll_up", "Scroll", show=False),
    ]

    TICK_SECONDS = 1.0
    """How often the page's line ticks (real time; nothing in the game reads it)."""

    def __init__(self, session: Session, page: Observation, room: WarRoom) -> None:
        super().__init__()
        self.session = session
        self.page = page
        self.room = room
        """The war room, built beneath the page while it is read."""
        self.ticks = 0
        self.acking = False
        self.waiting = False
        """A real-time minute is being waited (in a worker)."""
        self.leaving = False
        """`w` was pressed while a real-time minute was under way: the page closes once it is
        logged."""

    @property
    def game(self) -> Game:
        return self.session.game

    def compose(self) -> ComposeResult:
        from oncall.sim.clock import hhmm

        alerts = sorted(self.page.data.get("alerts", []),
                        key=lambda a: (SEVERITY_ORDER.get(a["severity"], 3), a["fired_at"]))
        yield IncidentStatus(id="status")
        count = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}"
        yield Static(f"PAGE {hhmm(self.game.record.facts.page_at)}: {count} firing. "
                     "Acknowledge within 5 min (a).", id="page-head")
        yield Static("", id="page-tick")
        with VerticalScroll(id="page-alerts"):
            for a in alerts:
                with Vertical(classes=f"alert sev-{a['severity']}"):
                    yield Static(f"{a['severity'].upper()}  {a['rule']} on {a['model']}",
                                 classes="alert-sev", markup=False)
                    yield Static(alert_text(a, hhmm), classes="alert-body", markup=False)
            yield Static(self.page.data.get("brief", "").strip(), id="page-brief",
                         markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.state = look(self.session)
        self.query_one(IncidentStatus).show(self.state)
        self._tick()
        self.set_interval(self.TICK_SECONDS, self._tick)
        if self.realtime:
            self.app.bell()  # the pager buzzes

    @property
    def realtime(self) -> bool:
        return bool(getattr(self.app, "realtime", None))

    def realtime_minute(self) -> None:
        """A real minute with the page unanswered: one simulated minute passes, recorded."""
        if self.acking or self.waiting or self.session.phase != "paged":
            return
        self.waiting = True
        self._wait_minute()

    @work(thread=True, group="realtime")
    def _wait_minute(self) -> None:
        # The minute is posted under the session's lock: an `a` that got there first cancels
        # it, and one that comes after is answered after the minute is in the page's queue.
        waited = self.session.do_while("paged", {"do": "wait", "minutes": 1},
                                       lambda obs: self.post_message(
                                           Waited(obs, look(self.session))))
        if not waited:
            self.app.call_from_thread(self._not_waited)

    def _not_waited(self) -> None:
        self.waiting = False
        if self.leaving:
            self.room.arrive(None, self.state)

    @on(Waited)
    def _waited(self, message: Waited) -> None:
        self.waiting = False
        self.room.waited_on_the_page(message.observation)
        if self.leaving:  # `w` was pressed while this minute was under way
            self.room.arrive(None, message.state)
            return
        if self.acking:
            return
        self.state = message.state
        self.query_one(IncidentStatus).show(self.state)
        self._tick()
        news = [ev for ev in message.observation.events if ev.get("kind") in PAGER_EVENTS]
        if news:
            self.app.bell()
        for ev in news:
            self.notify(str(ev.get("text") or f"{ev.get('rule')} on {ev.get('model')} fires"),
                        title=str(ev["kind"]), severity="warning", timeout=8)

    def _tick(self) -> None:
        seconds = int(self.ticks * self.TICK_SECONDS)
        self.ticks += 1
        blink = "●" if self.ticks % 2 else "○"
        self.query_one("#page-tick", Static).update(
            f"{blink} {seconds // 60}:{seconds % 60:02d} on screen │ simulated "
            f"{self.state['clock']}, {ack_text(self.state)} │ "
            + ("clock running (real time)" if self.realtime else "commands cost minutes"))

    def action_help(self) -> None:
        from oncall.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.game.phase))

    def action_scroll_down(self) -> None:
        self.query_one("#page-alerts", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#page-alerts", VerticalScroll).scroll_up()

    def action_ack(self) -> None:
        self.acking = True
        self.app.hold_input()  # type: ignore[attr-defined]  # keys typed next: the war room's
        self._ack()

    @work(thread=True, exclusive=True, group="engine")
    def _ack(self) -> None:
        command = {"do": "ack"}
        obs = self.session.do(command)
        self.post_message(Observed(command, obs, look(self.session)))

    @on(Observed)
    def _acked(self, message: Observed) -> None:
        self.room.arrive(message.observation, message.state)

    def action_war_room(self) -> None:
        self.acking = True  # a real-time minute now belongs to the war room
        if self.waiting:  # the minute under way joins the log first, then the page closes
            self.leaving = True
            return
        self.room.arrive(None, self.state)
