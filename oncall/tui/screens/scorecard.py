"""The scorecard: six sections with feedback, the total, the interview view and the replays.

The incident is saved as soon as the card shows (in a worker, through the store, atomically);
the path is shown so the player can find it, and `s` opens the STAR story of that save.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from oncall.tui.messages import Saved

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation


def card_lines(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(css class, text) lines of a scorecard dict, shared with tests."""
    out = [("card-total", f"Score {card['total']:g} / {card['max']:g}  ({card['percent']:g}%)")]
    for s in card["sections"]:
        out.append(("card-section", f"{s['title']:<16}{s['points']:>5g} / {s['max']}"))
        out += [("card-feedback", f"  • {line}") for line in s.get("feedback", [])]
    if card.get("interview"):
        out.append(("card-heading", "As an interviewer sees it"))
        out += [("card-feedback", f"  {i['title']}: {i['percent']:g}%. {i['sentence']}")
                for i in card["interview"]]
    return out


class ScorecardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "story", "STAR story", id="story"),
        Binding("t", "title", "Title screen", id="title"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, game: Game, filed: Observation) -> None:
        super().__init__()
        self.game = game
        self.filed = filed
        self.card: dict[str, Any] = filed.scorecard or {}
        self.path: Path | None = None
        """Where the save went, once the store has written it."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="card"):
            for cls, text in card_lines(self.card):
                yield Static(text, classes=cls, markup=False)
                if cls == "card-total":
                    bar = ProgressBar(total=100, show_eta=False, id="card-bar")
                    bar.progress = float(self.card.get("percent", 0))
                    yield bar
            yield Static("Counterfactual replay", classes="card-heading")
            replays = self.filed.text.splitlines()[1:] or ["  no monitors proposed to replay"]
            for line in replays:
                yield Static(line, classes="card-feedback", markup=False)
            yield Static("saving…", id="card-saved", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#card", VerticalScroll).focus()
        self._save()

    @work(thread=True, exclusive=True, group="save")
    def _save(self) -> None:
        from oncall.tui.saving import save

        path, error = save(self.game.record, self.card, getattr(self.app, "home", None))
        self.post_message(Saved(str(path) if path else None, error))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        label = self.query_one("#card-saved", Static)
        if message.path:
            self.path = Path(message.path)
            label.update(f"Saved to {message.path}  (s: STAR story)")
        else:
            label.update(f"Not saved: {message.error}")
            label.add_class("error")

    def action_story(self) -> None:
        if self.path is None:
            self.notify("The save is not written yet.", severity="warning")
            return
        from oncall.tui.screens.story import StoryScreen

        self.app.push_screen(StoryScreen(self.path))

    def action_title(self) -> None:
        self.app.back_to_title()  # type: ignore[attr-defined]

    def action_scroll(self, lines: int) -> None:
        self.query_one("#card", VerticalScroll).scroll_relative(y=lines * 3, animate=False)
