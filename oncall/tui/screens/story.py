"""The STAR story of one save, as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown


class StoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("e", "export", "Export as Markdown", id="export"),
        Binding("v", "spoken", "Say it aloud", id="spoken"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="story"):
            yield Markdown("Loading the story…", id="story-md")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#story", VerticalScroll).focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        from oncall.tui.saving import story

        text = story(self.path)
        self.app.call_from_thread(self.query_one("#story-md", Markdown).update, text)

    def action_spoken(self) -> None:
        from oncall.tui.screens.interview import SpokenScreen

        self.app.push_screen(SpokenScreen(self.path))

    def action_export(self) -> None:
        self._export()

    @work(thread=True, exclusive=True, group="export")
    def _export(self) -> None:
        from oncall.store import SaveError
        from oncall.tui.saving import export_story

        try:
            path = export_story(self.path, getattr(self.app, "home", None))
        except (OSError, SaveError) as exc:
            self.app.call_from_thread(self.notify, f"Story not written: {exc}",
                                      title="Export", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Story written to {path}", title="Export",
                                  timeout=10)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#story", VerticalScroll).scroll_relative(y=lines * 3, animate=False)
