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

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.game.engine import Game
from oncall.game.record import Observation, Record
from oncall.store.errorlog import log_error, new_error_id

if TYPE_CHECKING:
    from oncall.content.scenario import Scenario
    from oncall.scoring.card import Scorecard
    from oncall.scoring.shift import ShiftCard

MAX_DEPTH = 32
"""Deepest nesting of a command; a real one is three levels deep."""
MAX_ERROR_CHARS = 2000
ECHO_KEEP = 60
"""Characters of a long quoted input kept when an error message echoes it."""
_LONG = ECHO_KEEP + 20
_QUOTED = re.compile(rf"'[^'\n]{{{_LONG},}}'|\"[^\"\n]{{{_LONG},}}\"")


@dataclass(frozen=True)
class SaveOutcome:
    """Where the finished incident went. `path` is None only if no file could be written; then
    `save_json` holds the whole save, so it can be pasted into a file and replayed."""

    path: Path | None
    fallback: bool = False
    reason: str = ""
    save_json: str | None = None

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
    if isinstance(verb, dict | list):
        return f'"do" names a command (a string such as "help"), got a JSON {_describe(verb)}'
    return _value_problem(raw, 1)


def refused(raw: Any) -> str | None:
    """Why `raw` is refused before the engine (see `command_problem`), or None."""
    try:
        return command_problem(raw)
    except RecursionError:
        return "the command is nested too deeply"


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
                 home: Path | None = None, save: bool = True) -> None:
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
                return self.refusal(problem)
            was_ended = self.game.ended
            size = len(self.game.record.entries)
            try:
                obs, card = self._step(self.game, raw)
            except Exception as exc:  # this is the error boundary
                return self._internal_error(raw, exc, size)
            if card is not None and not was_ended:
                self.card = card
                if self.save_enabled:
                    self.outcome = self._save()
            return obs

    def glance(self) -> dict[str, Any]:
        """The engine's read-only status, taken under the lock so it never sees a command half
        done (a screen reads it while a worker may be inside `do`)."""
        with self._lock:
            return self.game.glance()

    def abandon(self) -> SaveOutcome | None:
        """Leave the incident unfinished and keep it: the engine records the end (`abandon`),
        and `do` scores and saves it like any other ending. Nothing to keep before the first
        command; an ended incident was saved already."""
        with self._lock:
            if self.game.ended or not self.game.record.entries or self.outcome is not None:
                return self.outcome
            self.do({"do": "abandon"})
            return self.outcome

    def refusal(self, message: str) -> Observation:
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
        obs = self.refusal(message)
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
        return save_with_fallback(self.home, lambda home: save_incident(record, card, home),
                                  lambda: save_text(record, card))


def save_with_fallback(home: Path | None, write: Callable[[Path], Path],
                       text: Callable[[], str]) -> SaveOutcome:
    """Save to the home folder; failing that, to the fallback folder; failing that, keep the
    save's JSON on the outcome. Any failure falls back: nothing the player finished is lost."""
    from oncall.store.locations import fallback_dir, home_dir

    try:
        return SaveOutcome(write(home_dir(home)))
    except Exception as exc:
        reason = _reason(exc)
    try:
        return SaveOutcome(write(fallback_dir()), fallback=True, reason=reason)
    except Exception as exc:
        reason += f"; the fallback {fallback_dir()} failed too: {_reason(exc)}"
    try:
        json_text: str | None = text()
    except Exception as exc:
        json_text = None
        reason += f"; the record cannot be written as JSON: {_reason(exc)}"
    return SaveOutcome(None, fallback=True, reason=reason, save_json=json_text)


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
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return shorten(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, 300)


def _sweep(home: Path | None) -> None:
    """Start-up: remove temp files of saves whose writer was killed (never raises)."""
    try:
        from oncall.store.locations import fallback_dir, home_dir
        from oncall.store.saves import sweep

        sweep(home_dir(home))
        sweep(fallback_dir())
    except Exception:  # tidying must never stop a game
        pass


def replay(record: Record, scenario: Scenario) -> tuple[Record, Scorecard | None]:
    """Re-run a record's commands through a new session (nothing saved): the record it rebuilds
    and the card of the end, if it ended."""
    session = Session(scenario, record.seed, record.difficulty, save=False)
    for entry in record.entries:
        session.do(entry.command)
    return session.record, session.card


# -- a night shift -------------------------------------------------------------------------------
class ShiftSession:
    """One night shift behind the same error boundary as an incident: `do` never raises, an
    unexpected engine error rebuilds the shift from its record, and the end of the shift scores
    the record once and saves it (falling back to the temp folder, like an incident)."""

    def __init__(self, seed: int, length: int = 360, difficulty: str = "normal", *,
                 home: Path | None = None, save: bool = True) -> None:
        from oncall.game.shift import Shift

        self.seed, self.length, self.difficulty = seed, length, difficulty
        self.home = home
        self.save_enabled = save
        self.shift = Shift(seed, length, difficulty)
        self.card: ShiftCard | None = None
        self.outcome: SaveOutcome | None = None
        self.errors = 0
        self._lock = threading.RLock()

    @property
    def ended(self) -> bool:
        return self.shift.ended

    def start(self) -> Observation:
        return self.shift.start()

    def refusal(self, message: str) -> Observation:
        from oncall.sim.clock import hhmm

        message = shorten(message)
        return Observation(kind="error", ok=False, t=self.shift.now, clock=hhmm(self.shift.now),
                           error=message, text=message, valid=self.shift.available())

    def do(self, raw: Any) -> Observation:
        with self._lock:
            problem = refused(raw)
            if problem is not None:
                return self.refusal(problem)
            was_ended = self.shift.ended
            size = len(self.shift.record.entries)
            try:
                obs = self.shift.do(raw)
                if not obs.ok:
                    obs.text = shorten(obs.text)
                    obs.error = shorten(obs.error) if obs.error else obs.error
                if self.shift.ended and not was_ended:
                    self._score(obs)
            except Exception as exc:  # the error boundary
                return self._internal_error(raw, exc, size)
            return obs

    def abandon(self) -> SaveOutcome | None:
        """Leave the night where it stands and keep it (the shift records `abandon`, and `do`
        scores and saves it). Nothing to keep before the first command; an ended night was
        saved already."""
        with self._lock:
            if self.shift.ended or not self.shift.record.entries or self.outcome is not None:
                return self.outcome
            self.do({"do": "abandon"})
            return self.outcome

    def _score(self, obs: Observation) -> None:
        from oncall.scoring.shift import score_shift

        card = score_shift(self.shift.record)
        self.card = card
        lines = [f"Shift scored: {card.total:g}/{card.max}."]
        for s in card.sections:
            lines.append(f"{s.title}: {s.points:g}/{s.max}")
            lines += [f"  {f.name} {f.points:g}/{f.max}: {f.text}" for f in s.findings]
        obs.text = (obs.text + "\n" if obs.text else "") + "\n".join(lines)
        obs.scorecard = card.model_dump(mode="json")
        if self.save_enabled:
            self.outcome = self._save(card)

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
        obs = self.refusal(f"{verb if isinstance(verb, str) else 'command'}: internal error "
                           f"{error_id} ({type(exc).__name__}); "
                           + ("nothing changed and the shift goes on" if restored
                              else "the shift goes on") + (f"; details in {log}" if log else ""))
        obs.data = {"error_id": error_id}
        return obs

    def _save(self, card: ShiftCard) -> SaveOutcome:
        from oncall.store.shifts import save_shift, shift_text

        record = self.shift.record
        return save_with_fallback(self.home, lambda home: save_shift(record, card, home),
                                  lambda: shift_text(record, card))
