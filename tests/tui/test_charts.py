"""The war room's charts are drawn in a worker: until a new figure is drawn the chart is blank,
never the last figure's drawing, and once drawn it shows the new one."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from oncall.tui.widgets import charts
from oncall.tui.widgets.charts import MetricChart


class OneChart(App[None]):
    def compose(self) -> ComposeResult:
        yield MetricChart(id="chart")


def dashboard(metric: str) -> dict[str, Any]:
    return {"model": "fraud-scorer", "metric": metric, "unit": "score",
            "t": [0, 10, 20, 30], "values": [0.1, 0.2, 0.4, 0.3]}


async def drawn(pilot: Pilot[None], chart: MetricChart) -> str:
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if chart.drawn:
            return str(chart.render())
    raise AssertionError("the chart was never drawn")


async def test_a_new_figure_shows_blank_until_drawn_never_the_last_one() -> None:
    app = OneChart()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(MetricChart)
        chart.show(dashboard("pred_mean"))
        assert "fraud-scorer pred_mean" in await drawn(pilot, chart)

        with charts._PLOTEXT:  # the worker cannot draw while this is held
            chart.show(dashboard("latency_p99"))
            for _ in range(3):
                await pilot.pause()
            assert not chart.drawn
            shown = str(chart.render())
            assert "pred_mean" not in shown and not shown.strip(), shown
        assert "fraud-scorer latency_p99" in await drawn(pilot, chart)
