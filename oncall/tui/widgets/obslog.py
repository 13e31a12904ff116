"""The observation log: every answer of the engine, id first, newest at the bottom.

One widget that draws lines, as Textual's own `Log` does, not a widget per entry: each answer
is wrapped into lines once, when it comes (again only if the width changes), and a frame draws
the lines on screen. With a widget per entry every answer laid out the whole screen again, all
the entries before it included: 14 ms for the tenth answer, 36 ms for the eightieth, each in one
callback the keys waited behind. Colours come from the theme through component classes
(`obslog--head`, ...; screens.tcss), never from literals in code; a runbook is drawn from its
Markdown (`markdown.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from oncall.tui.cmdline import command_line

if TYPE_CHECKING:
    from textual.selection import Selection

    from oncall.game.record import Observation


EVENT_LABELS = {
    "page": "PAGE", "renotify": "sent again", "escalation": "ESCALATED", "repage": "paged again",
    "grouped": "grouped", "alert": "firing", "resolved_alert": "cleared",
    "silence_expired": "silence over", "mitigated": "recovering", "handover": "handed over",
    "request": "request", "deadline": "deadline", "shift_end": "shift over",
}
"""What the log calls each kind of event (a colleague's message is headed by who sent it)."""

EVENT_WEIGHTS = {
    "message": "good", "mitigated": "good", "resolved_alert": "cleared",
    "escalation": "loud", "deadline": "loud",
    "renotify": "quiet", "repage": "quiet", "grouped": "quiet", "alert": "quiet",
    "request": "request", "shift_end": "shift-end", "silence_expired": "muted",
}
"""How loud each kind of event is drawn (`obslog--event-WEIGHT`); a critical page is loud, any
other kind the plain `obslog--event`."""


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


def event_weight(ev: dict[str, Any]) -> str:
    """The component class an event is drawn in: a critical page and an escalation loudest, a
    re-sent page as a warning, good news in the success colour."""
    kind = str(ev.get("kind", "event"))
    if kind == "page" and ev.get("severity") == "critical":
        return "obslog--event-loud"
    weight = EVENT_WEIGHTS.get(kind)
    return f"obslog--event-{weight}" if weight else "obslog--event"


@dataclass
class LogEntry:
    """One command and what came back, or a note of the log's own (`add_text`)."""

    command: dict[str, Any] | None
    obs: Observation | None
    head: str = ""
    """The first line: the command's echo, or a heading in its place (the night's opening)."""
    kind: str = "note"
    """What came back: the observation's kind (`error` when refused), or the note's class."""
    parts: list[tuple[str, str]] = field(default_factory=list)
    """(component class, text) of each part after the head; `markdown` parts are documents."""
    top: int = 0
    """Its first line in the log."""
    lines: list[tuple[Text, str]] = field(default_factory=list)
    """Its lines at the log's width, each with its plain text."""


class ObservationLog(ScrollView, can_focus=True):
    """Scrolls to the newest entry as it arrives (a runbook to its own top, as it is read)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "obslog--head", "obslog--head-page", "obslog--error", "obslog--body", "obslog--valid",
        "obslog--note", "obslog--queued", "obslog--event", "obslog--event-good",
        "obslog--event-cleared", "obslog--event-loud", "obslog--event-quiet",
        "obslog--event-request", "obslog--event-shift-end", "obslog--event-muted",
        "obslog--md-heading", "obslog--md-code", "obslog--md-link",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[LogEntry] = []
        self._lines: list[tuple[Text, str]] = []
        """Every line of every entry, at `_width`."""
        self._width = 0
        self._cache: dict[int, Strip] = {}
        """Lines drawn in the current style, by their place in the log."""
        self._styles: tuple[Style, ...] = ()
        """The component styles the lines were laid out in (a theme change lays them out
        again; a focus change only changes the background they are drawn on)."""

    # -- what goes in ----------------------------------------------------------------------------
    def add(self, command: dict[str, Any], obs: Observation, head: str = "") -> None:
        kind = "error" if not obs.ok else obs.kind
        ident = obs.id or (obs.kind if obs.kind in ("error", "page") else "·")
        cost = f" ({obs.cost} min)" if obs.cost else ""
        first = head or f"{ident:<7} {obs.clock}  {command_line(command)}{cost}"
        parts: list[tuple[str, str]] = []
        if obs.kind == "runbook" and obs.ok:
            parts.append(("markdown", obs.text))
        else:
            parts.append(("obslog--error" if kind == "error" else "obslog--body", obs.text))
        if obs.valid:
            parts.append(("obslog--valid", "valid now: " + ", ".join(obs.valid)))
        parts += [(event_weight(ev), event_line(ev)) for ev in obs.events]
        entry = LogEntry(command, obs, first, kind, parts)
        self._append(entry)
        if kind == "runbook":  # a document is read from its top
            self.call_after_refresh(self.scroll_to, y=entry.top, animate=False)
        else:
            self.call_after_refresh(self.scroll_end, animate=False)

    def add_text(self, text: str, classes: str = "note") -> None:
        style = {"entry-error": "obslog--error", "queued": "obslog--queued"}.get(
            classes, "obslog--note")
        self._append(LogEntry(None, None, "", classes, [(style, text)]))
        self.call_after_refresh(self.scroll_end, animate=False)

    # -- what a reader (or a test) sees ----------------------------------------------------------
    def heads(self) -> list[str]:
        """The first line of every answer, as shown (notes have none)."""
        return [e.head for e in self.entries if e.obs is not None]

    def text(self) -> str:
        """Everything the log shows, as plain lines at its width."""
        self._fit()
        return "\n".join(plain for _, plain in self._lines)

    # -- lines -----------------------------------------------------------------------------------
    def _append(self, entry: LogEntry) -> None:
        self.entries.append(entry)
        if self._width:
            self._lay_out(entry)
            self._set_size()
        self.refresh()

    def _lay_out(self, entry: LogEntry) -> None:
        """Wrap an entry at the log's width, at the log's end (an empty line after it)."""
        width = self._width
        entry.top = len(self._lines)
        lines: list[tuple[Text, str]] = []
        if entry.head:
            style = ("obslog--head-page" if entry.kind == "page" else
                     "obslog--error" if entry.kind == "error" else "obslog--head")
            lines += self._wrapped(Text(entry.head, style=self._style(style)), width)
        for style, text in entry.parts:
            if style == "markdown":
                from oncall.tui.widgets.markdown import document

                for block, indent in document(text, self._style):
                    lines += self._wrapped(block, width, indent) if block.plain else \
                        [(block, "")]
            else:
                lines += self._wrapped(Text(text, style=self._style(style)), width)
        lines.append((Text(""), ""))
        entry.lines = lines
        self._lines += lines

    def _wrapped(self, text: Text, width: int, indent: int = 0) -> list[tuple[Text, str]]:
        """The text's lines at `width`, those after the first under column `indent`."""
        indent = indent if width - indent >= 20 else 0
        out = []
        for n, line in enumerate(text.wrap(self.app.console, width - indent, overflow="fold")):
            line.rstrip()
            if n and indent:
                line = Text(" " * indent) + line
            out.append((line, line.plain))
        return out

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _fit(self) -> bool:
        """Lay every entry out again if the width changed; True if it did."""
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return False
        self._width = width
        self._lines = []
        self._styles = self._part_styles()
        for entry in self.entries:
            self._lay_out(entry)
        self._cache.clear()
        self._set_size()
        return True

    def _set_size(self) -> None:
        self.virtual_size = Size(self._width, len(self._lines))

    def on_resize(self) -> None:
        if self._fit():
            self.scroll_end(animate=False)

    def notify_style_update(self) -> None:
        """Focus moved (the background follows it: drawn again, the lines as they are) or the
        theme changed (the lines are laid out again in its colours)."""
        super().notify_style_update()
        self._cache.clear()
        if self._width and self.entries and self.is_attached:
            self.call_later(self._restyle)  # the component classes' styles come after

    def _restyle(self) -> None:
        if self._width and self._part_styles() != self._styles:
            self._width = 0
            self._fit()
            self.refresh()

    def _part_styles(self) -> tuple[Style, ...]:
        return tuple(self._style(name) for name in sorted(self.COMPONENT_CLASSES))

    # -- drawing ---------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        selection = self.text_selection
        strip = self._cache.get(index) if selection is None else None
        if strip is None:
            line, plain = self._lines[index]
            text = line.copy()
            text.stylize_before(base)
            if selection is not None and (span := selection.get_span(index)) is not None:
                start, end = span
                text.stylize(self.screen.get_component_rich_style("screen--selection"),
                             start, len(plain) if end == -1 else end)
            strip = Strip(text.render(self.app.console), text.cell_len)
            if selection is None:
                self._cache[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, index)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self.text()), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._cache.clear()
        self.refresh()

