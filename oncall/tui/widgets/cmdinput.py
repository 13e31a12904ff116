"""The command line of the war room and the night shift: Textual's Input with a history, an
inline guess, and a list of what may come next with a line on each.

Up and down walk back through the lines typed (or move in the list while it is open); tab takes
the one candidate, or the part all candidates share and opens the list, or the highlighted one;
tab never leaves the line. The list reads the same tables as the forms (verbs, models, metrics,
features, fixes, teams, causes, obs ids, queue items), each with what it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.suggester import Suggester
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from oncall.tui.cmdline import VERBS, Verbs, Vocabulary, common_prefix, complete, options

Describe = Callable[[str, str], str]
"""One line on a candidate: `("cause", "I1") -> "infra: GPU out of memory"`."""
MENU_ROWS = 8


class CommandSuggester(Suggester):
    def __init__(self, vocab: Vocabulary, verbs: Verbs) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.vocab, self.verbs = vocab, verbs

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.vocab, self.verbs)


class CommandInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Earlier command", show=False),
        Binding("down", "history(1)", "Later command", show=False),
        Binding("tab", "complete", "Complete", show=False),
    ]

    def __init__(self, vocab: Vocabulary, verbs: Verbs = VERBS, **kwargs: Any) -> None:
        super().__init__(suggester=CommandSuggester(vocab, verbs), **kwargs)
        self.vocab, self.verbs = vocab, verbs
        self.history: list[str] = []
        self._at = 0
        """Where up/down is in the history; len(history) is the line being typed."""
        self._draft = ""

    @property
    def menu(self) -> OptionList | None:
        parent = self.parent
        return parent.menu if isinstance(parent, CommandLine) else None

    async def _on_key(self, event: Key) -> None:
        """Enter is taken here, in turn with the letters before and after it: a binding would
        run only once the key had bubbled up, after the letters typed behind it."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_enter()
            return
        await super()._on_key(event)

    def action_enter(self) -> None:
        """Submit the line and empty it at once, so the next line starts clean however fast it
        is typed; the screen reads the line from the message."""
        line = self.value
        self.value = ""
        if isinstance(self.parent, CommandLine):
            self.parent.hide_menu()
        self.post_message(self.Submitted(self, line))

    def put_back(self, line: str) -> None:
        """A line refused before it ran comes back to be put right, selected: typing replaces
        it, an arrow key keeps it to edit, and ctrl+u clears it as in a shell. Text typed
        since enter stays as it is."""
        if not self.value:
            self.value = line
            self.select_all()

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._at = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        menu = self.menu
        if menu is not None and menu.display:
            if step < 0:
                menu.action_cursor_up()
            else:
                menu.action_cursor_down()
            return
        if not self.history:
            return
        if self._at == len(self.history):
            self._draft = self.value
        self._at = max(0, min(len(self.history), self._at + step))
        self.value = self._draft if self._at == len(self.history) else self.history[self._at]
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        """Take the highlighted candidate, or the only one, or what all share (and list them)."""
        menu = self.menu
        if menu is not None and menu.display and menu.highlighted is not None:
            chosen = menu.get_option_at_index(menu.highlighted).id or ""
            self.accept(chosen)
            return
        head, _, found = options(self.value, self.vocab, self.verbs)
        current = self.value[len(head):]
        if len(found) == 1:
            self.accept(found[0])
            return
        shared = common_prefix(found)
        if len(shared) > len(current):
            self._set(head + shared)
        if isinstance(self.parent, CommandLine):
            self.parent.show_menu(force=True)

    def accept(self, word: str) -> None:
        head, _, _ = options(self.value, self.vocab, self.verbs)
        self._set(head + word + ("" if word.endswith("=") else " "))
        if isinstance(self.parent, CommandLine):
            self.parent.hide_menu()

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)


class CommandLine(Vertical):
    """The input and, above it, the list of candidates for the word being typed."""

    DEFAULT_CSS = """
    CommandLine { height: auto; }
    CommandLine > OptionList { height: auto; max-height: 8; display: none; border: none;
                               padding: 0 1; background: $panel; }
    """

    def __init__(self, vocab: Vocabulary, describe: Describe, verbs: Verbs = VERBS, *,
                 placeholder: str = "", input_id: str = "cmdline", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocab, self.describe, self.verbs = vocab, describe, verbs
        self.placeholder, self.input_id = placeholder, input_id
        self._forced = False

    def compose(self) -> ComposeResult:
        yield OptionList(id=f"{self.input_id}-menu")
        yield CommandInput(self.vocab, self.verbs, id=self.input_id,
                           placeholder=self.placeholder)

    @property
    def menu(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def input(self) -> CommandInput:
        return self.query_one(CommandInput)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.show_menu(force=self._forced)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.hide_menu()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.input.accept(event.option.id or "")
        self.input.focus()

    def show_menu(self, force: bool = False) -> None:
        """List the candidates for the word being typed: while a word is typed, or on tab."""
        value = self.input.value
        head, field, found = options(value, self.vocab, self.verbs)
        current = value[len(head):]
        found = [f for f in found if f != current]
        if not found or (not force and not current):
            self.hide_menu()
            return
        self._forced = force
        menu = self.menu
        menu.clear_options()
        width = max(len(f) for f in found[:50])
        # All at once: one by one, the list laid itself out again for each, at every key.
        menu.add_options([Option(f"{value_:<{width}}  "
                                 f"{self.describe(field, value_) if field else ''}".rstrip(),
                                 id=value_) for value_ in found[:50]])
        menu.highlighted = 0
        menu.display = True

    def hide_menu(self) -> None:
        self._forced = False
        if self.menu.display:
            self.menu.display = False

    def key_escape(self, event: Key) -> None:
        """Esc closes the list first; with no list it goes on to the screen."""
        if self.menu.display:
            self.hide_menu()
            event.stop()
            event.prevent_default()
