"""Work a screen does a little at a time, one piece a frame, so that no piece holds the keys and
frames behind it: the postmortem form built while the player is still in the war room, the
help's later sections.

Each piece runs in a timer callback of its own on the owner's message pump, a frame after the
last. Nothing runs once the owner has closed (a screen left, the app closing), and while
`when()` says no the pieces wait for it (the form built ahead waits while the war room is
covered by the help or a dialog, whose own frames come first).
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer
    from textual.widget import Widget

FRAME_S = 1 / 60
"""A frame at Textual's 60 per second: the time between two pieces."""
WAIT_S = FRAME_S
"""How soon a piece that may not run yet (`when()` says no) looks again."""

Piece = Callable[[], Awaitable[object] | object]


class Slices:
    """Pieces of work run one a frame for `owner`; `then` runs after the last."""

    def __init__(self, owner: Widget, pieces: Iterable[Piece], *,
                 when: Callable[[], bool] | None = None,
                 then: Callable[[], object] | None = None) -> None:
        self.owner = owner
        self._pieces: deque[Piece] = deque(pieces)
        self._when = when
        self._then = then
        self._timer: Timer | None = None
        self._running = False
        self.done = False
        """Every piece has run (and `then`)."""

    def start(self, delay: float = FRAME_S) -> Slices:
        """Run the first piece after `delay` seconds."""
        self._schedule(delay)
        return self

    def add(self, *pieces: Piece) -> None:
        """More pieces, after those still to come (none left: the first a frame from now)."""
        self._pieces.extend(pieces)
        if self.done and self._then is None and pieces:
            self.done = False
            self._schedule(FRAME_S)

    def allow(self, when: Callable[[], bool] | None) -> None:
        """Change what the pieces wait for (None: nothing)."""
        self._when = when

    @property
    def _alive(self) -> bool:
        return self.owner.is_running and self.owner.is_attached

    def _schedule(self, delay: float) -> None:
        if not self.done and self._timer is None and self._alive:
            self._timer = self.owner.set_timer(delay, self._next)

    async def _next(self) -> None:
        self._timer = None
        if self.done or self._running or not self._alive:
            return
        if self._when is not None and not self._when():
            self._schedule(WAIT_S)
            return
        self._running = True
        try:
            await self._run_one()
        finally:
            self._running = False
        self._schedule(FRAME_S)

    async def _run_one(self) -> None:
        if self._pieces:
            result = self._pieces.popleft()()
            if inspect.isawaitable(result):
                await result
        if not self._pieces and not self.done:
            self.done = True
            if self._then is not None:
                result = self._then()
                if inspect.isawaitable(result):
                    await result


def lay_out_ahead(screen: Screen[Any]) -> None:
    """Lay out a screen that is not on top yet (built off the stack) at the app's size, as
    Textual does when it comes up: shown later at that size, it is not laid out again, and its
    widgets have had their sizes (a list fills at its real width). Textual's own step
    (`Screen._refresh_layout`); a screen not on top is not drawn by it."""
    if screen.is_attached and not screen.is_current:
        screen._refresh_layout(screen.app.size)
        screen._layout_required = False  # what was asked before is laid out now


def paint_ahead(screen: Screen[Any]) -> None:
    """Draw the lines of every widget a screen not on top yet will show, into the widgets'
    own caches (nothing reaches the terminal): as it comes up, its first frame is put together
    from them instead of drawing every widget in the frame's one callback."""
    if screen.is_attached and not screen.is_current:
        for _ in screen._compositor._get_renders():
            pass
