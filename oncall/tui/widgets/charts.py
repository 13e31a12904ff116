"""Plots: a metric over time with its alert thresholds, and two distributions side by side.

Both draw with textual-plotext so they follow the app theme; times on the x axis are the
simulated clock (`hhmm`), so the onset shows where the player expects it. Titles are fitted to
the width on every render (plotext drops a title wider than the plot), and each series has its
own marker, so two lines stay apart without colour (NO_COLOR, a grey theme).
"""

from __future__ import annotations

import threading
from itertools import pairwise
from typing import Any

from rich.text import Text
from textual import work
from textual.app import RenderResult
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from oncall.tui.messages import PlotDrawn

MARKERS = ("braille", "x", "dot", "+", "*", "#")
"""One marker per series, in order: the first dense, the rest plainly different shapes."""

_PLOTEXT = threading.Lock()
"""One drawing at a time: plotext is not known to be safe in two threads at once."""


class TitledPlot(PlotextPlot):
    """A plot whose title is cut to fit (with an ellipsis) instead of vanishing, drawn once
    per figure, size and theme and kept.

    With `OFF_LOOP`, the drawing (plotext's layout and the parsing of its output, about 7 ms
    of a chart's 11) is done in a worker: until it is in, the plot shows blank (or its last
    drawing, when only the size or theme changed), and `drawn` says when it is. Each `show`
    draws on a new figure, so a worker still drawing the last one shares nothing with it."""

    OFF_LOOP = False
    title_text = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._figure = 0
        """Bumped by each new figure: a drawing of an older one is not this plot's."""
        self._drawing: tuple[Any, ...] | None = None
        self._drawn: tuple[tuple[Any, ...], Text] | None = None

    def set_title(self, text: str) -> None:
        self.title_text = text

    def new_figure(self) -> Plot:
        """A blank figure to draw the next data on (in place of `plt.clear_figure()`)."""
        self._plot = Plot()
        self._figure += 1
        return self._plot

    def _key(self) -> tuple[Any, ...]:
        return (self._figure, self.size.width, self.size.height,
                self._get_plotext_theme_name(self.app.theme))

    @property
    def drawn(self) -> bool:
        """What the plot shows is its figure at its size."""
        return self._drawn is not None and self._drawn[0] == self._key()

    def render(self) -> RenderResult:
        key = self._key()
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        width = max(8, self.size.width - 10)
        text = self.title_text
        title = text if len(text) <= width else text[: width - 1] + "…"
        if not self.OFF_LOOP:
            self._drawn = (key, _draw(self._plot, key, title))
            return self._drawn[1]
        if self._drawing != key:
            self._drawing = key
            self._draw_off_loop(self._plot, key, title)
        same_figure = self._drawn is not None and self._drawn[0][0] == key[0]
        return self._drawn[1] if same_figure and self._drawn is not None else Text()

    @work(thread=True, group="plot")
    def _draw_off_loop(self, plot: Plot, key: tuple[Any, ...], title: str) -> None:
        self.post_message(PlotDrawn(key, _draw(plot, key, title)))  # waits for nobody

    def on_plot_drawn(self, message: PlotDrawn) -> None:
        message.stop()
        if message.key == self._key():  # else a newer figure or size is on its way
            self._drawn = (message.key, message.text)
            self.refresh()


def _draw(plot: Plot, key: tuple[Any, ...], title: str) -> Text:
    """The figure drawn at the key's size and theme (what `PlotextPlot.render` does)."""
    _, width, height, theme = key
    with _PLOTEXT:
        plot.title(title)
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
        plot.theme(theme)
        return Text.from_ansi(plot.build())


def _ticks(ts: list[int], count: int = 5) -> tuple[list[int], list[str]]:
    from oncall.sim.clock import hhmm

    if not ts:
        return [], []
    step = max(1, (len(ts) - 1) // (count - 1))
    picked = ts[::step]
    return picked, [hhmm(t)[-5:] for t in picked]


class MetricChart(TitledPlot):
    """A dashboard observation drawn as a line chart."""

    OFF_LOOP = True

    def show(self, data: dict[str, Any]) -> None:
        plt = self.new_figure()
        ts: list[int] = list(data.get("t", []))
        series: dict[str, list[float | None]] = data.get("series") or {}
        if series:
            for i, (name, values) in enumerate(series.items()):
                pts = [(t, v) for t, v in zip(ts, values, strict=False) if v is not None]
                if pts:
                    plt.plot([p[0] for p in pts], [p[1] for p in pts], label=name,
                             marker=MARKERS[i % len(MARKERS)])
        else:
            values = data.get("values", [])
            pts = [(t, v) for t, v in zip(ts, values, strict=False) if v is not None]
            plt.plot([p[0] for p in pts], [p[1] for p in pts], label=data.get("metric", ""),
                     marker="braille")
        rule = data.get("rule")
        for y in data.get("threshold") or []:
            plt.hline(y)
        if rule and data.get("threshold"):
            shown = " / ".join(f"{y:.4g}" for y in data["threshold"])
            self.set_title(f"{data.get('model')} {data.get('metric')} "
                           f"({data.get('unit', '')}), alert at {shown}: {rule}")
        else:
            self.set_title(f"{data.get('model')} {data.get('metric')} (no alert rule)")
        xt, labels = _ticks(ts)
        if xt:
            plt.xticks([float(t) for t in xt], labels)
        self.refresh()


class DistributionPlot(TitledPlot):
    """Training reference against live traffic, from a drift observation's histogram."""

    OFF_LOOP = True

    def show(self, data: dict[str, Any]) -> None:
        plt = self.new_figure()
        hist = data.get("histogram") or {}
        ref, cur = hist.get("reference", []), hist.get("current", [])
        if "labels" in hist:
            plt.multiple_bar(list(hist["labels"]), [ref, cur],  # type: ignore[call-arg]
                             labels=["training", "live"],
                             marker=["▒", "█"])  # type: ignore[arg-type]
        elif "edges" in hist and ref:
            edges = hist["edges"]
            mids = [(a + b) / 2 for a, b in pairwise(edges)]
            keep = len(ref)  # long tails squash the body: stop where both sides are empty
            while keep > 3 and max(ref[keep - 1], cur[keep - 1] if keep <= len(cur) else 0) < 0.01:
                keep -= 1
            mids, ref, cur = mids[:keep], ref[:keep], cur[:keep]
            plt.plot(mids[:len(ref)], ref, label="training", marker=MARKERS[2])
            plt.plot(mids[:len(cur)], cur, label="live", marker=MARKERS[1])
        axis = " (log10 of the value)" if hist.get("scale") == "log10" else ""
        feature = data.get("plotted") or data.get("feature")
        self.set_title(f"{data.get('model')} {feature}: share per bin{axis}")
        self.refresh()
