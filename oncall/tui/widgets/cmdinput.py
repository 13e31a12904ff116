"""The war room's command line: Textual's Input with a history and completion.

Up and down walk back through the lines typed this incident; the greyed completion (Textual's
own Suggester) offers the verb, model, metric, feature, fix, team or obs id that fits the word
being typed, and tab or right accepts it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

from oncall.tui.cmdline import Vocabulary, complete


class CommandSuggester(Suggester):
    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.vocab = vocab

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.vocab)


class CommandInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Earlier command", show=False),
        Binding("down", "history(1)", "Later command", show=False),
        Binding("tab", "complete", "Complete", show=False),
    ]

    def __init__(self, vocab: Vocabulary, **kwargs: object) -> None:
        super().__init__(suggester=CommandSuggester(vocab), **kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._at = 0
        """Where up/down is in the history; len(history) is the line being typed."""
        self._draft = ""

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._at = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._at == len(self.history):
            self._draft = self.value
        self._at = max(0, min(len(self.history), self._at + step))
        self.value = self._draft if self._at == len(self.history) else self.history[self._at]
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
