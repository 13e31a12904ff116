"""The postmortem form, in the sections of the Google SRE template.

Every section starts empty, with a hint of what it asks for: what goes in is the player's,
the figures too (the resolve's answer above the form and the log hold them), as a headless
player writes them. Submitting sends the `postmortem` command.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from oncall.tui.app import freeze_heap
from oncall.tui.messages import Observed
from oncall.tui.screens.layout import skip_repeat_layout
from oncall.tui.slices import Piece, Slices, lay_out_ahead, paint_ahead
from oncall.tui.widgets.footer import FittingFooter
from oncall.tui.widgets.framed import FramedSelect

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.game.record import Observation
    from oncall.session import Session
    from oncall.tui.screens.war_room import WarRoom

TEXT_FIELDS = (
    ("summary", "Summary: what happened, in two sentences"),
    ("impact", "Impact: who and how much"),
    ("root_cause", "Root cause"),
    ("trigger", "Trigger: what set it off"),
    ("detection", "Detection: what fired, at what threshold, how late"),
    ("resolution", "Resolution: what brought it back"),
)
HINTS = {
    "summary": "what broke, for whom, and what brought it back",
    "impact": "the measured figures: requests or decisions affected, for how long, the error "
              "budget spent",
    "root_cause": "the mechanism, not the symptom: what changed and why it broke the model",
    "trigger": "the change or event that set it off, and when",
    "detection": "the alert that paged, its threshold and value, and how long after the start",
    "resolution": "what you did, when, and what showed it worked",
}
"""What each section asks for, shown in it while it is empty."""
LESSONS = (("went_well", "What went well"), ("went_wrong", "What went wrong"),
           ("lucky", "Where we got lucky"))
ITEM_TYPES = ("detect", "mitigate", "prevent", "repair", "investigate")
ITEM_ROWS = 3
FIRST_FIELDS = 3
"""Text sections at the top of the form: what a 24-row terminal shows first."""
PARTS = 3
"""Hidden boxes the lower half is mounted into, shown one a frame once the form is up."""


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


class PostmortemScreen(Screen[None]):
    """The form, built in one of two ways with the same result. Ahead (`behind` is the war
    room): mounted off the stack while the player is still in the war room, a few widgets a
    frame whenever the room is quiet, so `resolve` only fills in the answer and the numbers
    and shows it. Or at the resolve: the top comes with the screen and the rest a few widgets a
    frame after it paints. Either way the lower half is mounted into hidden boxes, shown a box
    a frame once every field is in and the form is on screen (laid out with the form at each
    piece, the form was laid out and drawn again each frame)."""

    AUTO_FOCUS = "#pm-summary"
    """The cursor starts in the summary (not first on the form's scroll, then moved)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit postmortem", id="pm-submit", priority=True),
        Binding("ctrl+t", "tune", "Tune monitors", id="pm-tune", priority=True),
        Binding("ctrl+l", "look_back", "The log", id="pm-log"),
        Binding("f1", "help", "Help", id="pm-help"),
    ]

    def __init__(self, session: Session, resolved: Observation | None,
                 entries: list[tuple[dict[str, Any], Observation]] | None = None,
                 behind: WarRoom | None = None) -> None:
        super().__init__()
        self.session = session
        self.resolved = resolved
        """The resolve's answer, shown at the top (given at `show` when built ahead)."""
        self.tuning: dict[str, dict[str, Any]] = {}
        """Thresholds and `for` chosen in the tuning lab, per monitor."""
        self.entries = entries if entries is not None else []
        """The war room's log, to look back at while writing (ctrl+l)."""
        self.behind = behind
        """The war room this form is built behind, ahead of the resolve; None once shown."""
        self.shown = False
        """The form is on screen, with the cursor in the summary."""
        self.built = False
        """Every widget is mounted (the lower half still hidden until the form is shown)."""
        self.ready = False
        """The whole form is mounted and shown."""
        self._submit_when_ready = False
        """ctrl+s came before the form was whole: it is honoured once it is."""
        self._building: Slices | None = None
        self.replaces: Screen[Any] | None = None
        """The war room, kept until the form is whole, then taken down (`_whole`)."""

    @property
    def game(self) -> Game:
        return self.session.game

    @property
    def ahead(self) -> bool:
        return self.behind is not None

    def compose(self) -> ComposeResult:
        """The frame of the form; at the resolve the top too (what a 24-row terminal shows
        first), so the form appears without a pause. The rest comes in pieces (`_pieces`)."""
        with VerticalScroll(id="pm"):
            yield Static(self.resolved.text if self.resolved else "", id="pm-resolved",
                         markup=False)
            if not self.ahead:
                for name, label in TEXT_FIELDS[:FIRST_FIELDS]:
                    yield from self._text(name, label)
            for i in range(PARTS):
                yield Vertical(id=f"pm-part-{i}", classes="pm-part")
        yield FittingFooter()

    def _text(self, name: str, label: str) -> list[Widget]:
        area = SectionText("", id=f"pm-{name}", classes="pm-text", compact=True,
                           placeholder=HINTS.get(name, ""))
        return [Label(label, classes="form-label"), area]

    def _pieces(self) -> list[tuple[str, Callable[[], list[Widget]]]]:
        """The form's widgets in pieces of about a frame's work: where each piece goes, and
        how to make it (as it is mounted). The lower half is in `PARTS` hidden boxes, cut
        where no two margins meet."""
        from oncall.game.remediations import CATALOGUE

        def item(i: int) -> list[Widget]:
            owner = self.game.world.model(self.game.record.facts.target_model).team
            return [Horizontal(
                Input(placeholder="action item", id=f"pm-item-{i}", classes="pm-what",
                      compact=True),
                FramedSelect([(t, t) for t in ITEM_TYPES], value=ITEM_TYPES[i % 3],
                             allow_blank=False, id=f"pm-type-{i}", classes="pm-type",
                             compact=True),
                Input(str(owner), placeholder="owner", id=f"pm-owner-{i}", classes="pm-owner",
                      compact=True), classes="pm-item")]

        pieces: list[tuple[str, Callable[[], list[Widget]]]] = []
        if self.ahead:
            pieces += [("#pm", partial(self._text, n, label))
                       for n, label in TEXT_FIELDS[:FIRST_FIELDS]]
        pieces += [("#pm-part-0", partial(self._text, n, label))
                   for n, label in TEXT_FIELDS[FIRST_FIELDS:]]
        pieces.append(("#pm-part-1", lambda: [Label("Action items (item, type, owner)",
                                                     classes="form-label"), *item(0)]))
        pieces += [("#pm-part-1", partial(item, i)) for i in range(1, ITEM_ROWS)]
        pieces.append(("#pm-part-1", lambda: [
            w for name, label in LESSONS
            for w in (Label(label, classes="form-label"), Input(id=f"pm-{name}", compact=True))]))
        pieces.append(("#pm-part-2", lambda: self._text("caught_earlier",
                                                        "What could have caught it earlier")))
        pieces.append(("#pm-part-2", lambda: [
            Label("Remediations (space toggles)", classes="form-label"),
            SelectionList[str](*[(f"{r.id} ({r.kind}): {r.title}", r.id) for r in CATALOGUE],
                               id="pm-remediations")]))
        pieces.append(("#pm-part-2", lambda: [
            Static("", id="pm-unfit", markup=False),
            Button("Submit postmortem (ctrl+s)", variant="primary", id="pm-submit")]))
        return pieces

    def _mounter(self, where: str, make: Callable[[], list[Widget]]
                 ) -> Callable[[], Awaitable[None]]:
        async def mount() -> None:
            box = self.query_one(where)
            if where == "#pm":  # the top goes above the hidden lower half
                await box.mount_all(make(), before="#pm-part-0")
                self._on_screen()
            else:
                await box.mount_all(make())
        return mount

    def on_mount(self) -> None:
        behind = self.behind
        pieces: list[Piece] = [self._mounter(w, m) for w, m in self._pieces()]
        if behind is not None:
            # The footer is composed ahead too. Once all is in, the form is laid out and its
            # top drawn behind the room, so the resolve puts it up from what is drawn (laid
            # out and drawn in the one callback that showed it, it held the loop for a frame).
            pieces = [*pieces, self.refresh_bindings,
                      partial(lay_out_ahead, self), partial(paint_ahead, self)]
        self._building = Slices(self, pieces, then=self._all_built,
                                when=(lambda: behind.quiet) if behind else None)
        self._building.start()
        if not self.ahead:
            self._on_screen()

    def show(self, resolved: Observation) -> None:
        """Built ahead: the resolve's answer goes in, and the war room puts the form in its
        place."""
        self.resolved = resolved
        self.query_one("#pm-resolved", Static).update(resolved.text)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown for the first time, a form built ahead is already styled: Textual would style
        every widget of it again as it comes on screen (50 ms at 80x24)."""
        if self.behind is None:
            return
        self.behind = None
        event.refresh_styles = False
        assert self._building is not None
        self._building.allow(None)
        self._on_screen()

    def on_resize(self, event: events.Resize) -> None:
        skip_repeat_layout(self, event)

    def _on_screen(self) -> None:
        """The form is on screen: once the summary is in, the cursor goes there and what was
        typed after `r` follows it; the lower half is shown once it is all in."""
        if self.shown or self.ahead:
            return
        summary = self.query("#pm-summary")
        if not summary:
            return
        self.shown = True
        self.set_focus(summary.first())
        self.app.release_input()  # type: ignore[attr-defined]  # what was typed after `r`
        if self.built:
            self._reveal()

    def _all_built(self) -> None:
        self.built = True
        if self.shown:
            self._reveal()
        else:  # built ahead: it lives as long as the game, out of the collector's reach
            freeze_heap()

    def _reveal(self) -> None:
        """Show the lower half a box a frame, from the next frame on (each box shown is
        laid out with the form; all at once they held the loop for 18 ms)."""
        boxes = list(self.query(".pm-part").results(Vertical))

        def show(box: Vertical) -> None:
            box.display = True

        Slices(self, [partial(show, box) for box in boxes], then=self._whole).start()

    def _whole(self) -> None:
        self.ready = True
        if self.replaces is not None:
            Slices(self, [self._drop_replaced]).start()
        if self._submit_when_ready:
            self.call_after_refresh(self.action_submit)
        if self.focused is self.query_one("#pm-summary", TextArea):
            # Mounting below the focused summary nudged the view; the top is where it starts.
            self.query_one("#pm", VerticalScroll).scroll_home(animate=False)

    def _drop_replaced(self) -> None:
        room, self.replaces = self.replaces, None
        if room is not None and room not in self.app.screen_stack:
            self.app.uninstall_screen(room)
            room.remove()

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
