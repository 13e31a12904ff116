"""The career: every saved incident with its score; enter opens its STAR story."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static


class CareerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self, stories: bool) -> None:
        super().__init__()
        self.stories = stories
        """Opened as "Stories": the same list, with the story as the point."""
        self.paths: dict[str, Path] = {}

    def compose(self) -> ComposeResult:
        heading = "Stories: pick a save (enter)" if self.stories else "Career: saved incidents"
        yield Static(heading, classes="screen-title")
        yield DataTable(id="saves", cursor_type="row", zebra_stripes=True)
        yield Static("", id="career-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#saves", DataTable)
        table.add_columns("scenario", "seed", "score", "saved")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        from oncall.tui.saving import career

        found, errors = career(getattr(self.app, "home", None))
        self.app.call_from_thread(self._show, found, errors)

    def _show(self, found: list[tuple[Path, Any]], errors: list[str]) -> None:
        table = self.query_one("#saves", DataTable)
        for path, save in found:
            card, rec = save.scorecard, save.record
            key = str(path)
            self.paths[key] = path
            table.add_row(rec.scenario, str(rec.seed), f"{card.total:g}/{card.max}",
                          str(save.saved_at)[:16], key=key)
        note = "" if found else "No saved incidents yet: finish a shift to start a career."
        if errors:
            note += "\nUnreadable saves (left untouched): " + "; ".join(errors)
        self.query_one("#career-note", Static).update(note.strip())

    @on(DataTable.RowSelected, "#saves")
    def _open(self, event: DataTable.RowSelected) -> None:
        from oncall.tui.screens.story import StoryScreen

        path = self.paths.get(str(event.row_key.value))
        if path is not None:
            self.app.push_screen(StoryScreen(path))

    def action_down(self) -> None:
        self.query_one("#saves", DataTable).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#saves", DataTable).action_cursor_up()
