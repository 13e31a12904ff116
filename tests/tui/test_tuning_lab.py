"""The tuning lab from the postmortem form, and the scorecard's export key."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import settle, typed
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, Static, TextArea

from oncall.tui.app import OncallApp
from oncall.tui.screens.postmortem import PostmortemScreen
from oncall.tui.screens.scorecard import ScorecardScreen
from oncall.tui.screens.tuning import ReplayChart, TuningScreen


async def postmortem(pilot: Pilot[None], app: OncallApp) -> PostmortemScreen:
    """Play fraud-1 to its postmortem form: ack, convert the unit, wait, resolve."""
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    await typed(pilot, "hotfix fraud-scorer apply_unit_conversion")
    for _ in range(4):
        await typed(pilot, "wait 15")
        await pilot.press("r")
        await settle(pilot)
        if app.game is not None and app.game.phase == "resolved":
            break
    await pilot.pause()
    assert isinstance(app.screen, PostmortemScreen)
    return app.screen


async def test_tune_a_monitor_keep_the_values_and_export(incident_app: OncallApp,
                                                         home: Path) -> None:
    app = incident_app
    async with app.run_test(size=(100, 32)) as pilot:
        pm = await postmortem(pilot, app)
        game = app.game
        assert game is not None
        pm.query_one("#pm-summary", TextArea).text = "fraud-scorer read dollars as cents."
        pm.query_one("#pm-remediations", SelectionList).select("mon-feature-range")

        await pilot.press("ctrl+t")
        await settle(pilot)
        lab = app.screen
        assert isinstance(lab, TuningScreen)
        default = str(lab.query_one("#tune-result", Static).render())
        assert "FeatureMeanShift (threshold 0.5 training sd, for 5m)" in default
        lab.query_one("#tune-threshold", Input).value = "0.1"
        lab.query_one("#tune-for", Input).value = "0"
        await pilot.press("ctrl+r")
        await settle(pilot)
        tight = str(lab.query_one("#tune-result", Static).render())
        assert "threshold 0.1 training sd, for 0m" in tight and "false alarm" in tight
        assert lab.query_one(ReplayChart).plt is not None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is pm
        assert pm.tuning == {"mon-feature-range": {"threshold": 0.1, "for_min": 0}}

        await pilot.press("ctrl+s")
        await settle(pilot)
        card = app.screen
        assert isinstance(card, ScorecardScreen)
        rep = game.record.facts.replays[0]
        assert (rep.threshold, rep.for_min) == (0.1, 0) and rep.false_alarms_week > 0
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert card.path is not None
        rules = home / "exports" / card.path.stem / "monitoring"
        text = (rules / "fraud-scorer-mon-feature-range.rules.yml").read_text()
        assert "> 0.1" in text and "for: 0m" in text


async def test_the_form_says_at_once_why_a_remediation_will_not_be_generated(
        incident_app: OncallApp) -> None:
    app = incident_app
    async with app.run_test(size=(100, 32)) as pilot:
        pm = await postmortem(pilot, app)
        pm.query_one("#pm-remediations", SelectionList).select("mon-gpu-headroom")
        await pilot.pause()
        said = str(pm.query_one("#pm-unfit", Static).render())
        assert "mon-gpu-headroom will not be generated: fraud-scorer serves on CPU" in said
