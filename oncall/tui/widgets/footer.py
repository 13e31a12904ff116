"""A footer that shows the screen's keys as far as they fit, and says how many more help lists.

Textual's footer lays every shown key in a row and cuts what passes the edge, so at 80 columns a
key could show as a bare letter ("t T"). This one keeps whole keys, in the screen's order, and
always the help key last: "f1 Help +13 keys" when some did not fit.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_ROOM = 12
"""Columns the command palette's key takes at the right."""
HELP_ACTIONS = ("help", "screen.help")


class FittingFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._fitted_width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width:
            self._fitted_width = event.size.width
            self.call_after_refresh(self.recompose)

    def _key(self, binding: Binding, enabled: bool, tooltip: str, description: str
             ) -> FooterKey:
        return FooterKey(binding.key, self.app.get_key_display(binding), description,
                         binding.action, disabled=not enabled,
                         tooltip=tooltip or binding.description).data_bind(compact=Footer.compact)

    def width_of(self, binding: Binding, description: str = "") -> int:
        return len(self.app.get_key_display(binding)) + len(description or
                                                             binding.description) + 2

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        keys: list[tuple[Binding, bool, str]] = []
        helper: tuple[Binding, bool, str] | None = None
        seen: set[str] = set()
        for _, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            if binding.action in HELP_ACTIONS:
                helper = helper or (binding, enabled, tooltip)
            elif binding.action != "app.command_palette":
                keys.append((binding, enabled, tooltip))
        width = self.size.width or self.app.size.width
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            width -= PALETTE_ROOM
        shown: list[tuple[Binding, bool, str]] = []
        used = 0
        for i, entry in enumerate(keys):
            rest = len(keys) - i - 1
            tail = 0
            if helper is not None:
                tail = self.width_of(helper[0], f"{helper[0].description} +{rest} keys"
                                     if rest else "")
            if used + self.width_of(entry[0]) + tail > width:
                break
            shown.append(entry)
            used += self.width_of(entry[0])
        hidden = len(keys) - len(shown)
        self.styles.grid_size_columns = len(shown) + (helper is not None)
        for binding, enabled, tooltip in shown:
            yield self._key(binding, enabled, tooltip, binding.description)
        if helper is not None:
            binding, enabled, tooltip = helper
            more = f" +{hidden} keys" if hidden else ""
            yield self._key(binding, enabled, tooltip, binding.description + more)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, classes="-command-palette",
                            disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)
