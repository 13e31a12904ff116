"""The tuning lab: set a proposed monitor's threshold and `for`, replay it over the week before
the page, and see when it would have fired on this incident and how often it cried wolf.

Each replay is the engine's `tune` command (run in a worker), so the chart and the sentence are
the ones the postmortem will claim. Keeping the values hands them back to the postmortem form,
which sends them as its `tuning`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Select, Static
from textual_plotext import PlotextPlot

from oncall.tui.messages import Observed
from oncall.tui.screens.dimmed import DimmedModal

if TYPE_CHECKING:
    from oncall.session import Session

Tuned = dict[str, dict[str, Any]]
"""Per monitor id: {"threshold": float, "for_min": int}, as the postmortem command takes it."""


class ReplayChart(PlotextPlot):
    """The replayed series over the week, the threshold line, and the page."""

    def show(self, chart: dict[str, Any], unit: str) -> None:
        from oncall.sim.clock import hhmm

        plt = self.plt
        plt.clear_figure()
        def hours(ts: list[int]) -> list[float]:
            return [(t - chart["page_at"]) / 60 for t in ts]

        if chart["t"]:
            plt.plot(hours(chart["t"]), chart["v"], marker="braille", label="replayed")
            plt.hline(chart["threshold"], "red")
            marks = (("false_alarms_at", "x", "false alarm"),
                     ("false_alarms_elsewhere", "o", "false alarm, another feature"))
            for key, marker, label in marks:
                if chart[key]:
                    at = chart[key]
                    plt.scatter(hours(at), [chart["threshold"]] * len(at), marker=marker,
                                color="orange", label=label)
            if chart["fired_at"] is not None:
                plt.vline(hours([chart["fired_at"]])[0], "green")
        feature = chart.get("feature") or "value"
        plt.title(f"{feature} ({unit}), peaks per {chart['step_min']} min; red: threshold, "
                  f"green: fires; page {hhmm(chart['page_at'])} = 0")
        plt.xlabel("hours from the page")
        self.refresh()


class TuningScreen(DimmedModal[Tuned]):
    DEFAULT_CSS = """
    TuningScreen { align: center middle; }
    #tune { width: 100%; height: 100%; padding: 0 1; background: $surface; }
    #tune-form { height: 1; margin: 1 0; }
    #tune-monitor { width: 30; }
    #tune-threshold, #tune-for { width: 14; margin: 0 1; }
    #tune-result { height: auto; margin: 0 0 1 0; }
    #tune-chart { height: 1fr; min-height: 10; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "replay", "Replay", id="tune-replay", priority=True),
        Binding("ctrl+s", "keep", "Keep values", id="tune-keep", priority=True),
        Binding("escape", "cancel", "Back", id="tune-back"),
    ]

    def __init__(self, session: Session, monitors: list[str], tuned: Tuned) -> None:
        super().__init__()
        self.session = session
        self.monitors = monitors
        self.tuned: Tuned = {k: dict(v) for k, v in tuned.items()}
        self.replayed: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="tune"):
            yield Label("Tuning lab: replay a monitor over the week before the page",
                        classes="card-heading")
            with Horizontal(id="tune-form"):
                yield Select([(m, m) for m in self.monitors], value=self.monitors[0],
                             allow_blank=False, id="tune-monitor", compact=True)
                yield Label(" threshold")
                yield Input(placeholder="threshold", id="tune-threshold", compact=True)
                yield Label("for (min)")
                yield Input(placeholder="for (min)", id="tune-for", compact=True)
                yield Button("Replay (ctrl+r)", id="tune-go", compact=True)
            yield Static("", id="tune-result", markup=False)
            yield ReplayChart(id="tune-chart")
        yield Footer()

    def on_mount(self) -> None:
        self._load(self.monitors[0])

    @property
    def current(self) -> str:
        return str(self.query_one("#tune-monitor", Select).value)

    def _load(self, rid: str) -> None:
        from oncall.game.remediations import MONITORS

        chosen = self.tuned.get(rid, {})
        default = MONITORS[rid].default
        threshold = chosen.get("threshold", default.threshold)
        self.query_one("#tune-threshold", Input).value = f"{threshold:g}"
        self.query_one("#tune-for", Input).value = str(chosen.get("for_min", default.for_min))
        self.action_replay()

    @on(Select.Changed, "#tune-monitor")
    def _picked(self, event: Select.Changed) -> None:
        self._load(str(event.value))

    @on(Button.Pressed, "#tune-go")
    @on(Input.Submitted)
    def _go(self) -> None:
        self.action_replay()

    def values(self) -> dict[str, Any] | None:
        """The form's threshold and `for`, or None (with a notice) if they are not numbers."""
        try:
            return {"threshold": float(self.query_one("#tune-threshold", Input).value),
                    "for_min": int(self.query_one("#tune-for", Input).value)}
        except ValueError:
            self.notify("threshold must be a number and for a whole number of minutes",
                        severity="error")
            return None

    def action_replay(self) -> None:
        vals = self.values()
        if vals is not None:
            self._send({"do": "tune", "remediation": self.current, **vals})

    @work(thread=True, exclusive=True, group="engine")
    def _send(self, command: dict[str, Any]) -> None:
        self.post_message(Observed(command, self.session.do(command)))

    @on(Observed)
    def _shown(self, message: Observed) -> None:
        obs = message.observation
        result = self.query_one("#tune-result", Static)
        if not obs.ok:
            result.update(obs.error or obs.text)
            return
        result.update(obs.text)
        data = obs.data
        if data.get("applicable"):
            self.replayed[data["remediation"]] = {k: message.command[k]
                                                  for k in ("threshold", "for_min")}
            self.query_one("#tune-chart", ReplayChart).show(data["chart"],
                                                            data["replay"]["unit"])

    def action_keep(self) -> None:
        """Keep every value that was replayed, so none is kept unseen."""
        self.dismiss({**self.tuned, **self.replayed})

    def action_cancel(self) -> None:
        self.dismiss(self.tuned)
