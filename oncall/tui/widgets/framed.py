"""A Select whose list opens inside the frame around it.

Textual's Select opens its list over the whole screen, twelve rows tall, so in a dialog at
80×24 it ran past the dialog's border and over the footer. This one opens it inside the nearest
scrolling frame (a form, the postmortem): a frame of automatic height first grows to its
largest, a field near the frame's bottom is first scrolled to the top, and the list then gets
the rows left below the field.
"""

from __future__ import annotations

from typing import Any

from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

LIST_ROWS = 12
"""The most rows a list takes (Textual's own maximum)."""
ROOMY = 5
"""Fewer rows than this below the field: scroll the frame to bring the field up first."""


class FramedSelect(Select[Any]):
    def _frame(self) -> Widget | None:
        return next((w for w in self.ancestors if isinstance(w, ScrollableContainer)), None)

    def watch_expanded(self, expanded: bool) -> None:
        frame = self._frame()
        if frame is None:
            return
        if not expanded:
            frame.styles.min_height = None
            return
        tallest = frame.styles.max_height
        if frame.styles.height is not None and frame.styles.height.is_auto and tallest:
            frame.styles.min_height = tallest
        self.call_after_refresh(self._fit, frame, True)

    def _fit(self, frame: Widget, may_scroll: bool) -> None:
        if not self.expanded:
            return
        room = frame.content_region.bottom - (self.region.y + 1)
        if may_scroll and room < ROOMY and isinstance(frame, ScrollableContainer) \
                and frame.max_scroll_y > 0:
            frame.scroll_to_widget(self, top=True, animate=False)
            self.call_after_refresh(self._fit, frame, False)
            return
        self.query_one(SelectOverlay).styles.max_height = max(2, min(LIST_ROWS, room))
