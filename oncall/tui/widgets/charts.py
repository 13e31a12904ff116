"""Plots: a metric over time with its alert thresholds, and two distributions side by side.

Both draw with textual-plotext so they follow the app theme; times on the x axis are the
simulated clock (`hhmm`), so the onset shows where the player expects it. Titles are fitted to
the width on every render (plotext drops a title wider than the plot), and each series has its
own marker, so two lines stay apart without colour (NO_COLOR, a grey theme).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from textual.app import RenderResult
from textual_plotext import PlotextPlot

MARKERS = ("braille", "x", "dot", "+", "*", "#")
"""One marker per series, in order: the first dense, the rest plainly different shapes."""


class TitledPlot(PlotextPlot):
    """A plot whose title is cut to fit (with an ellipsis) instead of vanishing."""

    title_text = ""

    def set_title(self, text: str) -> None:
        self.title_text = text

    def render(self) -> RenderResult:
        width = max(8, self.size.width - 10)
        text = self.title_text
        self.plt.title(text if len(text) <= width else text[: width - 1] + "…")
        return super().render()


def _ticks(ts: list[int], count: int = 5) -> tuple[list[int], list[str]]:
    from oncall.sim.clock import hhmm

    if not ts:
        return [], []
    step = max(1, (len(ts) - 1) // (count - 1))
    picked = ts[::step]
    return picked, [hhmm(t)[-5:] for t in picked]


class MetricChart(TitledPlot):
    """A dashboard observation drawn as a line chart."""

    def show(self, data: dict[str, Any]) -> None:
        plt = self.plt
        plt.clear_figure()
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

    def show(self, data: dict[str, Any]) -> None:
        plt = self.plt
        plt.clear_figure()
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
