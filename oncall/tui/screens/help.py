"""War-room help from the engine's own command descriptions, so it never drifts from the rules."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from oncall.tui.screens.actions import ACTIONS


def help_markdown(phase: str) -> str:
    from oncall.game.commands import FIXES, available, describe
    from oncall.sim.catalogue import FAULTS, TEAMS

    lines = ["# War room help", "", "Keys act on the incident; `:` opens the command line, "
             "where commands are typed as `verb positional… key=value`.", "",
             "## Keys", ""]
    lines += [f"- `{a.key}` {a.label}: {a.about}" for a in ACTIONS]
    lines += ["- `1` `2` `3` tabs: log, chart, drift lab", "- `j` `k` scroll the log",
              "- `:` command line: `tab` completes, up/down walk the history, enter runs the "
              "command and hands the keys back, `esc` leaves it",
              "- `ctrl+p` palette: every action by name, and the theme (remembered)",
              "- `ctrl+g` abandon the night for the title, `ctrl+q` quit: both ask first and "
              "save the incident as abandoned", "",
              f"## Commands while {phase}", ""]
    for verb in available(phase):  # type: ignore[arg-type]
        d = describe(verb)
        args = " ".join(f"{k}" if v["required"] else f"[{k}={v.get('default', '')}]"
                        for k, v in d["args"].items())
        usage = f"{verb} {args}".strip()
        lines.append(f"- `{usage}`: {d['summary']} ({d['minutes']} min)")
    lines += ["", "## Fixes", ""] + [f"- `{k}`: {v}" for k, v in FIXES.items()]
    lines += ["", "## Teams", ""] + [f"- `{k}`: {v}" for k, v in TEAMS.items()]
    lines += ["", "## Causes", ""] + [f"- `{f.id}` {f.category}: {f.name}" for f in FAULTS]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help-close"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, phase: str) -> None:
        super().__init__()
        self.phase = phase

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(help_markdown(self.phase))

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=lines * 3, animate=False)
