"""The postmortem form, in the sections of the Google SRE template.

Impact and detection start filled from the simulation (numbers the player should not have to
copy by hand); everything else is the player's. Submitting sends the `postmortem` command.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from oncall.sim.impact import describe
from oncall.tui.messages import Observed
from oncall.tui.widgets.footer import FittingFooter
from oncall.tui.widgets.framed import FramedSelect

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation
    from oncall.session import Session

TEXT_FIELDS = (
    ("summary", "Summary: what happened, in two sentences"),
    ("impact", "Impact: who and how much"),
    ("root_cause", "Root cause"),
    ("trigger", "Trigger: what set it off"),
    ("detection", "Detection: what fired, at what threshold, how late"),
    ("resolution", "Resolution: what brought it back"),
)
LESSONS = (("went_well", "What went well"), ("went_wrong", "What went wrong"),
           ("lucky", "Where we got lucky"))
ITEM_TYPES = ("detect", "mitigate", "prevent", "repair", "investigate")
ITEM_ROWS = 3
FIRST_FIELDS = 3
"""Text sections composed with the screen; the rest mount right after it paints."""
REST_CHUNK = 4
"""Widgets of the lower half mounted per frame, into a box that stays hidden until all are in:
hidden, a chunk is not laid out and drawn with the form (the form was laid out again at each
chunk, 10-20 ms a frame), and the box is shown once, whole."""


class SectionText(TextArea):
    """A section of the form. A paste goes in where the cursor is and leaves focus where it
    is: Textual's TextArea takes focus back after a paste, so a paste kept from before a tab
    pulled the cursor back from the next field after the text typed there."""

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # instead of TextArea's own handler, not as well as it
        if self.read_only:
            return
        if result := self._replace_via_keyboard(event.text, *self.selection):
            self.move_cursor(result.end_location)


def prefill(game: Game) -> dict[str, str]:
    from oncall.sim.clock import hhmm

    f = game.record.facts
    out: dict[str, str] = {}
    if f.impact:
        out["impact"] = describe(f.impact) + "."
    if f.page_alerts:
        a = f.page_alerts[0]
        out["detection"] = (f"{a.rule} fired at {hhmm(a.fired_at)} on {a.model}: value "
                            f"{a.value:g} against threshold {a.threshold:g} ({a.unit}); "
                            f"the page came at {hhmm(f.page_at)}.")
    return out


class PostmortemScreen(Screen[None]):
    AUTO_FOCUS = "#pm-summary"
    """The cursor starts in the summary (not first on the form's scroll, then moved)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit postmortem", id="pm-submit", priority=True),
        Binding("ctrl+t", "tune", "Tune monitors", id="pm-tune", priority=True),
        Binding("ctrl+l", "look_back", "The log", id="pm-log"),
        Binding("f1", "help", "Help", id="pm-help"),
    ]

    def __init__(self, session: Session, resolved: Observation,
                 entries: list[tuple[dict[str, Any], Observation]] | None = None) -> None:
        super().__init__()
        self.session = session
        self.resolved = resolved
        self.tuning: dict[str, dict[str, Any]] = {}
        """Thresholds and `for` chosen in the tuning lab, per monitor."""
        self.entries = entries or []
        """The war room's log, to look back at while writing (ctrl+l)."""
        self.shown = False
        """The top of the form is up, with the cursor in the summary."""
        self.ready = False
        """The whole form is mounted (the top comes first, the rest over the next frames)."""
        self._submit_when_ready = False
        """ctrl+s came before the form was whole: it is honoured once it is."""

    @property
    def game(self) -> Game:
        return self.session.game

    def compose(self) -> ComposeResult:
        """The top of the form (what a 24-row terminal shows first); the rest is mounted just
        after the first paint (`_rest`), so the form appears without a pause."""
        filled = prefill(self.game)
        with VerticalScroll(id="pm"):
            yield Static(self.resolved.text, id="pm-resolved", markup=False)
            for name, label in TEXT_FIELDS[:FIRST_FIELDS]:
                yield from self._text(name, label, filled.get(name, ""))
        yield FittingFooter()

    @staticmethod
    def _text(name: str, label: str, text: str = "") -> ComposeResult:
        yield Label(label, classes="form-label")
        area = SectionText(text, id=f"pm-{name}", classes="pm-text", compact=True)
        if text:  # typing into a pre-filled section adds to it, at its end
            area.move_cursor(area.document.end)
        yield area

    def _rest(self) -> list[Widget]:
        from oncall.game.remediations import CATALOGUE

        filled = prefill(self.game)
        owner = self.game.world.model(self.game.record.facts.target_model).team
        out: list[Widget] = []
        for name, label in TEXT_FIELDS[FIRST_FIELDS:]:
            out += self._text(name, label, filled.get(name, ""))
        out.append(Label("Action items (item, type, owner)", classes="form-label"))
        for i in range(ITEM_ROWS):
            out.append(Horizontal(
                Input(placeholder="action item", id=f"pm-item-{i}", classes="pm-what",
                      compact=True),
                FramedSelect([(t, t) for t in ITEM_TYPES], value=ITEM_TYPES[i % 3],
                       allow_blank=False, id=f"pm-type-{i}", classes="pm-type", compact=True),
                Input(str(owner), placeholder="owner", id=f"pm-owner-{i}", classes="pm-owner",
                      compact=True), classes="pm-item"))
        for name, label in LESSONS:
            out += [Label(label, classes="form-label"), Input(id=f"pm-{name}", compact=True)]
        out += self._text("caught_earlier", "What could have caught it earlier")
        out += [Label("Remediations (space toggles)", classes="form-label"),
                SelectionList[str](*[(f"{r.id} ({r.kind}): {r.title}", r.id)
                                     for r in CATALOGUE], id="pm-remediations"),
                Static("", id="pm-unfit", markup=False),
                Button("Submit postmortem (ctrl+s)", variant="primary", id="pm-submit")]
        return out

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#pm-summary", TextArea))
        self.shown = True
        self.app.release_input()  # type: ignore[attr-defined]  # what was typed after `r`
        self.call_after_refresh(self._mount_rest)

    async def _mount_rest(self, rest: list[Widget] | None = None) -> None:
        """Build the lower half once the top has painted, and mount it a few widgets per
        frame into a hidden box shown when it is whole, so typing in the summary never waits
        on it."""
        if rest is None:
            rest = self._rest()
            await self.query_one("#pm", VerticalScroll).mount(Vertical(id="pm-rest"))
        box = self.query_one("#pm-rest", Vertical)
        chunk, rest = rest[:REST_CHUNK], rest[REST_CHUNK:]
        await box.mount_all(chunk)
        if rest:
            self.call_after_refresh(self._mount_rest, rest)
            return
        box.display = True
        self.ready = True
        if self._submit_when_ready:
            self.call_after_refresh(self.action_submit)
        if self.focused is self.query_one("#pm-summary", TextArea):
            # Mounting below the focused summary nudged the view; the top is where it starts.
            self.query_one("#pm", VerticalScroll).scroll_home(animate=False)

    def command(self) -> dict[str, Any]:
        """The postmortem command from the form as it stands."""
        cmd: dict[str, Any] = {"do": "postmortem"}
        for name, _ in TEXT_FIELDS:
            cmd[name] = self.query_one(f"#pm-{name}", TextArea).text.strip()
        items = []
        for i in range(ITEM_ROWS):
            what = self.query_one(f"#pm-item-{i}", Input).value.strip()
            if what:
                items.append({"item": what, "type": self.query_one(f"#pm-type-{i}", Select).value,
                              "owner": self.query_one(f"#pm-owner-{i}", Input).value.strip()
                              or "on-call"})
        cmd["action_items"] = items
        cmd["lessons"] = {n: self.query_one(f"#pm-{n}", Input).value.strip() for n, _ in LESSONS}
        cmd["caught_earlier"] = self.query_one("#pm-caught_earlier", TextArea).text.strip()
        cmd["remediations"] = list(self.query_one("#pm-remediations", SelectionList).selected)
        cmd["tuning"] = {k: v for k, v in self.tuning.items() if k in cmd["remediations"]}
        return cmd

    @on(SelectionList.SelectedChanged, "#pm-remediations")
    def _fit(self, event: SelectionList.SelectedChanged[str]) -> None:
        """Say at once which ticked remediations cannot apply to this model, and why."""
        from oncall.game.remediations import fit

        model = self.game.world.model(self.game.record.facts.target_model)
        reasons = [f"{rid} will not be generated: {why}." for rid in event.selection_list.selected
                   if (why := fit(rid, self.game.world, model))]
        self.query_one("#pm-unfit", Static).update("\n".join(reasons))

    def action_tune(self) -> None:
        """Open the tuning lab on the monitors ticked (all monitors if none is)."""
        from oncall.game.remediations import MONITORS
        from oncall.tui.screens.tuning import TuningScreen

        ticked = self.query_one("#pm-remediations", SelectionList).selected
        monitors = [r for r in ticked if r in MONITORS] or list(MONITORS)

        def keep(tuned: dict[str, dict[str, Any]] | None) -> None:
            self.tuning = tuned or self.tuning

        self.app.push_screen(TuningScreen(self.session, monitors, self.tuning), keep)

    def action_submit(self) -> None:
        if not self.ready:  # the lower half is still mounting: submit once it is in
            self._submit_when_ready = True
            return
        command = self.command()
        mine = [command[n] for n in ("summary", "root_cause", "trigger", "resolution",
                                     "caught_earlier")]
        mine += list(command["lessons"].values())
        if not any(mine) and not command["action_items"]:
            from oncall.tui.screens.confirm import ConfirmScreen

            self.app.push_screen(ConfirmScreen(
                "File an empty postmortem?",
                "Summary, root cause, trigger, resolution, action items, lessons and what could "
                "have caught it earlier are all blank; the postmortem scores on them.",
                yes="File it"), partial(self._confirmed, command))
            return
        self._send(command)

    def _confirmed(self, command: dict[str, Any], yes: bool | None) -> None:
        if yes:
            self._send(command)

    def action_look_back(self) -> None:
        from oncall.tui.screens.logview import LogView

        self.app.push_screen(LogView(self.entries))

    def action_help(self) -> None:
        from oncall.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.game.phase))

    @on(Button.Pressed, "#pm-submit")
    def _pressed(self) -> None:
        self.action_submit()

    def _send(self, command: dict[str, Any]) -> None:
        self.app.hold_input()  # type: ignore[attr-defined]  # keys typed next: the card's
        self._file(command)

    @work(thread=True, exclusive=True, group="engine")
    def _file(self, command: dict[str, Any]) -> None:
        self.post_message(Observed(command, self.session.do(command)))

    @on(Observed)
    def _filed(self, message: Observed) -> None:
        obs = message.observation
        if not obs.ok or obs.scorecard is None:
            self.app.release_input()  # type: ignore[attr-defined]
            self.notify(obs.error or obs.text, title="Postmortem not filed", severity="error")
            return
        from oncall.tui.screens.scorecard import ScorecardScreen

        self.app.replace(self, ScorecardScreen(self.session, obs))  # type: ignore[attr-defined]
