"""One whole incident played through the UI, asserting on the engine and on the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import settle, typed
from textual.widgets import (
    DataTable,
    Input,
    Markdown,
    Select,
    SelectionList,
    Static,
    TabbedContent,
    TextArea,
)

from oncall.tui.app import OncallApp
from oncall.tui.screens.form import FormDialog
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.scorecard import ScorecardScreen
from oncall.tui.screens.story import StoryScreen
from oncall.tui.screens.war_room import WarRoom
from oncall.tui.widgets.drift import DriftTable


def last(app: OncallApp) -> tuple[dict, object]:
    assert app.game is not None
    entry = app.game.record.entries[-1]
    return entry.command, entry.observation


@pytest.mark.heavy
async def test_play_fraud_amount_units(incident_app: OncallApp, home: Path) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PageScreen)
        page_text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "ModelPredictionMeanShift" in page_text and "threshold 0.5" in page_text
        game = app.game
        assert game is not None and game.phase == "paged"

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, WarRoom) and game.phase == "active"
        assert app.screen.check_action("act", ("ack",)) is False
        assert game.record.facts.acked_at is not None

        # A dashboard through the two-step form: the model, then its metric.
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#f-metric", Select).value = "pred_mean"
        form.query_one("#f-window", Input).value = "90"
        await pilot.press("ctrl+s")
        await settle(pilot)
        command, obs = last(app)
        assert command == {"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean",
                           "window": "90"} or command["window"] == 90
        room = app.screen
        assert room.query_one(TabbedContent).active == "tab-chart"

        # A drift test typed on the command line lands in the drift lab.
        await typed(pilot, "drift fraud-scorer txn_amount_cents test=psi")
        command, obs = last(app)
        assert command["feature"] == "txn_amount_cents" and command["test"] == "psi"
        assert obs.ok and obs.data["result"]["drifted"]  # type: ignore[attr-defined]
        assert room.query_one(TabbedContent).active == "tab-drift"
        table = room.query_one(DriftTable)
        cells = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert cells[0].startswith("DRIFT") and any("PSI" in c for c in cells)
        drift_id = obs.id  # type: ignore[attr-defined]

        await typed(pilot, "pipelines fraud-scorer")
        pipes_id = last(app)[1].id  # type: ignore[attr-defined]

        # Diagnose with the picker, citing the two observations.
        await pilot.press("g")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#f-cause", Select).value = "D4"
        picks = form.query_one("#f-evidence", SelectionList)
        picks.select(drift_id)
        picks.select(pipes_id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert game.record.facts.diagnosis == {"category": "data", "cause": "D4",
                                               "evidence": [drift_id, pipes_id]}

        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#f-fix", Select).value = "apply_unit_conversion"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert game.record.facts.interventions[-1].effect == "fixes"

        for _ in range(4):
            await typed(pilot, "wait 15")
            await pilot.press("r")
            await settle(pilot)
            if game.phase == "resolved":
                break
        assert game.phase == "resolved"
        await pilot.pause()
        pm = app.screen
        assert isinstance(pm, PostmortemScreen)
        pm.query_one("#pm-summary", TextArea).text = "fraud-scorer stopped flagging fraud."
        pm.query_one("#pm-root_cause", TextArea).text = "payments-events v13 sent dollars."
        pm.query_one("#pm-trigger", TextArea).text = "the producer release at 01:43"
        pm.query_one("#pm-resolution", TextArea).text = "unit conversion at ingestion"
        pm.query_one("#pm-item-0", Input).value = "alert on feature ranges"
        pm.query_one("#pm-item-1", Input).value = "schema contract on amounts"
        pm.query_one("#pm-caught_earlier", TextArea).text = "a feature range monitor"
        pm.query_one("#pm-remediations", SelectionList).select("mon-feature-range")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert game.phase == "ended"
        card = app.screen
        assert isinstance(card, ScorecardScreen)
        assert card.card["total"] > 0 and len(card.card["sections"]) == 6
        pm_record = game.record.facts.postmortem
        assert pm_record is not None and pm_record.remediations == ["mon-feature-range"]
        assert [a.type for a in pm_record.action_items] == ["detect", "mitigate"]
        await settle(pilot)
        assert card.path is not None and card.path.is_file()
        assert home in card.path.parents
        shown = " ".join(str(s.render()) for s in card.query(Static))
        assert "Score" in shown and "Saved to" in shown

        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        assert "Situation" in app.screen.query_one(Markdown).source
        await pilot.press("escape", "t")
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one("#saves", DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[0] == "fraud-1"


async def test_bad_command_line_shows_error_and_game_goes_on(incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        game = app.game
        assert game is not None
        before = game.now
        await typed(pilot, "dashbord fraud-scorer")
        error = app.screen.query_one("#cmd-error", Static)
        assert error.has_class("shown") and "unknown command" in str(error.render())
        assert game.now == before and game.phase == "active"
        await typed(pilot, 'update "unbalanced')
        assert "cannot read" in str(error.render())
        await typed(pilot, "logs fraud-scorer level=WARN")
        assert not error.has_class("shown")
        assert last(app)[1].ok  # type: ignore[attr-defined]
