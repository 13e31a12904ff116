"""`oncall drill`: one incident shared by a team, each player in a role, over a shared log.

    oncall drill new --scenario ID [--seed N] [--difficulty D] [--store URL]   prints the id
    oncall drill join ID --role R --name NAME [--headless] [--linger S]        take a seat
    oncall drill status [ID] [--json]                who is in, where the incident stands
                                                     (no ID: every drill in the store)
    oncall drill story ID                            who did what, and the card of each role
    oncall drill save ID                             save the ended drill's record, rebuilt
                                                     from the log (every seat that sees the
                                                     end does this too)
    oncall drill serve ID [--host H] [--port P]      the seat in browsers (textual-serve)

The store is a SQLite file under the oncall home unless `--store` names another file or a
`postgresql://` URL (for a team across machines). A headless seat speaks JSON lines like `play
--headless`: the first line is the seat (drill, role, verbs, the page); then one line for every
event of the drill as it happens, anyone's ("who", "role", "command", the observation); a
refused command gets an error line. At the end of its input a seat follows the drill until the
incident ends (at most --linger seconds) and leaves. A seat that was killed rejoins with the same
command and catches up from the log: nothing is lost.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from oncall import __version__

if TYPE_CHECKING:
    import queue

    from oncall.drill.log import DrillLog, Event
    from oncall.drill.table import Seat
    from oncall.game.record import Observation

ROLES = ("commander", "operations", "communications", "scribe", "facilitator")
POLL_SECONDS = 0.2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("drill", help="one incident shared by a team, each in a role (commander, "
                       "operations, communications, scribe, facilitator): `drill new`, `drill "
                       "join ID`, `drill status ID`, `drill story ID`, `drill save ID`")
    d.add_argument("action", choices=("new", "join", "status", "story", "save", "serve"))
    d.add_argument("id", nargs="?", help="the drill id (join, status, story, save)")
    d.add_argument("--store", metavar="URL", help="the shared log: a SQLite file or "
                   "postgresql://… (default: drills.sqlite in the oncall home)")
    d.add_argument("--scenario", help="new: the scenario id (see `oncall scenarios`)")
    d.add_argument("--seed", help="new: seed of the world, 0 to 2**63-1 (default: random)")
    d.add_argument("--difficulty", choices=("easy", "normal", "hard"))
    d.add_argument("--role", choices=ROLES, help="join: your role")
    d.add_argument("--name", help="join: your name, as the others see it")
    d.add_argument("--headless", action="store_true",
                   help="join: JSON lines on stdin/stdout instead of the TUI")
    d.add_argument("--linger", type=float, default=300.0, metavar="SECONDS",
                   help="join --headless: at the end of input, follow the drill until the "
                   "incident ends, at most this long (default 300; 0 leaves at once)")
    d.add_argument("--json", action="store_true", help="status: as JSON")
    d.add_argument("--host", default="localhost", help="serve: address to listen on")
    d.add_argument("--port", type=int, default=8000, help="serve: port (default 8000)")
    d.add_argument("--public-url", help="serve: the address browsers use, behind a proxy")


def run(args: argparse.Namespace) -> int:
    """Dispatch `oncall drill`; a usage problem is one line on stderr and exit status 2."""
    from oncall.drill.log import LogError

    try:
        return _run(args)
    except (LogError, ValueError) as exc:
        print(f"oncall: drill {args.action}: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from oncall.drill.log import open_log

    if args.action not in ("new", "status") and not args.id and not (
            args.action == "join" and not args.headless):
        raise ValueError(f"give the drill id (`oncall drill {args.action} ID`)")
    with open_log(args.store, args.home) as log:
        if args.action == "status" and not args.id:
            return _list(log)
        if args.action == "new":
            return _new(log, args)
        if args.action == "join":
            return _join(log, args)
        if args.action == "serve":
            return serve(args)
        if args.action == "status":
            return _status(log, args.id, args.json)
        if args.action == "save":
            return _save(log, args.id, args.home)
        return _story(log, args.id)


def serve(args: argparse.Namespace) -> int:
    """`oncall drill serve ID` (or `oncall serve --drill ID`): the drill's seat in browsers."""
    from oncall.drill.log import open_log

    if not 0 < args.port < 65536:
        raise ValueError(f"--port: {args.port} is not a port (1 to 65535)")
    with open_log(args.store, args.home) as log:
        log.info(args.id)  # an unknown drill is said here, not in every tab
    from oncall.tui.drill import serve_drill

    print(f"oncall: serving drill {args.id} at http://{args.host}:{args.port} (ctrl+c stops)",
          file=sys.stderr)
    serve_drill(args.host, args.port, args.home, args.id, args.store, args.public_url)
    return 0


def _seed(text: str | None) -> int:
    import os

    if text is None:
        return int.from_bytes(os.urandom(3), "big")
    value = text.strip().replace("_", "")
    if not value.isdigit() or len(value) > 19 or int(value) > 2**63 - 1:
        raise ValueError(f"--seed: {text[:24]!r} is not an integer from 0 to 2**63-1")
    return int(value)


def _scenario(sid: str) -> Any:
    from oncall.content.loader import ContentError
    from oncall.game import generator

    try:
        return generator.scenario(sid)
    except (ContentError, generator.GenerationError) as exc:
        raise ValueError(f"--scenario: {exc}") from None


def _new(log: DrillLog, args: argparse.Namespace) -> int:
    if not args.scenario or not args.scenario.strip():
        raise ValueError("--scenario: give a scenario id (see `oncall scenarios`)")
    scenario = _scenario(args.scenario.strip())
    seed = _seed(args.seed)
    info = log.create(scenario.id, seed, args.difficulty or scenario.difficulty, __version__)
    print(info.id)
    print(f"oncall: drill {info.id}: {scenario.title} (seed {seed}); each player runs "
          f"`oncall drill join {info.id} --role ROLE --name NAME`", file=sys.stderr)
    return 0


def _seat(log: DrillLog, drill: str, role: str, name: str) -> Seat:
    from oncall.drill.table import Seat

    info = log.info(drill)
    if info.version != __version__:
        raise ValueError(f"drill {drill} was made by oncall {info.version} and this is "
                         f"{__version__}: the game could replay differently, so every seat "
                         "needs the same version")
    return Seat(log, info, _scenario(info.scenario), name, role)


def _join(log: DrillLog, args: argparse.Namespace) -> int:
    if not args.headless:
        from oncall.tui.drill import DrillApp

        DrillApp(log, args.home, args.id, args.role, args.name).run()
        return 0
    if not args.role:
        raise ValueError(f"join: --role: give one of {', '.join(ROLES)}")
    if not args.name or not args.name.strip():
        raise ValueError("join: --name: give a name the others will see")
    seat = _seat(log, args.id, args.role, args.name)
    stdin: IO[bytes] | IO[str] = getattr(sys.stdin, "buffer", sys.stdin)
    HeadlessSeat(seat, args.home, stdin, sys.stdout, max(0.0, args.linger)).run()
    return 0


class HeadlessSeat:
    """The JSON-lines seat: a reader thread feeds stdin's lines; between lines the seat polls
    the log, so the others' commands show up as they happen."""

    def __init__(self, seat: Seat, home: Path | None, inp: IO[bytes] | IO[str], out: IO[str],
                 linger: float, poll: float = POLL_SECONDS) -> None:
        self.seat, self.home, self.inp, self.out = seat, home, inp, out
        self.linger, self.poll = linger, poll
        self.mine: Event | None = None
        self.ended_shown = False

    def emit(self, obj: dict[str, Any]) -> None:
        from oncall.headless import emit

        emit(self.out, obj)

    def run(self) -> None:
        import queue  # here, not at the top: every command's parser imports this module

        from oncall.drill import roles
        from oncall.headless import observation_line

        seat, table = self.seat, self.seat.table
        first: dict[str, Any] = {
            "kind": "drill-seat", "drill": seat.drill, "who": seat.who, "role": seat.role,
            "title": table.scenario.title, "verbs": roles.verbs(seat.role),
            "page": observation_line(table.session.page())}
        if seat.role == roles.FACILITATOR:
            first["key"] = table.session.record.answers.model_dump(mode="json")
        self.emit(first)
        self.show(seat.join())
        lines: queue.Queue[tuple[int, str | ValueError] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(lines,), daemon=True).start()
        while True:
            try:
                item = lines.get(timeout=self.poll)
            except queue.Empty:
                self.show(seat.catch_up())
                continue
            if item is None:
                break
            self.line(*item)
        self.follow()

    def _read(self, lines: queue.Queue[tuple[int, str | ValueError] | None]) -> None:
        from oncall.headless import read_lines

        try:
            for lineno, line in enumerate(read_lines(self.inp), start=1):
                lines.put((lineno, line))
        finally:
            lines.put(None)

    def line(self, lineno: int, line: str | ValueError) -> None:
        from oncall.drill import roles
        from oncall.headless import parse_line

        if isinstance(line, str) and not line.strip():
            return
        try:
            if isinstance(line, ValueError):
                raise line
            raw = parse_line(line)
        except ValueError as exc:
            problem: str | None = f"line {lineno}: {exc}"
            seen: list[tuple[Event, Observation]] = []
        else:
            problem, self.mine, seen = self.seat.issue(raw)
        self.show(seen)
        if problem is not None:
            from oncall.session import shorten

            problem = shorten(problem)
            self.emit({"kind": "error", "ok": False, "error": problem, "text": problem,
                       "line": lineno, "valid": roles.verbs(self.seat.role)})

    def follow(self) -> None:
        """After the input ends: show the drill until the incident ends or `linger` runs out."""
        deadline = time.monotonic() + self.linger
        self.show(self.seat.catch_up())
        while not self.seat.table.session.ended and time.monotonic() < deadline:
            time.sleep(self.poll)
            self.show(self.seat.catch_up())
        table = self.seat.table
        self.emit({"kind": "drill-leave", "drill": self.seat.drill, "who": self.seat.who,
                   "seq": table.seq, "phase": table.session.phase})

    def show(self, happened: list[tuple[Event, Observation]]) -> None:
        from oncall.headless import observation_line

        table = self.seat.table
        saved = self.save() if table.session.ended and not self.ended_shown else {}
        for ev, obs in happened:
            line = {"seq": ev.seq, "who": ev.who, "role": ev.role, "command": ev.command,
                    **observation_line(obs)}
            if ev.who == self.seat.who:
                line["mine"] = True
            if ev is table.ended_by and self.mine is not None and ev.seq == self.mine.seq:
                line |= saved
            self.emit(line)
        if table.session.ended and not self.ended_shown:
            self.ended_shown = True
            self.emit(end_line(table) | saved)

    def save(self) -> dict[str, Any]:
        """Every seat that sees the incident end saves the drill's record (once per home: the
        first write wins), so it is kept even if the seat that ended it died at that moment."""
        from oncall.headless import saved_fields

        self.seat.save(self.home)
        return saved_fields(self.seat.table.session)


def end_line(table: Any) -> dict[str, Any]:
    from oncall.drill.feedback import drill_cards

    return {"kind": "drill-end", "drill": table.info.id, **drill_cards(table)}


def _caught_up(log: DrillLog, drill: str) -> Any:
    from oncall.drill.table import Table

    info = log.info(drill)
    table = Table(info, _scenario(info.scenario))
    for ev in log.events(drill):
        table.apply(ev)
    return table


def _status(log: DrillLog, drill: str, as_json: bool) -> int:
    from oncall.drill.roles import TITLES
    from oncall.sim.clock import hhmm

    table = _caught_up(log, drill)
    s = table.session
    data: dict[str, Any] = {
        "drill": drill, "scenario": table.info.scenario, "title": table.scenario.title,
        "seed": table.info.seed, "difficulty": table.info.difficulty, "events": table.seq,
        "commands": len(s.record.entries), "members": table.members, "phase": s.phase,
        "clock": hhmm(table.now), "paused": table.paused}
    if s.card is not None:
        data["score"] = {"total": s.card.total, "max": s.card.max}
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"drill {drill}: {table.scenario.title} ({table.info.scenario}, seed "
          f"{table.info.seed}, {table.info.difficulty})")
    print(f"  {s.phase}{', paused' if table.paused else ''} at {hhmm(table.now)}; "
          f"{table.seq} events, {len(s.record.entries)} game commands")
    for who, role in table.members.items():
        print(f"  {who} ({TITLES.get(role, role)})")
    if s.card is not None:
        print(f"  score {s.card.total:g}/{s.card.max:g}")
    return 0


def _list(log: DrillLog) -> int:
    """Every drill in the store, oldest first."""
    found = log.drills()
    for info in found:
        print(f"{info.id}  {info.scenario} seed {info.seed} ({info.difficulty}), made "
              f"{info.created_at[:16].replace('T', ' ')} UTC by oncall {info.version}")
    if not found:
        print(f"no drills in {log.url} yet (`oncall drill new --scenario ID`)", file=sys.stderr)
    return 0


def _save(log: DrillLog, drill: str, home: Path | None) -> int:
    """The drill's record, rebuilt from its log and saved (or found saved) in the home."""
    from oncall.drill.table import save_drill

    made = log.info(drill).version
    if made != __version__:
        raise ValueError(f"drill {drill} was made by oncall {made} and this is {__version__}: "
                         "its log could replay to another record, so save it with that version")
    outcome = save_drill(_caught_up(log, drill), home)
    if outcome.path is None:
        print(f"oncall: drill save: {outcome.reason}", file=sys.stderr)
        return 1
    print(outcome.path)
    if outcome.reason:
        print(f"oncall: drill save: {outcome.reason}", file=sys.stderr)
    return 0


def _story(log: DrillLog, drill: str) -> int:
    from oncall.drill.feedback import story

    sys.stdout.write(story(_caught_up(log, drill)))
    return 0
