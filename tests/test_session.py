"""The session: the one error boundary around the engine, the score of the end, a save that
survives the disk. Each test names the defect of issue #12 it pins down."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from oncall.content import loader
from oncall.game import engine
from oncall.session import MAX_DEPTH, Session, command_problem, replay, shorten
from oncall.store import jsonio
from oncall.store.saves import load_save, save_stem

SCENARIO = "fraud-1"


def right(sid: str = SCENARIO) -> list[dict[str, Any]]:
    return list(loader.scenario(sid).playbook.right)


def session(home: Path, seed: int = 7, sid: str = SCENARIO, **kw: Any) -> Session:
    return Session(loader.scenario(sid), seed, home=home, **kw)


def play_out(s: Session, commands: list[Any]) -> list[Any]:
    return [s.do(c) for c in commands]


def assert_replays(s: Session) -> None:
    again, card = replay(s.record, s.scenario)
    assert again.model_dump(mode="json") == s.record.model_dump(mode="json")
    if s.card is not None:
        assert card == s.card


# -- 1. an unexpected exception inside the engine ------------------------------------------------
def test_an_engine_crash_is_an_error_with_an_id_and_a_log_and_nothing_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = session(tmp_path)
    s.do({"do": "ack"})
    before = s.record.model_dump(mode="json")
    clock = s.game.now

    def boom(self: engine.Game, cmd: Any) -> Any:
        raise ZeroDivisionError("the detector divided by zero")

    monkeypatch.setattr(engine.Game, "_do_drift", boom)
    obs = s.do({"do": "drift", "model": "fraud-scorer", "feature": "prediction", "test": "ks"})
    assert obs.kind == "error" and not obs.ok and obs.id is None
    error_id = obs.data["error_id"]
    assert error_id.startswith("err-") and len(error_id) == 8
    assert error_id in (obs.error or "") and "ZeroDivisionError" in (obs.error or "")
    log = Path(obs.data["log"])
    assert log.is_relative_to(tmp_path / "logs")
    assert error_id in log.read_text() and "Traceback" in log.read_text()
    # The failed command cost no time and left nothing in the record: the game was rebuilt.
    assert s.game.now == clock
    assert s.record.model_dump(mode="json") == before
    monkeypatch.undo()
    for c in right()[1:]:
        s.do(c)
    assert s.ended and s.card is not None and s.outcome is not None and s.outcome.ok
    assert_replays(s)


def test_a_drift_test_that_does_not_fit_the_column_never_ends_the_session(tmp_path: Path) -> None:
    s = session(tmp_path)
    s.do({"do": "ack"})
    for test in ("chi2", "ks", "psi", "wasserstein", "js", "auto"):
        for feature in ("prediction", "amount", "merchant_category", "all"):
            s.do({"do": "drift", "model": "fraud-scorer", "feature": feature, "test": test})
    assert s.do({"do": "status"}).ok
    assert_replays(s)


# -- 2. malformed commands ------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    {"do": ["ack"]}, {"do": {"a": 1}}, [1, 2], "ack", 5, None, True, 1.5,
    {"do": "ack", "x": float("nan")}, {"do": "ack", "x": "\ud800"},
    {"do": "update", "message": json.loads("[" * 200 + "]" * 200)},
])
def test_values_that_cannot_be_commands_are_refused_before_the_engine(
        tmp_path: Path, raw: Any) -> None:
    s = session(tmp_path)
    clock, size = s.game.now, len(s.record.entries)
    obs = s.do(raw)
    assert obs.kind == "error" and not obs.ok and obs.id is None and obs.cost == 0
    assert s.game.now == clock and len(s.record.entries) == size
    assert command_problem(raw) is not None


def test_nesting_just_inside_the_limit_reaches_the_engine(tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(MAX_DEPTH - 2):
        deep = [deep]
    assert command_problem({"do": "update", "message": deep}) is None
    assert command_problem({"do": "update", "message": [deep]}) is not None


def test_long_echoed_input_is_shortened(tmp_path: Path) -> None:
    s = session(tmp_path)
    huge = "x" * 60_000  # within the limit of a command: the engine sees it and answers
    for raw in ({"do": huge}, {"do": "deploys", "model": huge}, {"do": "runbook", "alert": huge}):
        obs = s.do(raw)
        assert not obs.ok and len(obs.error or "") < 2_500, raw["do"][:10]
        assert "60,000 characters" in (obs.error or "")
    obs = s.do({"do": "deploys", "model": "x" * 1_000_000})  # beyond it: refused unseen
    assert not obs.ok and "about 1,000,0" in (obs.error or "") and len(obs.error or "") < 200
    assert len(shorten("q" * 10_000)) <= 2_000


# -- 3. saves that cannot be written ---------------------------------------------------------------
def finish(s: Session) -> Any:
    last = None
    for c in right():
        last = s.do(c)
    assert s.ended and s.card is not None and last is not None and last.scorecard
    return last


@pytest.mark.parametrize("err", [errno.EROFS, errno.ENOSPC, errno.EACCES, errno.ENAMETOOLONG])
def test_a_save_the_home_refuses_goes_to_the_fallback_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    home, temp = tmp_path / "home", tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    real = jsonio.write_new

    def refuse(path: Path, text: str) -> bool:
        if path.is_relative_to(home):
            raise OSError(err, os.strerror(err), str(path.parent))
        return real(path, text)

    monkeypatch.setattr(jsonio, "write_new", refuse)
    monkeypatch.setattr("oncall.store.saves.write_new", refuse)
    s = session(home)
    last = finish(s)
    out = s.outcome
    assert out is not None and out.fallback and out.path is not None
    assert os.strerror(err) in out.reason
    assert out.path.is_relative_to(temp)
    assert last.scorecard["total"] == s.card.total  # type: ignore[union-attr]
    saved = load_save(out.path)  # recoverable: replays and re-scores
    assert saved.record.model_dump(mode="json") == s.record.model_dump(mode="json")


def test_when_no_folder_takes_the_save_its_json_travels_with_the_outcome(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, text: str) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device", str(path.parent))

    monkeypatch.setattr("oncall.store.saves.write_new", refuse)
    s = session(tmp_path / "home")
    finish(s)
    out = s.outcome
    assert out is not None and out.path is None and out.save_json is not None
    assert "No space left on device" in out.reason and "fallback" in out.reason
    data = json.loads(out.save_json)
    assert data["record"]["ended"] is True and data["scorecard"]["total"] == s.card.total  # type: ignore[union-attr]


def test_a_home_that_is_a_file_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    s = session(home)
    finish(s)
    assert s.outcome is not None and s.outcome.fallback and s.outcome.path is not None
    assert s.outcome.path.is_file() and home.read_text() == "not a folder"


def test_a_huge_seed_or_scenario_id_still_gives_a_short_file_name(tmp_path: Path) -> None:
    s = session(tmp_path, seed=10**300)
    finish(s)
    assert s.outcome is not None and s.outcome.ok and s.outcome.path is not None
    assert len(s.outcome.path.name) < 100
    rec = s.record.model_copy(update={"scenario": "x" * 5000})
    assert len(save_stem(rec)) < 80
    other = s.record.model_copy(update={"seed": 10**300 + 1})
    assert save_stem(other) != save_stem(s.record)


def test_a_deeply_nested_earlier_line_no_longer_costs_the_save(tmp_path: Path) -> None:
    s = session(tmp_path)
    deep = json.loads('{"do": "update", "message": ' + "[" * 300 + "]" * 300 + "}")
    assert not s.do(deep).ok
    finish(s)
    assert s.outcome is not None and s.outcome.ok


def test_unserialisable_records_are_reported_not_raised() -> None:
    deep: Any = []
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(ValueError, match="cannot be written as JSON"):
        jsonio.dump_json({"a": deep})
    with pytest.raises(ValueError, match="cannot be written as JSON"):
        jsonio.dump_json({"a": float("inf")})


# -- 10. orphans ---------------------------------------------------------------------------------
def test_orphan_temp_files_are_swept_on_start_and_live_ones_kept(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir(parents=True)
    dead = folder / ".x-seed1-1.json.999999999.abcd1234.tmp"
    legacy = folder / ".x-seed1-1.json.abcd1234.tmp"
    live = folder / f".x-seed1-2.json.{os.getpid()}.abcd1234.tmp"
    stale = folder / f".x-seed1-3.json.{os.getpid()}.efgh5678.tmp"
    for p in (dead, legacy, live, stale):
        p.write_text("{")
    hour_ago = time.time() - 2 * jsonio.ORPHAN_AGE_S
    os.utime(stale, (hour_ago, hour_ago))
    session(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [live.name]


# -- the end ------------------------------------------------------------------------------------
def test_the_end_is_scored_once_and_help_and_status_still_answer(tmp_path: Path) -> None:
    s = session(tmp_path)
    last = finish(s)
    assert last.text.startswith("Postmortem filed. Score")
    card = s.card
    assert s.do({"do": "help"}).ok and s.do({"do": "status"}).ok
    assert not s.do({"do": "ack"}).ok
    assert s.card is card
    path = s.outcome.path  # type: ignore[union-attr]
    assert path is not None and load_save(path).scorecard == card
    assert_replays(s)


def test_an_abandoned_incident_is_saved_unended_readable_and_scoreable(tmp_path: Path) -> None:
    s = session(tmp_path)
    assert s.abandon() is None, "nothing to keep before the first command"
    play_out(s, right()[:3])
    outcome = s.abandon()
    assert outcome is not None and outcome.ok and outcome.path is not None
    save = load_save(outcome.path)
    assert [e.command for e in save.record.entries[:3]] == right()[:3]
    assert save.record.facts.postmortem is None and save.scorecard == s.card
    again, card = replay(save.record, s.scenario)
    assert again.model_dump(mode="json") == save.record.model_dump(mode="json")
    assert card in (None, s.card)
    assert s.abandon() == outcome, "abandoning twice keeps the one save"


def test_glance_reads_the_clock_firing_alerts_and_impact_without_recording(
        tmp_path: Path) -> None:
    s = session(tmp_path, save=False)
    before = s.glance()
    assert before["phase"] == "paged" and before["now"] == s.record.facts.page_at
    assert [a[0] for a in before["firing"]][:1] == ["critical"]
    s.do({"do": "ack"})
    s.do({"do": "wait", "minutes": 10})
    after = s.glance()
    assert after["now"] > before["now"] + 10 and after["obs"] == 2
    assert after["impact"]["minutes"] > before["impact"]["minutes"] == 0
    assert len(s.record.entries) == 2, "a glance is not a command"


def test_no_usable_temp_folder_costs_neither_the_card_nor_the_error_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tempfile.gettempdir()` raises when no temp folder is writable: the fallback folder is
    then None, the save's JSON travels with the outcome, and an engine error still answers."""
    from oncall.session import UNSAVED
    from oncall.store.errorlog import log_error
    from oncall.store.locations import fallback_dir

    def no_temp() -> str:
        raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found")

    monkeypatch.setattr("tempfile.gettempdir", no_temp)
    assert fallback_dir() is None
    home = tmp_path / "home"
    home.write_text("a file, not a folder")
    assert log_error(home, "err-0000", "a test", RuntimeError("x")) is None
    s = session(home)
    monkeypatch.setattr(engine.Game, "_do_deploys", lambda self, cmd: 1 / 0)
    obs = s.do({"do": "deploys", "model": "fraud-scorer"})
    assert "internal error" in (obs.error or "") and "details in" not in (obs.error or "")
    monkeypatch.undo()
    monkeypatch.setattr("tempfile.gettempdir", no_temp)
    UNSAVED.clear()
    finish(s)
    out = s.outcome
    assert out is not None and out.path is None and out.save_json is not None
    assert str(home) in out.reason and "no temp folder is writable" in out.reason
    assert [out] == UNSAVED and out.headline.startswith("Score ")
    UNSAVED.clear()
