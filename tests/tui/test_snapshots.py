"""Six screens at 80×24 against stored SVG snapshots, so a layout regression fails CI: the
title, the page, the war room with a chart, the drift lab, the postmortem form, the scorecard.
Everything on them comes from the seed, and the page's real-time tick is held still."""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import Snapshot, drawn, night_built, screen_when, settle, typed
from textual.screen import Screen

from oncall.content import loader
from oncall.tui.app import make_app
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.scorecard import ScorecardScreen
from oncall.tui.screens.war_room import WarRoom
from oncall.tui.widgets.drift import DriftTable

pytestmark = pytest.mark.xdist_group("tui-snapshots")
"""One worker takes these tests in turn: they share HOME, which each holds while it runs."""
SIZE = (80, 24)
HOME = Path("/tmp/oncall-snapshots/home")
"""A fixed folder: the scorecard names where it saved, and a snapshot must not change with it."""


@pytest.fixture(autouse=True)
def still(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(PageScreen, "TICK_SECONDS", 3600.0)
    for name in ("NO_COLOR", "TEXTUAL_THEME", "COLORTERM"):  # the snapshots are in colour
        monkeypatch.delenv(name, raising=False)
    # HOME is one folder for every test process on the machine (this run's tests share one
    # worker; another run of the suite may be on the machine too): a test holds it, emptied,
    # until it ends, so no other test empties it or adds saves to it meanwhile.
    HOME.parent.mkdir(parents=True, exist_ok=True)
    with open(HOME.parent / "home.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            shutil.rmtree(HOME, ignore_errors=True)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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
        await drawn(pilot, "#chart")
        await snapshot(pilot, "war-room-chart")  # waits for the frame to settle
        chart = str(app.screen.query_one("#chart").render())
        assert "fraud-scorer pred_mean (score), alert at" in chart, "the title was dropped"
        await typed(pilot, "drift fraud-scorer txn_amount_cents test=psi")
        await drawn(pilot, "#drift-plot")
        await screen_when(pilot, lambda s: s.query_one(DriftTable).row_count > 0,
                          "the drift table's rows")  # they come a frame after the lab
        await snapshot(pilot, "drift-lab")
        plot = str(app.screen.query_one("#drift-plot").render())
        assert "•• training" in plot and "xx live" in plot, "the series share a glyph"


def _inside_above_the_footer(screen: Screen[object], selector: str) -> None:
    """The overlay is open, on the screen and clear of the footer's keys."""
    overlay = screen.query_one(selector)
    footer = screen.query_one("Footer").region
    assert overlay.display and screen.region.contains_region(overlay.region)
    assert overlay.region.bottom <= footer.y, f"{overlay.region} covers the footer {footer}"


async def test_war_room_completion_list_at_80x24(snapshot: Snapshot) -> None:
    app = make_app(seed=1, scenario="fraud-1", home=HOME)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("colon", *"diagnose data ", "tab")
        await pilot.pause()
        await snapshot(pilot, "war-room-completion")
        _inside_above_the_footer(app.screen, "#cmdline-menu")


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
        kind = pm.query_one("#pm-type-0")
        kind.focus(scroll_visible=False)
        pm.query_one("#pm").scroll_to_widget(kind, top=True, animate=False)
        for _ in range(3):
            await pilot.pause()
        await pilot.press("enter")
        for _ in range(3):  # the list may scroll its frame first, then fit below the field
            await pilot.pause()
        await snapshot(pilot, "postmortem-type-list")
        _inside_above_the_footer(pm, "Select.-expanded > SelectOverlay")
        await pilot.press("escape")
        await pilot.pause()
        pm._send(next(m for m in moves if m["do"] == "postmortem"))
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        await snapshot(pilot, "scorecard")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_night_screen(snapshot: Snapshot, size: tuple[int, int]) -> None:
    """The night after a page: the queue, the coloured pager events, the budget bar."""
    from oncall.tui.screens.night import night_app

    app = night_app(3, 360, "normal", HOME)
    async with app.run_test(size=size) as pilot:
        screen = await night_built(pilot)

        async def send(line: str) -> None:
            screen.action_send(line)
            for _ in range(10):
                await settle(pilot)

        await send("take q1")
        for _ in range(12):  # until the pager goes off
            await send("wait 30")
            if screen.view.get("unacked"):
                break
        await send("ack")
        assert "page p1" in str(screen.query_one("#night-queue").render())
        await snapshot(pilot, f"night-{size[0]}x{size[1]}")
        if size == SIZE:  # leaving mid-night asks first, the night still in view behind
            await pilot.press("escape")
            await pilot.pause()
            await snapshot(pilot, "night-confirm-leave")


async def test_page_screen_asks_before_leaving(snapshot: Snapshot) -> None:
    app = make_app(seed=1, scenario="fraud-1", home=HOME)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await snapshot(pilot, "page-confirm-quit")
        await pilot.press("n", "ctrl+g")
        await pilot.pause()
        await snapshot(pilot, "page-confirm-abandon")


async def test_form_list_inside_its_frame_at_80x24(snapshot: Snapshot) -> None:
    app = make_app(seed=1, scenario="fraud-1", home=HOME)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("x")  # hotfix: model, then the fix list
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()
        await snapshot(pilot, "hotfix-fix-list")
        from textual.widgets._select import SelectOverlay

        overlay = app.screen.query_one("Select.-expanded > SelectOverlay", SelectOverlay)
        frame = app.screen.query_one("#form").region
        assert overlay.display and frame.contains_region(overlay.region), \
            f"the list {overlay.region} passes its form {frame}"
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("f1")
        await settle(pilot)
        while not getattr(app.screen, "ready", True):  # the help's sections come one a frame
            await pilot.pause()
        await snapshot(pilot, "war-room-help")


async def test_career_at_80x24(snapshot: Snapshot) -> None:
    from oncall.session import Session

    right = list(loader.scenario("fraud-1").playbook.right)
    for seed in (1, 2):
        session = Session(loader.scenario("fraud-1"), seed, home=HOME)
        for move in right:
            session.do(move)
    app = make_app(home=HOME)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        table = app.screen.query_one("#saves")
        for _ in range(50):  # the saves load in a worker started as the screen mounts
            await settle(pilot)
            if table.row_count >= 2:  # type: ignore[attr-defined]
                break
        rows = table.row_count  # type: ignore[attr-defined]
        assert rows == 2, f"the career screen lists the two saves, not {rows}"
        for row in range(2):  # the saved time changes with each run
            table.update_cell_at((row, 3), "Dec 06 02:00")  # type: ignore[attr-defined]
        await snapshot(pilot, "career-80x24")
