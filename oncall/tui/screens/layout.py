"""Screens laid out once as they come up.

Textual lays a screen out as it comes up, and the screen, new in that layout, is then told its
own size: it is laid out again at once, with the screens showing beneath it (a modal's), and
drawn again, in the same callback as the first (the help: a third of F1's answer).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import Screen


def skip_repeat_layout(screen: Screen[Any], event: events.Resize) -> None:
    """Call from a screen's `on_resize`: a resize to the size the screen was just laid out at
    is not laid out again. A real resize comes at a size it was not laid out at, and is laid
    out as Textual does."""
    if event.size == screen.outer_size:
        event.prevent_default()
