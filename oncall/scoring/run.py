"""Views over a record that several rubric sections share.

Everything here is derived from the record alone, so each section reads the run the same way:
which commands were investigation, which observation an evidence id points at, which answer-key
move an intervention matches.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, NamedTuple

from oncall.content.scenario import Move
from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import AlertFact, Entry, IncidentFact, Intervened, Observation, Record
from oncall.scoring.text import says_something
from oncall.sim.clock import hhmm

INTERVENTION_VERBS = ("rollback", "hotfix", "escalate")
SPRAY = 3
"""Teams paged on one incident from which an escalation is a spray rather than a choice."""
FOLLOW_UP = re.compile(r"working hours|business hours|office hours|tomorrow|in the morning|"
                       r"next (?:business |working )?day|follow[- ]?up|not urgent|no rush|"
                       r"when you(?:'re| are) in|during the day", re.IGNORECASE)
"""What an escalation says when it asks for daytime follow-up rather than help tonight."""


def _move(raw: dict[str, Any]) -> Move:
    return Move.model_validate({k: v for k, v in raw.items() if k in Move.model_fields})


def describe(command: dict[str, Any]) -> str:
    """`rollback fraud-scorer`, `hotfix apply_unit_conversion on fraud-scorer`, `escalate to X`."""
    verb = str(command.get("do", "?"))
    if verb == "escalate":
        return f"escalate to {command.get('team') or '?'}"
    if verb == "hotfix":
        where = f" on {command['model']}" if command.get("model") else ""
        return f"hotfix {command.get('fix') or '?'}{where}"
    return f"{verb} {command['model']}" if command.get("model") else verb


class MoveMatch(NamedTuple):
    move: Move
    right: bool


class Run:
    """A record plus the indexes the rubric needs; built once per `score` call."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.facts = record.facts
        self.answers = record.answers
        self.page_at = record.facts.page_at
        self.target = record.facts.target_model
        others = [r for i in self.extra_incidents for r in i.remediations]
        if others:  # what fits any of the night's incidents fits the night's postmortem
            self.answers = record.answers.model_copy(update={"remediations": list(
                dict.fromkeys([*record.answers.remediations, *others]))})
        self.right = [_move(m) for m in record.answers.right]
        self.wrong = [_move(m) for m in record.answers.wrong]

    # -- observations ------------------------------------------------------------------------
    @cached_property
    def observations(self) -> dict[str, Observation]:
        return {e.observation.id: e.observation for e in self.record.entries if e.observation.id}

    @cached_property
    def investigations(self) -> list[Entry]:
        """Successful looks at the world (the engine's INVESTIGATIONS), in order."""
        return [e for e in self.record.entries
                if e.observation.ok and e.command.get("do") in INVESTIGATIONS]

    def started(self, entry: Entry) -> int:
        """When a command was issued: observations are stamped after their cost was paid."""
        return entry.observation.t - entry.observation.cost

    def looked_at(self, model: str, before: int | None = None, *, shown: bool = False) -> bool:
        """Whether an investigation of `model` (one that showed a fault signal, with `shown`)
        started at or before `before` (any time when None)."""
        return any(e.command.get("model") == model and (e.observation.signals or not shown)
                   and (before is None or self.started(e) <= before)
                   for e in self.investigations)

    def informed(self, iv: Intervened) -> bool:
        """A move made after some observation had shown a sign of the fault; for an escalation,
        also one that says something (a bare "help" asks a team to start from nothing)."""
        if iv.evidence_before <= 0:
            return False
        return iv.kind != "escalate" or says_something(str(iv.command.get("message") or ""))

    def grounded(self, t: int | None) -> bool:
        """Whether a look at a model with a real incident had shown a sign of the fault by `t`
        (its answer was on the screen): a claim made before any such look is a guess."""
        models = self.incident_models()
        return t is not None and any(
            e.command.get("model") in models and e.observation.signals and e.observation.t <= t
            for e in self.investigations)

    def acked_in_time(self) -> bool:
        """Acknowledged before the page went on to the secondary: an acknowledgement after the
        secondary was woken owns nothing."""
        return self.facts.acked_at is not None and not self.facts.paged_unacked_escalated

    def on_target(self, iv: Intervened) -> bool:
        model = iv.command.get("model")
        return model is None or model == self.target

    def landed_late(self, iv: Intervened) -> bool:
        """A fix on the target that landed after the fault had already stopped (a team's
        answer arriving after a fix of the player's own): it found nothing left to fix."""
        stopped = self.facts.mitigated_at
        return iv.effect == "fixes" and stopped is not None and iv.effective_at > stopped \
            and self.on_target(iv)

    def mitigator(self) -> Intervened | None:
        """The move that stopped the fault: of the fixes, the one that landed first (on a tie,
        the one made first); None when no move fixed it."""
        fixed = [iv for iv in self.interventions
                 if iv.effect == "fixes" and not self.landed_late(iv)]
        return min(fixed, key=lambda iv: iv.effective_at, default=None)

    def follow_ups(self) -> list[Intervened]:
        """On a control, escalations about the target that ask for working-hours follow-up: the
        same decision as a ticket, carried by another verb."""
        if not self.answers.control:
            return []
        return [i for i in self.escalations() if self.on_target(i)
                and FOLLOW_UP.search(str(i.command.get("message") or ""))]

    def control_tickets(self) -> list[tuple[int, str]]:
        """When and how the signal alert was handed to daytime work on a control: a ticket on
        the target, or an escalation asking for working-hours follow-up; earliest first."""
        signal = self.answers.signal_alert
        out = [(int(t["t"]), f"ticketed {signal}") for t in self.facts.tickets
               if t.get("alert") == signal and t.get("model") in (None, self.target)]
        out += [(i.t, f"asked {i.command.get('team')} for working-hours follow-up")
                for i in self.follow_ups()]
        return sorted(out)

    def decision_at(self) -> int | None:
        """When a decision about the incident was stated: a ticket on the target, or a diagnosis
        that names a cause with nothing to fix (a control's "no fault")."""
        times = [int(t["t"]) for t in self.facts.tickets
                 if t.get("model") in (None, self.target) and "t" in t]
        dx = self.facts.diagnosis
        if dx and str(dx.get("cause", "")).startswith("N") and self.facts.diagnosis_at is not None:
            times.append(self.facts.diagnosis_at)
        times += [i.t for i in self.follow_ups()]
        return min(times, default=None)

    def restraint(self) -> str | None:
        """Why holding back is not yet a decision (None when it is one): the page acknowledged
        before it went to the secondary, the target looked at, and then a ticket or a "no fault"
        diagnosis stated."""
        if not self.acked_in_time():
            return "the page was not acknowledged before it went to the secondary"
        if not self.looked_at(self.target):
            return f"nothing about {self.target} was looked at"
        at = self.decision_at()
        if at is None:
            return "no ticket or \"no fault\" diagnosis stated a decision"
        if not self.looked_at(self.target, at):
            return f"the decision at {self.at(at)} came before any look at {self.target}"
        return None

    def stated_cause(self, t: int) -> str | None:
        """The cause the player's diagnosis of the first page named at minute `t` (the latest
        one stated by then), or None before any."""
        said = None
        for e in self.record.entries:
            c = e.command
            if (c.get("do") == "diagnose" and e.observation.ok and e.observation.t <= t
                    and c.get("incident") in (None, "main")):
                said = str(c.get("cause") or "")
        return said

    def sprayed(self) -> bool:
        """Escalated to SPRAY teams or more: asking everyone is not a decision."""
        return len(self.teams_escalated()) >= SPRAY

    def cited(self) -> list[str]:
        if not self.facts.diagnosis:
            return []
        return [str(i) for i in self.facts.diagnosis.get("evidence", [])]

    # -- several incidents ---------------------------------------------------------------------
    @cached_property
    def extra_incidents(self) -> list[IncidentFact]:
        """The night's other real incidents, beside the one the first page is about."""
        return [i for i in self.facts.incidents if i.id != "main" and i.model != self.target]

    def incident_models(self) -> set[str]:
        """Every model with a real incident tonight: a move there is never noise chasing."""
        return {self.target, *(i.model for i in self.extra_incidents)}

    @cached_property
    def off_target(self) -> list[Intervened]:
        """Rollbacks, hotfixes and escalations aimed at a model with no incident tonight."""
        models = self.incident_models()
        return [i for i in self.interventions
                if i.command.get("model") and str(i.command.get("model")) not in models]

    # -- alerts ------------------------------------------------------------------------------
    @cached_property
    def signal_alert(self) -> AlertFact | None:
        for a in self.facts.page_alerts + self.facts.noise_alerts:
            if a.rule == self.answers.signal_alert and a.model == self.target:
                return a
        for a in self.facts.page_alerts:
            if a.rule == self.answers.signal_alert:
                return a
        return None

    @cached_property
    def paging_alert(self) -> AlertFact | None:
        """The alert that woke the player: the earliest page, the signal alert on a tie."""
        if not self.facts.page_alerts:
            return None
        return min(self.facts.page_alerts,
                   key=lambda a: (a.fired_at, a.rule != self.answers.signal_alert))

    # -- interventions -----------------------------------------------------------------------
    @property
    def interventions(self) -> list[Intervened]:
        return self.facts.interventions

    def match(self, command: dict[str, Any]) -> MoveMatch | None:
        """Right moves win over wrong ones when a loose wrong move would match both."""
        for m in self.right:
            if m.matches(command):
                return MoveMatch(m, True)
        for m in self.wrong:
            if m.matches(command):
                return MoveMatch(m, False)
        return None

    def escalations(self) -> list[Intervened]:
        return [i for i in self.interventions if i.kind == "escalate"]

    def teams_escalated(self) -> list[str]:
        seen: list[str] = []
        for i in self.escalations():
            team = str(i.command.get("team", ""))
            if team and team not in seen:
                seen.append(team)
        return seen

    # -- time --------------------------------------------------------------------------------
    def since_page(self, t: int | None) -> int | None:
        return None if t is None else t - self.page_at

    def mitigated_by_player(self) -> bool:
        return self.facts.mitigated_at is not None and not self.facts.handed_over

    def end(self) -> int:
        """The last minute the run accounts for: resolution, else the last observation."""
        if self.facts.resolved_at is not None:
            return self.facts.resolved_at
        return self.end_of_record()

    def end_of_record(self) -> int:
        return max((e.observation.t for e in self.record.entries), default=self.page_at)

    @staticmethod
    def at(t: int) -> str:
        return hhmm(t)
