"""The scorecard: six sections with feedback, the total, the interview view and the replays.

The session saved the incident when the postmortem ended it; the card shows where it went (its
home, or the fallback folder and why) so the player can find it, and `s` opens its STAR story.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from oncall.tui.widgets.footer import FittingFooter

if TYPE_CHECKING:
    from oncall.game.record import Observation
    from oncall.session import Session


def card_lines(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(css class, text) lines of a scorecard dict, shared with tests."""
    out = [("card-total", f"Score {card['total']:g} / {card['max']:g}  ({card['percent']:g}%)")]
    if card.get("ending"):
        out.append(("card-feedback", card["ending"]))
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
        Binding("x", "export", "Export files", id="export"),
        Binding("r", "again(True)", "Retry this night", id="retry"),
        Binding("n", "again(False)", "Next night", id="next"),
        Binding("t", "title", "Title screen", id="title"),
        Binding("f1,question_mark", "help", "Help", id="card-help"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, session: Session, filed: Observation) -> None:
        super().__init__()
        self.session = session
        self.filed = filed
        self.card: dict[str, Any] = filed.scorecard or {}
        self.path: Path | None = None
        """Where the save went (its home or the fallback folder)."""

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
            yield Static("", id="card-saved", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#card", VerticalScroll))
        self._show_saved()
        self.app.release_input()  # type: ignore[attr-defined]

    def _show_saved(self) -> None:
        label = self.query_one("#card-saved", Static)
        outcome = self.session.outcome
        if outcome is None:
            label.update("Not saved (saving is off for this run).")
            return
        self.path = outcome.path
        if outcome.ok:
            label.update(f"Saved to {outcome.path}\ns: STAR story   r: retry this night (same "
                         "seed)   n: next night (a new random one)")
            self._daily_note()
            return
        label.add_class("error")
        if outcome.path is not None:
            label.update(f"Could not save to the oncall home ({outcome.reason}); saved instead "
                         f"to {outcome.path}  (s: STAR story; `oncall replay` reads it)")
        else:
            label.update(f"Not saved: {outcome.reason}. The save's JSON is printed when you "
                         "quit, for `oncall replay`.")
            if outcome.save_json is not None:
                self.app.unsaved.append(outcome.save_json)  # type: ignore[attr-defined]

    def _daily_note(self) -> None:
        """On the day's night, say whether this attempt is the one that counts."""
        from oncall import __version__
        from oncall.story import daily

        night = daily.night_of(daily.today(), __version__)
        if (self.session.scenario.id, self.session.seed) == (night.scenario, night.seed):
            self._count_daily(night)

    @work(thread=True, exclusive=True, group="daily")
    def _count_daily(self, night: Any) -> None:
        from oncall.store.saves import SaveError, load_save, load_saves
        from oncall.story import daily
        from oncall.tui.saving import home

        if self.path is None:
            return
        try:
            saves, _ = load_saves(home(getattr(self.app, "home", None)))
            note = daily.attempt_note(saves, night, load_save(self.path).saved_at)
        except (OSError, SaveError):
            return  # a note, not a result: the save itself is already shown
        self.app.call_from_thread(self.notify, note, title="Daily night", timeout=8)

    def action_story(self) -> None:
        if self.path is None:
            self.notify("The save is not written yet.", severity="warning")
            return
        from oncall.tui.screens.story import StoryScreen

        self.app.push_screen(StoryScreen(self.path))

    def action_export(self) -> None:
        """Write the remediations as files (`oncall export`) beside the saves folder."""
        if self.path is None:
            self.notify("Nothing to export: the incident was not saved.", severity="warning")
            return
        self._export(self.path.parent.parent / "exports" / self.path.stem)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, dest: Path) -> None:
        from oncall.store.export import ExportError, export

        try:
            written = export(self.session.game.record, dest)
        except ExportError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not exported",
                                      severity="error")
            return
        self.app.call_from_thread(self.notify, f"{len(written)} files in {dest}",
                                  title="Exported")

    def action_again(self, same: bool) -> None:
        self.app.another_night(same)  # type: ignore[attr-defined]

    def action_help(self) -> None:
        from oncall.tui.screens.help import HelpScreen

        keys = [(b.key.split(",")[0], b.description) for b in self.BINDINGS
                if isinstance(b, Binding) and b.show and b.action != "help"]
        self.app.push_screen(HelpScreen("ended", keys=keys))

    def action_title(self) -> None:
        self.app.back_to_title()  # type: ignore[attr-defined]

    def action_scroll(self, lines: int) -> None:
        self.query_one("#card", VerticalScroll).scroll_relative(y=lines * 3, animate=False)
