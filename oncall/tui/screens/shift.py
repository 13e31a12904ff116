"""Pick the night's incident: scenario list with its brief (never its key), difficulty and seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from oncall.tui.screens.layout import skip_repeat_layout
from oncall.tui.slices import Slices, lay_out_ahead, paint_ahead

if TYPE_CHECKING:
    from oncall.content.scenario import Scenario
    from oncall.story.library import Entry
    from oncall.tui.app import OncallApp


RANDOM = "--random-night--"
DIFFICULTIES = (("", "the scenario's own"), ("easy", "easy: no noise"),
                ("normal", "normal"), ("hard", "hard: extra noise, a red-herring deploy"))


class ShiftPicker(Screen[None]):
    """Scenarios load in a worker (YAML and pydantic), so the screen appears at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("ctrl+s", "start", "Start", id="start"),
        Binding("ctrl+r", "reseed", "New seed", id="reseed"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self, ahead: bool = False) -> None:
        super().__init__()
        self.ahead = ahead
        """Built off the stack while the title is read (`TitleScreen`), until `n` shows it."""
        self.known: dict[str, Scenario] = {}
        """The scenarios, once the list shows them (with the seed and difficulty in place)."""
        self.entries: dict[str, Entry] = {}
        self._found: dict[str, Scenario] | None = None
        """The scenarios loaded, until the list shows them."""
        self._choices_in = False
        self._ahead: Slices | None = None
        """Steps done behind the title while the list is built ahead (`_prepare`)."""

    @property
    def oncall(self) -> OncallApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """The list and its frame first; the seed and difficulty are mounted a frame later
        (`_mount_choices`): laid out and drawn with the screen, the radio buttons alone held
        the first key's answer a third longer."""
        yield Static("New shift: pick tonight's incident (enter starts)", classes="screen-title")
        with Horizontal(id="shift-body"):
            yield OptionList(id="scenarios")
            with Vertical(id="shift-side"):
                yield Static("", id="brief")
        yield Footer()

    def on_mount(self) -> None:
        if not self.ahead:
            self.oncall.hold_input()  # keys pressed while the list loads are for the list
        self._load()
        self.call_after_refresh(self._mount_choices)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Built ahead and shown for the first time: already styled (Textual would style it
        all again); the list, filled ahead (`_prepare`) or now if its scenarios are in, takes
        the keys kept since `n`."""
        if not self.ahead:
            return
        self.ahead = False
        event.refresh_styles = False
        self.call_after_refresh(self._hand_over if self.known else self._fill)

    def on_resize(self, event: events.Resize) -> None:
        skip_repeat_layout(self, event)

    def _hand_over(self) -> None:
        self.set_focus(self.query_one("#scenarios", OptionList))
        self.oncall.release_input()

    async def _mount_choices(self) -> None:
        seed = self.oncall.seed or random.randrange(1, 100_000)
        chosen = self.oncall.difficulty or ""
        await self.query_one("#shift-side", Vertical).mount_all([
            Label("Seed (same seed, same night):"),
            Input(str(seed), id="seed", type="integer"),
            Label("Difficulty:"),
            RadioSet(*[RadioButton(label, value=value == chosen, name=value)
                       for value, label in DIFFICULTIES], id="difficulty", compact=True)])
        self._choices_in = True
        if self.ahead:
            # Laid out and drawn behind the title a step a frame, so that `n` only puts it on
            # top: laid out and drawn in the callback that showed it, it held the loop for a
            # frame (the scenarios may come after `n`; the list is filled then).
            self._prepare(partial(lay_out_ahead, self), partial(paint_ahead, self))

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        from oncall.content.loader import scenario_problems, scenarios
        from oncall.store.locations import home_dir
        from oncall.store.saves import load_saves
        from oncall.story.library import library
        from oncall.tui.app import collector_paused

        with collector_paused():
            found = scenarios()
            saves, _ = load_saves(home_dir(self.oncall.home))
            self.entries = {e.id: e for e in library(found, saves)}
            broken = sorted({Path(p.file).name for p in scenario_problems()})
        if broken:
            self.app.call_from_thread(
                self.notify, f"Left out {len(broken)} broken scenario file(s): "
                f"{', '.join(broken)} (see `oncall validate`)", severity="warning", timeout=15)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: dict[str, Scenario]) -> None:
        if not self._choices_in:  # the list is shown with the seed and difficulty, not before
            self.call_after_refresh(self._show, found)
            return
        self._found = found
        if self.ahead:  # filled at its width, laid out and drawn with its options
            self._prepare(partial(self._fill, False), partial(lay_out_ahead, self),
                          partial(paint_ahead, self))
        else:
            self._fill()

    def _prepare(self, *steps: Callable[[], object]) -> None:
        """Built ahead, behind the title: `steps` done a frame each after those still to come
        (`_ahead`), while the list is not shown yet. A step `n` overtakes is done as the list
        is shown instead (the fill) or not at all (Textual lays out and draws it then)."""
        def ahead(step: Callable[[], object]) -> Callable[[], None]:
            def run() -> None:
                if self.ahead:
                    step()
            return run

        if self._ahead is None or self._ahead.done:
            self._ahead = Slices(self, []).start()
        self._ahead.add(*map(ahead, steps))

    def _fill(self, hand_over: bool = True) -> None:
        """Fill the list (once it is laid out: filled before its first layout, it measured its
        lines at another width and scrolled two lines too far) and hand it the keys."""
        found, self._found = self._found, None
        if found is None:
            return
        self.known = found
        menu = self.query_one("#scenarios", OptionList)
        options = [Option("Random night: any fault on any model, drawn from the seed",
                          id=RANDOM)]
        for sid, s in found.items():
            e = self.entries.get(sid)
            best = f" (best {e.best:g})" if e is not None and e.best is not None else ""
            options.append(Option(f"{s.title}{best}", id=sid))
        menu.add_options(options)  # at once: one by one, the list laid itself out each time
        menu.highlighted = 0
        if hand_over:
            self._hand_over()

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _highlight(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id == RANDOM:
            self.query_one("#brief", Static).update(
                "Random night\n\nThe seed draws a fault kind, the model it hits, its "
                "parameters, the minute it starts and the noise around it. Same seed, same "
                "night; nobody has seen it before.")
            return
        s = self.known.get(event.option.id or "")
        if s is not None:
            self.query_one("#brief", Static).update(
                f"{s.title}\n\n{s.brief.strip()}")

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    @on(Input.Submitted, "#seed")
    def _seed_entered(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        menu = self.query_one("#scenarios", OptionList)
        if menu.highlighted is None:
            return
        option = menu.get_option_at_index(menu.highlighted)
        text = self.query_one("#seed", Input).value.strip()
        seed = int(text) if text.lstrip("-").isdigit() else None
        sid = option.id or ""
        pressed = self.query_one("#difficulty", RadioSet).pressed_button
        difficulty = (pressed.name if pressed is not None else "") or None
        if sid == RANDOM:
            from oncall.game.generator import random_id

            if seed is None or seed < 0:
                seed = random.randrange(1, 100_000)
            sid = random_id(seed, difficulty or "normal")
        self.oncall.start_incident(sid, seed, difficulty)

    def action_reseed(self) -> None:
        self.query_one("#seed", Input).value = str(random.randrange(1, 100_000))

    def action_down(self) -> None:
        self.query_one("#scenarios", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#scenarios", OptionList).action_cursor_up()
