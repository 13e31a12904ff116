"""The night shift's log names every observation the player may cite: an incident page's
acknowledgement shows the id the incident records it under, and counts read as speech."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import night_built, settle

from oncall.game.shift import Shift
from oncall.tui.screens.night import night_app
from oncall.tui.widgets.obslog import ObservationLog


def _incident_paged(shift: Shift) -> str:
    """Wait until the night's incident pages (acknowledging the noise that pages before it);
    the id of its page."""
    f = shift.record.facts
    for _ in range(12):
        shift.do({"do": "wait", "minutes": 30})
        items = {it.id: it for it in f.items}
        for page in [p for p in f.pages if p.acked_at is None]:
            if page.item in items and items[page.item].kind == "incident":
                return page.id
            shift.do({"do": "ack", "page": page.id})
    raise AssertionError("the incident never paged")


def test_an_incident_acknowledgement_carries_the_id_it_is_cited_by() -> None:
    shift = Shift(3)
    page = _incident_paged(shift)
    acked = shift.do({"do": "ack", "page": page})
    assert acked.ok and acked.id is not None
    assert acked.id == shift.game.record.entries[-1].observation.id
    cited = shift.do({"do": "diagnose", "category": "model", "cause": "M1",
                      "evidence": [acked.id]})
    assert cited.ok, cited.text
    pages = len(shift.record.facts.pages)
    status = shift.do({"do": "status"}).text
    assert f"{pages} page{'' if pages == 1 else 's'} so far" in status
    assert "page(s)" not in status


def test_acknowledging_a_page_nobody_sent_names_what_waits() -> None:
    shift = Shift(3)
    refused = shift.do({"do": "ack", "page": "p9"})
    assert not refused.ok and refused.cost == 0
    assert refused.text.endswith("none is waiting") and "waiting: " not in refused.text


async def test_the_log_heads_the_acknowledgement_with_its_id(tmp_path: Path) -> None:
    app = night_app(3, 360, "normal", tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await night_built(pilot)
        assert screen.session is not None
        page = _incident_paged(screen.session.shift)  # the night moves on outside the screen
        screen.action_send(f"ack {page}")
        for _ in range(5):
            await settle(pilot)
        heads = screen.query_one(ObservationLog).heads()
        ack = next(h for h in heads if f" ack {page}" in h)
        assert ack.startswith("obs-"), ack


async def test_status_queue_and_help_are_headed_by_their_obs_id(tmp_path: Path) -> None:
    app = night_app(3, 360, "normal", tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await night_built(pilot)
        assert screen.session is not None
        for line in ("status", "queue", "help", "wait 5"):
            screen.action_send(line)
            for _ in range(5):
                await settle(pilot)
        heads = screen.query_one(ObservationLog).heads()[1:]  # after the night's opening
        ids = [h.split()[0] for h in heads]
        assert len(heads) == 4 and all(i.startswith("obs-") for i in ids), heads
        assert len(set(ids)) == 4
        entries = screen.session.shift.record.entries
        assert [e.observation.id for e in entries] == ids
        # A reply cites any of them; a diagnosis only what the incident's own game saw.
        assert screen.vocabulary("evidence", {"do": "reply"}) == ids
        assert screen.vocabulary("evidence", {"do": "diagnose"}) == ids[3:]


async def test_up_and_down_walk_the_night_command_history(tmp_path: Path) -> None:
    from textual.widgets import Input

    app = night_app(3, 360, "normal", tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await night_built(pilot)
        field = screen.query_one("#night-cmd", Input)
        for line in ("status", "queue"):
            await pilot.press(*line, "enter")
            for _ in range(5):
                await settle(pilot)
        await pilot.press("up")
        assert field.value == "queue"
        await pilot.press("up")
        assert field.value == "status"
        await pilot.press("down", "down")
        assert field.value == ""
