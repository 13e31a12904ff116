"""The terminal seat: it joins through the form, shows the others' commands as they land in
the log ("who (role)"), and refuses a verb of another role."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from oncall import __version__
from oncall.content import loader
from oncall.drill.log import DrillLog
from oncall.drill.table import Seat
from oncall.tui.drill import DrillApp, SeatScreen, command_of


def test_typed_lines() -> None:
    assert command_of("note ack at 01:56") == {"do": "note", "text": "ack at 01:56"}
    assert command_of("inject stakeholder how bad?") == {
        "do": "inject", "event": "stakeholder", "message": "how bad?"}
    assert command_of("hint") == {"do": "hint"}
    assert command_of('postmortem summary="it broke" root_cause=refit') == {
        "do": "postmortem", "summary": "it broke", "root_cause": "refit"}
    assert command_of("logs ad-ctr")["model"] == "ad-ctr"
    assert command_of('{"do": "ack"}') == {"do": "ack"}


async def test_tui_seat_joins_and_sees_the_others(tmp_path: Path) -> None:
    log = DrillLog(str(tmp_path / "d.sqlite"))
    info = log.create("ads-1", 7, "normal", __version__)
    app = DrillApp(DrillLog(log.url), tmp_path / "home", info.id)  # role and name on the form
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#join-name", Input).value = "ann"
        app.screen.query_one("#join-drill", Input).value = info.id
        app.screen.query_one("#join-role", Input).value = "commander"
        await pilot.click("#join-go")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SeatScreen)
        assert screen.seat.role == "commander"
        field = screen.query_one("#drill-command", Input)
        for line in ("ack", "logs ad-ctr"):
            field.value = line
            await pilot.press("enter")
            await pilot.pause()
        assert any(s.startswith("01:56 ann (incident commander) ack:") for s in screen.shown)
        assert any("logs: the operations lead's call" in s for s in screen.shown)
        ops = Seat(log, info, loader.scenario("ads-1"), "bob", "operations")
        ops.join()
        ops.issue({"do": "deploys", "model": "ad-ctr"})
        for _ in range(40):  # the seat polls the log
            await pilot.pause(0.1)
            if any(" bob (operations lead) deploys:" in s for s in screen.shown):
                break
        assert any(" bob (operations lead) deploys:" in s for s in screen.shown)
    assert [e.who for e in log.events(info.id)] == ["ann", "ann", "bob", "bob"]
