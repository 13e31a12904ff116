"""War-room plumbing: entering unacknowledged, help from the engine, the command palette."""

from __future__ import annotations

import asyncio

import pytest

from oncall.tui.app import OncallApp
from oncall.tui.screens.form import FormDialog
from oncall.tui.screens.help import HelpScreen
from oncall.tui.screens.war_room import WarRoom
from oncall.tui.widgets.obslog import ObservationLog


async def test_war_room_before_ack_then_help_and_palette(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        room = app.screen
        assert isinstance(room, WarRoom) and app.game is not None
        assert app.game.phase == "paged" and room.check_action("act", ("ack",))

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        source = app.screen.source  # type: ignore[attr-defined]
        assert "`ack`" in source and "apply_unit_conversion" in source and "D4" in source
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"drift")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.game.phase == "active"
        assert not room.check_action("act", ("ack",))


@pytest.mark.heavy
async def test_the_command_line_completes_remembers_and_echoes_retypeable(
        incident_app: OncallApp) -> None:
    from pilot_helpers import settle

    from oncall.tui.widgets.cmdinput import CommandInput

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("colon")
        line = app.screen.query_one(CommandInput)
        assert line.has_focus
        for word in ("depl", "fraud-s"):
            await pilot.press(*word)
            await pilot.pause(0.1)
            await pilot.press("tab")  # takes the one choice, and the space after it
            await pilot.pause()
        assert line.value == "deploys fraud-scorer "
        await pilot.press("enter")
        await settle(pilot)
        assert not line.has_focus, "a command run hands the keys back, as vim's : does"
        await pilot.press("colon", *"update 'all clear'", "enter")
        await settle(pilot)
        assert app.game is not None
        assert app.game.record.entries[-1].command == {"do": "update", "message": "all clear"}
        heads = app.screen.query_one(ObservationLog).heads()
        assert "update 'all clear'" in heads[-1] and "deploys fraud-scorer" in heads[-2]
        await pilot.press("colon", "up")
        assert line.value == "update 'all clear'"
        await pilot.press("up")
        assert line.value == "deploys fraud-scorer"
        await pilot.press("down", "down")
        assert line.value == ""


async def test_the_drift_lab_comes_up_then_its_rows_a_frame_after(
        incident_app: OncallApp) -> None:
    """A drift test's answer switches to the lab with its table emptied; the rows come in a
    later callback than the switch (a frame after), all of them once settled, and a second
    test's rows replace the first's. Told by the order of the two callbacks, not by which
    frames were painted: on a loaded machine Textual may paint the two as one frame."""
    from pilot_helpers import acked_room, settle
    from textual.widgets import TabbedContent

    from oncall.tui.widgets.drift import DriftTable, drift_rows

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        table = room.query_one(DriftTable)
        tabs = room.query_one(TabbedContent)
        order: list[tuple[str, str, int]] = []
        shown, fill = room._show_observation, table.show

        def showing(command, obs):  # type: ignore[no-untyped-def]
            shown(command, obs)
            order.append(("switched", tabs.active, table.row_count))

        def filling(*args, **kwargs):  # type: ignore[no-untyped-def]
            order.append(("rows", tabs.active, table.row_count))
            return fill(*args, **kwargs)

        room._show_observation = showing  # type: ignore[method-assign]
        table.show = filling  # type: ignore[method-assign]
        for feature in ("txn_amount_cents", "merchant_risk"):
            order.clear()
            room.send({"do": "drift", "model": "fraud-scorer", "feature": feature})
            await settle(pilot)
            await pilot.pause()
            _, obs = room.entries[-1]
            assert obs.kind == "drift" and obs.ok, obs.text
            switched = [o for o in order if o[0] == "switched"]
            filled = [o for o in order if o[0] == "rows"]
            # The switch left the table empty on the lab's tab; the rows came after it.
            assert switched[-1] == ("switched", "tab-drift", 0), order
            assert filled and order.index(filled[-1]) > order.index(switched[-1]), order
            assert filled[-1][1] == "tab-drift" and filled[-1][2] == 0, order
            assert table.row_count == len(drift_rows(obs.data))


async def test_the_war_rooms_first_paint_shows_the_status_and_the_page_then_its_keys(
        incident_app: OncallApp) -> None:
    """After `a`, the room's first frame already shows the status bar and the page's alerts
    in the log; the row of keys comes a few frames after, the keys of the acknowledged
    incident (no `a`)."""
    from pilot_helpers import settle
    from textual.widgets._footer import FooterKey

    from oncall.tui.widgets.footer import FittingFooter
    from oncall.tui.widgets.obslog import ObservationLog

    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        room = app.screen_stack[-2]
        assert isinstance(room, WarRoom)
        painted: list[tuple[str, list[bool], int]] = []
        released: list[int] = []  # how many paints came before the keys were let out
        paint = room._compositor_refresh
        footer = room.query_one(FittingFooter)
        release = footer.release

        def seen() -> None:
            if app.screen is room:
                entries = [entry.kind == "page"
                           for entry in room.query_one(ObservationLog).entries]
                painted.append((str(room.query_one("#status").render()), entries,
                                len(room.query_one(FittingFooter).query(FooterKey))))
            paint()

        arrive = room.arrive
        order: list[str] = []

        def arrived(*args, **kwargs):  # type: ignore[no-untyped-def]
            arrive(*args, **kwargs)
            order.append("room up")
            # Anything the room's arrival did in its own callback has run by now; the next
            # callback on the loop marks the end of it.
            asyncio.get_running_loop().call_soon(order.append, "its callback over")

        def let_out() -> None:
            released.append(len(painted))
            order.append("keys")
            release()

        room._compositor_refresh = seen  # type: ignore[method-assign]
        footer.release = let_out  # type: ignore[method-assign]
        room.arrive = arrived  # type: ignore[method-assign]
        await pilot.press("a")
        await settle(pilot)
        await pilot.pause()
        # The keys are let out by a later callback than the one that put the room up: every
        # frame painted before then has the status and the page but no keys. (How many frames
        # that is depends on the machine: a loaded one may paint none before.)
        assert released, "the row of keys was never let out"
        assert order.index("keys") > order.index("its callback over"), order
        for status, entries, keys in painted[:released[0]]:
            assert "02:" in status and entries[0] and keys == 0
        assert painted[-1][2] > 0
        shown = [key.key for key in room.query_one(FittingFooter).query(FooterKey)]
        assert "a" not in shown and "f1" in shown


def test_a_suite_row_names_each_test_and_statistic_once() -> None:
    """A chi-squared row read 'pass  chi2 chi2 6.058' (the test's name, then its statistic's,
    which is the same word); a KS row keeps both ('ks D 0.0169')."""
    from oncall.content import loader
    from oncall.game.engine import Game
    from oncall.tui.widgets.drift import suite_rows

    g = Game(loader.scenario("fraud-1"), 7)
    g.do({"do": "ack"})
    rows = dict(suite_rows(g.do({"do": "drift", "model": "fraud-scorer",
                                  "feature": "all"}).data))
    assert " chi2 chi2 " not in rows["country"] and " chi2 " in rows["country"], rows["country"]
    assert " ks D " in rows["txn_amount_cents"], rows["txn_amount_cents"]
