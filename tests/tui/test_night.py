"""The night shift's log names every observation the player may cite: an incident page's
acknowledgement shows the id the incident records it under, and counts read as speech."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import night_built, settle
from textual.widgets import Static

from oncall.game.shift import Shift
from oncall.tui.screens.night import night_app
from oncall.tui.widgets.obslog import ObservationLog


def _paged(shift: Shift) -> None:
    for _ in range(12):
        obs = shift.do({"do": "wait", "minutes": 30})
        if any(ev.get("kind") == "page" for ev in obs.events):
            return
    raise AssertionError("no page all night")


def test_an_incident_acknowledgement_carries_the_id_it_is_cited_by() -> None:
    shift = Shift(3)
    _paged(shift)
    acked = shift.do({"do": "ack"})
    assert acked.ok and acked.id is not None
    assert acked.id == shift.game.record.entries[-1].observation.id
    cited = shift.do({"do": "diagnose", "category": "model", "cause": "M1",
                      "evidence": [acked.id]})
    assert cited.ok, cited.text
    status = shift.do({"do": "status"}).text
    assert "1 page so far" in status and "page(s)" not in status


def test_acknowledging_a_page_nobody_sent_names_what_waits() -> None:
    shift = Shift(3)
    refused = shift.do({"do": "ack", "page": "p9"})
    assert not refused.ok and refused.cost == 0
    assert refused.text.endswith("none is waiting") and "waiting: " not in refused.text


async def test_the_log_heads_the_acknowledgement_with_its_id(tmp_path: Path) -> None:
    app = night_app(3, 360, "normal", tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await night_built(pilot)
        for _ in range(12):  # until the pager goes off
            screen.action_send("wait 30")
            for _ in range(5):
                await settle(pilot)
            if screen.view.get("unacked"):
                break
        screen.action_send("ack")
        for _ in range(5):
            await settle(pilot)
        heads = [str(s.render()) for s in screen.query_one(ObservationLog)
                 .query(".entry-head").results(Static)]
        ack = next(h for h in heads if " ack" in h)
        assert ack.startswith("obs-"), ack
