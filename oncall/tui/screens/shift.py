"""Pick the night's incident: scenario list with its brief and difficulty, and the seed."""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from oncall.content.scenario import Scenario
    from oncall.tui.app import OncallApp


class ShiftPicker(Screen[None]):
    """Scenarios load in a worker (YAML and pydantic), so the screen appears at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("ctrl+s", "start", "Start", id="start"),
        Binding("ctrl+r", "reseed", "New seed", id="reseed"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[str, Scenario] = {}

    @property
    def oncall(self) -> OncallApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("New shift: pick tonight's incident (enter starts)", classes="screen-title")
        with Horizontal(id="shift-body"):
            yield OptionList(id="scenarios")
            with Vertical(id="shift-side"):
                yield Static("", id="brief")
                yield Label("Seed (same seed, same night):")
                seed = self.oncall.seed or random.randrange(1, 100_000)
                yield Input(str(seed), id="seed", type="integer")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        from oncall.content.loader import scenario_problems, scenarios

        found = scenarios()
        broken = sorted({Path(p.file).name for p in scenario_problems()})
        if broken:
            self.app.call_from_thread(
                self.notify, f"Left out {len(broken)} broken scenario file(s): "
                f"{', '.join(broken)} (see `oncall validate`)", severity="warning", timeout=15)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: dict[str, Scenario]) -> None:
        self.known = found
        menu = self.query_one("#scenarios", OptionList)
        menu.add_options([Option(f"{s.title} ({s.difficulty})", id=sid)
                          for sid, s in found.items()])
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _highlight(self, event: OptionList.OptionHighlighted) -> None:
        s = self.known.get(event.option.id or "")
        if s is not None:
            self.query_one("#brief", Static).update(
                f"{s.title}\n\ndifficulty: {s.difficulty}\n\n{s.brief.strip()}")

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
        self.oncall.start_incident(option.id or "", seed)

    def action_reseed(self) -> None:
        self.query_one("#seed", Input).value = str(random.randrange(1, 100_000))

    def action_down(self) -> None:
        self.query_one("#scenarios", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#scenarios", OptionList).action_cursor_up()
