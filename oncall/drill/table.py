"""The drill's state: its log replayed through one game, the same at every seat.

A `Table` applies events in log order: a game verb goes to the game (through a `Session`, so an
engine error never breaks the replay), a drill verb (join, note, pause, resume, hint, inject)
changes only the drill. The game is deterministic, so every seat that has applied the same
events holds the same record, and that record is what the same commands give played alone.

A `Seat` is one player at the table: it checks a command against its role and the state it has
caught up to, appends it to the log, and catches up again (its own command included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.drill import roles
from oncall.drill.log import DrillInfo, DrillLog, Event
from oncall.game import commands as c
from oncall.game.record import Observation
from oncall.session import SaveOutcome, Session, refused, save_with_fallback
from oncall.sim.clock import hhmm

if TYPE_CHECKING:
    from oncall.content.scenario import Scenario
    from oncall.scoring.card import Scorecard

INJECTS = ("stakeholder", "page")
STAKEHOLDER_ASK = "what is the impact so far, and when is the next update?"
SEAT_VERBS = ("join",)


@dataclass(frozen=True)
class Moment:
    """A drill event at a minute of the game: a scribe's note, a hint, an injected event."""

    event: Event
    t: int
    text: str


@dataclass
class Table:
    info: DrillInfo
    scenario: Scenario
    session: Session = field(init=False)
    seq: int = 0
    paused: bool = False
    members: dict[str, str] = field(default_factory=dict)
    """who -> role, as they last joined."""
    authors: list[Event] = field(default_factory=list)
    """The event behind each entry of the game's record, in order."""
    notes: list[Moment] = field(default_factory=list)
    hints: list[Moment] = field(default_factory=list)
    injects: list[Moment] = field(default_factory=list)
    pauses: list[Moment] = field(default_factory=list)
    ended_by: Event | None = None

    def __post_init__(self) -> None:
        self.session = Session(self.scenario, self.info.seed, self.info.difficulty, save=False)

    @property
    def now(self) -> int:
        return self.session.game.now

    @property
    def card(self) -> Scorecard | None:
        return self.session.card

    def apply(self, ev: Event) -> Observation:
        """Apply the next event of the log; what it produced."""
        if ev.seq != self.seq + 1:
            raise ValueError(f"drill {self.info.id}: event {ev.seq} after {self.seq}")
        self.seq = ev.seq
        verb = ev.verb
        if verb in c.VERBS:
            size, was_ended = len(self.session.record.entries), self.session.ended
            obs = self.session.do(ev.command)
            if len(self.session.record.entries) > size:
                self.authors.append(ev)
            if self.session.ended and not was_ended:
                self.ended_by = ev
            return obs
        return self._drill_event(ev, verb)

    def _drill_event(self, ev: Event, verb: str) -> Observation:
        moment = lambda text: Moment(ev, self.now, text)  # noqa: E731
        if verb == "join":
            self.members[ev.who] = ev.role
            text = f"{ev.who} joined as {roles.TITLES.get(ev.role, ev.role)}"
        elif verb == "note":
            text = str(ev.command.get("text", ""))
            self.notes.append(moment(text))
        elif verb in ("pause", "resume"):
            self.paused = verb == "pause"
            text = ("The facilitator paused the drill: hands off until it resumes" if self.paused
                    else "The facilitator resumed the drill")
            self.pauses.append(moment(verb))
        elif verb == "hint":
            text = self._hint(len(self.hints))
            self.hints.append(moment(text))
        elif verb == "inject":
            text = self._inject(ev.command)
            self.injects.append(moment(text))
        else:
            text = f"(an event this version does not know: {verb!r:.40})"
        return Observation(kind="drill", t=self.now, clock=hhmm(self.now), text=text,
                           data={"event": verb})

    def _hint(self, n: int) -> str:
        a = self.session.record.answers
        ladder = [f"Hint: the alert that matters is {a.signal_alert}.",
                  f"Hint: it is a {a.category} fault.",
                  f"Hint: the evidence that proves it shows {', '.join(a.evidence)}.",
                  f"Hint: the cause is {a.cause} ({a.cause_name})."]
        return ladder[n] if n < len(ladder) else "No more hints: the key has been told."

    def _inject(self, command: dict[str, Any]) -> str:
        message = str(command.get("message") or "")
        if command.get("event") == "page":
            return "The page goes out again: " + self.session.page().text
        return f"A stakeholder asks: {message or STAKEHOLDER_ASK}"

    # -- checks before a command goes into the log -------------------------------------------
    def check(self, role: str, raw: Any) -> str | None:
        """Why `role` may not put `raw` into the log now, or None if it may."""
        problem = refused(raw)
        if problem is not None:
            return problem
        verb = raw.get("do")
        problem = roles.refusal(role, verb)
        if problem is not None:
            return problem
        if self.paused and role != roles.FACILITATOR and verb not in roles.EVERYONE:
            return f"{verb}: the facilitator paused the drill; wait until it resumes"
        if verb in c.VERBS:
            if self.session.ended:
                return (f"{verb}: the incident has ended, so the record is final; "
                        f"`oncall drill story {self.info.id}` tells who did what")
            try:
                c.parse(raw, self.session.phase)  # type: ignore[arg-type]
            except c.CommandError as exc:
                return str(exc)
            return None
        return _drill_problem(verb, raw)


def _drill_problem(verb: str, raw: dict[str, Any]) -> str | None:
    allowed = {"note": {"text"}, "inject": {"event", "message"}}.get(verb, set()) | {"do"}
    extra = sorted(set(raw) - allowed)
    if extra:
        return f"{verb}: {extra[0]}: unknown argument"
    if verb == "note" and not (isinstance(raw.get("text"), str) and raw["text"].strip()):
        return "note: text: required (what happened, for the timeline)"
    if verb == "inject":
        event = raw.get("event", "stakeholder")
        if event not in INJECTS:
            return f"inject: event: must be one of: {', '.join(INJECTS)}, got {event!r:.40}"
        if not isinstance(raw.get("message", ""), str):
            return "inject: message: must be text"
    return None


class Seat:
    """One player at the drill: who, in which role, with the table caught up from the log."""

    def __init__(self, log: DrillLog, info: DrillInfo, scenario: Scenario, who: str,
                 role: str) -> None:
        if role not in roles.ROLES:
            raise ValueError(f"--role: {role!r} is not a role; one of: {', '.join(roles.ROLES)}")
        if not who.strip():
            raise ValueError("--name: give a name the others will see")
        self.log, self.who, self.role = log, who.strip(), role
        self.table = Table(info, scenario)

    @property
    def drill(self) -> str:
        return self.table.info.id

    def catch_up(self) -> list[tuple[Event, Observation]]:
        """Apply every event appended since the last catch-up."""
        return [(ev, self.table.apply(ev)) for ev in self.log.events(self.drill, self.table.seq)]

    def join(self) -> list[tuple[Event, Observation]]:
        self.log.append(self.drill, self.who, self.role, {"do": "join"})
        return self.catch_up()

    def issue(self, raw: Any) -> tuple[str | None, Event | None, list[tuple[Event, Observation]]]:
        """Check, append and catch up: (why it was refused or None, its event, what happened
        since the last catch-up, its own answer included)."""
        seen = self.catch_up()
        problem = self.table.check(self.role, raw)
        if problem is not None:
            return problem, None, seen
        ev = self.log.append(self.drill, self.who, self.role, raw)
        return None, ev, seen + self.catch_up()

    def save(self, home: Path | None) -> SaveOutcome:
        """Save the ended drill's record like a solo incident: `oncall replay` and `oncall
        story` read it. Any seat may, and more than one may: the first write wins."""
        return save_drill(self.table, home)


def save_path(table: Table, home: Path) -> Path:
    """Where a drill's record is saved under a home: one file per drill, named by its id."""
    from oncall.store.locations import incidents_dir
    from oncall.store.saves import save_stem

    return incidents_dir(home) / f"{save_stem(table.session.record)}-{table.info.id}.json"


def save_drill(table: Table, home: Path | None) -> SaveOutcome:
    """Save the record of an ended drill, rebuilt from its log, once per home: a seat that sees
    the end saves it, and so does `oncall drill save` or a later join, so the record survives the
    seat that ended the incident dying before it could. A second save finds the first (the file
    is written only if it does not exist) and says where it is."""
    from oncall.store.jsonio import write_new
    from oncall.store.saves import save_text

    session = table.session
    record, card = session.record, session.card
    if card is None:
        raise ValueError(f"drill {table.info.id}: the incident has not ended, so there is no "
                         "record to save yet")

    def write(folder: Path) -> Path:
        path = save_path(table, folder)
        write_new(path, save_text(record, card))  # False: a seat saved it first
        return path

    session.outcome = save_with_fallback(home, write, lambda: save_text(record, card))
    return session.outcome
