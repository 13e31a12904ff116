"""War-room help from the engine's own command descriptions, so it never drifts from the rules."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oncall.tui.screens.actions import ACTIONS
from oncall.tui.screens.dimmed import DimmedModal
from oncall.tui.screens.layout import skip_repeat_layout

NIGHT_KEYS = [
    "- Type a command and press enter; a line entered while another runs waits its turn",
    "- `tab` completes (a list with what each choice is), up/down walk the history",
    "- `pageup` `pagedown` scroll the log; `F1` this help",
    "- `esc` (on an empty line), `ctrl+g` abandon and `ctrl+q` quit: each asks first and saves "
    "the night as abandoned",
]


def _usage(verb: str, d: dict[str, object]) -> str:
    args = d["args"]
    assert isinstance(args, dict)
    words = " ".join(f"{k}" if v["required"] else f"[{k}={v.get('default', '')}]"
                     for k, v in args.items())
    minutes = d["minutes"]
    cost = f"{minutes} min" if isinstance(minutes, int) else "the minutes given"
    return f"- `{(verb + ' ' + words).strip()}`: {d['summary']} ({cost})"


@cache
def help_markdown(phase: str, night: bool = False) -> str:
    """Built once per phase in a process: the registries it reads do not change in a run."""
    from oncall.game.commands import FIXES, available, describe
    from oncall.game.shiftcommands import SHIFT_VERBS
    from oncall.sim.catalogue import FAULTS, TEAMS

    if night:
        lines = ["# Night shift help", "", "Commands are typed as `verb positional… key=value`; "
                 "name an incident by its page (`incident=p1`).", "", "## Keys", "", *NIGHT_KEYS,
                 "", "## The shift's own commands", ""]
        lines += [_usage(v, describe(v, SHIFT_VERBS[v])) for v in SHIFT_VERBS]
        lines += ["", "## Incident commands", ""]
        verbs = [v for v in available("active") if v not in SHIFT_VERBS and v != "postmortem"]
    else:
        lines = ["# War room help", "", "Keys act on the incident; `:` opens the command line, "
                 "where commands are typed as `verb positional… key=value`.", "",
                 "## Keys", ""]
        lines += [f"- `{a.key}` {a.label}: {a.about}" for a in ACTIONS]
        lines += ["- `1` `2` `3` tabs: log, chart, drift lab", "- `j` `k` scroll the log",
                  "- `:` command line: `tab` completes (a list with what each choice is), "
                  "up/down walk the history, enter runs the command and hands the keys back, "
                  "`esc` leaves it",
                  "- `ctrl+p` palette: every action by name, and the theme (remembered)",
                  "- `ctrl+g` abandon the night for the title, `ctrl+q` quit: both ask first "
                  "and save the incident as abandoned", "",
                  f"## Commands while {phase}", ""]
        verbs = list(available(phase))  # type: ignore[arg-type]
    lines += [_usage(verb, describe(verb)) for verb in verbs]
    lines += ["", "## Fixes", ""] + [f"- `{k}`: {v}" for k, v in FIXES.items()]
    lines += ["", "## Teams", ""] + [f"- `{k}`: {v}" for k, v in TEAMS.items()]
    lines += ["", "## Causes", ""] + [f"- `{f.id}` {f.category}: {f.name}" for f in FAULTS]
    return "\n".join(lines)


def _inline(text: str) -> Text:
    """A line's `code` spans in bold, the rest plain."""
    out = Text()
    for i, part in enumerate(text.split("`")):
        out.append(part, style="bold" if i % 2 else "")
    return out


def styled(markdown: str) -> Text:
    """The help's Markdown (headings, bullets, paragraphs, `code`) as styled text, read from
    the top: headings bold and underlined, bullets as •, code in bold."""
    out = Text()
    for line in markdown.splitlines():
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            title = line[level:].strip()
            out.append(title.upper() if level == 1 else title, style="bold underline")
        elif line.startswith("- "):
            out.append("  • ")
            out.append_text(_inline(line[2:]))
        else:
            out.append_text(_inline(line))
        out.append("\n")
    out.rstrip()
    return out


SHOWN_ROWS = 20
"""Lines of the help the box shows before it is scrolled (#help is 22 high, in a frame)."""


def pieces(markdown: str, first: int) -> list[str]:
    """The Markdown's first `first` lines, then the rest cut before the blank line that leads
    each `##` heading: drawn one under another, the pieces read as the whole."""
    lines = markdown.splitlines()
    cuts = [i - 1 for i, line in enumerate(lines) if line.startswith("## ")
            and i - 1 > first and not lines[i - 1]]
    bounds = [0, min(first, len(lines)), *cuts, len(lines)]
    return ["\n".join(lines[a:b]) for a, b in pairwise(bounds) if b > a] or [markdown]


class HelpScreen(DimmedModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help-close"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, phase: str, night: bool = False,
                 keys: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.phase = phase
        self.night = night
        self.keys = keys or []
        """(key, what it does) of the screen underneath, listed first."""
        lines = help_markdown(phase, night).splitlines()
        if self.keys:
            lines[1:1] = ["", "## Keys on this screen", "",
                          *(f"- `{k}` {what}" for k, what in self.keys)]
        self.source = "\n".join(lines)
        self._rest = pieces(self.source, SHOWN_ROWS)
        """Sections still to come, one a frame."""
        self._mounting = 0
        """Sections on their way in."""

    def compose(self) -> ComposeResult:
        """The help's Markdown as styled text, a widget a section: a widget per paragraph and
        bullet (Textual's Markdown) cost a second of layout at F1, and Rich's Markdown half
        of one. The screen comes with its box empty, the section that fills it a frame after
        and the other sections one a frame after that: the first frame already draws the war
        room dimmed beneath (6 ms), and with the text in it too it held the loop for more than
        a frame."""
        yield VerticalScroll(id="help")

    def on_resize(self, event: events.Resize) -> None:
        skip_repeat_layout(self, event)  # and the war room beneath, and the dimmed screen

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()
        self.call_after_refresh(self._mount_next)

    @property
    def ready(self) -> bool:
        """Every section is mounted."""
        return not self._rest and self._mounting == 0

    async def _mount_next(self) -> None:
        if not self._rest or not self.is_attached:
            return
        section = self._rest.pop(0)
        self._mounting += 1
        try:
            await self.query_one("#help", VerticalScroll).mount(
                Static(styled(section), classes="help-text"))
        finally:
            self._mounting -= 1
        self.call_after_refresh(self._mount_next)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=lines * 3, animate=False)
