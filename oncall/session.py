"""A session: one incident from the page to the save, with the one error boundary around the engine.

The TUI and the headless protocol both hold a `Session` and call `session.do(command)`. Whatever
the command is and whatever goes wrong inside the engine, `do` returns an Observation:

- a value that cannot be a command (not an object, a "do" that is a list, nesting deeper than
  MAX_DEPTH, a non-finite number, a lone surrogate) is refused before the engine sees it: no
  simulated time, no observation id, nothing in the record;
- an unexpected exception inside the engine becomes an error observation with a short id
  (`err-3f9a`) whose traceback is written to the log under the oncall home; the game is then
  rebuilt from its record, so the state always equals the replay of the record;
- echoed input in error messages is shortened, so a 1 MB line does not come back in full.

When the incident ends the session scores the final record once and saves it. A save that cannot
be written (read-only folder, full disk, a home that is a file) goes to a fallback folder in the
system temp dir; if even that fails the save's JSON travels with the outcome. The scorecard is
delivered either way, with the reason.
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from oncall.game.engine import Game
from oncall.game.record import Entry, Observation, Record
from oncall.store.errorlog import log_error, new_error_id

if TYPE_CHECKING:
    from oncall.content.scenario import Scenario
    from oncall.scoring.card import Scorecard
    from oncall.scoring.shift import ShiftCard

MAX_DEPTH = 32
"""Deepest nesting of a command; a real one is three levels deep."""
MAX_COMMAND_CHARS = 64 * 1024
"""Longest command the engine is given (its text in JSON, about): a long postmortem is a few
thousand characters. A longer one is refused before the engine and only counted."""
MAX_RECORD_CHARS = 8 * 1024 * 1024
"""Most a game's record may hold (its entries as compact JSON): thousands of commands. A game
whose record reaches it ends there as abandoned and is saved, so every save stays one that
loads (saves are read up to 64 MB, and indentation more than doubles a record's size)."""
KEEP_REFUSED = 3
"""Refused lines a save quotes (shortened); the others are only counted."""
MAX_ERROR_CHARS = 2000
ECHO_KEEP = 60
"""Characters of a long quoted input kept when an error message echoes it."""
_LONG = ECHO_KEEP + 20
_QUOTED = re.compile(rf"'[^'\n]{{{_LONG},}}'|\"[^\"\n]{{{_LONG},}}\"")


class SaveOutcome(NamedTuple):
    """Where the finished incident went. `path` is None only if no file could be written; then
    `save_json` holds the whole save, so it can be pasted into a file and replayed."""

    path: Path | None
    fallback: bool = False
    reason: str = ""
    save_json: str | None = None
    headline: str = ""
    """The card in one line ("Score 41/100. ..."), for a place that cannot show the card."""

    @property
    def ok(self) -> bool:
        return self.path is not None and not self.fallback


# -- checks before the engine --------------------------------------------------------------------
def shorten(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """A message with long quoted inputs cut to their start and their length, then capped."""
    def cut(m: re.Match[str]) -> str:
        q = m.group(0)
        return f"{q[: ECHO_KEEP + 1]}…{q[0]} ({len(q) - 2:,} characters)"

    text = _QUOTED.sub(cut, text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def command_problem(raw: Any) -> str | None:
    """Why a value cannot be sent to the engine as a command, or None if the engine may judge it.

    Only shape is checked here; verbs, fields and ranges are the engine's to judge (and record).
    """
    if not isinstance(raw, dict):
        return f'a command is a JSON object with a "do" key, got a JSON {_describe(raw)}'
    verb = raw.get("do")
    if verb is not None and not isinstance(verb, str):  # a save could not be read back
        return f'"do" names a command (a string such as "help"), got a JSON {_describe(verb)}'
    return _value_problem(raw, 1)


def refused(raw: Any) -> str | None:
    """Why `raw` is refused before the engine (see `command_problem`), or None."""
    try:
        return command_problem(raw) or _size_problem(raw)
    except RecursionError:
        return "the command is nested too deeply"


def _size_problem(raw: Any) -> str | None:
    if _chars(raw, MAX_COMMAND_CHARS) > MAX_COMMAND_CHARS:
        return (f"the command is too long (about {approx_chars(raw):,} characters as JSON; the "
                f"limit is {MAX_COMMAND_CHARS:,}): refused and not recorded")
    return None


def _chars(value: Any, limit: int) -> int:
    """About how many characters `value` takes as JSON; stops counting past `limit`."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, dict):
        total = 2
        for key, item in value.items():
            total += len(str(key)) + 4 + _chars(item, limit - total)
            if total > limit:
                break
        return total
    if isinstance(value, list):
        total = 2
        for item in value:
            total += 1 + _chars(item, limit - total)
            if total > limit:
                break
        return total
    return 8 if isinstance(value, float | int) and not isinstance(value, bool) \
        and abs(value) < 10**8 else len(repr(value))


def approx_chars(raw: Any) -> int:
    try:
        return _chars(raw, 2**62)
    except RecursionError:
        return 0


FULL = "the record is full"
"""The reason recorded when a game ends because its record reached MAX_RECORD_CHARS."""


class RecordSize:
    """How much a game's record holds (its entries as compact JSON), against its limit."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.chars = 0

    def add(self, entries: Sequence[Entry]) -> None:
        if self.limit is None:
            return
        for entry in entries:
            try:
                self.chars += len(entry.model_dump_json())
            except Exception:  # a value JSON cannot hold (the save says so): count its text
                self.chars += approx_chars(entry.command) + len(entry.observation.text)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.chars >= self.limit


@dataclass
class Refused:
    """Lines and commands refused before the engine: never recorded (a replay does not need them)
    but counted, with the first few quoted, in the save."""

    lines: int = 0
    chars: int = 0
    first: list[str] = dataclasses.field(default_factory=list)

    def add(self, message: str, chars: int) -> None:
        self.lines += 1
        self.chars += max(0, chars)
        if len(self.first) < KEEP_REFUSED:
            self.first.append(shorten(message, 300))

    def summary(self) -> dict[str, Any] | None:
        if not self.lines:
            return None
        return {"lines": self.lines, "chars": self.chars, "first": list(self.first)}


def _value_problem(value: Any, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return f"the command is nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"object keys must be strings, got {_describe(key)}"
            problem = _string_problem(key) or _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for item in value:
            problem = _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, str):
        return _string_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "numbers must be finite (no NaN or Infinity)"
    if value is None or isinstance(value, bool | int | float):
        return None
    return f"not a JSON value: {type(value).__name__}"


def _string_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text holds an unpaired surrogate (\\ud800-\\udfff), which is not Unicode"
    return None


# -- the error log -------------------------------------------------------------------------------
# -- the session ---------------------------------------------------------------------------------
class Session:
    """One incident. Build it from a scenario and a seed; drive it only through `do`."""

    def __init__(self, scenario: Scenario, seed: int, difficulty: str | None = None, *,
                 home: Path | None = None, save: bool = True,
                 record_limit: int | None = MAX_RECORD_CHARS) -> None:
        self.scenario = scenario
        self.seed = seed
        self.difficulty = difficulty
        self.home = home
        self.save_enabled = save
        self.game = Game(scenario, seed, difficulty)
        self.card: Scorecard | None = None
        """The card of the finished record, once the incident has ended."""
        self.outcome: SaveOutcome | None = None
        """Where the finished incident was saved (None until it ends, or with save=False)."""
        self.errors = 0
        """Unexpected engine errors caught so far."""
        self.refused = Refused()
        self.size = RecordSize(record_limit)
        self._lock = threading.RLock()
        if save:
            _sweep(home)

    # -- the door --------------------------------------------------------------------------------
    @property
    def record(self) -> Record:
        return self.game.record

    @property
    def ended(self) -> bool:
        return self.game.ended

    @property
    def phase(self) -> str:
        return self.game.phase

    def page(self) -> Observation:
        return self.game.page()

    def do(self, raw: Any) -> Observation:
        """Run one command. Never raises; a finished incident is scored and saved here."""
        with self._lock:
            problem = refused(raw)
            if problem is not None:
                return self.refusal(problem, approx_chars(raw))
            was_ended = self.game.ended
            size = len(self.game.record.entries)
            try:
                obs, card = self._step(self.game, raw)
                self.size.add(self.game.record.entries[size:])
                if self.size.full and not self.game.ended:
                    obs, card = self._end_full(obs)
            except Exception as exc:  # this is the error boundary
                return self._internal_error(raw, exc, size)
            if card is not None and not was_ended:
                self.card = card
                if self.save_enabled:
                    self.outcome = self._save()
            return obs

    def _end_full(self, obs: Observation) -> tuple[Observation, Scorecard | None]:
        """The record is full: the incident ends here as abandoned (recorded as such, so a replay
        rebuilds it), and the player reads both answers."""
        end, card = self._step(self.game, {"do": "abandon", "reason": FULL})
        shown = obs.model_copy()  # the recorded observation stays as it was
        shown.text = f"{obs.text}\n{end.text}" if obs.text else end.text
        shown.scorecard = end.scorecard
        return shown, card

    def do_while(self, phase: str, raw: Any, then: Callable[[Observation], object]) -> bool:
        """`raw`, only if the game is still in `phase` once the lock is held, and `then` with
        its answer before the lock is let go. A real-time minute on the page uses it: an
        acknowledgement that got the lock first cancels the minute, and a minute that got it
        first is announced before the acknowledgement can be, so the log keeps the record's
        order."""
        with self._lock:
            if self.game.phase != phase:
                return False
            then(self.do(raw))
            return True

    def glance(self) -> dict[str, Any]:
        """The engine's read-only status, taken under the lock so it never sees a command half
        done (a screen reads it while a worker may be inside `do`)."""
        with self._lock:
            return self.game.glance()

    def abandon(self, reason: str = "") -> SaveOutcome | None:
        """Leave the incident unfinished and keep it: the engine records the end (`abandon`,
        with the `reason` if one is given), and `do` scores and saves it like any other ending.
        Nothing to keep before the first command; an ended incident was saved already."""
        with self._lock:
            if self.game.ended or not self.game.record.entries or self.outcome is not None:
                return self.outcome
            self.do({"do": "abandon", **({"reason": reason} if reason else {})})
            return self.outcome

    def refusal(self, message: str, chars: int = 0) -> Observation:
        """A line or command refused before the engine: not recorded, no time, only counted (with
        its size, `chars`) for the save's summary."""
        self.refused.add(message, chars)
        return self._answer(message)

    def _answer(self, message: str) -> Observation:
        """An error observation that is not recorded and costs no time."""
        from oncall.game.commands import available
        from oncall.sim.clock import hhmm

        message = shorten(message)
        return Observation(kind="error", ok=False, t=self.game.now, clock=hhmm(self.game.now),
                           error=message, text=message, valid=available(self.game.phase))

    # -- inside the boundary ----------------------------------------------------------------------
    @staticmethod
    def _step(game: Game, raw: Any) -> tuple[Observation, Scorecard | None]:
        """The engine's answer, tidied; and the card if this command ended the incident."""
        was_ended = game.ended
        obs = game.do(raw)
        if not obs.ok:
            if obs.error:
                obs.error = shorten(obs.error)
            obs.text = shorten(obs.text)
        if game.ended and not was_ended:
            return obs, _score(obs, game.record)
        return obs, None

    def _internal_error(self, raw: Any, exc: Exception, size: int) -> Observation:
        self.errors += 1
        error_id = new_error_id()
        verb = raw.get("do") if isinstance(raw, dict) else None
        log = log_error(self.home, error_id, f"command {raw!r:.300}", exc)
        restored = self._restore(size)
        detail = shorten(str(exc).splitlines()[0] if str(exc) else "", 300)
        message = (f"{verb if isinstance(verb, str) else 'command'}: internal error {error_id} "
                   f"({type(exc).__name__}{': ' + detail if detail else ''}); "
                   + ("nothing changed and the incident goes on"
                      if restored else "the incident goes on")
                   + (f"; details in {log}" if log else ""))
        obs = self._answer(message)
        obs.data = {"error_id": error_id, **({"log": str(log)} if log else {})}
        return obs

    def _restore(self, size: int) -> bool:
        """Rebuild the game from the first `size` entries of its record: the state the failed
        command found. Returns False (keeping the game as it is) if the rebuild fails."""
        entries = self.game.record.entries[:size]
        try:
            fresh = Game(self.scenario, self.seed, self.difficulty)
            for entry in entries:
                self._step(fresh, entry.command)
        except Exception as exc:
            log_error(self.home, new_error_id(), "rebuild after an internal error", exc)
            return False
        self.game = fresh
        return True

    def _save(self) -> SaveOutcome:
        from oncall.store.saves import save_incident, save_text

        assert self.card is not None
        record, card = self.game.record, self.card
        refused = self.refused.summary()
        return save_with_fallback(self.home,
                                  lambda home: save_incident(record, card, home, refused=refused),
                                  lambda: save_text(record, card, refused=refused),
                                  f"Score {card.total:g}/{card.max:g}. {card.ending}")


UNSAVED: list[SaveOutcome] = []
"""Every finished game of this process that no folder took, in order: the command line prints
each (its reason and its whole save) when the TUI closes, so nothing is lost with the screen."""


def save_with_fallback(home: Path | None, write: Callable[[Path], Path],
                       text: Callable[[], str], headline: str = "") -> SaveOutcome:
    """Save to the home folder; failing that, to the fallback folder; failing that, keep the
    save's JSON on the outcome. Any failure falls back: nothing the player finished is lost.
    Never raises; the reason names every folder that could not take the save."""
    try:
        outcome = _save_somewhere(home, write, text)
    except Exception as exc:  # a bug in the fallbacks themselves: keep what can be kept
        outcome = SaveOutcome(None, fallback=True, reason=f"not saved: {_reason(exc)}",
                              save_json=_text_or_none(text))
    outcome = outcome._replace(headline=headline)
    if outcome.path is None:
        UNSAVED.append(outcome)
    return outcome


def _save_somewhere(home: Path | None, write: Callable[[Path], Path],
                    text: Callable[[], str]) -> SaveOutcome:
    from oncall.store.locations import fallback_dir, home_dir

    try:
        folder = home_dir(home)
    except Exception as exc:
        reason = f"the oncall home cannot be found: {_reason(exc)}"
    else:
        try:
            return SaveOutcome(write(folder))
        except Exception as exc:
            reason = f"the oncall home {folder} cannot take it: {_reason(exc)}"
    spare = fallback_dir()
    if spare is None:
        reason += "; no temp folder is writable, so there is no fallback folder either"
    else:
        try:
            return SaveOutcome(write(spare), fallback=True, reason=reason)
        except Exception as exc:
            reason += f"; the fallback {spare} failed too: {_reason(exc)}"
    json_text = _text_or_none(text)
    if json_text is None:
        reason += "; the record cannot be written as JSON either"
    return SaveOutcome(None, fallback=True, reason=reason, save_json=json_text)


def _text_or_none(text: Callable[[], str]) -> str | None:
    try:
        return text()
    except Exception:
        return None


def _score(obs: Observation, record: Record) -> Scorecard:
    """Score the finished record (the postmortem entry included) and put the card on the last
    observation, so the card a player sees is exactly what re-scoring the saved record gives."""
    from oncall.scoring import score

    card = score(record)
    head = "Postmortem filed." if record.facts.postmortem is not None else "Abandoned."
    obs.text = f"{head} Score {card.total:g}/{card.max:g}. {card.ending}" \
        + (f"\n{obs.text}" if obs.text else "")
    obs.scorecard = card.model_dump(mode="json")
    return card


def _reason(exc: BaseException) -> str:
    try:
        if isinstance(exc, OSError) and exc.strerror:
            where = f": {exc.filename}" if exc.filename else ""
            return shorten(f"{exc.strerror}{where}", 300)
        text = str(exc).splitlines()[0] if str(exc) else ""
        return shorten(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, 300)
    except Exception:  # an exception whose message cannot be made: its type will do
        return type(exc).__name__


def _sweep(home: Path | None) -> None:
    """Start-up: remove temp files of saves whose writer was killed (never raises)."""
    from oncall.store.saves import sweep_everywhere

    sweep_everywhere(home)


def replay(record: Record, scenario: Scenario) -> tuple[Record, Scorecard | None]:
    """Re-run a record's commands through a new session (nothing saved): the record it rebuilds
    and the card of the end, if it ended."""
    session = Session(scenario, record.seed, record.difficulty, save=False, record_limit=None)
    for entry in record.entries:
        session.do(entry.command)
    return session.record, session.card


# -- a night shift -------------------------------------------------------------------------------
class ShiftSession:
    """One night shift behind the same error boundary as an incident: `do` never raises, an
    unexpected engine error rebuilds the shift from its record, and the end of the shift scores
    the record once and saves it (falling back to the temp folder, like an incident)."""

    def __init__(self, seed: int, length: int = 360, difficulty: str = "normal", *,
                 home: Path | None = None, save: bool = True,
                 record_limit: int | None = MAX_RECORD_CHARS) -> None:
        from oncall.game.shift import Shift

        self.seed, self.length, self.difficulty = seed, length, difficulty
        self.home = home
        self.save_enabled = save
        self.shift = Shift(seed, length, difficulty)
        self.card: ShiftCard | None = None
        self.outcome: SaveOutcome | None = None
        self.errors = 0
        self.refused = Refused()
        self.size = RecordSize(record_limit)
        self._lock = threading.RLock()
        if save:
            _sweep(home)

    @property
    def ended(self) -> bool:
        return self.shift.ended

    def start(self) -> Observation:
        return self.shift.start()

    def refusal(self, message: str, chars: int = 0) -> Observation:
        """A line or command refused before the shift: not recorded, only counted."""
        self.refused.add(message, chars)
        return self._answer(message)

    def _answer(self, message: str) -> Observation:
        from oncall.sim.clock import hhmm

        message = shorten(message)
        return Observation(kind="error", ok=False, t=self.shift.now, clock=hhmm(self.shift.now),
                           error=message, text=message, valid=self.shift.available())

    def do(self, raw: Any) -> Observation:
        with self._lock:
            problem = refused(raw)
            if problem is not None:
                return self.refusal(problem, approx_chars(raw))
            was_ended = self.shift.ended
            size = len(self.shift.record.entries)
            inner = len(self.shift.game.record.entries)
            try:
                obs = self.shift.do(raw)
                if not obs.ok:
                    obs.text = shorten(obs.text)
                    obs.error = shorten(obs.error) if obs.error else obs.error
                self.size.add(self.shift.record.entries[size:])
                self.size.add(self.shift.game.record.entries[inner:])
                if self.size.full and not self.shift.ended:
                    end = self.shift.do({"do": "abandon", "reason": FULL})
                    obs = obs.model_copy()  # the recorded observation stays as it was
                    obs.text = f"{obs.text}\n{end.text}" if obs.text else end.text
                if self.shift.ended and not was_ended:
                    obs = self._score(obs)
            except Exception as exc:  # the error boundary
                return self._internal_error(raw, exc, size)
            return obs

    def abandon(self, reason: str = "") -> SaveOutcome | None:
        """Leave the night where it stands and keep it (the shift records `abandon`, with the
        `reason` if one is given, and `do` scores and saves it). Nothing to keep before the
        first command; an ended night was saved already."""
        with self._lock:
            if self.shift.ended or not self.shift.record.entries or self.outcome is not None:
                return self.outcome
            self.do({"do": "abandon", **({"reason": reason} if reason else {})})
            return self.outcome

    def _score(self, obs: Observation) -> Observation:
        """Score the night and save it; the player's copy of the last answer carries the card.

        The card is the one the save re-scores to: the record is scored as the save holds it
        (through its JSON, keys sorted), never as the commands were typed."""
        from oncall.game.shiftrecord import ShiftRecord
        from oncall.scoring.shift import score_shift
        from oncall.store.jsonio import dump_json

        card = score_shift(ShiftRecord.model_validate_json(dump_json(self.shift.record)))
        self.card = card
        obs = obs.model_copy()
        lines = [f"Shift scored: {card.total:g}/{card.max}. {card.ending}".rstrip()]
        for s in card.sections:
            lines.append(f"{s.title}: {s.points:g}/{s.max}")
            lines += [f"  {f.name} {f.points:g}/{f.max}: {f.text}" for f in s.findings]
        obs.text = (obs.text + "\n" if obs.text else "") + "\n".join(lines)
        obs.scorecard = card.model_dump(mode="json")
        if self.save_enabled:
            self.outcome = self._save(card)
        return obs

    def _internal_error(self, raw: Any, exc: Exception, size: int) -> Observation:
        from oncall.game.shift import Shift

        self.errors += 1
        error_id = new_error_id()
        log = log_error(self.home, error_id, f"shift command {raw!r:.300}", exc)
        entries = self.shift.record.entries[:size]
        restored = True
        try:
            fresh = Shift(self.seed, self.length, self.difficulty)
            for entry in entries:
                fresh.do(entry.command)
            self.shift = fresh
        except Exception as rebuild:
            log_error(self.home, new_error_id(), "rebuild of a shift", rebuild)
            restored = False
        verb = raw.get("do") if isinstance(raw, dict) else None
        obs = self._answer(f"{verb if isinstance(verb, str) else 'command'}: internal error "
                           f"{error_id} ({type(exc).__name__}); "
                           + ("nothing changed and the shift goes on" if restored
                              else "the shift goes on") + (f"; details in {log}" if log else ""))
        obs.data = {"error_id": error_id}
        return obs

    def _save(self, card: ShiftCard) -> SaveOutcome:
        from oncall.store.shifts import save_shift, shift_text

        record, refused = self.shift.record, self.refused.summary()
        return save_with_fallback(self.home,
                                  lambda home: save_shift(record, card, home, refused=refused),
                                  lambda: shift_text(record, card, refused=refused),
                                  f"Shift scored: {card.total:g}/{card.max}.")
