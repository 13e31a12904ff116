"""The interview rehearsal: a question, a box for the answer, the verdict, then the follow-ups;
and the spoken versions of a save's stories, to read before answering."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static, TextArea

if TYPE_CHECKING:
    from oncall.game.record import Record
    from oncall.game.shiftrecord import ShiftRecord
    from oncall.tui.app import OncallApp


class InterviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit answer", id="submit", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="back"),
    ]

    def __init__(self, record: Record, question: str, shift: ShiftRecord | None = None) -> None:
        super().__init__()
        from oncall.story.interview import Session

        self.session = Session(record, question, shift=shift)

    def compose(self) -> ComposeResult:
        yield Static(f"Interviewer: {self.session.asked()}", id="iv-ask")
        yield TextArea("", id="iv-answer")
        with VerticalScroll(id="iv-verdicts"):
            yield Markdown("Type or paste your answer, then ctrl+s. Two minutes aloud is 220 "
                           "to 300 words.", id="iv-md")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#iv-answer", TextArea).focus()

    def action_submit(self) -> None:
        area = self.query_one("#iv-answer", TextArea)
        if self.session.asked() is None or not area.text.strip():
            return
        self.session.answer(area.text)
        area.text = ""
        parts = [f"### {v.asked}\n\n```\n{v.text()}\n```" for v in self.session.verdicts]
        nxt = self.session.asked()
        ask = self.query_one("#iv-ask", Static)
        if nxt is None:
            ask.update(f"Done. Overall: {self.session.score}/100 (escape to leave)")
        else:
            ask.update(f"Interviewer: {nxt}")
        self.query_one("#iv-md", Markdown).update("\n\n".join(parts))


class SpokenScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("i", "interview", "Rehearse it", id="interview"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        from oncall.store.saves import load_save
        from oncall.story.spoken import markdown

        self.record = load_save(self.path).record
        with VerticalScroll(id="spoken"):
            yield Markdown(markdown(self.record))
        yield Footer()

    def action_interview(self) -> None:
        self.app.push_screen(InterviewScreen(self.record, "incident"))


def interview_app(record: Record, question: str, home: Path | None,
                  shift: ShiftRecord | None = None) -> OncallApp:
    """The app opened straight onto a rehearsal (`oncall interview`)."""
    from oncall.tui.app import OncallApp

    class InterviewApp(OncallApp):
        CSS_PATH = str(Path(__file__).resolve().parent.parent / "oncall.tcss")

        def on_mount(self) -> None:
            super().on_mount()
            self.call_after_refresh(self.push_screen, InterviewScreen(record, question, shift))

    return InterviewApp(home=home)
