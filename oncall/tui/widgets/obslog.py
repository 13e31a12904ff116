"""The observation log: every answer of the engine, id first, newest at the bottom.

Entries are small widgets with CSS classes rather than styled text, so events from teams and
errors are coloured by the theme (oncall.tcss), never by literals in code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from oncall.tui.cmdline import command_line

if TYPE_CHECKING:
    from oncall.game.record import Observation


class ObsEntry(Vertical):
    """One command and what came back."""

    def __init__(self, command: dict[str, Any], obs: Observation) -> None:
        kind = "error" if not obs.ok else obs.kind
        super().__init__(classes=f"entry kind-{kind}")
        self.command = command
        self.obs = obs

    def compose(self):  # type: ignore[no-untyped-def]
        o = self.obs
        ident = o.id or (o.kind if o.kind in ("error", "page") else "not done")
        cost = f" ({o.cost} min)" if o.cost else ""
        yield Static(f"{ident:<7} {o.clock}  {command_line(self.command)}{cost}",
                     classes="entry-head", markup=False)
        yield Static(o.text, classes="entry-body", markup=False)
        if o.valid:
            yield Static("valid now: " + ", ".join(o.valid), classes="entry-valid",
                         markup=False)
        for ev in o.events:
            who = ev.get("by") or ev.get("kind", "event")
            yield Static(f"» {who}: {ev.get('text', '')}",
                         classes=f"event event-{ev.get('kind', 'event')}", markup=False)


class ObservationLog(VerticalScroll):
    """Scrolls to the newest entry as it arrives."""

    can_focus = True

    def add(self, command: dict[str, Any], obs: Observation) -> None:
        self.mount(ObsEntry(command, obs))
        self.call_after_refresh(self.scroll_end, animate=False)

    def add_text(self, text: str, classes: str = "note") -> None:
        self.mount(Static(text, classes=classes, markup=False))
        self.call_after_refresh(self.scroll_end, animate=False)
