"""The headless protocol: JSON lines in, JSON lines out, over the same session as the TUI.

The first line out is the page. Each line in is one command object with a "do" key; each line out
is its observation, always one JSON object on one line. When the postmortem ends the incident,
that line carries the scorecard and where the incident was saved. Bad lines (not JSON, not UTF-8,
too deep, too long, not a command) get an error object naming the problem and the valid
commands; the session goes on. `help` and `status` still answer after the postmortem.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from oncall.content.scenario import Scenario
from oncall.game.record import Observation
from oncall.session import Session, ShiftSession

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


def run(scenario: Scenario, seed: int, difficulty: str | None, inp: IO[str] | IO[bytes],
        out: IO[str], home: Path | None = None, save: bool = True) -> Session:
    session = Session(scenario, seed, difficulty, home=home, save=save)
    emit(out, observation_line(session.page()))
    _serve(session, inp, out)
    return session


def run_shift(seed: int, length: int, difficulty: str, inp: IO[str] | IO[bytes], out: IO[str],
              home: Path | None = None, save: bool = True) -> ShiftSession:
    """A night shift over the same protocol: the shift's opening line, then one answer per
    command; the line that ends the shift carries the card and where it was saved."""
    session = ShiftSession(seed, length, difficulty, home=home, save=save)
    emit(out, observation_line(session.start()))
    _serve(session, inp, out)
    return session


def _serve(session: Session | ShiftSession, inp: IO[str] | IO[bytes], out: IO[str]) -> None:
    for lineno, line in enumerate(read_lines(inp), start=1):
        if isinstance(line, str) and not line.strip():
            continue
        try:
            if isinstance(line, ValueError):
                raise line
            raw: Any = parse_line(line)
        except ValueError as exc:
            obs = session.refusal(f"line {lineno}: {exc}")
            emit(out, observation_line(obs) | {"line": lineno})
            continue
        was_ended = session.ended
        obs = session.do(raw)
        line_out = observation_line(obs)
        if not obs.ok:
            line_out["line"] = lineno
        if session.ended and not was_ended:
            line_out |= saved_fields(session)
        emit(out, line_out)


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
               home: Path | None, save: bool = True) -> int:
    """Run over the process's stdin and stdout as bytes, so the locale never matters."""
    return _stdio(lambda inp, out: run(scenario, seed, difficulty, inp, out, home, save=save))


def shift_stdio(seed: int, length: int, difficulty: str, home: Path | None,
                save: bool = True) -> int:
    return _stdio(lambda inp, out: run_shift(seed, length, difficulty, inp, out, home,
                                             save=save))


def _stdio(body: Callable[[IO[bytes] | IO[str], IO[str]], object]) -> int:
    stdin: IO[bytes] | IO[str] = getattr(sys.stdin, "buffer", sys.stdin)
    buffer = getattr(sys.stdout, "buffer", None)
    out: IO[str] = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n",
                                    write_through=True) if buffer is not None else sys.stdout
    try:
        body(stdin, out)
    finally:
        if buffer is not None:
            try:
                out.flush()
            finally:
                out.detach()  # type: ignore[attr-defined]
    return 0
