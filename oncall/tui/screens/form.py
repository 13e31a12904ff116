"""One modal form for every war-room action: fields described as data, Textual's own widgets.

An action lists its fields (a Select of models, an Input for a window, a SelectionList of
observation ids, a RadioSet of tests) and gets back a dict it turns into an engine command, so
adding a verb never means writing a new dialog. The first field has focus when the form opens;
a required field left blank, or a value the command would refuse, is named in the form with the
values it may take, and the form stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from oncall.tui.screens.dimmed import DimmedModal
from oncall.tui.widgets.framed import FramedSelect

Kind = Literal["select", "input", "multi", "radio"]


@dataclass
class FormField:
    name: str
    label: str
    kind: Kind = "input"
    options: list[tuple[str, str]] = field(default_factory=list)
    """(shown, value) pairs for select, multi and radio."""
    default: Any = None
    placeholder: str = ""
    allowed_by: tuple[str, dict[str, tuple[str, ...]]] | None = None
    """For a radio: (the select it follows, that select's value -> the options allowed then).
    The other options are disabled, e.g. the drift tests that do not fit a column's kind."""
    required: bool = False

    def choices(self) -> str:
        return ", ".join(v for _, v in self.options if v)


class FormDialog(DimmedModal[dict[str, Any] | None]):
    """Dismisses with the filled values (blank inputs left out), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "submit", "Run", id="form-submit"),
    ]

    def __init__(self, title: str, fields: list[FormField], about: str = "",
                 check: Callable[[dict[str, Any]], str | None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.about = about
        self.check = check
        """Judges the filled values (e.g. by parsing the command they make): a message, or
        None when they may be sent."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Label(self.title_text, classes="form-title")
            if self.about:
                yield Label(self.about, classes="form-about")
            for f in self.fields:
                yield Label(f.label + (" *" if f.required else ""), classes="form-label")
                yield self._widget(f)
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button("Run (ctrl+s)", variant="primary", id="ok", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def _widget(self, f: FormField) -> Any:
        wid = f"f-{f.name}"
        if f.kind == "select":
            value = f.default if f.default is not None else Select.NULL
            return FramedSelect(f.options, value=value, id=wid, allow_blank=f.default is None,
                          classes="form-field", compact=True)
        if f.kind == "multi":
            chosen = set(f.default or [])
            return SelectionList[str](*[(s, v, v in chosen) for s, v in f.options], id=wid,
                                      classes="form-field", compact=True)
        if f.kind == "radio":
            return RadioSet(*[RadioButton(s, value=v == f.default, name=v)
                              for s, v in f.options], id=wid, classes="form-field",
                            compact=True)
        return Input("" if f.default is None else str(f.default), placeholder=f.placeholder,
                     id=wid, classes="form-field", compact=True)

    def on_mount(self) -> None:
        self._apply_allowed()
        self.query(".form-field").first().focus()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        self._apply_allowed()

    def _apply_allowed(self) -> None:
        """Disable the radio options that the current choice of a select rules out."""
        for f in self.fields:
            if f.kind != "radio" or f.allowed_by is None:
                continue
            leader, table = f.allowed_by
            choice = self.query_one(f"#f-{leader}", Select).value
            allowed = table.get(str(choice))
            radio = self.query_one(f"#f-{f.name}", RadioSet)
            for button in radio.query(RadioButton):
                button.disabled = allowed is not None and button.name not in allowed
            pressed = radio.pressed_button
            if pressed is not None and pressed.disabled:
                fallback = next((b for b in radio.query(RadioButton) if not b.disabled), None)
                if fallback is not None:
                    fallback.value = True

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.query_one(f"#f-{f.name}")
            if isinstance(w, Select):
                if w.value is not Select.NULL:
                    out[f.name] = w.value
            elif isinstance(w, SelectionList):
                out[f.name] = list(w.selected)
            elif isinstance(w, RadioSet):
                pressed = w.pressed_button
                if pressed is not None and pressed.name and not pressed.disabled:
                    out[f.name] = pressed.name
            elif isinstance(w, Input) and w.value.strip():
                out[f.name] = w.value.strip()
        return out

    def problem(self, values: dict[str, Any]) -> str | None:
        """Why the values cannot be sent, naming the field and its valid values; or None."""
        for f in self.fields:
            if f.required and values.get(f.name) in (None, "", []):
                hint = f"; pick one of: {f.choices()}" if f.options else ""
                return f"{f.label} is required{hint}"
        message = self.check(values) if self.check is not None else None
        if message is None:
            return None
        for f in self.fields:  # the engine names the field: list that field's values
            if f.options and f": {f.name}:" in f": {message}":
                return f"{message}\nvalid {f.name}: {f.choices()}"
        return message

    def action_submit(self) -> None:
        values = self.values()
        problem = self.problem(values)
        error = self.query_one("#form-error", Static)
        error.update(f"✗ {problem}" if problem else "")
        error.set_class(problem is not None, "shown")
        if problem is None:
            self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
