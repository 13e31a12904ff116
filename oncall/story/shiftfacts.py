"""One incident of a night shift, with only its own facts.

A shift's game record keeps one diagnosis, one severity and one list of updates for the whole
night; a story that reads those for one incident credits it with another's work. Here each
incident gets what belongs to it: its page and acknowledgement, the severity declared and the
updates posted from its page to its resolution (an update naming another page belongs to that
page), the looks at its model, its own diagnosis and moves, and its outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import AlertFact, Entry, Intervened
from oncall.game.shiftrecord import Item, PageFact, ShiftRecord, left_at
from oncall.sim.clock import hhmm
from oncall.story.clauses import move_noun


@dataclass
class ShiftIncident:
    item: Item
    page: PageFact
    model: str
    opened_at: int
    until: int
    severity: int | None = None
    severity_at: int | None = None
    updates: list[int] = field(default_factory=list)
    looks: list[Entry] = field(default_factory=list)
    diagnosis: dict[str, Any] | None = None
    diagnosis_at: int | None = None
    moves: list[Intervened] = field(default_factory=list)
    fired_at: int | None = None
    """When the alert that opened the page fired (`fired`); the page reached the player later,
    at `opened_at`."""
    alert: AlertFact | None = None
    """That alert as it paged (its value against its threshold), when the record holds it."""

    @property
    def acked_at(self) -> int | None:
        return self.page.acked_at

    @property
    def done_at(self) -> int | None:
        return self.item.done_at if self.item.outcome in ("mitigated", "handed over") else None

    @property
    def fixer(self) -> Intervened | None:
        """The move that stopped the fault, by the rule the scorecard uses (`Run.mitigator`): of
        the fixes, the one that landed first (on a tie, the one made first), never one that
        landed after the incident was mitigated; None when it was not mitigated or no move of
        its own stopped it. A team's fix still on its way when the player's own landed did not
        stop it, whichever move was made first."""
        if self.item.outcome != "mitigated":
            return None
        fixes = [iv for iv in self.moves if iv.effect == "fixes"
                 and (self.done_at is None or iv.effective_at <= self.done_at)]
        return min(fixes, key=lambda iv: iv.effective_at, default=None)

    @property
    def handled(self) -> bool:
        """Whether the player handled it: acknowledged its page, or made a move or a diagnosis
        of their own on it. One the secondary on-call took over from an unanswered page was
        not handled, and no story tells it as if it were."""
        return self.acked_at is not None or bool(self.moves) or self.diagnosis is not None

    @property
    def minutes(self) -> set[int]:
        """Every minute a sentence about this incident may name."""
        out = {self.opened_at, self.item.arrives_at}
        out |= {self.fired_at} if self.fired_at is not None else set()
        out |= {t for t in (self.acked_at, self.item.taken_at, self.item.done_at,
                            self.severity_at, self.diagnosis_at) if t is not None}
        out |= set(self.updates)
        out |= {e.observation.t for e in self.looks} | \
               {e.observation.t - e.observation.cost for e in self.looks}
        out |= {iv.t for iv in self.moves} | {iv.effective_at for iv in self.moves}
        return out


def fired(rec: ShiftRecord, page: PageFact) -> tuple[int | None, AlertFact | None]:
    """When the alert that opened `page` (its first) fired, and that alert's fact (its value
    against its threshold) when the game record holds that firing; (None, None) when the
    record holds neither. A page reaches the player after its alert fires (Alertmanager's group
    wait), so the page's own time is not when anything fired."""
    if not page.alerts:
        return None, None
    rule = page.alerts[0]
    seen = [int(ev["t"]) for e in rec.entries for ev in e.observation.events
            if ev.get("kind") == "alert" and ev.get("rule") == rule
            and ev.get("model") == page.model and int(ev["t"]) <= page.opened_at]
    fact = next((a for a in rec.game.facts.page_alerts + rec.game.facts.noise_alerts
                 if a.model == page.model and a.rule == rule and a.fired_at <= page.opened_at
                 and (not seen or a.fired_at == max(seen))), None)
    if seen:
        return max(seen), fact
    return (fact.fired_at, fact) if fact is not None else (None, None)


@dataclass(frozen=True)
class Worked:
    """The span of the night the player worked: from its start to `stop`, the minute they left
    it (`how`: `abandoned`, the record stops there; `end`, off the pager while the night ran on
    unanswered) or the shift's `end` (`how` None). A story tells this span, never the shift's
    planned one."""

    start: int
    end: int
    stop: int
    how: str | None

    def left(self, say: Callable[[int], str] = hhmm) -> str:
        """How the player left early (`I abandoned the night at 01:23`, `I went off the pager
        at 01:23`; `say` says the minute); "" when they worked the night to its end."""
        return {"abandoned": f"I abandoned the night at {say(self.stop)}",
                "end": f"I went off the pager at {say(self.stop)}"}.get(str(self.how), "")

    def until(self, say: Callable[[int], str] = hhmm) -> str:
        """When the worked span ended, as a clause: `when I abandoned the night at 01:23`."""
        return f"when {self.left(say)}" if self.how else "when the shift ended"

    def on_pager(self, t: int) -> bool:
        """Whether minute t fell while the player was on the pager (an abandoned record holds
        nothing after it stopped; off the pager, the night ran on without them)."""
        return t <= self.stop if self.how != "end" else t < self.stop

    def arrived(self, rec: ShiftRecord) -> list[Item]:
        """The queue's items that reached the player while they were on the pager."""
        return [it for it in rec.facts.items if it.arrived and self.on_pager(it.arrives_at)]


def worked(rec: ShiftRecord) -> Worked:
    f = rec.facts
    left = left_at(rec)
    return Worked(f.start, f.end, f.end, None) if left is None else \
        Worked(f.start, f.end, left[0], left[1])


def open_at(incs: list[ShiftIncident], t: int) -> list[ShiftIncident]:
    """The incidents open at minute t: paged by then, not yet mitigated or handed over."""
    return [inc for inc in incs if inc.opened_at <= t < inc.until]


def _pages_named(text: str) -> set[str]:
    return set(re.findall(r"\bp\d+\b", text))


def incidents(rec: ShiftRecord) -> list[ShiftIncident]:
    """The night's incidents in page order, each with its own facts."""
    out: list[ShiftIncident] = []
    pages = {p.id: p for p in rec.facts.pages}
    items = sorted((it for it in rec.facts.items if it.kind == "incident" and it.page in pages),
                   key=lambda it: pages[str(it.page)].opened_at)
    end = rec.facts.ended_at or rec.facts.end
    for n, it in enumerate(items):
        page = pages[str(it.page)]
        nxt = pages[str(items[n + 1].page)].opened_at if n + 1 < len(items) else end
        until = it.done_at if it.done_at is not None else end
        resolved = rec.game.facts.resolved(it.incident)  # an update is its own until then:
        told = resolved if resolved is not None else end  # 'the fix is in, watching' is one
        inc = ShiftIncident(item=it, page=page, model=it.model, opened_at=page.opened_at,
                            until=until)
        inc.fired_at, inc.alert = fired(rec, page)
        for e in rec.entries:
            c, o = e.command, e.observation
            if not o.ok:
                continue
            t = o.t
            do = c.get("do")
            if do in INVESTIGATIONS and c.get("model") == it.model and \
                    page.opened_at - 30 <= t <= until:
                inc.looks.append(e)
            elif do == "severity" and page.opened_at <= t <= min(until, nxt) \
                    and inc.severity is None:
                inc.severity, inc.severity_at = int(c["level"]), t
            elif do == "update":
                named = _pages_named(str(c.get("message", "")))
                if page.id in named or (not named and page.opened_at <= t <= min(told, nxt)):
                    inc.updates.append(t)
        # The diagnosis the game recorded on this incident (one naming no incident is the
        # first's), whenever it was made: one truth with the engine, none by time window.
        inc.diagnosis, inc.diagnosis_at = rec.game.facts.diagnosed(it.incident)
        inc.moves = [iv for iv in rec.game.facts.interventions
                     if (iv.command.get("model") == it.model
                         or (it.incident and iv.command.get("incident") == it.incident))
                     and iv.t >= page.opened_at - 30]
        out.append(inc)
    return out


REQUESTS = ("deploy", "canary")
"""The requests a trade-off story weighs: a release held, promoted or let pass its deadline."""


def absent(rec: ShiftRecord, kind: str) -> str:
    """Why the night tells no story of `kind` (a written kind or a spoken question), said from
    what the record holds: a push back nobody answered is told as unanswered, never as
    "nothing of the kind happened"."""
    span = worked(rec)
    arrived = span.arrived(rec)
    incs = incidents(rec)
    if kind == "incident" and incs:  # none of them handled
        inc = incs[0]
        if not span.on_pager(inc.opened_at):
            return (f"the incident on {inc.model} paged at {hhmm(inc.opened_at)}, after "
                    f"{span.left()}, and nobody answered it.")
        return (f"the incident on {inc.model} paged me at {hhmm(inc.opened_at)} and I never "
                "acknowledged it or acted on it" + (f" before {span.left()}." if span.how
                                                    else ", so it is not one I handled."))
    if kind == "incident" or (kind == "learned" and not incs):
        return "no incident paged me this night" + (f" before {span.left()}." if span.how
                                                    else ".")
    if kind in ("priorities", "prioritisation"):
        n = len(arrived)
        return ("nothing reached the queue this night." if n == 0 else
                "only one item reached the queue this night, so nothing had to wait for "
                "another.")
    if kind == "disagreement":
        talks = rec.facts.conversations
        if not talks:
            return "no colleague pushed back or asked me for anything this night."
        cv = talks[0]
        how = (f"pushed back on my {move_noun(cv.held.get('do'))} of {cv.model}" if cv.held else
               f"wrote to me about {cv.model}")
        more = (f" ({len(talks) - 1} other colleague{'s' if len(talks) > 2 else ''} wrote as "
                "well, and none got an answer either)" if len(talks) > 1 else "")
        return (f"{cv.person}, the {cv.role} ({cv.team}), {how} at {hhmm(cv.opened_at)}, and "
                f"it went unanswered: I never replied, agreed, overruled or deferred{more}.")
    if kind == "tradeoff":
        asks = [it for it in arrived if it.kind in REQUESTS]
        if not asks:
            return "no release request reached me this night."
        it = next((x for x in asks if x.outcome is None), None)
        if it is None:
            return "no release request was promoted, held or let pass its deadline."
        return (f"the {it.kind} request on {it.model} arrived at {hhmm(it.arrives_at)} and was "
                f"still undecided {span.until() if span.how else 'when the night ended'} (its "
                f"deadline was {hhmm(it.deadline)}).")
    if kind == "learned":
        return ("the record shows no mistake of mine on its incidents, and every request was "
                "decided before its deadline.")
    return "nothing of the kind happened."
