"""Six screens at 80×24 against stored SVG snapshots, so a layout regression fails CI: the
title, the page, the war room with a chart, the drift lab, the postmortem form, the scorecard.
Everything on them comes from the seed, and the page's real-time tick is held still."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Snapshot
from pilot_helpers import settle, typed

from oncall.content import loader
from oncall.tui.app import make_app
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.scorecard import ScorecardScreen
from oncall.tui.screens.war_room import WarRoom

SIZE = (80, 24)
HOME = Path("/tmp/oncall-snapshots/home")
"""A fixed folder: the scorecard names where it saved, and a snapshot must not change with it."""


@pytest.fixture(autouse=True)
def still(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PageScreen, "TICK_SECONDS", 3600.0)
    for name in ("NO_COLOR", "TEXTUAL_THEME", "COLORTERM"):  # the snapshots are in colour
        monkeypatch.delenv(name, raising=False)
    shutil.rmtree(HOME, ignore_errors=True)


async def test_title(snapshot: Snapshot) -> None:
    app = make_app(home=HOME)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await snapshot(pilot, "title")


async def test_page_war_room_chart_and_drift_lab(snapshot: Snapshot) -> None:
    app = make_app(seed=1, scenario="fraud-1", home=HOME)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PageScreen)
        await snapshot(pilot, "page")
        await pilot.press("a")
        await settle(pilot)
        await typed(pilot, "dashboard fraud-scorer pred_mean")
        assert isinstance(app.screen, WarRoom)
        await snapshot(pilot, "war-room-chart")  # waits for the frame to settle
        chart = str(app.screen.query_one("#chart").render())
        assert "fraud-scorer pred_mean (score), alert at" in chart, "the title was dropped"
        await typed(pilot, "drift fraud-scorer txn_amount_cents test=psi")
        await snapshot(pilot, "drift-lab")
        plot = str(app.screen.query_one("#drift-plot").render())
        assert "•• training" in plot and "xx live" in plot, "the series share a glyph"


async def test_postmortem_and_scorecard(snapshot: Snapshot) -> None:
    app = make_app(seed=1, scenario="fraud-1", home=HOME)
    moves = list(loader.scenario("fraud-1").playbook.right)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        room = app.screen
        assert isinstance(room, WarRoom)
        for move in moves:
            if move["do"] in ("ack", "postmortem") or not isinstance(app.screen, WarRoom):
                continue
            room.send(move)
            await settle(pilot)
        for _ in range(6):
            if isinstance(app.screen, PostmortemScreen):
                break
            room.send({"do": "wait", "minutes": 10})
            await settle(pilot)
            room.send({"do": "resolve"})
            await settle(pilot)
        pm = app.screen
        assert isinstance(pm, PostmortemScreen)
        while not pm.ready:  # the lower half mounts over a few frames
            await pilot.pause()
        await snapshot(pilot, "postmortem")
        pm._send(next(m for m in moves if m["do"] == "postmortem"))
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        await snapshot(pilot, "scorecard")
