"""The page as a pager shows it at 02:xx: every alert, its expression, value against threshold.

The simulated clock only moves when the player acts, but the page says so plainly: every minute
before the acknowledgement counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from oncall.tui.messages import Observed

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation
    from oncall.session import Session


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
        Binding("a", "ack", "Acknowledge", id="ack"),
        Binding("w", "war_room", "War room", id="war-room"),
        Binding("j,down", "scroll_down", "Scroll", show=False),
        Binding("k,up", "scroll_up", "Scroll", show=False),
    ]

    def __init__(self, session: Session, page: Observation) -> None:
        super().__init__()
        self.session = session
        self.page = page

    @property
    def game(self) -> Game:
        return self.session.game

    def compose(self) -> ComposeResult:
        from oncall.sim.clock import hhmm

        alerts = self.page.data.get("alerts", [])
        yield Static(f"PAGE  {hhmm(self.game.record.facts.page_at)}  "
                     f"{len(alerts)} alert(s) firing. The clock is running: "
                     "acknowledge within 5 min.", id="page-head")
        with VerticalScroll(id="page-alerts"):
            for a in alerts:
                with Vertical(classes=f"alert sev-{a['severity']}"):
                    yield Static(f"{a['severity'].upper()}  {a['rule']} on {a['model']}",
                                 classes="alert-sev", markup=False)
                    yield Static(alert_text(a, hhmm), classes="alert-body", markup=False)
            yield Static(self.page.data.get("brief", "").strip(), id="page-brief",
                         markup=False)
        yield Footer()

    def action_scroll_down(self) -> None:
        self.query_one("#page-alerts", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#page-alerts", VerticalScroll).scroll_up()

    def action_ack(self) -> None:
        self._ack()

    @work(thread=True, exclusive=True, group="engine")
    def _ack(self) -> None:
        command = {"do": "ack"}
        self.post_message(Observed(command, self.session.do(command)))

    @on(Observed)
    def _acked(self, message: Observed) -> None:
        self._enter(message.observation)

    def action_war_room(self) -> None:
        self._enter(None)

    def _enter(self, first: Observation | None) -> None:
        from oncall.tui.screens.war_room import WarRoom

        self.app.switch_screen(WarRoom(self.session, self.page, first))
