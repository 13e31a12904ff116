"""A night shift's temperament and prioritisation, scored from its record alone.

Every finding says what happened with numbers and cites the moments of the record it rests on
(the entry number, the simulated time, what was done), so a player can look each one up.

A point needs a decision the record shows. A finding with nothing of the player's to judge (no
page came before the night was abandoned, no move was made, no colleague was answered) earns
nothing and says so, and the absence of a bad act earns points only where the player acted
(thrash needs a move, overrule an answer, focus work on the incident, rest noise settled,
passivity a decision). The same judgement scores the same whatever verb carries it (a real
page muted by a silence or filed by a ticket; noise settled by a silence, a ticket or an
acknowledgement; a colleague's request settled by the right call, made with data, by `agree`,
`reply`, `overrule` or `defer`). What a page was is the world's answer (`queue_kind`, the
key's gates), never re-derived here. The card's `ending` says how the night ended: on the
pager to its end, left early (off the pager, with the night running on unanswered; or
abandoned, judged up to then) or still running.

Temperament (110):
- ack (10): each page acknowledged within 5 minutes earns its share; linear to 0 at 15. A page
  left unacknowledged when the record stops less than 5 minutes after it is not yet due and
  earns nothing (it once earned its full share).
- severity (10): a severity declared for the night's incidents; 10 within one level of the
  incidents' worst answer-key level, 4 further off, 0 never.
- updates (10): while an incident is open (from each page to its mitigation; idle stretches
  between incidents do not count), one update per 30 minutes (SEV-1/2) or per 60 (SEV-3+); the
  share posted.
- thrash (10): each rollback or hotfix with no new look at any tool since the previous one costs
  4; no move at all (rollback, hotfix or escalation) earns 0.
- evidence (10): the share of moves on incidents (rollback, hotfix, escalation) made after an
  observation of that model showed the fault; nothing done about any incident earns 0.
- passivity (25): each passive act costs 8: an escalation before looking at the model, a
  deferral of a move held on an incident still open (deferring a request is a decision about
  priorities, not passivity), a rollback of the fault's version given up on a model owner's
  word, a silence or ticket on a model while a real page's cause was live there (a shipped
  regression, an open incident), a page never acknowledged, a paged incident with no move of
  the player's, a request left to miss its deadline, a colleague never answered. No decision
  at all earns 0.
- releases (10): each release or canary promoted past a gate the key says caught a real
  regression costs 10. It is its own line, not a passive act: under passivity's floor of 0 a
  night with four passive acts already shipped a regression for nothing. It earns only on a
  night with a release or canary decided (promoted or held): no decision, nothing to credit.
- escalation (15): each incident earns its share when shared with a team after looking, or, below
  SEV-2 in the answer key, handled with the player's own moves; escalating before looking is a
  reflex and never sharing a SEV-1/2 incident is lone-hero work, both 0.
- rest (10): the share of the night's noise settled (silenced, ticketed or acknowledged); each
  extra look at a noisy model costs 3 and each rollback or hotfix there 5. A model a release of
  the night was promoted on is not noisy: what pages there is the release's doing.

With no incident paged, the findings about pages and incidents (ack, severity, updates,
escalation, focus) earn their points on a night not abandoned only by the player's own moves on
the night's incident before its page, after a look that showed the fault there; otherwise
nothing (a night abandoned before the page has nothing to judge).

Collaboration (30):
- data (15): the share of the conversations colleagues opened (answered or not) settled by the
  right call made with data, whatever verb carried it. The right call is the key's: a release
  or canary promoted when its gate was a false alarm (only `agree` promotes), held when it
  caught a real regression or while an incident burned; a feature request put off to working
  hours (`reply`, `overrule` or `defer`); a held rollback or escalation let go ahead when the
  incident's key has that move right (or the rollback takes back a regression the night
  shipped), called off when not. With data: a reply that convinced the colleague, or an answer
  given after reading what the call rests on (the request's gate report; a look that showed
  the burning incident's fault; for a feature request the request read or any look; for a
  held move a look at the model, one that showed the fault to let it go ahead). A wrong call
  earns nothing however well it was argued; a right one with nothing read first (a feature
  request put off unread, the pager's status all that was seen) was decided blind.
- overrule (15): each colleague overruled before any reply with data costs 5; no colleague
  answered earns 0.

Prioritisation (100):
- order (50): each request worked (its first `take` or answer other than a deferral) while a
  higher-priority item waited or an incident was still unmitigated is an inversion, quoted at
  the minute it was worked; the share of takes without one. No request taken: 0.
- deadlines (30): the share of deadlines met: pages acknowledged within 5 minutes, releases and
  canaries decided before their deadline; one that fell due after the record stops (an
  abandoned night) is neither met nor missed; nothing due: 0.
- focus (20): the share of paged incidents the player worked on while they burned (an
  acknowledgement, a look, a move, a diagnosis, a severity or an update), less lower-priority
  work meanwhile: a feature built (-10), a release promoted (-10), a look at a noisy model (-2
  each).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from oncall.game.commands import ACK_TARGET_MIN, INVESTIGATIONS
from oncall.game.record import Entry
from oncall.game.shiftrecord import (
    Conversation,
    Item,
    Said,
    ShiftRecord,
    left_at,
    queue_kind,
)
from oncall.sim.clock import hhmm
from oncall.sim.fields import empty_list

ACK_TARGET, ACK_ZERO = ACK_TARGET_MIN, 15
PASSIVE_COST = 8
HIGH_RISK = ("rollback", "hotfix")
DECISIONS = ("ack", "reply", "agree", "overrule", "defer", "silence", "ticket", "rollback",
             "hotfix", "escalate", "severity", "update", "diagnose", "resolve")
"""The verbs that decide something (a look or a wait decides nothing)."""


class _Card(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Moment(_Card):
    entry: int | None = Field(description="index of the record entry (None: a fact of the "
                              "night, not a command)")
    t: int
    clock: str
    what: str


class Finding(_Card):
    name: str
    points: float
    max: int
    text: str
    moments: list[Moment] = Field(default_factory=empty_list)


class ShiftSection(_Card):
    name: str
    title: str
    points: float
    max: int
    findings: list[Finding]


class ShiftCard(_Card):
    sections: list[ShiftSection]
    total: float
    max: int
    ending: str = Field("", description="how the night ended: on the pager to its end, left "
                        "early (off the pager, or abandoned) or scored while still running")

    def section(self, name: str) -> ShiftSection:
        return next(s for s in self.sections if s.name == name)


class _Night:
    """The record read once: entries by kind, items, incidents, noise models."""

    def __init__(self, rec: ShiftRecord) -> None:
        self.rec = rec
        self.f = rec.facts
        self.g = rec.game.facts
        self.entries = list(enumerate(rec.entries))
        self.incident_models = {k.model for k in rec.key.incidents}
        self.keys = {k.id: k for k in rec.key.incidents}
        self.paged = [it for it in self.f.items if it.kind == "incident"]
        # A page on a model a release of the night was promoted on is that release's doing, not
        # noise: a look there, or a rollback, is tending to it.
        self.noise_models = {it.model for it in self.f.items if it.kind == "noise"} - \
            self.incident_models - {str(p["model"]) for p in self.f.promoted}
        self.stop = self.f.ended_at if self.f.ended_at is not None else self.f.end
        self.left = left_at(rec)
        abandoned = self.f.abandoned_at
        self.cut = "" if abandoned is None or abandoned >= self.f.end else \
            f" before the night was abandoned at {hhmm(abandoned)}"
        """Said of what never came: an abandoned record ends where the player left it."""
        self.decisions = [(i, e) for i, e in self.entries if e.observation.ok
                          and e.command.get("do") in DECISIONS]

    def moment(self, i: int, what: str | None = None) -> Moment:
        e = self.rec.entries[i]
        return Moment(entry=i, t=e.observation.t, clock=e.observation.clock,
                      what=what or _say(e))

    @staticmethod
    def fact(t: int, what: str) -> Moment:
        return Moment(entry=None, t=t, clock=hhmm(t), what=what)

    def looks(self) -> list[tuple[int, Entry]]:
        return [(i, e) for i, e in self.entries if e.command.get("do") in INVESTIGATIONS
                and e.observation.ok]

    def moves(self) -> list[tuple[int, Entry, dict[str, Any]]]:
        """Every move that reached the world (a held move counts when it went ahead)."""
        out = []
        for i, e in self.entries:
            o = e.observation
            if not o.ok:
                continue
            if o.kind in ("rollback", "hotfix", "escalate"):
                out.append((i, e, e.command))
            elif o.data.get("effect") == "proceed" and "result" in o.data:
                conv = next(cv for cv in self.f.conversations
                            if cv.id == o.data["conversation"])
                if conv.held is not None:
                    out.append((i, e, conv.held))
        return out

    def model_of(self, cmd: dict[str, Any]) -> str | None:
        if cmd.get("model"):
            return str(cmd["model"])
        inc = cmd.get("incident")
        if inc in self.keys:
            return self.keys[inc].model
        return None

    def shown_before(self, model: str, index: int) -> bool:
        return any(i < index and e.observation.signals and e.command.get("model") == model
                   for i, e in self.looks())

    def looked_before(self, model: str, index: int) -> bool:
        return any(i < index and e.command.get("model") == model for i, e in self.looks())

    def incident_open(self, t: int) -> Item | None:
        return next((it for it in self.paged if it.arrives_at <= t and
                     (it.done_at is None or it.done_at > t)), None)


def _ending(n: _Night) -> str:
    f = n.f
    if n.left is not None:
        at, how = n.left
        if how == "abandoned":
            return (f"Abandoned at {hhmm(at)}, {f.end - at} min before the shift's end at "
                    f"{hhmm(f.end)}: judged on the record up to then.")
        return (f"Went off the pager at {hhmm(at)}, {f.end - at} min before the shift's end at "
                f"{hhmm(f.end)}; the night ran on with nobody answering, and what came "
                "meanwhile was left undone.")
    if not n.rec.ended:
        now = n.rec.entries[-1].observation.t if n.rec.entries else f.start
        return f"Scored at {hhmm(now)} with the shift still running."
    return f"On the pager for the whole shift, {hhmm(f.start)} to {hhmm(f.end)}."


def _unpaged(n: _Night, name: str, top: int, what: str, subject: str = "No incident") -> Finding:
    """A finding about pages or incidents on a night where none paged. A point needs a decision
    the record shows: a night worked to its end without an incident's page earns it only by the
    player's own moves on the night's incident before any page, made after a look that showed
    the fault there (a blind move that happened to land is no judgement); otherwise (the night
    abandoned before the page) there is nothing to judge and nothing is earned."""
    early = [(i, cmd) for i, _, cmd in n.moves() if n.model_of(cmd) in n.incident_models
             and n.shown_before(str(n.model_of(cmd)), i)]
    if not n.cut and early:
        models = _and(list(dict.fromkeys(str(n.model_of(cmd)) for _, cmd in early)))
        return Finding(name=name, points=top, max=top, moments=[n.moment(early[0][0])],
                       text=f"{subject} paged all night: your move(s) on {models}, the "
                            "night's incident, came before its page, after a look that showed "
                            "the fault.")
    return Finding(name=name, points=0, max=top,
                   text=f"{subject} paged{n.cut or ' all night'}: {what}.")


def _say(e: Entry) -> str:
    cmd = e.command
    args = " ".join(f"{k}={v}" for k, v in sorted(cmd.items())  # as saves store them
                    if k not in ("do", "message", "evidence"))
    return f"{cmd.get('do')} {args}".strip()


def _section(name: str, title: str, findings: list[Finding]) -> ShiftSection:
    return ShiftSection(name=name, title=title, findings=findings,
                        points=round(sum(f.points for f in findings), 1),
                        max=sum(f.max for f in findings))


# -- temperament ---------------------------------------------------------------------------------
def _ack(n: _Night) -> Finding:
    pages = n.f.pages
    if not pages:
        return _unpaged(n, "ack", 10, "no acknowledgement to judge", "Nothing")
    shares, moments, parts = [], [], []
    end = n.stop
    off = n.left[0] if n.left is not None and n.left[1] == "end" else None
    for p in pages:
        late = (p.acked_at if p.acked_at is not None else end) - p.opened_at
        if p.acked_at is None and late <= ACK_TARGET:
            # Paged in the record's last minutes and not yet due: nothing decided to credit.
            parts.append(f"{p.id} not yet due (paged {late} min before the record stops)")
            continue
        shares.append(1.0 if late <= ACK_TARGET else max(0.0, (ACK_ZERO - late) /
                                                         (ACK_ZERO - ACK_TARGET)))
        if p.acked_at is None:
            parts.append(f"{p.id} never" + (
                f" (paged at {hhmm(p.opened_at)}, after you went off the pager)"
                if off is not None and p.opened_at >= off else ""))
            moments.append(n.fact(p.opened_at, f"{p.id} paged ({p.model}), never acknowledged"))
        else:
            parts.append(f"{p.id} after {late} min")
            i = next(i for i, e in n.entries if e.observation.kind == "ack"
                     and e.observation.data.get("page") == p.id)
            moments.append(n.moment(i))
    if not shares:
        return Finding(name="ack", points=0, max=10,
                       text=f"No page came due for acknowledgement{n.cut}: "
                            f"{', '.join(parts)} (target {ACK_TARGET} min).")
    pts = 10 * sum(shares) / len(shares)
    return Finding(name="ack", points=round(pts, 1), max=10, moments=moments,
                   text=f"Acknowledged {', '.join(parts)} (target {ACK_TARGET} min).")


def _severity(n: _Night) -> Finding:
    keys = [n.keys[it.incident] for it in n.paged if it.incident in n.keys]
    if not keys:
        return _unpaged(n, "severity", 10, "no severity called for")
    want = min(k.severity for k in keys)
    got = n.g.severity
    if got is None:
        return Finding(name="severity", points=0, max=10,
                       text=f"No severity declared for {len(keys)} incident(s).")
    i = max(i for i, e in n.entries if e.observation.kind == "severity")
    fit = abs(got - want) <= 1
    return Finding(name="severity", points=10 if fit else 4, max=10, moments=[n.moment(i)],
                   text=f"Declared SEV-{got}" + (", in proportion to the night." if fit else
                                                 f", {abs(got - want)} levels off what the "
                                                 "impact called for."))


def _open_spans(n: _Night, until_resolved: bool = False) -> list[tuple[int, int]]:
    """The stretches of the night with an incident open (from its page to its mitigation or the
    end of the record), merged where they overlap; `until_resolved`: to its resolution instead
    (an update that says the fix is in and the incident is being watched is still one)."""
    stop = n.stop
    spans = sorted((it.arrives_at, _resolved(n, it, stop) if until_resolved else
                    it.done_at if it.done_at is not None else stop) for it in n.paged)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _updates(n: _Night) -> Finding:
    if not n.paged:
        return _unpaged(n, "updates", 10, "no incident to report on")
    spans = _open_spans(n)
    minutes = sum(b - a for a, b in spans)
    every = 30 if (n.g.severity or 2) <= 2 else 60
    expected = sum(max(1, math.ceil((b - a) / every)) for a, b in spans)
    told = _open_spans(n, until_resolved=True)
    idx = [i for i, e in n.entries if e.observation.kind == "update" and e.observation.ok
           and any(a <= e.observation.t <= b for a, b in told)]
    share = min(1.0, len(idx) / expected)
    return Finding(name="updates", points=round(10 * share, 1), max=10,
                   moments=[n.moment(i) for i in idx],
                   text=f"{len(idx)} status update(s) from a page to its resolution; "
                        f"{minutes} min with an incident open ({len(spans)} stretch(es) from a "
                        f"page to its mitigation), and one every {every} min asks for "
                        f"{expected}.")


def _resolved(n: _Night, it: Item, stop: int) -> int:
    """When the paged item's incident was resolved, else the end of the record."""
    at = n.g.resolved(it.incident)
    return at if at is not None else stop


def _thrash(n: _Night) -> Finding:
    moves = n.moves()
    if not moves:
        return Finding(name="thrash", points=0, max=10,
                       text=f"No rollback, hotfix or escalation made{n.cut}: no move to judge "
                            "for thrash.")
    risky = [i for i, _, cmd in moves if cmd.get("do") in HIGH_RISK]
    looks = [i for i, _ in n.looks()]
    bad = []
    for a, b in pairwise(risky):
        if not any(a < i < b for i in looks):
            bad.append(b)
    pts = max(0.0, 10 - 4 * len(bad))
    text = (f"{len(risky)} rollback(s) or hotfix(es); {len(bad)} followed another with no new "
            "look in between." if risky else
            f"No rollback or hotfix; {len(moves)} escalation(s), none of them a thrash.")
    return Finding(name="thrash", points=pts, max=10, text=text,
                   moments=[n.moment(i) for i in bad])


def _evidence(n: _Night) -> Finding:
    moves = [(i, cmd) for i, _, cmd in n.moves() if n.model_of(cmd) in n.incident_models]
    if not moves:
        return Finding(name="evidence", points=0, max=10,
                       text="No rollback, hotfix or escalation on any incident.")
    good = [i for i, cmd in moves if n.shown_before(str(n.model_of(cmd)), i)]
    blind = [i for i, _ in moves if i not in good]
    return Finding(name="evidence", points=round(10 * len(good) / len(moves), 1), max=10,
                   moments=[n.moment(i, _say(n.rec.entries[i]) + " (before any evidence)")
                            for i in blind] + [n.moment(i) for i in good],
                   text=f"{len(good)} of {len(moves)} move(s) on incidents came after an "
                        "observation showed the fault on that model.")


PASSIVE = {
    "blind": "escalation(s) before looking",
    "deferred": "held move(s) deferred while the incident was open",
    "gave up": "right rollback(s) given up on an owner's word",
    "dismissed": "real page(s) silenced or ticketed as if noise",
    "unacked": "page(s) never acknowledged",
    "untouched": "paged incident(s) left without a move of yours",
    "missed": "request(s) left to miss the deadline",
    "unanswered": "colleague(s) never answered",
}
"""The kinds of passive act, as the finding names them (only the kinds that happened)."""


def _passivity(n: _Night) -> Finding:
    acts: list[tuple[str, Moment]] = []
    for i, _, cmd in n.moves():
        model = n.model_of(cmd)
        if cmd.get("do") == "escalate" and model in n.incident_models and \
                not n.looked_before(model, i):
            acts.append(("blind", n.moment(i, f"escalated {model} before looking at it")))
    for cv in n.f.conversations:
        for s in cv.said:
            # Deferring a request is a decision about priorities; deferring a move held on a
            # burning incident leaves the fault running on someone else's word.
            if s.verb == "defer" and cv.held is not None and n.incident_open(s.t) is not None:
                acts.append(("deferred", n.moment(s.entry, f"deferred {cv.id} ({cv.role} on "
                                                           f"{cv.model}) while its incident "
                                                           "was open")))
        if cv.trigger == "rollback" and cv.outcome == "drop" and cv.held is not None:
            key = n.keys.get(cv.incident or "")
            if key is not None and any(m.get("kind") == "rollback" for m in key.right):
                acts.append(("gave up", n.moment(cv.said[-1].entry, f"gave up the rollback of "
                                                                    f"{cv.model} on "
                                                                    f"{cv.person}'s word")))
    acts += _dismissed(n)
    for p in n.f.pages:
        if p.acked_at is None:
            acts.append(("unacked", n.fact(p.opened_at, f"{p.id} paged ({p.model}), never "
                                                        "acknowledged")))
    for it in n.paged:
        if not any(n.model_of(cmd) == it.model for _, _, cmd in n.moves()):
            acts.append(("untouched", n.fact(it.arrives_at, f"{it.id} ({it.model}) paged; no "
                                                            "rollback, hotfix or escalation of "
                                                            "yours followed")))
    missed = set()
    for it in n.f.items:
        if it.outcome == "missed":
            missed.add(it.id)
            acts.append(("missed", n.fact(it.deadline, f"{it.id} ({it.kind}) missed its "
                                                       "deadline undecided")))
    for cv in n.f.conversations:
        if not cv.said and cv.item not in missed:
            acts.append(("unanswered", n.fact(cv.opened_at, f"{cv.id}: {cv.person} ({cv.role} "
                                                            f"on {cv.model}) wrote; never "
                                                            "answered")))
    moments = [m for _, m in acts]
    if not n.decisions:
        return Finding(name="passivity", points=0, max=25, moments=moments,
                       text=f"No decision recorded{n.cut}: nothing settled to credit"
                            + (f"; {_kinds(acts)}." if acts else "."))
    pts = max(0, 25 - PASSIVE_COST * len(acts))
    if not acts:
        return Finding(name="passivity", points=pts, max=25,
                       text="Settled what you could yourself: every page acknowledged, every "
                            "paged incident acted on, every colleague answered, no deadline let "
                            "pass and no real page muted.")
    return Finding(name="passivity", points=pts, max=25, moments=moments,
                   text=f"{len(acts)} passive act(s): {_kinds(acts)}.")


def _kinds(acts: list[tuple[str, Moment]]) -> str:
    counts: dict[str, int] = {}
    for kind, _ in acts:
        counts[kind] = counts.get(kind, 0) + 1
    return "; ".join(f"{k} {PASSIVE[kind]}" for kind, k in counts.items())


def _releases(n: _Night) -> Finding:
    """A shipped real regression, on its own line: passivity's floor can no longer swallow it
    (a night at 0 there paid nothing more for one)."""
    decided = [it for it in n.f.items if it.kind in ("deploy", "canary")
               and it.outcome in ("promoted", "held")]
    if not decided:
        undecided = [it for it in n.f.items if it.kind in ("deploy", "canary") and it.arrived]
        return Finding(name="releases", points=0, max=10,
                       moments=[n.fact(min(it.deadline, n.stop), f"{it.id} ({it.kind}) never "
                                                                 "decided")
                                for it in undecided],
                       text=f"No release or canary decided{n.cut}: no gate to judge.")
    shipped = _shipped(n)
    names = _and([it.id for it in decided])
    return Finding(name="releases", points=max(0, 10 - 10 * len(shipped)), max=10,
                   moments=shipped,
                   text=f"Decided {names}; " + (
                       f"{len(shipped)} promoted past a gate that showed a real regression."
                       if shipped else "none promoted past a gate that showed a real "
                                       "regression."))


def _shipped(n: _Night) -> list[Moment]:
    """Each release promoted past a gate the night's key says caught a real regression: a
    decision the record shows (the answer that promoted it), whatever the deadline."""
    out = []
    for p in n.f.promoted:
        item = str(p["item"])
        if not n.rec.key.gates.get(item):
            continue
        said = [(cv, s) for cv in n.f.conversations if cv.item == item for s in cv.said
                if s.effect == "promote"]
        what = f"promoted {item} ({p['model']} {p['version']}) past a gate that showed a " \
               "real regression"
        out.append(n.moment(said[0][1].entry, f"{what}, on {said[0][0].person}'s word")
                   if said else n.fact(int(p["t"]), what))
    return out


def _live_regression(n: _Night, model: str, t: int) -> dict[str, Any] | None:
    """The regression shipped on `model` that is live at minute t: promoted by then and not
    rolled back since."""
    return next((r for r in n.f.regressions if r["model"] == model and r["since"] <= t
                 and not any(iv.kind == "rollback" and iv.command.get("model") == model
                             and r["since"] <= iv.t <= t for iv in n.g.interventions)), None)


def _dismissed(n: _Night) -> list[tuple[str, Moment]]:
    """Each silence or ticket on a model while a real page's cause was live there: a shipped
    regression not rolled back since, or an incident paged and not yet mitigated. Muting or
    filing it is the same judgement whichever verb carries it, and it is not rest."""
    out = []
    for i, e in n.entries:
        cmd, o = e.command, e.observation
        if cmd.get("do") not in ("silence", "ticket") or not o.ok:
            continue
        model, t = str(cmd.get("model")), o.t - o.cost
        why = None
        reg = _live_regression(n, model, t)
        if reg is not None:
            why = f"the regression shipped at {hhmm(int(reg['since']))}"
        inc = next((it for it in n.paged if it.model == model and it.arrives_at <= t
                    and (it.done_at is None or it.done_at > t)), None)
        if inc is not None:
            why = f"{inc.id}, an incident still open"
        if why is not None:
            out.append(("dismissed", n.moment(i, f"{cmd['do']} {cmd.get('alert')} on {model}: "
                                                 f"a real page's cause ({why}), not noise")))
    return out


def _escalation(n: _Night) -> Finding:
    incidents = [it for it in n.paged if it.incident in n.keys]
    if not incidents:
        return _unpaged(n, "escalation", 15, "no incident to escalate or keep")
    share, moments, parts = 0.0, [], []
    for it in incidents:
        serious = n.keys[str(it.incident)].severity <= 2
        moves = [(i, cmd) for i, _, cmd in n.moves() if n.model_of(cmd) == it.model]
        esc = [i for i, cmd in moves if cmd.get("do") == "escalate"]
        after = [i for i in esc if n.looked_before(it.model, i)]
        own = [i for i, cmd in moves if cmd.get("do") in HIGH_RISK]
        if esc and not after:
            parts.append(f"{it.model} escalated before any look (a reflex, not a judgement)")
            moments.append(n.moment(esc[0]))
        elif after:
            share += 1
            parts.append(f"{it.model} shared with a team after looking")
            moments.append(n.moment(after[0]))
        elif serious:
            parts.append(f"{it.model}, a serious incident, never shared with any team "
                         "(lone hero)")
            moments.append(n.fact(it.arrives_at, f"{it.id} paged: {it.title}"))
        elif own:
            share += 1
            parts.append(f"{it.model} handled without a team, as its severity allows")
            moments.append(n.moment(own[0]))
        else:
            parts.append(f"{it.model}: you neither handled it nor handed it to a team")
            moments.append(n.fact(it.arrives_at, f"{it.id} paged: {it.title}"))
    return Finding(name="escalation", points=round(15 * share / len(incidents), 1), max=15,
                   moments=moments, text="; ".join(parts) + ".")


def _rest(n: _Night) -> Finding:
    looks = [i for i, e in n.looks() if e.command.get("model") in n.noise_models]
    moves = [i for i, _, cmd in n.moves() if cmd.get("do") in HIGH_RISK
             and n.model_of(cmd) in n.noise_models]
    extra = looks[1:]
    # Noise is what the world says is noise: a shipped regression's page is not, whatever was
    # done with it.
    noise = [it for it in n.f.items if it.arrived and queue_kind(n.rec, it) == "noise"]
    if not noise:
        return Finding(name="rest", points=0, max=10,
                       text=f"No noise came{n.cut}: no rest to judge.")
    acked = {p.item for p in n.f.pages if p.acked_at is not None}
    settled = [it for it in noise if it.outcome in ("silenced", "ticketed") or it.id in acked]
    pts = max(0.0, 10 * len(settled) / len(noise) - 3 * len(extra) - 5 * len(moves))
    text = (f"Noise: {len(settled)} of {len(noise)} item(s) settled (silenced, ticketed or "
            f"acknowledged); {len(looks)} look(s) and {len(moves)} rollback(s) or hotfix(es) "
            "on noisy models.")
    return Finding(name="rest", points=round(pts, 1), max=10, text=text,
                   moments=[n.moment(i) for i in extra + moves] + [
                       n.fact(it.arrives_at, f"{it.id} ({it.title}) left unsettled")
                       for it in noise if it not in settled])


def temperament(rec: ShiftRecord) -> ShiftSection:
    n = _Night(rec)
    return _section("temperament", "Temperament", [
        _ack(n), _severity(n), _updates(n), _thrash(n), _evidence(n), _passivity(n),
        _releases(n), _escalation(n), _rest(n)])


# -- prioritisation ----------------------------------------------------------------------------
def _order(n: _Night) -> Finding:
    takes = sorted((it for it in n.f.items if it.kind in ("deploy", "canary", "feature")
                    and it.taken_at is not None), key=lambda it: (_worked_at(n, it), it.id))
    requests = [it for it in n.f.items if it.kind in ("deploy", "canary", "feature")
                and it.arrived]
    if not takes:
        return Finding(name="order", points=0, max=50,
                       text=f"No request was worked (of {len(requests)} that came)."
                       if requests else f"No request came{n.cut}: no order to judge.")
    inversions: list[Moment] = []
    for it in takes:
        t = _worked_at(n, it)
        above = [o for o in n.f.items if o.arrived and o.priority < it.priority
                 and o.arrives_at <= t and o.kind != "noise"
                 and ((o.kind == "incident" and (o.done_at is None or o.done_at > t))
                      or (o.kind != "incident" and (o.taken_at is None
                                                    or _worked_at(n, o) > t)))]
        if above:
            names = ", ".join(f"{o.id} ({o.kind})" for o in above)
            inversions.append(n.fact(t, f"took {it.id} ({it.kind}) while {names} came first"))
    share = 1 - len(inversions) / len(takes)
    return Finding(name="order", points=round(50 * share, 1), max=50, moments=inversions,
                   text=f"{len(takes)} colleague request(s) (release, canary, feature) taken, "
                        f"{len(inversions)} of them ahead of higher-priority work.")


def _worked_at(n: _Night, it: Item) -> int:
    """When a request was really worked: its first `take` or answer other than a deferral (a
    deferral only puts it off), else the minute the record says it was taken."""
    times = [e.observation.t for _, e in n.entries if e.observation.ok
             and e.command.get("do") == "take"
             and (e.command.get("about") or e.command.get("item")) == it.id]
    times += [s.t for cv in n.f.conversations if cv.item == it.id
              for s in cv.said if s.verb != "defer"]
    return min(times, default=it.taken_at or 0)


def _deadlines(n: _Night) -> Finding:
    met, due, moments = 0, 0, []
    # What fell due after the record stops (an abandoned night, a page in its last minutes) was
    # neither met nor missed: it is not counted.
    for p in n.f.pages:
        if p.acked_at is None and p.opened_at + ACK_TARGET > n.stop:
            continue
        due += 1
        if p.acked_at is not None and p.acked_at - p.opened_at <= ACK_TARGET:
            met += 1
        else:
            moments.append(n.fact(p.opened_at + ACK_TARGET, f"{p.id} not acknowledged within "
                                                             f"{ACK_TARGET} min"))
    for it in n.f.items:
        if it.kind not in ("deploy", "canary") or not it.arrived:
            continue
        if it.done_at is None and it.deadline > n.stop:
            continue
        due += 1
        if it.done_at is not None and it.done_at <= it.deadline and it.outcome != "missed":
            met += 1
        else:
            moments.append(n.fact(it.deadline, f"{it.id} ({it.kind}) not decided by "
                                                f"{hhmm(it.deadline)}"))
    if not due:
        return Finding(name="deadlines", points=0, max=30,
                       text=f"Nothing was due{n.cut}: no deadline to judge.")
    return Finding(name="deadlines", points=round(30 * met / due, 1), max=30, moments=moments,
                   text=f"{met} of {due} deadline(s) met.")


def _focus(n: _Night) -> Finding:
    if not n.paged:
        return _unpaged(n, "focus", 20, "no incident to keep to")
    # Focus is credited for the incidents worked while they burned: keeping off other work
    # while doing nothing on the incident either is not focus.
    worked = [it for it in n.paged if _worked_on(n, it) is not None]
    idle = [it for it in n.paged if it not in worked]
    moments: list[Moment] = [n.fact(it.arrives_at, f"{it.id} ({it.model}) paged; no work of "
                                                   "yours on it while it burned")
                             for it in idle]
    pts = 20.0 * len(worked) / len(n.paged)
    lower = 0
    for b in n.f.built:
        if n.incident_open(b["t"] - 1):
            pts, lower = pts - 10, lower + 1
            moments.append(n.fact(b["t"], f"built {b['item']} while an incident was open"))
    for p in n.f.promoted:
        if n.incident_open(p["t"]):
            pts, lower = pts - 10, lower + 1
            moments.append(n.fact(p["t"], f"promoted {p['model']} {p['version']} during an "
                                          "open incident"))
    for i, e in n.looks():
        if e.command.get("model") in n.noise_models and n.incident_open(e.observation.t):
            pts, lower = pts - 2, lower + 1
            moments.append(n.moment(i, _say(e) + " (noise, while an incident burned)"))
    pts = max(0.0, pts)
    parts = []
    if worked:
        parts.append(f"worked {_and([f'{it.id} ({it.model})' for it in worked])} while it "
                     "burned" if len(worked) == 1 else
                     f"worked {_and([f'{it.id} ({it.model})' for it in worked])} while they "
                     "burned")
    if idle:
        parts.append(f"no work of yours on {_and([f'{it.id} ({it.model})' for it in idle])} "
                     "while it burned")
    parts.append(f"{lower} piece(s) of lower-priority work while an incident burned"
                 if lower else "no lower-priority work meanwhile")
    text = "; ".join(parts) + "."
    return Finding(name="focus", points=round(pts, 1), max=20, moments=moments,
                   text=text[0].upper() + text[1:])


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _worked_on(n: _Night, it: Item) -> int | None:
    """The first entry of the player's own work on a paged incident while it burned (from its
    page to its mitigation): its acknowledgement, a look, a move or a diagnosis on its model,
    or a severity or an update; None if there was none."""
    until = it.done_at if it.done_at is not None else n.stop
    for i, e in n.entries:
        cmd, o = e.command, e.observation
        if not o.ok or not it.arrives_at <= o.t <= until:
            continue
        do = cmd.get("do")
        if do == "ack" and o.data.get("page") == it.page:
            return i
        if do in ("severity", "update"):
            return i
        if do in (*INVESTIGATIONS, *HIGH_RISK, "escalate", "diagnose") and (
                cmd.get("model") == it.model or cmd.get("incident") in (it.incident, it.page)):
            return i
    return None


def prioritisation(rec: ShiftRecord) -> ShiftSection:
    n = _Night(rec)
    return _section("prioritisation", "Prioritisation", [_order(n), _deadlines(n), _focus(n)])


# -- collaboration -------------------------------------------------------------------------------
REQUESTS = ("request:deploy", "request:canary")
HELD_RIGHT = {"rollback": lambda m: m.get("kind") == "rollback",
              "escalate:data-engineering": lambda m: m.get("kind") == "escalate"
              and m.get("team") == "data-engineering"}
"""The key's right move that a held rollback or escalation is, by the conversation's trigger."""


def _settling(cv: Conversation) -> Said | None:
    """The answer that decided a conversation (a deferral that only put it off, or a reply
    that did not convince, decides nothing); None while it is undecided or was let pass."""
    last = cv.said[-1] if cv.said else None
    return last if last is not None and cv.closed_at is not None and \
        last.effect not in (None, "later") else None


def _right_call(n: _Night, cv: Conversation, s: Said) -> tuple[bool, str]:
    """Whether the decision that settled a conversation is the night's right one, whatever verb
    carried it, and what it was: a release or canary promoted when its gate was a false alarm,
    held when the gate caught a real regression (or while an incident burned); a feature
    request put off to working hours; a held rollback or escalation let go ahead when the
    incident's key has that move right, called off when not."""
    at = _answered_at(n, s)
    if cv.trigger in REQUESTS:
        real = bool(n.rec.key.gates.get(str(cv.item)))
        burning = n.incident_open(at)
        if s.effect == "promote":
            return not real, (f"promoted {cv.item} past a gate that showed a real regression"
                              if real else f"promoted {cv.item}, its gate a false alarm")
        return real or burning is not None, (
            f"held {cv.item}, its gate a real regression" if real else
            f"held {cv.item} while {burning.id} burned" if burning is not None else
            f"held {cv.item} though its gate was a false alarm and no incident burned")
    if cv.trigger == "request:feature":
        return s.effect == "ticket", (f"put {cv.item} off to working hours"
                                      if s.effect == "ticket" else f"built {cv.item} at night")
    key = n.keys.get(cv.incident or "")
    want = key is not None and cv.trigger in HELD_RIGHT and any(
        HELD_RIGHT[cv.trigger](m) for m in key.right)
    # A rollback that takes back a regression the night shipped is right, incident or not.
    want = want or (cv.trigger == "rollback" and _live_regression(n, cv.model, at) is not None)
    move = {"rollback": "rollback", "escalate": "escalation"}.get(
        str((cv.held or {}).get("do")), "move")
    return (s.effect == "proceed") == want, (
        f"let the {move} on {cv.model} go ahead" if s.effect == "proceed" else
        f"called off the {move} on {cv.model}")


def _with_what(n: _Night, cv: Conversation, s: Said) -> str | None:
    """The data the decision was made with, or None: a reply that convinced the colleague; else
    what the player had read before answering: a request's gate report (a promotion or a hold
    rests on it; a hold while an incident burns on a look that showed its fault), for a feature
    request the request read or any look of the night (the team lead takes any observation; the
    pager's status and queue are not counted: a reflex deferral reads them too), for a held move
    a look at the model (one that showed the fault, to let the move go ahead)."""
    if s.verb == "reply" and s.convinced:
        return f"citing {', '.join(s.cited)}"
    before = [(i, e) for i, e in n.entries if i < s.entry and e.observation.ok]
    if cv.trigger in REQUESTS:
        read = any(e.command.get("do") == "take" and e.observation.data.get("item") == cv.item
                   for _, e in before)
        if read and (s.effect == "promote" or n.rec.key.gates.get(str(cv.item))):
            return "after reading its gate report"
        burning = n.incident_open(_answered_at(n, s))
        if s.effect == "hold" and burning is not None and \
                n.shown_before(burning.model, s.entry):
            return f"after a look that showed {burning.id}'s fault"
        return None
    if cv.trigger == "request:feature":
        looked = [e for _, e in before if e.command.get("do") in (*INVESTIGATIONS, "take")]
        return "after a look of yours first" if looked else None
    if s.effect == "proceed":
        return "after a look that showed the fault" if n.shown_before(cv.model, s.entry) \
            else None
    return f"after looking at {cv.model}" if n.looked_before(cv.model, s.entry) else None


def _answered_at(n: _Night, s: Said) -> int:
    """The minute the player gave an answer (its entry's start: the colleague answers later)."""
    o = n.rec.entries[s.entry].observation
    return o.t - o.cost


def _settled(n: _Night) -> list[tuple[Conversation, Said, bool, str, str | None]]:
    """Each conversation a decision settled: the answer that did, whether it was the right
    call and what it was (`_right_call`), and the data it was made with, or None
    (`_with_what`)."""
    out = []
    for cv in n.f.conversations:
        s = _settling(cv)
        if s is not None:
            right, what = _right_call(n, cv, s)
            out.append((cv, s, right, what, _with_what(n, cv, s)))
    return out


def settled_with_data(rec: ShiftRecord) -> list[str]:
    """The conversations of a night settled by the right call made with data, whatever verb
    carried it: what the card's data line credits, and what the career sheet counts."""
    return [cv.id for cv, _, right, _, data in _settled(_Night(rec))
            if right and data is not None]


def _with_data(n: _Night) -> Finding:
    # Every colleague who wrote counts: one never answered was not settled with data either.
    talks = n.f.conversations
    if not talks:
        return Finding(name="data", points=0, max=15,
                       text=f"No colleague wrote{n.cut}: no disagreement to settle.")
    won, wrong, blind, moments = 0, 0, 0, []
    for cv, s, right, what, data in _settled(n):
        if right and data is not None:
            won += 1
            moments.append(n.moment(s.entry, f"{cv.id}: convinced {cv.person} ({cv.role}) "
                                             f"{data}: {what}" if s.convinced else
                                    f"{cv.id}: {what} ({s.verb}, to {cv.person}, {cv.role}), "
                                    f"{data}"))
        elif not right:
            wrong += 1
            moments.append(n.moment(s.entry, f"{cv.id}: {what} ({s.verb}): not the right call"))
        else:
            blind += 1
            moments.append(n.moment(s.entry, f"{cv.id}: {what} ({s.verb}) without data looked "
                                             "at first"))
    silent = [cv for cv in talks if not cv.said]
    rest = [f"{wrong} decided the wrong way" if wrong else "",
            f"{blind} right but decided blind" if blind else "",
            f"{len(silent)} never answered" if silent else ""]
    rest = [r for r in rest if r]
    return Finding(name="data", points=round(15 * won / len(talks), 1), max=15,
                   moments=moments,
                   text=f"{won} of {len(talks)} conversation(s) settled by the right call made "
                        "with data, whatever the verb" + (f"; {'; '.join(rest)}." if rest
                                                          else "."))


def _overrules(n: _Night) -> Finding:
    blunt = []
    for cv in n.f.conversations:
        for k, s in enumerate(cv.said):
            if s.verb == "overrule" and not any(x.verb == "reply" for x in cv.said[:k]):
                blunt.append(n.moment(s.entry,
                                      f"overruled {cv.person} ({cv.role}) on {cv.model} "
                                      "without making the case first"))
    talks = n.f.conversations
    answered = [cv for cv in talks if cv.said]
    if not answered:
        # Never pulling rank on nobody is not restraint: the point needs an answer given.
        return Finding(name="overrule", points=0, max=15,
                       text=f"Answered none of the {len(talks)} colleague(s) who wrote: no "
                            "case made or refused." if talks else
                            f"No colleague wrote{n.cut}: no answer to judge.")
    return Finding(name="overrule", points=max(0, 15 - 5 * len(blunt)), max=15, moments=blunt,
                   text=f"{len(blunt)} colleague(s) overruled without data offered first."
                   if blunt else f"Answered {len(answered)} of {len(talks)} colleague(s) and "
                                 "never pulled rank before making the case.")


def collaboration(rec: ShiftRecord) -> ShiftSection:
    n = _Night(rec)
    return _section("collaboration", "Collaboration", [_with_data(n), _overrules(n)])


def score_shift(rec: ShiftRecord) -> ShiftCard:
    """The shift's card: a pure function of the record."""
    sections = [temperament(rec), prioritisation(rec), collaboration(rec)]
    return ShiftCard(sections=sections, total=round(sum(s.points for s in sections), 1),
                     max=sum(s.max for s in sections), ending=_ending(_Night(rec)))
