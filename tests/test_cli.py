"""The commands a user types, end to end through `python -m oncall`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest
import yaml
from oncall_cli import run_oncall

from oncall.content import loader


def oncall(*args: str, home: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    """`python -m oncall ARGS` (each in a new process, forked: see `oncall_cli`)."""
    proc = run_oncall([*(["--home", str(home)] if home else []), *args], input=stdin)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_version_names_textual() -> None:
    out = oncall("--version").stdout
    assert out.startswith("oncall ") and "Textual" in out


def test_scenarios_json_and_answers_with_right_and_wrong_plays() -> None:
    ids = [s["id"] for s in json.loads(oncall("scenarios", "--json").stdout)]
    assert ids == sorted(loader.scenarios())
    shown = json.loads(oncall("scenarios", "show", "feed-1", "--answers",
                              "--json").stdout)
    assert shown["answers"]["cause"] == "M1"
    assert shown["right"][0] == {"do": "ack"} and shown["wrong"]
    hidden = json.loads(oncall("scenarios", "show", "feed-1", "--json").stdout)
    assert "answers" not in hidden


def test_unknown_scenario_is_a_clear_error() -> None:
    proc = oncall("play", "--headless", "--scenario", "nope")
    assert proc.returncode == 2 and "unknown scenario 'nope'" in proc.stderr


def test_validate_prints_every_problem_with_file_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load((loader.incidents_dir() / "search-1.yaml").read_text())
    data["id"] = "broken"
    data["fault"]["kind"] = "meteor_strike"
    data["answers"]["severity"] = 9
    bad = tmp_path / "broken.yaml"
    bad.write_text(yaml.safe_dump(data))
    proc = oncall("validate", str(bad))
    assert proc.returncode == 1
    assert f"{bad}: fault.kind:" in proc.stdout and f"{bad}: answers.severity:" in proc.stdout
    assert oncall("validate").returncode == 0


def test_schema_is_json_schema_of_the_scenario() -> None:
    schema = json.loads(oncall("schema").stdout)
    assert schema["title"] == "Scenario" and "fault" in schema["properties"]


def test_save_replays_exactly_and_tells_a_story(tmp_path: Path) -> None:
    sc = loader.scenario("feed-1")
    script = "\n".join(json.dumps(c) for c in sc.playbook.right)
    lines = oncall("play", "--headless", "--seed", "3", "--scenario", sc.id, home=tmp_path,
                   stdin=script).stdout.splitlines()
    saved = Path(json.loads(lines[-1])["saved"])
    replay = oncall("replay", str(saved))
    assert replay.returncode == 0 and "reproduces exactly" in replay.stdout
    story = oncall("story", home=tmp_path).stdout
    assert "ErrorBudgetBurnFast" in story and "recsys-ranker" in story
    assert "numbers" not in oncall("numbers", home=tmp_path).stderr


def test_corrupt_save_gets_a_clear_message_and_is_left_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "incidents" / "broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"format": 1, "record": ')
    before = bad.read_bytes()
    proc = oncall("replay", str(bad))
    assert proc.returncode == 2 and str(bad) in proc.stderr
    assert bad.read_bytes() == before


# -- issue #12 -------------------------------------------------------------------------------------
def one_line_error(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize("seed", ["-1", str(2**63), "abc", "1" * 300, ""])
def test_seeds_outside_0_to_2_63_are_refused_in_one_line(seed: str) -> None:
    proc = oncall("play", "--headless", "--seed", seed, "--scenario", "search-1")
    assert "--seed" in one_line_error(proc)


def test_the_largest_seed_plays(tmp_path: Path) -> None:
    proc = oncall("play", "--headless", "--seed", str(2**63 - 1), "--scenario",
                  "search-1", "--no-save", stdin='{"do":"ack"}\n')
    assert proc.returncode == 0 and json.loads(proc.stdout.splitlines()[-1])["kind"] == "ack"


def test_an_empty_scenario_id_is_an_error() -> None:
    proc = oncall("play", "--headless", "--scenario", "")
    assert "--scenario" in one_line_error(proc)


def played_save(home: Path, seed: int = 3) -> Path:
    sc = loader.scenario("feed-1")
    script = "\n".join(json.dumps(c) for c in sc.playbook.right)
    lines = oncall("play", "--headless", "--seed", str(seed), "--scenario", sc.id, home=home,
                   stdin=script).stdout.splitlines()
    return Path(json.loads(lines[-1])["saved"])


def tampered(path: Path, where: Path, edit: Any) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    where.write_text(json.dumps(data), encoding="utf-8")
    return where


@pytest.mark.heavy
def test_tampered_saves_are_refused_not_replayed(tmp_path: Path) -> None:
    good = played_save(tmp_path)
    cases = {
        "negative-seed": lambda d: d["record"].__setitem__("seed", -1),
        "insane": lambda d: d["record"].__setitem__("difficulty", "insane"),
        "do-list": lambda d: d["record"]["entries"][0]["command"].__setitem__("do", ["ack"]),
    }
    for name, edit in cases.items():
        bad = tampered(good, tmp_path / f"{name}.json", edit)
        for command in ("replay", "story"):
            line = one_line_error(oncall(command, str(bad)))
            assert str(bad) in line, (name, line)


def test_unreadable_save_files_are_one_line_errors(tmp_path: Path) -> None:
    cases = {
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "digits.json": b'{"format": 1, "record": ' + b"9" * 5000 + b"}",
        "latin1.json": b'{"format": 1, "x": "\xe9"}',
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "folder.json").mkdir()
    os.mkfifo(tmp_path / "fifo.json")
    for name in [*cases, "folder.json", "fifo.json"]:
        proc = oncall("replay", str(tmp_path / name))
        assert str(tmp_path / name) in one_line_error(proc)


def test_one_corrupt_save_does_not_block_the_numbers(tmp_path: Path) -> None:
    played_save(tmp_path)
    (tmp_path / "incidents" / "zz-broken.json").write_text("{", encoding="utf-8")
    proc = oncall("numbers", home=tmp_path)
    assert proc.returncode == 0 and "Incidents handled" in proc.stdout
    assert "feed-1" in proc.stdout
    assert "zz-broken.json" in proc.stderr


@pytest.mark.heavy
def test_story_without_an_argument_tells_the_latest_save(tmp_path: Path) -> None:
    first = played_save(tmp_path, seed=3)
    second = played_save(tmp_path, seed=4)
    os.utime(second, (1_000_000_000, 1_000_000_000))  # now the older of the two
    latest = oncall("story", home=tmp_path).stdout
    assert latest == oncall("story", str(first)).stdout
    assert latest != oncall("story", str(second)).stdout


def test_validate_on_a_folder_without_scenarios_says_so(tmp_path: Path) -> None:
    proc = oncall("validate", str(tmp_path))
    assert "no scenario files" in one_line_error(proc, code=1)
    assert "valid" not in proc.stdout


def test_drift_json_into_a_closed_pipe_prints_no_traceback(tmp_path: Path) -> None:
    ref, cur = tmp_path / "ref.csv", tmp_path / "cur.csv"
    cols = range(200)  # wide enough that the JSON overflows the pipe before `head` leaves
    for path, shift in ((ref, 0), (cur, 3)):
        rows = [",".join(str((i * (j + 1)) % 50 + shift) for j in cols) for i in range(300)]
        path.write_text(",".join(f"c{j}" for j in cols) + "\n" + "\n".join(rows) + "\n")
    shell = (f"{sys.executable} -m oncall drift {ref} {cur} --json | head -1")
    proc = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "{" and "Traceback" not in proc.stderr
    assert "BrokenPipe" not in proc.stderr


def test_drift_on_a_fifo_or_a_folder_is_a_one_line_error(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("x\n1\n2\n")
    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "bad.csv").write_bytes(b"x\n\xff\xfe\n")
    for name in ("fifo.csv", "dir.csv", "bad.csv"):
        proc = oncall("drift", str(good), str(tmp_path / name))
        assert str(tmp_path / name) in one_line_error(proc)


def test_an_unexpected_error_is_one_line_with_a_log_and_exit_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from oncall import cli

    def boom(args: Any) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_numbers", boom)
    assert cli.main(["--home", str(tmp_path), "numbers"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("oncall: internal error err-") and "details in" in err
    log = Path(err.split("details in ")[1])
    assert log.is_relative_to(tmp_path) and "RuntimeError: a bug" in log.read_text()


def test_a_crashed_tui_exits_non_zero_and_says_where_the_log_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from oncall import cli
    from oncall.tui.app import OncallApp

    def broken_mount(self: OncallApp) -> None:
        raise RuntimeError("the title screen fell over")

    real_run = OncallApp.run

    def headless_run(self: OncallApp, **kw: Any) -> Any:
        return real_run(self, headless=True, **kw)

    monkeypatch.setattr(OncallApp, "on_mount", broken_mount)
    monkeypatch.setattr(OncallApp, "run", headless_run)
    code = cli.main(["--home", str(tmp_path)])
    assert code != 0
    err = capsys.readouterr().err
    assert "details in" in err
    log = Path(err.split("details in ")[1].split()[0])
    assert "the title screen fell over" in log.read_text()


def test_an_error_quoting_a_control_character_stays_on_one_line(tmp_path: Path) -> None:
    from oncall.cli import main

    folder = tmp_path / "a\rb"
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["replay", str(folder / "missing.json")])
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "a\\rb" in lines[0], lines


def test_a_headless_start_loads_with_the_collector_paused_and_frozen_after(
        tmp_path: Path) -> None:
    """While a headless game loads, the cycle collector is paused; what loaded is frozen before
    it resumes, and a start that fails (a usage error) leaves it running as before."""
    import gc

    from oncall import cli

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with cli._loading(True):
        assert not gc.isenabled()
        kept = [[n] for n in range(50)]  # young objects made while loading
        cli._started()
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
    assert gc.isenabled()
    with pytest.raises(cli.UsageError), cli._loading(True):
        raise cli.UsageError("--scenario: unknown")
    assert gc.isenabled()
    with cli._loading(False):  # the TUI's start: the collector is left alone
        assert gc.isenabled()
    assert cli.main(["--home", str(tmp_path), "play", "--headless", "--scenario", "no-such",
                     "--seed", "1"]) == 2
    assert gc.isenabled()


def test_the_process_ends_at_once_only_when_nothing_waits_for_its_exit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`oncall` flushes its streams and ends without the interpreter's teardown; an exit handler
    someone registered, or a stream that will not flush, has it exit as Python does."""
    import atexit

    from oncall import cli

    class Ended(BaseException):
        pass

    def fast(code: int) -> None:
        raise Ended(code)

    written = io.StringIO()
    monkeypatch.setattr(cli.os, "_exit", fast)
    monkeypatch.setattr(sys, "stdout", written)
    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 0)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    print("the last line", end="")
    with pytest.raises(Ended) as ended:
        cli.end(3)
    assert ended.value.args == (3,) and written.getvalue() == "the last line"

    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 1)
    with pytest.raises(SystemExit) as stopped:
        cli.end(2)
    assert stopped.value.code == 2

    class Broken(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 0)
    monkeypatch.setattr(sys, "stdout", Broken())
    with pytest.raises(SystemExit) as stopped:
        cli.end(0)
    assert stopped.value.code == 0


def test_the_games_process_asks_openblas_for_one_thread_and_pydantic_for_no_plugins(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Unless the player set them, the game's process runs OpenBLAS on one thread (no pool of
    a thread per core started at numpy's import) and has pydantic look for no plugins."""
    from oncall import cli

    for name in (cli.BLAS_THREADS_ENV, cli.PYDANTIC_PLUGINS_ENV):
        monkeypatch.setenv(name, "x")  # recorded, so the test's end restores the variable
        monkeypatch.delenv(name)
    assert cli.main(["scenarios"]) == 0
    assert os.environ[cli.BLAS_THREADS_ENV] == "1"
    assert os.environ[cli.PYDANTIC_PLUGINS_ENV] == "__all__"
    monkeypatch.setenv(cli.BLAS_THREADS_ENV, "3")
    assert cli.main(["scenarios"]) == 0
    assert os.environ[cli.BLAS_THREADS_ENV] == "3"
    capsys.readouterr()
    if not Path("/proc/self/task").is_dir():
        return
    code = ("import os, sys\nfrom oncall import cli\n"
            "assert 'numpy' not in sys.modules\n"
            "cli.main(['scenarios'])\nimport numpy\n"
            "print(len(os.listdir('/proc/self/task')), file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != cli.BLAS_THREADS_ENV}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.split()[-1] == "1"


def test_a_replay_that_parts_from_its_save_says_where_and_what_the_replay_scores() -> None:
    """A save from before a change (a severity typed 'SEV-2' was an error, then was read as
    SEV-2): the command where the answers first part, both first lines, else the facts."""
    from oncall.cli import _first_difference
    from oncall.game.engine import Game

    g = Game(loader.scenario("fraud-1"), 7)
    for move in ({"do": "ack"}, {"do": "severity", "level": 2}, {"do": "status"}):
        g.do(move)
    saved = g.record.model_copy(deep=True)
    saved.entries[1].observation.text = "severity: level: must be a whole number, got 'SEV-2'"
    said = _first_difference(saved, g.record)
    assert said == ("  first at command 2 (severity): saved \"severity: level: must be a whole "
                    "number, got 'SEV-2'\", replayed 'Declared SEV-2 at 02:09.'"), said
    shorter = g.record.model_copy(deep=True)
    shorter.entries.pop()
    assert _first_difference(shorter, g.record) == "  the save has 2 commands, the replay 3"
    other = g.record.model_copy(deep=True)
    other.facts.severity = 4
    assert _first_difference(other, g.record).endswith("the facts differ in: severity")


@pytest.mark.parametrize("argv", [
    ["play", "--headless", "--seed", "7", "--scenario", "fraud-1", "--no-save"],
    ["shift", "story", "--kind", "tradeoff"],
    ["drill", "join", "abc", "--role", "scribe"],
    ["numbers"],
])
def test_a_command_parsed_by_its_own_parser_reads_as_by_the_whole_one(argv: list[str]) -> None:
    from oncall import cli

    assert f"{{{argv[0]}}}" in cli.build_parser(argv[0]).format_usage()  # that command alone
    assert cli.parse(argv) == cli.build_parser().parse_args(argv)


def test_what_a_commands_parser_leaves_is_an_error_of_the_whole_parser() -> None:
    from oncall import cli

    whole, narrow = io.StringIO(), io.StringIO()
    for parse, err in ((cli.build_parser().parse_args, whole), (cli.parse, narrow)):
        with redirect_stderr(err), pytest.raises(SystemExit):
            parse(["play", "--bogus"])
    assert narrow.getvalue() == whole.getvalue()
    assert "{play,scenarios," in narrow.getvalue()  # the usage lists every command


def test_a_headless_start_ends_with_its_world_built_and_frozen() -> None:
    """The collector stays paused until the game is built (`started`, before its first line),
    and what the start made, the world as built too, is frozen: no collection during the play
    scans the world's series and records (the first one scanned them all, 1.5-2 ms of
    fraud-1's play, when the freeze came before the world was built)."""
    script = "".join(json.dumps(c) + "\n" for c in loader.scenario("fraud-1").playbook.right)
    code = ("import gc, sys\nfrom oncall import cli, headless\n"
            "kept, paused = [], []\nreal = headless.run\n"
            "def run(*args, started, **kwargs):\n"
            "    def mark():\n"
            "        paused.append(not gc.isenabled())\n"
            "        started()\n"
            "    kept.append(real(*args, started=mark, **kwargs))\n"
            "    return kept[-1]\n"
            "headless.run = run\n"
            "code = cli.main(['play', '--headless', '--seed', '7', '--scenario', 'fraud-1', "
            "'--no-save'])\n"
            "world = kept[0].game.world\n"
            "tracked = {id(o) for o in gc.get_objects()}\n"
            "print('SEEN', code, paused, gc.isenabled(), id(vars(world)) in tracked, "
            "file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], input=script, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stderr.splitlines() if x.startswith("SEEN "))
    assert line == "SEEN 0 [True] True False", line
