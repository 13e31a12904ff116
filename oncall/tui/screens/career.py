"""The career: every saved incident with its score, each section's trend across the nights and
the best score per section, as charts; enter opens a save's STAR story.

An abandoned night (its record never ended) is listed as such and left out of the trends and
bests, which are about finished incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from oncall.tui.widgets.charts import MARKERS, TitledPlot


def abandoned(record: Any) -> bool:
    """Left before the postmortem: ended by `abandon`, or saved unended by an older version."""
    return not record.ended or record.facts.abandoned_at is not None


def career_series(saves: list[Any]) -> tuple[list[str], dict[str, list[float]],
                                             dict[str, float]]:
    """Per finished save (in save order): its label, each section's percent, and each section's
    best percent over the career."""
    labels: list[str] = []
    trend: dict[str, list[float]] = {}
    for save in saves:
        if abandoned(save.record):
            continue
        labels.append(f"{save.record.scenario}/{save.record.seed}")
        for s in save.scorecard.sections:
            trend.setdefault(s.title, []).append(round(100 * s.points / s.max, 1)
                                                 if s.max else 0.0)
    best = {title: max(values) for title, values in trend.items()}
    return labels, trend, best


def _when(saved_at: str) -> str:
    """A save's time as a person reads it: `Mar 05 14:02`, not an ISO stamp."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(saved_at).strftime("%b %d %H:%M")
    except ValueError:
        return saved_at[:16]


class TrendPlot(TitledPlot):
    def show(self, labels: list[str], trend: dict[str, list[float]]) -> None:
        plt = self.new_figure()
        xs = list(range(1, len(labels) + 1))
        for i, (title, values) in enumerate(trend.items()):
            plt.plot(xs, values, label=title, marker=MARKERS[i % len(MARKERS)])
        plt.ylim(0, 100)
        if xs:
            plt.xticks([float(x) for x in xs], [str(x) for x in xs])
        self.set_title(f"% per section, {len(xs)} finished night{'s' if len(xs) != 1 else ''}")
        self.refresh()


SPARK = "▁▂▃▄▅▆▇█"
BEST_CELLS = 10
WIDE = 120
"""From this many columns the trend is also drawn as a line chart beside the table."""


def spark(values: list[float], cells: int) -> str:
    """The last `cells` values (percent) as a sparkline, one character a night."""
    return "".join(SPARK[round(v / 100 * (len(SPARK) - 1))] for v in values[-cells:])


def section_table(labels: list[str], trend: dict[str, list[float]], best: dict[str, float],
                  width: int) -> str:
    """Each section on one line, whole names: its nights as a sparkline, the last and the best
    percent (the best as a bar): legible at 80 columns where a chart's labels are cut."""
    if not labels:
        return "No finished night yet: the trends start with the first postmortem."
    name = max(len(t) for t in trend) + 2
    cells = max(3, min(len(labels), width - name - 12 - BEST_CELLS - 7))
    nights = f"{len(labels)} finished night{'s' if len(labels) != 1 else ''}"
    head = f"{'section':<{name}}{'night by night':<{cells}}  last  best"
    lines = [f"% per section, {nights}" + (f" (the last {cells} shown)"
                                            if cells < len(labels) else ""), head]
    for title, values in trend.items():
        top = best[title]
        bar = "█" * round(BEST_CELLS * top / 100)
        lines.append(f"{title:<{name}}{spark(values, cells):<{cells}}  {values[-1]:>3.0f}%"
                     f"  {bar:<{BEST_CELLS}} {top:.0f}%")
    return "\n".join(lines)


def _daily(saves: list[Any]) -> str:
    """Streak and best day of the daily nights among the saves."""
    from oncall import __version__
    from oncall.story import daily

    today = daily.today()
    return " ".join(daily.stats_lines(daily.played_days(saves, today, __version__), today))


class CareerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self, stories: bool) -> None:
        super().__init__()
        self.stories = stories
        """Opened as "Stories": the same list, with the story as the point."""
        self.paths: dict[str, Path] = {}

    def compose(self) -> ComposeResult:
        heading = "Stories: pick a save (enter)" if self.stories else \
            "Career: saved incidents (enter: the story)"
        yield Static(heading, classes="screen-title")
        yield DataTable(id="saves", cursor_type="row", zebra_stripes=True)
        yield Static("", id="career-note", markup=False)
        if not self.stories:
            with Horizontal(id="career-charts"):
                yield Static("", id="career-table", markup=False)
                yield TrendPlot(id="career-trend")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#saves", DataTable)
        table.add_columns("scenario", "seed", "score", "saved")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        from oncall.tui.saving import career, nights

        home = getattr(self.app, "home", None)
        found, errors = career(home)
        shifts, broken = nights(home)
        self.app.call_from_thread(self._show, found, errors + broken, shifts,
                                  _daily([save for _, save in found]))

    def _show(self, found: list[tuple[Path, Any]], errors: list[str],
              shifts: list[tuple[Path, Any]] | None = None, daily: str = "") -> None:
        table = self.query_one("#saves", DataTable)
        rows: list[tuple[str, str, str, str, str]] = []
        for path, save in found:
            card, rec = save.scorecard, save.record
            score = f"{card.total:g}/{card.max}" + (" (abandoned)" if abandoned(rec) else "")
            rows.append((str(save.saved_at), rec.scenario, str(rec.seed), score, str(path)))
        for path, save in shifts or []:
            rec, card = save.record, save.card
            left = " (abandoned)" if rec.facts.abandoned_at is not None else ""
            rows.append((str(save.saved_at), f"night shift {rec.difficulty}", str(rec.seed),
                         f"{card.total:g}/{card.max}{left}", str(path)))
        for saved_at, name, seed, score, key in sorted(rows):
            self.paths[key] = Path(key)
            table.add_row(name, seed, score, _when(saved_at), key=key)
        note = "" if rows else "No saved incidents yet: finish a shift to start a career."
        if rows and daily:
            note += "\n" + daily
        if errors:
            note += "\nUnreadable saves (left untouched): " + "; ".join(errors)
        self.query_one("#career-note", Static).update(note.strip())
        if not self.stories:
            self.series = career_series([save for _, save in found])
            self._chart()

    def on_resize(self) -> None:
        self._chart()

    def _chart(self) -> None:
        series = getattr(self, "series", None)
        if series is None or self.stories:
            return
        labels, trend, best = series
        wide = self.size.width >= WIDE
        plot = self.query_one(TrendPlot)
        plot.display = wide and bool(labels)
        if plot.display:
            plot.show(labels, trend)
        room = self.size.width // 2 if plot.display else self.size.width
        self.query_one("#career-table", Static).update(section_table(labels, trend, best,
                                                                     room - 2))

    @on(DataTable.RowSelected, "#saves")
    def _open(self, event: DataTable.RowSelected) -> None:
        from oncall.tui.screens.story import StoryScreen

        path = self.paths.get(str(event.row_key.value))
        if path is not None:
            self.app.push_screen(StoryScreen(path))

    def action_down(self) -> None:
        self.query_one("#saves", DataTable).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#saves", DataTable).action_cursor_up()
