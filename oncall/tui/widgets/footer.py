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
    def __init__(self, held: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._fitted_width = 0
        self._shown: tuple[Any, ...] | None = None
        self.held = held
        """No keys yet: a screen built beneath another shows its keys a frame after it comes
        up (`release`), as they are then, not those it had beneath (the war room's under the
        page offered `a`). Its first frame is then the screen without a row of keys to draw."""

    def release(self) -> None:
        """Show the keys (called on the footer's own pump, as Textual's footer recomposes)."""
        if self.held:
            self.held = False
            self.call_later(self.recompose)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width:
            self._fitted_width = event.size.width
            self.call_after_refresh(self.recompose)

    def _key(self, binding: Binding, enabled: bool, tooltip: str, description: str
             ) -> FooterKey:
        # Born with the class its `compact` watcher would add as it mounts: added then, it
        # restyled each key on its own, half the war room's answer to `a`.
        return FooterKey(binding.key, self.app.get_key_display(binding), description,
                         binding.action, disabled=not enabled,
                         tooltip=tooltip or binding.description,
                         classes="-compact" if self.compact else "",
                         ).data_bind(compact=Footer.compact)

    def width_of(self, binding: Binding, description: str = "") -> int:
        return len(self.app.get_key_display(binding)) + len(description or
                                                             binding.description) + 2

    def _plan(self) -> tuple[list[tuple[Binding, bool, str, str]], Any]:
        """The keys to show (binding, enabled, tooltip, description) and the palette's."""
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
        shown: list[tuple[Binding, bool, str, str]] = []
        used = 0
        for i, (binding, enabled, tooltip) in enumerate(keys):
            rest = len(keys) - i - 1
            tail = 0
            if helper is not None:
                tail = self.width_of(helper[0], f"{helper[0].description} +{rest} keys"
                                     if rest else "")
            if used + self.width_of(binding) + tail > width:
                break
            shown.append((binding, enabled, tooltip, binding.description))
            used += self.width_of(binding)
        hidden = len(keys) - len(shown)
        if helper is not None:
            more = f" +{hidden} keys" if hidden else ""
            shown.append((helper[0], helper[1], helper[2], helper[0].description + more))
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return shown, palette

    @staticmethod
    def _signature(plan: tuple[list[tuple[Binding, bool, str, str]], Any]) -> tuple[Any, ...]:
        shown, palette = plan
        return (tuple((b.key, on, d) for b, on, _, d in shown),
                None if palette is None else palette[2])

    async def recompose(self) -> None:
        """Only when what the footer shows changes: bindings are refreshed on every focus
        change, and rebuilding the keys each time cost the war room a frame."""
        if not self._bindings_ready or not self.is_attached or self.held:
            return
        if self._signature(self._plan()) == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        if not self._bindings_ready or self.held:
            self._shown = None
            return
        plan = self._plan()
        self._shown = self._signature(plan)
        shown, palette = plan
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip, description in shown:
            yield self._key(binding, enabled, tooltip, description)
        if palette is not None:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, classes="-command-palette",
                            disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)
