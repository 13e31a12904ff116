"""The command palette's war-room provider: every action, searchable by name and purpose."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from oncall.tui.screens.actions import ACTIONS


class WarRoomCommands(Provider):
    """Lists the same actions as the keys, so nothing is reachable only by memory."""

    def _items(self) -> list[tuple[str, str, str]]:
        items = [(f"{a.label} ({a.key})", a.about, f"act('{a.name}')") for a in ACTIONS]
        items += [("Command line (:)", "type a command as text", "cmdline"),
                  ("Help (F1)", "commands, costs, fixes, teams, causes", "help")]
        return items

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

    async def discover(self) -> Hits:
        for title, about, action in self._items():
            yield DiscoveryHit(title, partial(self._run, action), help=about)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, about, action in self._items():
            score = matcher.match(f"{title} {about}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action),
                          help=about)
