"""The war room's log, read-only, over the postmortem: to copy figures and obs ids from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from oncall.tui.screens.dimmed import DimmedModal
from oncall.tui.widgets.obslog import ObservationLog

if TYPE_CHECKING:
    from oncall.game.record import Observation


class LogView(DimmedModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,ctrl+l", "dismiss", "Close", id="log-close"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, entries: list[tuple[dict[str, Any], Observation]]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        yield ObservationLog(id="help")

    def on_mount(self) -> None:
        log = self.query_one(ObservationLog)
        for command, obs in self.entries:
            log.add(command, obs)
        log.focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one(ObservationLog).scroll_relative(y=lines * 3, animate=False)
