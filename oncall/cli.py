"""Command-line entry: parse arguments, build the services, start the TUI or a headless command.

Heavy imports (numpy, scipy, Textual) happen inside the branch that needs them, so `oncall
--version` and the title screen start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from oncall import __version__, pydantic_plugins

if TYPE_CHECKING:
    from oncall.tui.app import OncallApp

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]


class UsageError(Exception):
    """A problem with what the user typed; printed as one line, exit status 2."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        textual = version("textual")
    except PackageNotFoundError:
        textual = "not installed"
    return f"oncall {__version__} (Textual {textual}, Python {sys.version.split()[0]})"


class _VersionAction(argparse.Action):
    """`--version`: the versions are looked up only when asked for (importlib.metadata costs
    every other command a fifth of its start)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(_version())
        parser.exit()


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, but the terminal's width is looked up when a help or usage text is first
    written, not as the formatter is made: argparse makes one for every argument it is given
    (to try its metavar), and the lookup imports shutil (with its compression modules), which
    a parsed command line never needs. The width and the help column are argparse's own."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        self._asked = (width, max_help_position)
        super().__init__(prog, indent_increment, max_help_position, width=0)  # 0: not read

    @property
    def _width(self) -> int:
        width, _position = self._asked
        if width is None:
            import shutil

            width = shutil.get_terminal_size().columns - 2
            self._asked = (width, _position)
        return width

    @_width.setter
    def _width(self, _value: int) -> None:
        """Set by argparse's own `__init__`, before the width is known: the lookup decides."""

    @property
    def _max_help_position(self) -> int:
        return min(self._asked[1], max(self._width - 20, self._indent_increment * 2))

    @_max_help_position.setter
    def _max_help_position(self, _value: int) -> None:
        """Set by argparse's own `__init__`: found from the width when it is read."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help looks the terminal up when written (`_HelpFormatter`); its
    commands' parsers are made of its class, so theirs do too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(**kwargs)


REALTIME_MINUTE_S = 60.0
"""`--realtime`: real seconds per simulated minute while a page waits unacknowledged."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `command`, the parser of that command alone beside the
    top level's options (see `parse`).
    """
    p: argparse.ArgumentParser = _Parser(prog="oncall", description="You are on call for a "
                                         "fleet of production ML models. It is 2 AM.")
    p.add_argument("--version", action=_VersionAction,
                   help="show the versions of oncall, Textual and Python and exit")
    p.add_argument("--home", type=Path, help="folder for saves (default: saves/ in a checkout, "
                   "else the user data folder; env ONCALL_HOME)")
    p.add_argument("--content", type=Path, action="append", metavar="DIR",
                   help="add a content folder (faults/, incidents/, runbooks/) to the library "
                        "for play, validate and random nights; repeatable; env ONCALL_CONTENT")
    sub = p.add_subparsers(dest="command")
    for name, add in COMMANDS.items():
        if command in (None, name):
            add(sub)
    return p


def parse(argv: list[str]) -> argparse.Namespace:
    """The parsed command line. A line that starts with a command needs that command's parser
    alone: the others, built for nothing, cost a headless game's start a fifth of its parsing
    (argparse looks up the translation of each parser's own words). Whatever the narrow parser
    leaves over is parsed again by the whole one, so a usage error reads as it always has."""
    if argv and argv[0] in COMMANDS:
        args, rest = build_parser(argv[0]).parse_known_args(argv)
        if not rest:
            return args
    return build_parser().parse_args(argv)


def _play_parser(sub: Subcommands) -> None:
    play = sub.add_parser("play", help="start an incident (TUI, or --headless JSON lines)")
    play.add_argument("--seed", help="seed of the world, 0 to 2**63-1 (default: random, shown)")
    play.add_argument("--scenario", help="scenario id (see `oncall scenarios`)")
    play.add_argument("--random", action="store_true",
                      help="a random night drawn from the seed: any fault kind, model and "
                           "red herrings (by --difficulty)")
    play.add_argument("--difficulty", choices=("easy", "normal", "hard"))
    play.add_argument("--headless", action="store_true",
                      help="JSON lines on stdin/stdout instead of the TUI")
    play.add_argument("--no-save", action="store_true", help="headless: do not save the result")
    play.add_argument("--realtime", action="store_true",
                      help="2 AM pressure: while the page waits unacknowledged the clock runs, "
                           "one simulated minute per real minute (recorded as waits), and the "
                           "bell rings on each page (TUI only)")


def _scenarios_parser(sub: Subcommands) -> None:
    sc = sub.add_parser("scenarios", help="list scenarios; `scenarios show ID` for one")
    sc.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    sc.add_argument("id", nargs="?")
    sc.add_argument("--answers", action="store_true", help="include the answers (facilitators)")
    sc.add_argument("--json", action="store_true")


def _validate_parser(sub: Subcommands) -> None:
    val = sub.add_parser("validate", help="check scenario and fault-kind files (or content "
                         "folders) and print every problem")
    val.add_argument("paths", nargs="*", type=Path)
    val.add_argument("--conformance", action="store_true",
                     help="also play every scenario of the folders (default: the library) on "
                          "several seeds and check it keeps its promises")


def _schema_parser(sub: Subcommands) -> None:
    sch = sub.add_parser("schema", help="JSON Schema of a content file type: scenarios, fault "
                         "kinds or a registry")
    sch.add_argument("what", nargs="?", choices=SCHEMA_TYPES, default="scenario",
                     help="scenario (incidents/), kind (faults/; also `fault`), or a registry "
                          "file of registries/: cause, fix, team, alert, remediation")


def _replay_parser(sub: Subcommands) -> None:
    rep = sub.add_parser("replay", help="re-run a saved incident, check it reproduces, re-score")
    rep.add_argument("save", type=Path)


def _story_parser(sub: Subcommands) -> None:
    st = sub.add_parser("story", help="the STAR story of a saved incident (Markdown)")
    st.add_argument("save", nargs="?", type=Path, help="a save file (default: the latest)")
    st.add_argument("--spoken", action="store_true", help="the versions to say aloud: two "
                    "minutes of plain speech per interview question the night answers")
    st.add_argument("--question", choices=("incident", "prioritisation", "disagreement",
                                           "tradeoff", "learned"),
                    help="with --spoken: only the answer to this question")


def _numbers_parser(sub: Subcommands) -> None:
    sub.add_parser("numbers", help="the career numbers sheet over saved incidents and night "
                   "shifts (Markdown)")


def _interview_parser(sub: Subcommands) -> None:
    iv = sub.add_parser("interview", help="rehearse a behavioural answer about a saved "
                        "incident: ask, listen, judge against the record (TUI, or --headless "
                        "JSON lines)")
    iv.add_argument("save", nargs="?", type=Path, help="an incident save (default: the latest)")
    iv.add_argument("--question", choices=("incident", "prioritisation", "disagreement",
                                           "tradeoff", "learned"),
                    help="the question to rehearse (default: the incident question)")
    iv.add_argument("--headless", action="store_true",
                    help="JSON lines: {\"answer\": \"...\"} on stdin, verdicts on stdout")


def _serve_parser(sub: Subcommands) -> None:
    srv = sub.add_parser("serve", help="the TUI in a browser (textual-serve), for remote mock "
                         "interviews")
    srv.add_argument("--host", default="localhost",
                     help="address to listen on (default localhost; 0.0.0.0 for everyone)")
    srv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    srv.add_argument("--public-url", help="the address browsers use, behind a proxy")
    srv.add_argument("--drill", metavar="ID", help="serve a drill's seat (`oncall drill`)")


def _export_parser(sub: Subcommands) -> None:
    ex = sub.add_parser("export", help="write a saved postmortem's remediations as files: "
                        "rule files, runbooks, tests with fixtures, POSTMORTEM.md")
    ex.add_argument("save", type=Path)
    ex.add_argument("dir", nargs="?", type=Path,
                    help="a new or empty folder (default: export-<save name> here)")
    ex.add_argument("--runbook-base", metavar="URL", default=None,
                    help="where your runbooks are published: each alert's runbook_url is "
                    "URL/ALERT.md (default: a placeholder, https://runbooks.example.com/"
                    "ml-platform)")


def _shift_parser(sub: Subcommands) -> None:
    sh = sub.add_parser("shift", help="a night shift: a pager queue of incidents, requests and "
                        "noise (TUI, or --headless JSON lines); `shift story [SAVE]` and "
                        "`shift numbers` read the saved shifts")
    sh.add_argument("action", nargs="?", choices=("play", "story", "numbers"), default="play")
    sh.add_argument("save", nargs="?", type=Path, help="story: a shift save (default: the "
                    "latest)")
    sh.add_argument("--kind", choices=("incident", "priorities", "disagreement", "tradeoff"),
                    help="story: only this kind")
    sh.add_argument("--seed", help="seed of the night, 0 to 2**63-1 (default: random, shown)")
    sh.add_argument("--length", default="6h", help="how long the shift runs: 6h, 90m, 360 "
                    "(2h to 12h; default 6h)")
    sh.add_argument("--difficulty", choices=("easy", "normal", "hard"), default="normal")
    sh.add_argument("--headless", action="store_true",
                    help="JSON lines on stdin/stdout instead of the TUI")
    sh.add_argument("--no-save", action="store_true", help="headless: do not save the result")
    sh.add_argument("--realtime", action="store_true",
                    help="while a page waits unacknowledged the clock runs, one simulated "
                         "minute per real minute (recorded as waits) (TUI only)")


def _drift_parser(sub: Subcommands) -> None:
    # The drift command parses its own arguments, so numpy is imported only when it runs.
    dr = sub.add_parser("drift", add_help=False,
                        help="drift tests on your own CSV files (`oncall drift -h`)")
    dr.add_argument("rest", nargs=argparse.REMAINDER)


def _daily_parser(sub: Subcommands) -> None:
    # The daily's and the drill's modules own their commands; each is imported when its
    # command is parsed or run, not by every other command's start.
    from oncall import daily_cli

    daily_cli.add_parser(sub)


def _drill_parser(sub: Subcommands) -> None:
    from oncall import drill_cli

    drill_cli.add_parser(sub)


COMMANDS: dict[str, Callable[[Subcommands], None]] = {
    "play": _play_parser,
    "scenarios": _scenarios_parser,
    "validate": _validate_parser,
    "schema": _schema_parser,
    "replay": _replay_parser,
    "story": _story_parser,
    "numbers": _numbers_parser,
    "interview": _interview_parser,
    "serve": _serve_parser,
    "export": _export_parser,
    "shift": _shift_parser,
    "daily": _daily_parser,
    "drill": _drill_parser,
    "drift": _drift_parser,
}
"""Each command's parser, by name, in the order `oncall -h` lists them."""


def one_line(text: str) -> str:
    """An error on one line whatever it quotes: a control character in a path or a value (a
    carriage return in a folder name) is shown escaped, `\\r`, not acted on by the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


GC_THRESHOLDS = (10_000, 20, 20)
"""The cycle collector's thresholds for a game's process. Python's own (700, 10, 10) had a
headless incident collect about 140 times, scanning the imported modules' objects again and
again: 50-70 ms of its CPU. A game makes little cyclic garbage; its objects die by their
reference counts."""


PYDANTIC_PLUGINS_ENV = pydantic_plugins.ENV
"""pydantic's switch for its plugins, which the game has none of: unset, the first model it
validates has pydantic read the entry points of every installed package to look for them (a
fiftieth of a headless incident's CPU). The game's process turns them off unless the variable
is already set (set it empty to have them loaded), and while they are off it does without the
module pydantic looks for them with (`oncall.pydantic_plugins`)."""


BLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"
"""OpenBLAS's thread count, read when numpy loads it. Unset, it starts a thread per core at
import (about 50 ms of CPU at a game's start on two cores, and of its wall time when the other
core is busy), for arrays far too small to share out: the game's process asks for one unless
the variable is already set."""


_PAUSED = [False]
"""Whether `_loading` paused the cycle collector and nothing has resumed it yet."""


@contextlib.contextmanager
def _loading(headless: bool) -> Iterator[None]:
    """A headless game's start, from its parsed arguments to its first line: its modules and
    content load and its world is built with the cycle collector paused, and `_started`
    freezes what they made before it resumes. Each collection there scans the young objects
    the start makes (classes, schemas, module dicts, the world's series and records), nearly
    all of them alive for the whole process; frozen first, they are not scanned when it
    resumes. A start that ends without its game (a usage error) resumes it here."""
    if headless and gc.isenabled():
        gc.disable()
        _PAUSED[0] = True
    try:
        yield
    finally:
        _resume()


def _resume() -> None:
    if _PAUSED[0]:
        _PAUSED[0] = False
        gc.enable()


def _started() -> None:
    """The start is over (the modules a command needs imported, a headless game's world built):
    what it made lives as long as the process, so the collector stops scanning it
    (`gc.freeze`); it still collects everything made later (resumed, if the start paused
    it)."""
    gc.freeze()
    _resume()


def run() -> NoReturn:
    """The `oncall` command and `python -m oncall`: `main`, then the process ends."""
    end(main())


def end(code: int) -> NoReturn:
    """End the process with `code`. Once the standard streams are flushed, and when nothing is
    registered to run at exit and no other thread runs, it ends at once (`os._exit`): the
    interpreter's teardown, freeing every module and object one by one, only costs time then
    (about 12 ms after a headless incident's last line). Otherwise, or when a flush fails, it
    exits as Python does, which reports what it must."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None
    import atexit

    threading = sys.modules.get("threading")
    waiting = getattr(atexit, "_ncallbacks", lambda: 1)()
    if waiting or (threading is not None and threading.active_count() > 1):
        raise SystemExit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    gc.set_threshold(*GC_THRESHOLDS)
    os.environ.setdefault(PYDANTIC_PLUGINS_ENV, "__all__")
    pydantic_plugins.stand_in()
    os.environ.setdefault(BLAS_THREADS_ENV, "1")
    home: Path | None = None
    try:
        if argv[:1] == ["drift"]:
            # The drift command owns its arguments (and -h); numpy loads only when it runs.
            from oncall import drift_cli

            code = drift_cli.main(argv[1:])
            _flush()
            return code
        args = parse(argv)
        home = args.home
        with _loading(args.command in ("play", "shift") and getattr(args, "headless", False)):
            code = _dispatch(args)
        _flush()
        return code
    except UsageError as exc:
        print(f"oncall: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`oncall drift ... | head -1`): stop quietly, and keep the
        # interpreter's final flush from printing a traceback of its own.
        _silence_stdout()
        return 0
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            return _crashed(exc, home)
        # A full disk or a vanished device under the output (`oncall numbers > /dev/full`).
        where = exc.filename or "the standard output"
        print(f"oncall: cannot write to {where}: {exc.strerror}", file=sys.stderr)
        _silence_stdout()
        return 1
    except Exception as exc:  # the last line of defence: one line and a log
        return _crashed(exc, home)


_OUTPUT_ERRORS = {errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT}


def _flush() -> None:
    if sys.stdout is not None:  # None: the process was started with its output closed
        sys.stdout.flush()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _crashed(exc: BaseException, home: Path | None) -> int:
    """An unexpected error: the traceback goes to the log, the player gets one line, exit 1."""
    from oncall.store.errorlog import log_error, new_error_id

    error_id = new_error_id()
    log = log_error(home, error_id, " ".join(sys.argv), exc)
    where = f"details in {log}" if log else "no log could be written"
    print(f"oncall: internal error {error_id} ({type(exc).__name__}); {where}", file=sys.stderr)
    return 1


def _dispatch(args: argparse.Namespace) -> int:
    from oncall.content.loader import ContentError

    try:
        if getattr(args, "content", None):
            from oncall.content.loader import use_content

            use_content(args.content)
        if args.command is None:
            return _tui(None, None, None, args.home)
        if args.command == "play":
            return _play(args)
        if args.command == "scenarios":
            return _scenarios(args)
        if args.command == "validate":
            return _validate(args.paths, args.conformance)
        if args.command == "schema":
            print(json.dumps(_schema(args.what), indent=2))
            return 0
        if args.command == "replay":
            return _replay(args.save)
        if args.command == "story":
            return _story(args.save, args.home, args.spoken, args.question)
        if args.command == "numbers":
            return _numbers(args.home)
        if args.command == "interview":
            return _interview(args)
        if args.command == "export":
            return _export(args.save, args.dir, args.runbook_base)
        if args.command == "shift":
            return _shift(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "daily":
            return _daily(args)
        if args.command == "drill":
            from oncall import drill_cli

            return drill_cli.run(args)
        if args.command == "drift":
            from oncall import drift_cli

            return drift_cli.main(list(args.rest))
    except ContentError as exc:
        raise UsageError(str(exc)) from None
    raise UsageError(f"unknown command {args.command!r}")


SEED_MAX = 2**63 - 1


def _seed(text: str | None) -> int:
    """The --seed value: an integer from 0 to 2**63-1; random when not given."""
    if text is None:
        return int.from_bytes(os.urandom(3), "big")
    value = text.strip().replace("_", "")
    # isdigit() alone takes "²" and "①", which int() does not: only ASCII digits are a seed.
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > SEED_MAX:
        shown = text if len(text) <= 24 else text[:20] + "…"
        raise UsageError(f"--seed: {shown!r} is not an integer from 0 to 2**63-1")
    return int(value)


def _sweep(home: Path | None) -> None:
    """Start-up: remove temp files left by saves whose process was killed (never raises)."""
    from oncall.store.saves import sweep_everywhere

    sweep_everywhere(home)


def _tui(seed: int | None, scenario: str | None, difficulty: str | None,
         home: Path | None, realtime: bool = False) -> int:
    from oncall.tui.app import make_app

    return _run_app(make_app(seed=seed, scenario=scenario, difficulty=difficulty, home=home,
                             realtime=REALTIME_MINUTE_S if realtime else None), home)


def _run_app(app: OncallApp, home: Path | None) -> int:
    from oncall.session import UNSAVED

    _sweep(home)
    UNSAVED.clear()
    app.run()
    _print_unsaved(app.unsaved)
    code = app.return_code or 0
    if app.crash_log is not None or code:
        log = app.crash_log
        where = f"details in {log}" if log else "no log could be written"
        print(f"oncall: the game stopped on an internal error"
              f"{' ' + app.crash_id if app.crash_id else ''}; {where}", file=sys.stderr)
        return code or 1
    return 0


def _print_unsaved(texts: list[str]) -> None:
    """Games no folder took: the card's line and the reason on stderr, the whole save (JSON) on
    stdout, so it can be put in a file and replayed."""
    from oncall.session import UNSAVED

    outcomes, UNSAVED[:] = list(UNSAVED), []
    shown = {o.save_json for o in outcomes}
    rest = [(None, t) for t in texts if t not in shown]
    for outcome, text in [(o, o.save_json) for o in outcomes] + rest:
        head = f" {outcome.headline}" if outcome is not None and outcome.headline else ""
        why = f" ({outcome.reason})" if outcome is not None and outcome.reason else ""
        follows = ("its save follows on the standard output (JSON; put it in a file for "
                   "`oncall replay` and `oncall story`)" if text is not None else
                   "and its record could not be written as JSON")
        print(f"oncall: nothing could be written{why}.{head} This game is not saved; {follows}",
              file=sys.stderr)
        if text is not None:
            sys.stdout.write(text)


def _serve(args: argparse.Namespace) -> int:
    if args.drill:
        from oncall import drill_cli

        return drill_cli.run(argparse.Namespace(**vars(args), action="serve", id=args.drill,
                                                store=None))
    if not 0 < args.port < 65536:
        raise UsageError(f"serve: --port: {args.port} is not a port (1 to 65535)")
    try:
        from oncall.tui.serve import serve
    except ImportError as exc:
        raise UsageError(f"serve: textual-serve is not installed ({exc}); "
                         "pip install textual-serve") from None
    print(f"oncall: serving the game at http://{args.host}:{args.port} (ctrl+c stops)",
          file=sys.stderr)
    serve(args.host, args.port, args.home, args.public_url)
    return 0


def _play(args: argparse.Namespace) -> int:
    from oncall.content import loader

    seed = _seed(args.seed)
    if args.scenario is not None and not args.scenario.strip():
        raise UsageError("--scenario: give a scenario id (see `oncall scenarios`), not ''")
    from oncall.game import generator

    if args.random and args.scenario:
        raise UsageError("play: give --scenario or --random, not both")
    if args.random:
        sid = generator.random_id(seed, args.difficulty or "normal")
    else:
        if args.scenario:
            sid = args.scenario
        else:  # a scenario drawn from the seed: only then is the whole library read
            known = sorted(loader.scenarios())
            sid = known[seed % len(known)]
    try:
        scenario = generator.scenario(sid)
    except generator.GenerationError as exc:
        raise UsageError(f"--random: {exc}") from None
    if args.realtime and args.headless:
        raise UsageError("play: --realtime is for the TUI; a --headless game's clock moves "
                         "only with its commands")
    if not args.headless:
        return _tui(seed, sid, args.difficulty, args.home, realtime=args.realtime)
    from oncall import headless
    from oncall.sim.world import NoPage

    try:
        return headless.main_stdio(scenario, seed, args.difficulty, args.home,
                                   save=not args.no_save, started=_started)
    except NoPage as exc:  # `oncall validate` names the file and field before any play
        raise UsageError(f"play: {sid}: fault: {exc}") from None


def _scenarios(args: argparse.Namespace) -> int:
    from oncall.content import loader

    scenarios = loader.scenarios()
    broken = sorted({Path(p.file).name for p in loader.scenario_problems()})
    if broken:
        print(f"oncall: left out {len(broken)} broken scenario file(s): {', '.join(broken)} "
              "(see `oncall validate`)", file=sys.stderr)
    if args.action == "list":
        from oncall.store.locations import home_dir
        from oncall.store.saves import load_saves
        from oncall.story.library import key_of, library, table

        saves, _ = load_saves(home_dir(args.home))
        entries = library(scenarios, saves)
        keys = {e.id: key_of(scenarios[e.id]) for e in entries} if args.answers else None
        if args.json:
            print(json.dumps([{**e.to_dict(), **(keys[e.id] if keys else {})}
                              for e in entries], indent=2))
        else:
            print(table(entries, keys))
        return 0
    if not args.id:
        raise UsageError("scenarios show: give a scenario id (see `oncall scenarios`)")
    s = _shown_scenario(args.id)
    data: dict[str, Any] = {"id": s.id, "title": s.title, "brief": s.brief}
    if args.answers:
        data["difficulty"] = s.difficulty
        data["answers"] = s.answers.model_dump(mode="json", exclude_none=True)
        data["right"] = s.playbook.right
        data["wrong"] = s.playbook.wrong
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"{s.title}  ({s.id})\n\n{s.brief.strip()}")
    if args.answers:
        a = s.answers
        print(f"\nAnswer ({s.difficulty}): {a.category} fault, {a.cause}. "
              f"{a.explanation.strip()}")
        print(f"Signal alert: {a.signal_alert}; severity SEV-{a.severity}")
        for m in a.right:
            print(f"  right: {m.kind} {m.model or m.team or ''} {m.fix or ''} — {m.why}")
        for m in a.wrong:
            print(f"  wrong: {m.kind} {m.model or m.team or ''} {m.fix or ''} — {m.why}")
    return 0


def _shown_scenario(sid: str) -> Any:
    """A shipped scenario or a random night (`random-SEED-DIFFICULTY`) for `scenarios show`; an
    unknown id is this command's error, not a flag's."""
    from oncall.content.loader import ContentError
    from oncall.game import generator

    try:
        return generator.scenario(sid)
    except ContentError as exc:
        reason = exc.problems[0].reason if exc.problems else str(exc)
        raise UsageError(f"scenarios show: {reason}; or random-SEED-DIFFICULTY for a random "
                         "night") from None
    except generator.GenerationError as exc:
        raise UsageError(f"scenarios show: {sid}: {exc}") from None


SCHEMA_TYPES = ("scenario", "kind", "fault", "cause", "fix", "team", "alert", "remediation")


def _schema(what: str) -> dict[str, Any]:
    """The JSON Schema of one content file type."""
    if what == "scenario":
        from oncall.game.checks import scenario_schema

        return scenario_schema()
    if what in ("kind", "fault"):
        from oncall.sim.faultdef import FaultKind

        return FaultKind.model_json_schema()
    from oncall.sim.registry import json_schema

    return json_schema(what)


def _validate(paths: list[Path], conformance: bool = False) -> int:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"validate: no such file or folder: {missing[0]}")
    from oncall.game.checks import is_content_folder, validate

    empty = [p for p in paths if p.is_dir() and not is_content_folder(p)
             and not any(p.glob("*.yaml"))]
    if empty:
        print(f"{empty[0]}: no scenario files found (*.yaml), nor fault kinds", file=sys.stderr)
        return 1
    problems = validate(paths or None)
    for prob in problems:
        print(prob)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("all content files are valid")
    if conformance:
        from oncall.game.conformance import run

        failures = run(paths, progress=lambda line: print(line, file=sys.stderr))
        for line in failures:
            print(line)
        if failures:
            print(f"{len(failures)} conformance failure(s)", file=sys.stderr)
            return 1
        print("every scenario keeps its promises")
    return 0


def _load(path: Path) -> Any:
    from oncall.store.saves import SaveError, load_save

    try:
        return load_save(path)
    except SaveError as exc:
        raise UsageError(str(exc)) from None


def _replay(path: Path) -> int:
    from oncall.content import loader
    from oncall.scoring import score
    from oncall.session import replay

    save = _load(path)
    rec = save.record
    from oncall.game.generator import GenerationError
    from oncall.game.generator import scenario as resolve

    try:
        scenario = resolve(rec.scenario)
    except (loader.ContentError, GenerationError) as exc:
        raise UsageError(f"{path}: cannot replay: {exc}") from None
    replayed, _ = replay(rec, scenario)
    same = replayed.model_dump(mode="json") == rec.model_dump(mode="json")
    card = score(rec)
    same_card = card.model_dump(mode="json") == save.scorecard.model_dump(mode="json")
    print(f"{path}: {len(rec.entries)} commands replayed; record "
          f"{'reproduces exactly' if same else 'DIFFERS'}; score {card.total:g}/{card.max:g} "
          f"{'(same as saved)' if same_card else '(differs from the saved card)'}")
    if not same:
        print(_first_difference(rec, replayed))
        again = score(replayed)
        print(f"  the replay scores {again.total:g}/{again.max:g} (the score above is the "
              "saved record's, scored again)")
    return 0 if same and same_card else 1


def _first_line(text: str) -> str:
    return (text.splitlines() or [""])[0][:100]


def _first_difference(saved: Any, replayed: Any) -> str:
    """Where a replay first parts from its save: the command and both answers, or the facts
    when every answer is the same (a code or content change since the save, most often)."""
    for i, (a, b) in enumerate(zip(saved.entries, replayed.entries, strict=False), start=1):
        if a.model_dump(mode="json") != b.model_dump(mode="json"):
            return (f"  first at command {i} ({a.command.get('do', '?')}): saved "
                    f"{_first_line(a.observation.text)!r}, replayed "
                    f"{_first_line(b.observation.text)!r}")
    if len(saved.entries) != len(replayed.entries):
        return (f"  the save has {len(saved.entries)} commands, the replay "
                f"{len(replayed.entries)}")
    theirs = replayed.facts.model_dump(mode="json")
    keys = [k for k, v in saved.facts.model_dump(mode="json").items() if theirs.get(k) != v]
    return f"  every answer is the same; the facts differ in: {', '.join(keys) or 'the record'}"


def _story(path: Path | None, home: Path | None, spoken: bool = False,
           question: str | None = None) -> int:
    from oncall.store.locations import home_dir
    from oncall.store.saves import list_saves
    from oncall.story import star_story

    if question and not spoken:
        raise UsageError("story: --question goes with --spoken")
    _sweep(home)
    if path is None:
        saves = list_saves(home_dir(home))
        if not saves:
            raise UsageError("story: no saved incidents yet; play one first (`oncall play`)")
        path = max(reversed(saves), key=_mtime)  # the latest; on a tie, the last by name
    if spoken:
        from oncall.store.saves import SaveError
        from oncall.store.shifts import load_shift
        from oncall.story.spoken import markdown
        from oncall.story.spoken_shift import markdown as shift_markdown

        try:
            print(shift_markdown(load_shift(path).record, question), end="")
            return 0
        except SaveError:
            pass  # not a shift save: an incident's
        print(markdown(_load(path).record, question), end="")
        return 0
    print(star_story(_load(path)))
    return 0


def _interview(args: argparse.Namespace) -> int:
    from oncall.store.locations import home_dir
    from oncall.store.saves import list_saves
    from oncall.story.interview import questions_for, run_headless

    path = args.save
    if path is None:
        saves = list_saves(home_dir(args.home))
        if not saves:
            raise UsageError("interview: no saved incidents yet; play one first (`oncall play`)")
        path = max(reversed(saves), key=_mtime)
    from oncall.store.saves import SaveError
    from oncall.store.shifts import load_shift

    try:
        shift = load_shift(path).record
        record, name, dims = shift.game, f"the shift of seed {shift.seed}", []
    except SaveError:  # not a shift save: an incident's
        save = _load(path)
        shift, record, name = None, save.record, save.record.scenario
        dims = save.scorecard.interview
    question = args.question or "incident"
    offered = questions_for(record, shift)
    if question not in offered:
        raise UsageError(f"interview: --question: {name} does not answer {question!r} (it "
                         f"answers {', '.join(offered) or 'none'})")
    if args.headless:
        return run_headless(record, question, sys.stdin, sys.stdout, dims, shift)
    from oncall.tui.screens.interview import interview_app

    return _run_app(interview_app(record, question, args.home, shift), args.home)


def _export(path: Path, dest: Path | None, runbook_base: str | None) -> int:
    from urllib.parse import urlsplit

    from oncall.game.remediations.runbooks import RUNBOOK_BASE
    from oncall.store.export import ExportError, export

    base = RUNBOOK_BASE if runbook_base is None else runbook_base
    url = urlsplit(base)
    if url.scheme not in ("http", "https") or not url.netloc or any(
            c.isspace() or c in "\"'<>{}" for c in base):
        raise UsageError(f"export: --runbook-base {base!r}: not an absolute http(s) URL")
    save = _load(path)
    dest = dest or Path(f"export-{path.stem}")
    try:
        written = export(save.record, dest, base)
    except ExportError as exc:
        raise UsageError(f"export: {exc}") from None
    print(f"wrote {len(written)} files to {dest}/")
    for p in written:
        print(f"  {p.relative_to(dest)}")
    return 0


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _numbers(home: Path | None) -> int:
    from oncall.store.locations import home_dir
    from oncall.store.saves import load_saves
    from oncall.store.shifts import load_shifts
    from oncall.story import numbers_sheet

    _sweep(home)
    saves, errors = load_saves(home_dir(home))
    shifts, shift_errors = load_shifts(home_dir(home))
    for err in [*errors, *shift_errors]:
        print(f"oncall: skipped {err}", file=sys.stderr)
    print(numbers_sheet(saves, shifts))
    return 0


def _daily(args: argparse.Namespace) -> int:
    from oncall import daily_cli

    def headless(sid: str, seed: int, difficulty: str, home: Path | None, save: bool) -> int:
        from oncall import headless
        from oncall.game import generator

        return headless.main_stdio(generator.scenario(sid), seed, difficulty, home, save=save)

    try:
        return daily_cli.run(args, _tui, headless)
    except daily_cli.DailyUsageError as exc:
        raise UsageError(str(exc)) from None


def _shift(args: argparse.Namespace) -> int:
    from oncall.game.shiftplan import PlanError, parse_length

    _sweep(args.home)
    if args.action == "story":
        return _shift_story(args.save, args.kind, args.home)
    if args.action == "numbers":
        return _shift_numbers(args.home)

    seed = _seed(args.seed)
    try:
        length = parse_length(args.length)
    except ValueError as exc:
        raise UsageError(f"shift: --{exc}") from None
    if args.realtime and args.headless:
        raise UsageError("shift: --realtime is for the TUI; a --headless night's clock moves "
                         "only with its commands")
    if not args.headless:
        from oncall.tui.screens.night import night_app

        return _run_app(night_app(seed, length, args.difficulty, args.home,
                                  REALTIME_MINUTE_S if args.realtime else None), args.home)
    from oncall import headless

    try:
        return headless.shift_stdio(seed, length, args.difficulty, args.home,
                                    save=not args.no_save, started=_started)
    except PlanError as exc:
        raise UsageError(f"shift: {exc}") from None


def _shift_story(path: Path | None, kind: str | None, home: Path | None) -> int:
    from oncall.store.locations import home_dir
    from oncall.store.saves import SaveError
    from oncall.store.shifts import load_shift, shifts_dir
    from oncall.story.shift import markdown

    if path is None:
        folder = shifts_dir(home_dir(home))
        found = sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")),
                       key=_mtime) if folder.is_dir() else []
        if not found:
            raise UsageError(f"shift story: no shift saved in {folder}; play `oncall shift` "
                             "first")
        path = found[-1]
    try:
        save = load_shift(path)
    except SaveError as exc:
        raise UsageError(f"shift story: {exc}") from None
    print(markdown(save.record, kind), end="")
    return 0


def _shift_numbers(home: Path | None) -> int:
    from oncall.store.locations import home_dir
    from oncall.store.shifts import load_shifts
    from oncall.story.career import career_sheet

    saves, errors = load_shifts(home_dir(home))
    for err in errors:
        print(f"oncall: skipped {err}", file=sys.stderr)
    print(career_sheet(saves), end="")
    return 0
