"""Messages the TUI posts to itself.

Engine calls run in worker threads; their results come back to the screens as these messages, so
the widgets only ever render state on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from rich.text import Text

    from oncall.game.record import Observation
    from oncall.session import Session


class GameReady(Message):
    """A new incident has been built (building the world takes most of a second)."""

    def __init__(self, session: Session, page: Observation) -> None:
        super().__init__()
        self.session = session
        self.page = page


class GameFailed(Message):
    """Building the incident failed; the text says why (a broken scenario file, say)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class Observed(Message):
    """The engine answered one command."""

    def __init__(self, command: dict[str, Any], observation: Observation,
                 state: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.command = command
        self.observation = observation
        self.state = state or {}
        """A snapshot for the header (clock, phase, severity, firing), taken in the worker."""


class Waited(Message):
    """A real-time minute ran on the page: the recorded `wait 1` and the state after it."""

    def __init__(self, observation: Observation, state: dict[str, Any]) -> None:
        super().__init__()
        self.observation = observation
        self.state = state


class PlotDrawn(Message):
    """A chart drawn in a worker: its text, for the figure, size and theme in `key`."""

    def __init__(self, key: tuple[Any, ...], text: Text) -> None:
        super().__init__()
        self.key = key
        self.text = text


PAGER_EVENTS = ("page", "renotify", "escalation", "repage", "alert")
"""Events the pager buzzes for: a page, one sent again or to the secondary, a new alert."""
