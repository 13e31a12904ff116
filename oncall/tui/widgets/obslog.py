"""The observation log: every answer of the engine, id first, newest at the bottom.

Entries are small widgets with CSS classes rather than styled text, so events from teams and
errors are coloured by the theme (screens.tcss), never by literals in code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from oncall.tui.cmdline import command_line

if TYPE_CHECKING:
    from oncall.game.record import Observation


EVENT_LABELS = {
    "page": "PAGE", "renotify": "sent again", "escalation": "ESCALATED", "repage": "paged again",
    "grouped": "grouped", "alert": "firing", "resolved_alert": "cleared",
    "silence_expired": "silence over", "mitigated": "recovering", "handover": "handed over",
    "request": "request", "deadline": "deadline", "shift_end": "shift over",
}
"""What the log calls each kind of event (a colleague's message is headed by who sent it)."""


def event_line(ev: dict[str, Any]) -> str:
    """`  02:58 sent again: the page ...`: the time, what happened, the event's text; the label
    is left out when the text already says it ("PAGE p1: ...", "X firing on Y", a message that
    starts with its sender), so no line reads "PAGE: PAGE p1"."""
    import re

    from oncall.sim.clock import hhmm

    text = str(ev.get("text", ""))
    sender = ev.get("by")
    label = str(sender or EVENT_LABELS.get(str(ev.get("kind")), str(ev.get("kind", "event"))))
    said = text.lower().startswith(label.lower()) if sender else \
        re.search(rf"\b{re.escape(label)}\b", text, re.IGNORECASE) is not None
    at = f"{hhmm(int(ev['t']))[-5:]} " if isinstance(ev.get("t"), int) else ""
    return f"  {at}{text}" if said else f"  {at}{label}: {text}"


def event_classes(ev: dict[str, Any]) -> str:
    """CSS classes that colour an event by its weight: a critical page and an escalation
    loudest, a re-sent page as a warning, good news in the success colour."""
    kind = str(ev.get("kind", "event"))
    sev = f" sev-{ev['severity']}" if ev.get("severity") else ""
    return f"event event-{kind}{sev}"


class ObsEntry(Vertical):
    """One command and what came back."""

    def __init__(self, command: dict[str, Any], obs: Observation, head: str = "") -> None:
        kind = "error" if not obs.ok else obs.kind
        super().__init__(classes=f"entry kind-{kind}")
        self.command = command
        self.obs = obs
        self.head = head
        """A heading in place of the command's echo (the night's opening, the page)."""

    def compose(self):  # type: ignore[no-untyped-def]
        o = self.obs
        ident = o.id or (o.kind if o.kind in ("error", "page") else "·")
        cost = f" ({o.cost} min)" if o.cost else ""
        yield Static(self.head or f"{ident:<7} {o.clock}  {command_line(self.command)}{cost}",
                     classes="entry-head", markup=False)
        if o.kind == "runbook" and o.ok:
            from textual.widgets import Markdown

            yield Markdown(o.text, classes="entry-body entry-markdown")
        else:
            yield Static(o.text, classes="entry-body", markup=False)
        if o.valid:
            yield Static("valid now: " + ", ".join(o.valid), classes="entry-valid",
                         markup=False)
        for ev in o.events:
            yield Static(event_line(ev), classes=event_classes(ev), markup=False)


class ObservationLog(VerticalScroll):
    """Scrolls to the newest entry as it arrives."""

    can_focus = True
    leaving = False
    """Set as the log's screen is replaced: its focus no longer shows."""

    def watch_has_focus(self, _has_focus: bool) -> None:
        """Only the log's own background follows its focus (`#log:focus`): restyle the log
        alone and repaint what it holds. Textual restyles every entry under a widget that gains
        or loses focus, a third of a second for a hundred entries, paid again on the blur as a
        screen closes (a long incident's `resolve` waited on both)."""
        if self.leaving:
            return
        self.app.stylesheet.update_nodes([self], animate=False)
        for child in self.walk_children():
            child.refresh()

    def add(self, command: dict[str, Any], obs: Observation, head: str = "") -> None:
        entry = ObsEntry(command, obs, head)
        self.mount(entry)
        if obs.kind == "runbook" and obs.ok:  # a document is read from its top
            self.call_after_refresh(self.scroll_to_widget, entry, animate=False, top=True)
        else:
            self.call_after_refresh(self.scroll_end, animate=False)

    def add_text(self, text: str, classes: str = "note") -> None:
        self.mount(Static(text, classes=classes, markup=False))
        self.call_after_refresh(self.scroll_end, animate=False)
