"""Seats in one process over one log: roles, the facilitator's verbs, per-role feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall import cli
from oncall.content import loader
from oncall.drill import roles
from oncall.drill.feedback import drill_cards, story
from oncall.drill.log import DrillLog
from oncall.drill.table import Seat, Table
from oncall.game.commands import VERBS
from oncall.session import Session

SCENARIO, SEED = "ads-1", 7


def test_every_game_verb_has_one_owner_and_a_refusal_names_it() -> None:
    assert roles.check_complete() == []
    for verb in VERBS:
        owner = roles.OWNER.get(verb)
        for role in roles.ROLES:
            why = roles.refusal(role, verb)
            if verb in roles.EVERYONE or owner == role:
                assert why is None
            else:
                assert why is not None and roles.TITLES[owner or ""] in why
    assert not set(roles.verbs(roles.COMMANDER)) & {"logs", "dashboard", "drift", "rollback"}
    assert "update" in roles.verbs(roles.COMMUNICATIONS)
    assert roles.refusal(roles.SCRIBE, "sudo") is not None


pytestmark = pytest.mark.xdist_group("drill-seats")
"""One worker seats the module's drill (`drill`) for every test here."""


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> tuple[DrillLog, dict[str, Seat]]:
    """A drill played by five seats: the right playbook, with a pause, a hint, a stakeholder's
    ask and the scribe's notes (one of them with a time the record does not have)."""
    log = DrillLog(str(tmp_path_factory.mktemp("drill") / "d.sqlite"))
    info = log.create(SCENARIO, SEED, "normal", "test")
    sc = loader.scenario(SCENARIO)
    seats = {r: Seat(log, info, sc, n, r) for r, n in [
        ("commander", "ann"), ("operations", "bob"), ("communications", "cy"),
        ("scribe", "di"), ("facilitator", "fay")]}
    for s in seats.values():
        s.join()
    fac = seats["facilitator"]
    for i, command in enumerate(sc.playbook.right):
        if i == 2:
            assert fac.issue({"do": "pause"})[0] is None
            why = seats["operations"].issue({"do": "runbook", "alert": "x"})[0]
            assert why is not None and "paused" in why
            assert fac.issue({"do": "hint"})[0] is None
            assert fac.issue({"do": "inject", "event": "stakeholder"})[0] is None
            assert fac.issue({"do": "resume"})[0] is None
        problem, ev, _ = seats[roles.OWNER[command["do"]]].issue(command)
        assert problem is None and ev is not None
        if command["do"] in ("ack", "rollback"):
            text = f"{command['do']}" + (" at 23:59" if command["do"] == "rollback" else "")
            assert seats["scribe"].issue({"do": "note", "text": text})[0] is None
    for s in seats.values():
        s.catch_up()
    return log, seats


def test_every_seat_holds_the_same_record(drill: tuple[DrillLog, dict[str, Seat]]) -> None:
    seats = drill[1]
    dumps = {r: s.table.session.record.model_dump(mode="json") for r, s in seats.items()}
    assert all(d == dumps["commander"] for d in dumps.values())
    assert seats["commander"].table.session.ended
    # once it has ended the record is final: no command of the game goes into the log
    assert "has ended" in (seats["commander"].table.check("commander", {"do": "status"}) or "")
    assert seats["scribe"].table.check("scribe", {"do": "note", "text": "done"}) is None
    # the drill verbs never reach the game's record
    verbs = [e.command["do"] for e in seats["scribe"].table.session.record.entries]
    assert not set(verbs) & {"note", "hint", "inject", "pause", "resume", "join"}
    whos = {ev.who for ev in seats["scribe"].table.authors}
    assert whos == {"ann", "bob", "cy", "di"}
    # the drill's own events (join, pause, hint, inject, notes) leave the game as played alone
    solo = Session(loader.scenario(SCENARIO), SEED, None, save=False)
    for ev in seats["scribe"].table.authors:
        solo.do(ev.command)
    assert solo.record.model_dump(mode="json") == dumps["scribe"]


def test_role_cards_judge_what_each_role_owns(drill: tuple[DrillLog, dict[str, Seat]]) -> None:
    cards = drill_cards(seats_table(drill))
    by = {c["role"]: c for c in cards["roles"]}
    assert set(by) == {"commander", "operations", "communications", "scribe"}
    assert by["commander"]["met"] == by["commander"]["of"]
    assert any("hands off the keyboard: 0 investigation" in c["text"]
               for c in by["commander"]["checks"])
    assert any("1 of 1 stakeholder" in c["text"] and c["ok"]
               for c in by["communications"]["checks"])
    wrong = [c for c in by["scribe"]["checks"] if "times in the notes" in c["text"]]
    assert wrong and not wrong[0]["ok"] and "23:59" in wrong[0]["text"]
    assert any("missing the severity" in c["text"] for c in by["scribe"]["checks"])
    team = cards["team"]
    assert team["hints"] == 1 and team["pauses"] == 1 and team["injected"] == 1
    assert team["score"]["total"] == seats_table(drill).card.total  # type: ignore[union-attr]


def test_story_says_who_did_what(drill: tuple[DrillLog, dict[str, Seat]]) -> None:
    text = story(seats_table(drill))
    assert "**ann** (incident commander) `ack`" in text
    assert "**bob** (operations lead) `rollback`" in text
    assert "**fay** (facilitator) `hint`: Hint: the alert that matters is" in text
    assert "## Scribe (di):" in text and "✗" in text


def test_a_seat_of_another_version_is_refused(drill: tuple[DrillLog, dict[str, Seat]],
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    log = drill[0]
    old = log.create(SCENARIO, SEED, "normal", "0.0.1").id
    argv = ["drill", "join", old, "--store", log.url, "--role", "scribe", "--name", "x",
            "--headless"]
    assert cli.main(argv) == 2
    assert "made by oncall 0.0.1" in capsys.readouterr().err


def test_status_and_story_commands(drill: tuple[DrillLog, dict[str, Seat]],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    log, seats = drill
    drill_id = seats["scribe"].drill
    assert cli.main(["drill", "status", drill_id, "--store", log.url, "--json"]) == 0
    out = capsys.readouterr().out
    assert '"phase": "ended"' in out and '"ann": "commander"' in out
    assert cli.main(["drill", "status", "--store", log.url]) == 0
    assert f"{drill_id}  ads-1 seed 7 (normal)" in capsys.readouterr().out
    assert cli.main(["drill", "story", drill_id, "--store", log.url]) == 0
    assert "## The team's card" in capsys.readouterr().out


def test_checks_before_the_log(tmp_path: Path) -> None:
    log = DrillLog(str(tmp_path / "d.sqlite"))
    info = log.create(SCENARIO, SEED, "normal", "test")
    table = Table(info, loader.scenario(SCENARIO))
    assert "postmortem: not available" in (table.check("scribe", {"do": "postmortem"}) or "")
    assert "text: required" in (table.check("scribe", {"do": "note"}) or "")
    assert "event: must be one of" in (table.check("facilitator", {"do": "inject",
                                                                   "event": "fire"}) or "")
    assert "level: at most 5" in (table.check("commander", {"do": "severity", "level": 9}) or "")
    assert table.check("commander", [1]) is not None
    assert log.events(info.id) == []


def seats_table(drill: tuple[DrillLog, dict[str, Seat]]) -> Table:
    return drill[1]["scribe"].table
