"""The night shift screen: the pager queue, colleagues waiting on an answer, the error budget,
and a command line over the shift session.

The budget bar and the queue are redrawn after every command from the shift's own state, so the
error budget is always in view without asking. Commands run in a worker thread (a long wait
computes alerts over the night) and come back as messages; the screen never blocks.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, RichLog, Static

if TYPE_CHECKING:
    from oncall.game.record import Observation
    from oncall.session import ShiftSession
    from oncall.tui.app import OncallApp

HINT = ": ack · take q2 · reply c1 evidence=obs-3,obs-4 · agree c1 · overrule c1 · defer c1 · " \
       "silence ModelHighP99Latency MODEL · deploys MODEL · wait 10 · help"


class ShiftBuilt(Message):
    def __init__(self, session: ShiftSession | None, error: str = "") -> None:
        super().__init__()
        self.session = session
        self.error = error


class ShiftAnswered(Message):
    def __init__(self, command: dict[str, Any], observation: Observation,
                 view: dict[str, Any]) -> None:
        super().__init__()
        self.command = command
        self.observation = observation
        self.view = view


def view_of(session: ShiftSession) -> dict[str, Any]:
    """What the screen shows besides the log, read from the shift (no command, no record)."""
    shift = session.shift
    f = shift.record.facts
    return {
        "clock": shift.start().clock if not shift.record.entries else
        shift.record.entries[-1].observation.clock,
        "budget": shift.budget(),
        "queue": shift.queue_view(),
        "pages": [p.id for p in f.pages if p.acked_at is None],
        "talks": [f"{cv.id} {cv.person} ({cv.role}, {cv.model})" for cv in f.conversations
                  if cv.closed_at is None and cv.reopen_at is None],
        "ended": shift.ended,
        "ends": f.end,
    }


def budget_line(view: dict[str, Any]) -> str:
    from oncall.sim.clock import hhmm

    b = view["budget"]
    burning = f"; burning: {', '.join(b['burning'])}" if b["burning"] else ""
    pages = f" · unacked: {', '.join(view['pages'])}" if view["pages"] else ""
    return (f"{view['clock']} (shift ends {hhmm(view['ends'])}) · error budget: worst "
            f"{b['left_pct']:g}% left, tonight {b['night_pct']:g}%{burning} · scale-ups "
            f"${b['scale_up_usd']:,.2f}{pages}")


def queue_text(view: dict[str, Any]) -> str:
    from oncall.sim.clock import hhmm

    lines = ["Queue"]
    items = sorted(view["queue"], key=lambda it: (it["done_at"] is not None, it["priority"],
                                                  it["arrives_at"]))
    for it in items:
        state = it["outcome"] or ("taken" if it["taken_at"] is not None else "waiting")
        lines.append(f"{it['id']} P{it['priority']} {it['kind']}: {it['title']} "
                     f"(by {hhmm(it['deadline'])}; {state})")
    if view["talks"]:
        lines += ["", "Waiting on your answer"] + [f"  {t}" for t in view["talks"]]
    return "\n".join(lines)


class NightScreen(Screen[None]):
    """A night on call: build the shift in a worker, then answer commands one at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="night-back"),
        Binding("colon,slash", "cmdline", "Type", show=False, id="night-cmdline"),
        Binding("a", "send('ack')", "Ack", id="night-ack"),
        Binding("w", "send('wait 5')", "Wait 5", id="night-wait"),
        Binding("s", "send('status')", "Status", id="night-status-key"),
    ]

    def __init__(self, seed: int | None = None, length: int = 360,
                 difficulty: str = "normal", home: Path | None = None) -> None:
        super().__init__()
        self.seed = seed if seed is not None else random.randrange(1, 100_000)
        self.length, self.difficulty, self.home = length, difficulty, home
        self.session: ShiftSession | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(f"Building the night (seed {self.seed})…", id="night-status",
                     markup=False)
        with Horizontal(id="night-body"):
            with Vertical(id="night-left"):
                yield Static("", id="night-queue", markup=False)
            yield RichLog(id="night-log", wrap=True, min_width=20, markup=False,
                          highlight=False)
        yield Input(placeholder=HINT, id="night-cmd")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._build()

    @work(thread=True, exclusive=True, group="night-build")
    def _build(self) -> None:
        from oncall.session import ShiftSession

        try:
            session = ShiftSession(self.seed, self.length, self.difficulty, home=self.home)
        except Exception as exc:  # a failed build is a message, not a crash
            self.post_message(ShiftBuilt(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(ShiftBuilt(session))

    @on(ShiftBuilt)
    def _built(self, message: ShiftBuilt) -> None:
        if message.session is None:
            self.notify(message.error, title="Cannot start the shift", severity="error")
            self.app.pop_screen()
            return
        self.session = message.session
        self.query_one("#night-log", RichLog).write(message.session.start().text)
        self._show(view_of(message.session))
        self.query_one("#night-cmd", Input).focus()

    def _show(self, view: dict[str, Any]) -> None:
        self.query_one("#night-status", Static).update(budget_line(view))
        self.query_one("#night-queue", Static).update(queue_text(view))

    def action_cmdline(self) -> None:
        self.query_one("#night-cmd", Input).focus()

    def action_send(self, line: str) -> None:
        self._submit(line)

    def action_leave(self) -> None:
        cmd = self.query_one("#night-cmd", Input)
        if self.focused is cmd and cmd.value:
            cmd.value = ""
            return
        self.app.pop_screen()

    @on(Input.Submitted, "#night-cmd")
    def _typed(self, event: Input.Submitted) -> None:
        line = event.value
        event.input.value = ""
        self._submit(line)

    def _submit(self, line: str) -> None:
        from oncall.tui.cmdline import LineError, parse_line

        if self.session is None or self.busy:
            return
        try:
            command = parse_line(line, shift=True)
        except LineError as exc:
            self.query_one("#night-log", RichLog).write(f"! {exc}")
            return
        self.busy = True
        self._run(command)

    @work(thread=True, exclusive=True, group="night-do")
    def _run(self, command: dict[str, Any]) -> None:
        assert self.session is not None
        obs = self.session.do(command)
        self.post_message(ShiftAnswered(command, obs, view_of(self.session)))

    @on(ShiftAnswered)
    def _answered(self, message: ShiftAnswered) -> None:
        self.busy = False
        log = self.query_one("#night-log", RichLog)
        obs = message.observation
        head = " ".join(str(v) for v in message.command.values())
        log.write(f"[{obs.clock}] > {head}")
        for ev in obs.events:
            log.write(f"  {ev.get('kind')}: {ev.get('text')}")
        if obs.text:
            log.write(obs.text if obs.ok else f"! {obs.text}")
        self._show(message.view)
        if message.view["ended"] and self.session is not None:
            out = self.session.outcome
            where = f"saved to {out.path}" if out is not None and out.path else "not saved"
            self.notify(f"The shift is over ({where}). `oncall shift story` tells it.",
                        title="Handed over", timeout=15)


def night_app(seed: int | None, length: int, difficulty: str, home: Path | None) -> OncallApp:
    """The app opened straight onto a night shift (`oncall shift`), the title screen under it."""
    from oncall.tui.app import OncallApp

    class NightApp(OncallApp):
        CSS_PATH = str(Path(__file__).resolve().parent.parent / "oncall.tcss")

        def on_mount(self) -> None:
            # The app's own start shows the title screen; the night opens over it.
            self.call_after_refresh(self.push_screen,
                                    NightScreen(seed, length, difficulty, home))

    return NightApp(seed=seed, difficulty=difficulty, home=home)
