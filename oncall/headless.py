"""The headless protocol: JSON lines in, JSON lines out, over the same session as the TUI.

The first line out is the page. Each line in is one command object with a "do" key; each line out
is its observation, always one JSON object on one line. When the postmortem ends the incident,
that line carries the scorecard and where the incident was saved. Bad lines (not JSON, not UTF-8,
too deep, too long, not a command) get an error object naming the problem and the valid
commands; the session goes on. `help` and `status` still answer after the postmortem. An input
that ends before a night shift does leaves the night abandoned, scored and saved, as a player
who goes away leaves it; the last line says so (an incident the input leaves unfinished is not
kept, as before).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from oncall.content.scenario import Scenario
from oncall.game.record import Observation
from oncall.session import SaveOutcome, Session, ShiftSession

MAX_LINE_BYTES = 4 * 1024 * 1024
"""A longer line is refused (and skipped to its end) without being parsed."""


_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}


def emit(out: IO[str], obj: dict[str, Any]) -> None:
    """One JSON object on one line, strict JSON (a non-finite number is written as null)."""
    try:
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(obj), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=False)
    # Characters that some readers take for line breaks (str.splitlines does) only occur inside
    # strings, where the escaped form means the same: each reply stays one line for every reader.
    out.write(text.translate(_LINE_BREAKS) + "\n")
    out.flush()


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def observation_line(obs: Observation) -> dict[str, Any]:
    """What the player sees of an observation: the evidence tags the engine derives from its
    content stay in the record, for scoring, and never reach the output."""
    return obs.model_dump(mode="json", exclude_none=True, exclude={"signals"})


def read_lines(inp: IO[str] | IO[bytes]) -> Iterator[str | ValueError]:
    """The lines of a text or binary stream, each at most MAX_LINE_BYTES long.

    A line that is too long, or (from a binary stream) not UTF-8, is yielded as a ValueError
    saying why, and the stream goes on at the next line.
    """
    while True:
        line: str | bytes = inp.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        ends = _ends(line)
        if len(line) > MAX_LINE_BYTES and not ends:
            size = len(line)
            while not ends:  # skip the rest of the long line
                more = inp.readline(MAX_LINE_BYTES)
                if not more:
                    break
                size += len(more)
                ends = _ends(more)
            yield ValueError(f"too long ({size:,} characters; the limit is "
                             f"{MAX_LINE_BYTES:,})")
            continue
        if isinstance(line, bytes):
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield ValueError(f"not UTF-8 text (byte {exc.start + 1} of the line)")
            continue
        yield line


def _ends(line: str | bytes) -> bool:
    return line.endswith(b"\n") if isinstance(line, bytes) else line.endswith("\n")


def parse_line(line: str) -> Any:
    """A line's JSON value; ValueError with a one-line reason if it is not JSON we can read."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not JSON we can read: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer longer than the interpreter's digit limit
        raise ValueError(f"not JSON we can read: {str(exc).split(';')[0][:120]}") from None


class Gone(BaseException):
    """The player's side went away mid-game: a hang-up or terminate signal, or an output that
    takes no more lines. Not an Exception, so no error boundary mistakes it for a bug."""

    def __init__(self, why: str, code: int) -> None:
        super().__init__(why)
        self.why, self.code = why, code
        self.outcome: SaveOutcome | None = None


class _Watch:
    """SIGHUP and SIGTERM while the protocol runs: between commands they stop the loop at once
    (a read waiting on stdin included); during a command they wait for it to finish, so the game
    is never left half way through one. And what the standard error should say of a game the
    input left unfinished (`note`)."""

    def __init__(self) -> None:
        self.busy = False
        self.pending: int | None = None
        self.note: str | None = None

    def handler(self, signum: int, _frame: object) -> None:
        if self.busy:
            self.pending = signum
            return
        raise _signalled(signum)

    def check(self) -> None:
        if self.pending is not None:
            raise _signalled(self.pending)


def _signalled(signum: int) -> Gone:
    import signal

    return Gone(f"{signal.Signals(signum).name}: the session was ended from outside", 128 + signum)


def run(scenario: Scenario, seed: int, difficulty: str | None, inp: IO[str] | IO[bytes],
        out: IO[str], home: Path | None = None, save: bool = True,
        watch: _Watch | None = None, started: Callable[[], object] | None = None) -> Session:
    """Play one incident over the protocol. `started` is called once the game is built, before
    its first line (the process's start is over then)."""
    session = Session(scenario, seed, difficulty, home=home, save=save)
    if started is not None:
        started()
    _serve(session, session.page(), inp, out, watch)
    return session


def run_shift(seed: int, length: int, difficulty: str, inp: IO[str] | IO[bytes], out: IO[str],
              home: Path | None = None, save: bool = True,
              watch: _Watch | None = None,
              started: Callable[[], object] | None = None) -> ShiftSession:
    """A night shift over the same protocol: the shift's opening line, then one answer per
    command; the line that ends the shift carries the card and where it was saved. `started`:
    as `run`'s."""
    session = ShiftSession(seed, length, difficulty, home=home, save=save)
    if started is not None:
        started()
    _serve(session, session.start(), inp, out, watch)
    return session


def _send(out: IO[str], obj: dict[str, Any]) -> None:
    """`emit`, with an output that no longer takes lines (closed, full, a reader gone) as Gone."""
    try:
        emit(out, obj)
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Gone(f"the standard output takes no more lines ({why})", 1) from None


def _serve(session: Session | ShiftSession, first: Observation, inp: IO[str] | IO[bytes],
           out: IO[str], watch: _Watch | None = None) -> None:
    """The protocol's loop. When the player's side goes away mid-game (see Gone), the game is
    saved as abandoned and Gone goes on up with the outcome."""
    watch = watch or _Watch()
    try:
        _send(out, observation_line(first))
        _answer(session, inp, out, watch)
        if isinstance(session, ShiftSession) and not session.ended:
            watch.busy = True
            why = "the input ended before the night did"
            outcome = session.abandon(INPUT_ENDED)
            if session.ended:
                _send(out, _abandoned(session, why))
                watch.note = f"{why}; {_kept(outcome)}"
    except Gone as gone:
        watch.busy = True  # a second signal must not cut the save short
        was_ended = session.ended
        gone.outcome = session.abandon()
        if session.ended and not was_ended:
            with contextlib.suppress(Gone):
                _send(out, _abandoned(session, gone.why))
        raise


INPUT_ENDED = "the input ended"
"""The reason recorded for a night the input left unfinished."""


def _abandoned(session: Session | ShiftSession, why: str) -> dict[str, Any]:
    """The last line of a game abandoned because the player's side went (`why`): its card and
    where it was saved."""
    card = session.card.model_dump(mode="json") if session.card else None
    return {"kind": "abandoned", "ok": True, "text": why, "scorecard": card} | \
        saved_fields(session)


def _answer(session: Session | ShiftSession, inp: IO[str] | IO[bytes], out: IO[str],
            watch: _Watch) -> None:
    for lineno, line in enumerate(read_lines(inp), start=1):
        if isinstance(line, str) and not line.strip():
            continue
        try:
            if isinstance(line, ValueError):
                raise line
            raw: Any = parse_line(line)
        except ValueError as exc:
            obs = session.refusal(f"line {lineno}: {exc}",
                                  len(line) if isinstance(line, str) else 0)
            _send(out, observation_line(obs) | {"line": lineno})
            continue
        was_ended = session.ended
        watch.busy = True
        obs = session.do(raw)
        line_out = observation_line(obs)
        if not obs.ok:
            line_out["line"] = lineno
        if session.ended and not was_ended:
            line_out |= saved_fields(session)
        watch.busy = False
        _send(out, line_out)
        watch.check()


def saved_fields(session: Session | ShiftSession) -> dict[str, Any]:
    """Where the finished incident went, for the postmortem's line."""
    outcome = session.outcome
    if outcome is None:
        return {}
    fields: dict[str, Any] = {}
    if outcome.path is not None:
        fields["saved"] = str(outcome.path)
    if outcome.reason:
        fields["save_error"] = outcome.reason
    if outcome.fallback:
        fields["saved_fallback"] = True
    if outcome.save_json is not None:
        fields["save"] = json.loads(outcome.save_json)
    return fields


def main_stdio(scenario: Scenario, seed: int, difficulty: str | None,
               home: Path | None, save: bool = True,
               started: Callable[[], object] | None = None) -> int:
    """Run over the process's stdin and stdout as bytes, so the locale never matters."""
    return _stdio(lambda inp, out, watch: run(scenario, seed, difficulty, inp, out, home,
                                              save=save, watch=watch, started=started))


def shift_stdio(seed: int, length: int, difficulty: str, home: Path | None,
                save: bool = True, started: Callable[[], object] | None = None) -> int:
    return _stdio(lambda inp, out, watch: run_shift(seed, length, difficulty, inp, out, home,
                                                    save=save, watch=watch, started=started))


def _stdio(body: Callable[[IO[bytes] | IO[str], IO[str], _Watch], object]) -> int:
    """The protocol on this process's streams, with SIGHUP and SIGTERM saving the game under way
    as abandoned. Every way it can end is one line on stderr at most, never a traceback."""
    from oncall.session import UNSAVED

    if sys.stdout is None or sys.stdin is None:
        print(f"oncall: the standard {'output' if sys.stdout is None else 'input'} is closed; "
              "the headless protocol reads commands on stdin and answers on stdout",
              file=sys.stderr)
        return 2
    stdin: IO[bytes] | IO[str] = getattr(sys.stdin, "buffer", sys.stdin)
    buffer = getattr(sys.stdout, "buffer", None)
    out: IO[str] = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n",
                                    write_through=True) if buffer is not None else sys.stdout
    watch = _Watch()
    UNSAVED.clear()
    code = 0
    with _signals(watch.handler):
        try:
            body(stdin, out, watch)
            if watch.note:
                print(f"oncall: {watch.note}", file=sys.stderr)
        except Gone as gone:
            code = gone.code
            print(f"oncall: {gone.why}; {_kept(gone.outcome)}", file=sys.stderr)
        finally:
            if buffer is not None:
                with contextlib.suppress(OSError, ValueError):
                    out.flush()
                with contextlib.suppress(OSError, ValueError):
                    out.detach()  # type: ignore[attr-defined]
    for outcome in UNSAVED:
        print(f"oncall: nothing could be written ({outcome.reason}); the whole save is on the "
              "last line of the output, under \"save\"", file=sys.stderr)
    UNSAVED.clear()
    if code == 1 and buffer is not None:
        _quiet_stdout()
    return code


def _kept(outcome: SaveOutcome | None) -> str:
    if outcome is None:
        return "nothing to keep yet (no command was played)"
    if outcome.path is not None:
        return f"the game was saved as abandoned to {outcome.path}"
    return f"the game could not be saved ({outcome.reason})"


@contextlib.contextmanager
def _signals(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """Install `handler` for SIGHUP and SIGTERM for the block (only the main thread can)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = [s for s in (getattr(signal, "SIGHUP", None), signal.SIGTERM) if s is not None]
    old = {s: signal.signal(s, handler) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _quiet_stdout() -> None:
    """An output that failed: point the descriptor at /dev/null, so the interpreter's own last
    flush has nothing to complain about."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
