"""One key map per screen: no key bound to two actions on a screen, none shadowing the app's own
keys, and the help that lists the war-room keys tells the truth (`k` scrolls, `t` tickets)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

import oncall.tui.screens as screens
from oncall.tui.app import OncallApp
from oncall.tui.screens.help import help_markdown
from oncall.tui.screens.war_room import WarRoom


def keymap(bindings: list) -> dict[str, set[str]]:  # type: ignore[type-arg]
    out: dict[str, set[str]] = defaultdict(set)
    for b in bindings:
        key, action = (b.key, b.action) if isinstance(b, Binding) else (b[0], b[1])
        for k in key.split(","):
            out[k.strip()].add(action)
    return out


def all_screens() -> list[type[Screen]]:  # type: ignore[type-arg]
    found = []
    for info in pkgutil.iter_modules(screens.__path__):
        module = importlib.import_module(f"{screens.__name__}.{info.name}")
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, Screen) and c.__module__ == module.__name__]
    return found


def clashes(cls: type) -> dict[str, set[str]]:
    return {k: a for k, a in keymap(list(cls.BINDINGS)).items() if len(a) > 1}


def test_every_screen_binds_each_key_to_one_action() -> None:
    found = all_screens()
    assert WarRoom in found and len(found) >= 10
    bad = {cls.__name__: clashes(cls) for cls in found if clashes(cls)}
    assert bad == {}


def test_no_screen_shadows_the_apps_keys() -> None:
    """A screen may name the app's own key (to show it in its footer) only for the same thing:
    the app's action, or moving focus as the app does."""
    app_keys = set(keymap(list(OncallApp.BINDINGS))) | {"ctrl+p"}

    def same(actions: set[str]) -> bool:
        return all(a.startswith("app.") for a in actions)

    shadowed = {cls.__name__: sorted(k for k in set(keymap(list(cls.BINDINGS))) & app_keys
                                     if not same(keymap(list(cls.BINDINGS))[k]))
                for cls in all_screens()}
    assert {k: v for k, v in shadowed.items() if v} == {}


def test_the_clash_finder_finds_a_clash() -> None:
    class Clashing(Screen[None]):
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding("k", "act('ticket')", "Ticket"), Binding("k,up", "scroll(-1)", "Up")]

    assert clashes(Clashing) == {"k": {"act('ticket')", "scroll(-1)"}}


def test_k_scrolls_and_t_tickets_in_the_war_room_and_its_help() -> None:
    keys = keymap(list(WarRoom.BINDINGS))
    assert keys["k"] == {"scroll(-1)"} and keys["t"] == {"act('ticket')"}
    text = help_markdown("active")
    assert "- `t` Ticket" in text and "`j` `k` scroll the log" in text
