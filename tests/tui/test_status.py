"""The incident on screen: the status bar's countdown, "+N more", toasts, the page's order and
tick, and the side panel from 120 columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pilot_helpers import acked_room, settle, typed
from textual.widgets import Static

from oncall.tui.app import OncallApp
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.war_room import WarRoom
from oncall.tui.widgets.status import IncidentStatus, alerts_line, budget_crossed

FIRING = [("critical", "ModelHigh5xxRatio", "address-matcher"),
          ("critical", "PodCrashLooping", "address-matcher"),
          ("warning", "ModelLatencyP99High", "address-matcher"),
          ("ticket", "CertificateExpiringSoon", "eta-predictor")]


def status_text(app: OncallApp) -> str:
    return str(app.screen.query_one(IncidentStatus).render())


def test_alerts_fit_the_width_critical_first_with_a_count_of_the_rest() -> None:
    assert alerts_line(FIRING, 78) == "CRIT ModelHigh5xxRatio/address-matcher, +3 more"
    line = alerts_line(FIRING, 100)
    assert line.startswith("CRIT ModelHigh5xxRatio/address-matcher, CRIT PodCrashLooping")
    assert line.endswith(", +2 more") and len(line) <= 100
    assert alerts_line(FIRING, 300).count("/") == 4 and "more" not in alerts_line(FIRING, 300)
    narrow = alerts_line(FIRING, 30)
    assert len(narrow) <= 30 and narrow.endswith("+3 more") and "…" in narrow
    assert alerts_line([], 80) == "nothing firing"


def test_budget_thresholds_are_each_crossed_once() -> None:
    assert budget_crossed(0.0, 0.5) == []
    assert budget_crossed(0.5, 2.5) == [1.0, 2.0]
    assert budget_crossed(2.5, 2.6) == []
    assert budget_crossed(2.6, 30) == [5.0, 10.0]


async def test_the_page_lists_criticals_first_and_ticks(incident_app: OncallApp) -> None:
    app = incident_app
    PageScreen.TICK_SECONDS = 0.05
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, PageScreen)
            sevs = [str(s.render()).split()[0] for s in app.screen.query(".alert-sev")]
            assert sevs == sorted(sevs, key=["CRITICAL", "WARNING", "TICKET"].index)
            assert sevs[0] == "CRITICAL" and sevs[-1] == "TICKET"
            tick = app.screen.query_one("#page-tick", Static)
            ticks = app.screen.ticks
            await pilot.pause(0.3)
            assert app.screen.ticks > ticks + 1, "the page does not tick"
            assert "on screen" in str(tick.render()) and "ACK in 5 min" in str(tick.render())
            head, alerts = status_text(app).splitlines()
            assert "ACK in 5m" in head
            # fraud-1's labels take days: the bar shows the predictions' shift, not "0m out"
            assert "pred -9" in head and "labelled" in head and "0m out" not in head, head
            assert alerts.startswith("CRIT ModelPredictionMeanShift/fraud-scorer")
            assert alerts.endswith("+1 more") and len(alerts) <= 78
    finally:
        PageScreen.TICK_SECONDS = 1.0


async def test_the_countdown_runs_out_and_an_overdue_ack_raises_a_toast(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")  # into the war room without acknowledging
        await settle(pilot)
        assert isinstance(app.screen, WarRoom)
        await typed(pilot, "wait 3")
        assert "ACK in 2m" in status_text(app)
        assert not any(n.title == "Acknowledge" for n in app._notifications)
        await typed(pilot, "wait 4")
        assert "ACK OVERDUE 2m" in status_text(app)
        assert app.screen.query_one(IncidentStatus).has_class("overdue")
        toasts = [n for n in app._notifications if n.title == "Acknowledge"]
        assert len(toasts) == 1 and "7 min old" in toasts[0].message
        await typed(pilot, "wait 1")
        assert len([n for n in app._notifications if n.title == "Acknowledge"]) == 1
        await pilot.press("a")
        await settle(pilot)
        assert "acked 9m (late)" in status_text(app)


async def test_a_long_wait_on_a_burning_incident_raises_budget_toasts(home: Path) -> None:
    from oncall.tui.app import make_app

    app = make_app(seed=3, scenario="address-1", home=home)
    titles: list[str] = []
    notify = app.notify

    def toast(message: str, **kwargs: Any) -> None:  # a slow run outlives a toast's timeout
        titles.append(str(kwargs.get("title")))
        notify(message, **kwargs)

    app.notify = toast  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        for _ in range(4):
            await typed(pilot, "wait 30")
        spent = app.game.world.impact()["budget_consumed_pct"]  # type: ignore[union-attr]
        assert spent >= 1.0 and "Error budget" in titles, \
            f"{spent}% of the budget spent and {titles.count('Error budget')} toasts"
        assert f"budget █████ {spent:g}%" in status_text(app)


async def test_from_120_columns_the_chart_and_impact_stay_beside_the_log(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(160, 45)) as pilot:
        room = await acked_room(pilot)
        assert room.wide
        side = room.query_one("#side")
        assert side.display and side.region.width > 30
        assert "quality SLO" in str(room.query_one("#side-impact", Static).render())
        await typed(pilot, "dashboard fraud-scorer pred_mean")
        from textual.widgets import TabbedContent

        assert room.query_one(TabbedContent).active == "tab-log", "the log stays in view"
        assert room.query_one("#side-chart").display


async def test_at_80_columns_there_is_no_side_panel(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        room = app.screen
        assert isinstance(room, WarRoom) and not room.wide
        assert not room.query_one("#side").display
