"""Spoken answers from a night shift: the same two minutes of plain speech as an incident's,
each incident told only from its own facts (its page, looks, moves and updates)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oncall.game.record import Entry
from oncall.game.shiftrecord import Conversation, Item, ShiftRecord, queue_kind
from oncall.scoring.text import a_an, and_list
from oncall.sim.catalogue import TOOL_WORDS
from oncall.story.clauses import (
    RULE_MEANING,
    about,
    clock,
    clock_on,
    clock_said,
    fault_words,
    mins,
    model_words,
    move_noun,
    rule_words,
    signal_clause,
    team,
)
from oncall.story.shiftfacts import (
    ShiftIncident,
    absent,
    incidents,
    open_at,
    worked,
)
from oncall.story.spoken import (
    QUESTIONS,
    Bit,
    Spoken,
    evidence_bits,
    fit,
    in_time,
    looks_in_time,
    move_line,
    page,
    told_in_order,
)

KIND_WORDS = {"incident": "incident", "deploy": "deploy request", "canary": "canary request",
              "feature": "feature request", "noise": "noisy alert",
              "release alert": "regression page"}
DONE_WORDS = {"promoted": "promoted it", "held": "held it back for working hours",
              "ticketed": "filed it for working hours", "built": "built it",
              "missed": "let its deadline pass", "silenced": "silenced it",
              "mitigated": "got it mitigated", "handed over": "handed it over"}

ASKED = {"deploy": "promote their {model} release over its failing gate",
         "canary": "promote their {model} canary to every request",
         "feature": "build something new for {model} that night",
         "incident": "act on {model}", "noise": "look at an alert on {model}"}
"""What a colleague asked for, by the kind of item they raised."""


def _gate_check(c: dict[str, Any]) -> str | None:
    """One failed gate check said aloud, its figures rounded: `The gate measured the new
    version's error ratio at about 0.38%, against 0.06% for the stable one.`"""
    name = str(c.get("check", "")).split(",")[0]
    if "candidate" not in c or "stable" not in c:
        return f"Its {name} had failed." if name else None
    new, old = float(c["candidate"]), float(c["stable"])
    if "ratio" in name:
        what, said = "error ratio", lambda v: f"{about(round(v * 100, 4))}%"
    elif "latency" in name:
        what, said = "tail latency", lambda v: f"{round(v)} milliseconds"
    else:
        what, said = name, about
    return (f"The gate measured the new version's {what} at {said(new)}, against "
            f"{said(old)} for the stable one.")


def _unlooked(inc: ShiftIncident) -> str:
    """An incident whose model the player never looked at: before acting, or (no move and no
    diagnosis) at all."""
    if inc.moves or inc.diagnosis:
        return "I did not look at the model's own tools before acting."
    return "I never looked at the model's own tools."


class _Shift:
    def __init__(self, rec: ShiftRecord) -> None:
        self.rec = rec
        self.f = rec.facts
        self.g = rec.game.facts
        self.incs = incidents(rec)
        self.span = worked(rec)
        self.items = self.span.arrived(rec)
        """The items that reached the player while they were on the pager."""
        self.later: dict[str, list[Bit]] = {}
        """By incident item: the acts `acts` keeps back for `outcome` (after a handover)."""

    def night(self) -> Bit:
        """The span worked: a night left early is told as left, never as on call to its end."""
        fleet = (f"for {self.g.fleet_models} production ML models serving "
                 f"{about(round(self.g.fleet_rps))} requests a second")
        w = self.span
        if w.how is None:
            return Bit(0, 0, f"I was on call overnight, from {clock(w.start)} to "
                             f"{clock_said(w.end).rstrip(',')}, {fleet}.")
        return Bit(0, 0, f"I was on call from {clock(w.start)}, {fleet}, until "
                         f"{w.left(lambda t: clock_said(t).rstrip(','))}, "
                         f"{mins(w.end - w.stop)} before the shift's end at {clock(w.end)}"
                         + (", and the rest of the night ran on with nobody answering."
                            if w.how == "end" else "."))

    def queue(self, prio: int) -> Bit | None:
        items = self.items
        if not items:
            return None
        counts: dict[str, int] = {}
        for it in items:
            kind = queue_kind(self.rec, it)
            counts[kind] = counts.get(kind, 0) + 1
        mix = and_list([f"{n} {KIND_WORDS[k]}{'s' if n != 1 else ''}" for k, n in counts.items()])
        when = "Over the night" if self.span.how is None else "While I was on call"
        return Bit(0, prio, f"{when} the queue brought {mix}.")

    def budget(self, model: str, prio: int) -> Bit | None:
        row = next((r for r in self.f.budget.get("models", []) if r["model"] == model), None)
        if row is None:
            return None
        pct = float(row["night_pct"])
        used = f"{about(pct)}%" if pct else "none"
        when = f"By the time {self.span.left(clock)}" if self.span.how == "abandoned" else \
            "By the end of the shift"  # the budgets are taken where the record stops
        return Bit(3, prio, f"{when} the night had used {used} of that model's monthly error "
                            f"budget, with {about(float(row['left_pct']))}% left.")

    def gate(self, it: Item, prio: int) -> list[Bit]:
        checks = it.report.get("checks", [])
        failed = [c for c in checks if not c.get("passed")]
        out = [Bit(0, prio, line) for c in failed[:2] if (line := _gate_check(c))]
        if checks:
            out.append(Bit(0, prio + 2, f"The gate had failed {len(failed)} of its "
                                        f"{len(checks)} checks."))
        return out

    # -- one incident --------------------------------------------------------------------------
    def page_line(self, inc: ShiftIncident) -> Bit:
        alert = next((a for a in inc.page.alerts), None)
        by = rule_words(alert) if alert else "an alert"
        return Bit(0, 0, f"At {clock_said(inc.opened_at)} I was paged by {by} on "
                         f"{model_words(inc.model)}.")

    def opening(self, inc: ShiftIncident, prio: int) -> list[Bit]:
        out = []
        if inc.acked_at is not None:
            d = inc.acked_at - inc.opened_at
            line = "I acknowledged it " + ("within a minute" if d <= 1 else f"after {mins(d)}")
            if inc.severity is not None:
                line += f" and declared it a SEV-{inc.severity}"
            out.append(Bit(2, prio, line + "."))
        else:
            out.append(Bit(2, prio, "I never acknowledged that page, which I should have."))
        n = len(inc.updates)
        out.append(Bit(2, prio + 2, f"I kept people informed with "
                                    f"{'one status update' if n == 1 else f'{n} status updates'}"
                                    " while it was open." if n else
                                    "I posted no status update while it was open, which I "
                                    "would change."))
        return out

    def evidence(self, inc: ShiftIncident, prio: int, said: Iterable[str] = ()) -> list[Bit]:
        bits = evidence_bits(inc.looks, inc.model, prio, said=said)
        if not inc.looks:
            bits.append(Bit(2, prio, _unlooked(inc)))
        return bits

    def diagnosis(self, inc: ShiftIncident, prio: int) -> list[Bit]:
        dx = inc.diagnosis
        if not dx:
            return []
        when = f"At {clock(inc.diagnosis_at)} " if inc.diagnosis_at is not None else ""
        return [Bit(2, prio, f"{when}I called it {a_an(str(dx.get('category')))} problem: "
                             f"{fault_words(str(dx.get('cause')))}.")]

    def ended(self, inc: ShiftIncident, subject: str = "It") -> str:
        """How the incident ended, said actively: who stopped it, or who it went to."""
        it = inc.item
        obj = "it" if subject == "It" else subject[:1].lower() + subject[1:]
        if it.outcome == "mitigated" and it.done_at is not None:
            return (f"{subject} stopped at {clock(it.done_at)}, "
                    f"{mins(it.done_at - inc.opened_at)} after the page.")
        if it.outcome == "handed over" and it.done_at is not None:
            return (f"I did not fix {obj} myself: the secondary on-call took it over at "
                    f"{clock(it.done_at)}, {mins(it.done_at - inc.opened_at)} after the page, "
                    "and their fix stopped it.")
        if it.outcome == "handed over":
            return f"I did not fix {obj} myself: the secondary on-call took it over."
        return f"{subject} was still not mitigated {self.span.until(clock)}."

    def outcome(self, inc: ShiftIncident) -> list[Bit]:
        """How the incident ended, then what the player did on it after the secondary on-call
        took it over (kept back by `acts`): told in the record's order, never before it."""
        return [Bit(3, 0, self.ended(inc)), *self.later.get(inc.item.id, [])]

    def paged(self, inc: ShiftIncident, queue_prio: int) -> list[Bit]:
        """The night, the page and what its alert means, the queue, and the task."""
        bits = [self.night(), self.page_line(inc)]
        rule = inc.page.alerts[0] if inc.page.alerts else ""
        if rule in RULE_MEANING:
            bits.append(Bit(0, 3, f"That alert means {RULE_MEANING[rule]}."))
        if (q := self.queue(queue_prio)) is not None:
            bits.append(q)
        bits.append(Bit(1, 0, "My job was to stop the harm on that model while keeping the "
                              "rest of the queue moving."))
        return bits

    def moves(self, inc: ShiftIncident, prio: int, fix_prio: int) -> list[Bit]:
        stopped = inc.done_at if inc.item.outcome == "mitigated" else None
        return [Bit(2, fix_prio if iv.effect == "fixes" else prio,
                    move_line(iv, stopped, heard_by=self.f.end))
                for iv in inc.moves]

    def acts(self, inc: ShiftIncident, dx_prio: int, prio: int, fix_prio: int,
             ev_prio: int | None = None) -> list[Bit]:
        """The diagnosis and the moves, in the order they happened; with `ev_prio`, what the
        looks showed too, each before the first of them it came before (`looks_in_time`)."""
        moves = list(zip([iv.t for iv in inc.moves], self.moves(inc, prio, fix_prio),
                         strict=True))
        told = in_time(self.diagnosis(inc, dx_prio), inc.diagnosis_at, moves)
        if ev_prio is None:
            return told
        at = {id(b): t for t, b in moves}
        when = [at.get(id(b), inc.diagnosis_at if inc.diagnosis_at is not None else 0)
                for b in told]
        decided = [t for t in [inc.diagnosis_at, *(iv.t for iv in inc.moves)] if t is not None]
        stop = inc.done_at if inc.item.outcome == "mitigated" else None
        looks = looks_in_time(inc.looks, decided, stop, inc.model, ev_prio)
        if not inc.looks:
            looks = [(0, Bit(2, ev_prio, _unlooked(inc)))]
        out = told_in_order(looks, told, when)
        handed = inc.done_at if inc.item.outcome == "handed over" else None
        if handed is None:
            return out
        # What came after the secondary took it over is told after that, in the result.
        times = {id(b): t for t, b in looks} | {id(b): t for b, t in zip(told, when,
                                                                            strict=True)}
        self.later[inc.item.id] = [Bit(3, b.prio, b.text) for b in out
                                   if times.get(id(b), 0) > handed]
        return [b for b in out if times.get(id(b), 0) <= handed]

    def talk_on(self, model: str) -> Conversation | None:
        return next((cv for cv in self.f.conversations if cv.model == model and cv.said), None)


def _incident(s: _Shift) -> list[Bit] | None:
    """The first incident the player handled (a page never acknowledged and never acted on is
    not one: no answer tells it as handled)."""
    inc = next((i for i in s.incs if i.handled), None)
    if inc is None:
        return None
    bits = s.paged(inc, 5)
    earlier = [i for i in s.incs if i.opened_at < inc.opened_at]
    later = [i for i in s.incs if i.opened_at > inc.opened_at]
    if earlier:
        bits.append(Bit(0, 4, f"An earlier incident had paged at {clock(earlier[0].opened_at)}"
                              " on another model, and I never acknowledged it; this answer is "
                              "about the one I handled."))
    elif later:
        bits.append(Bit(0, 4, f"A second incident paged later, at {clock(later[0].opened_at)},"
                              " on another model; this answer is about the first."))
    if len(s.incs) == 1:
        bits.append(Bit(0, 5, "It was the only incident of the night."))
    bits += s.opening(inc, 1) + s.acts(inc, 0, 1, 0, 1)
    if not inc.moves:
        bits.append(Bit(2, 0, "I made no change to production for it."))
    cv = s.talk_on(inc.model)
    if cv is not None and cv.held:
        won = any(x.verb == "reply" and x.convinced for x in cv.said)
        back = Bit(2, 2, f"At {clock(cv.opened_at)} the {cv.role} pushed back on my "
                         f"{move_noun(cv.held.get('do'))}"
                         + (", and I answered with what I had seen, which settled it."
                            if won else ", and I did not settle it with data."))
        # told where it came: just before the move it held, when that went out
        held = next((n for n, iv in enumerate(inc.moves) if iv.kind == cv.held.get("do")
                     and iv.t >= cv.opened_at), None)
        said = s.moves(inc, 1, 0)[held].text if held is not None else None
        at = next((n for n, b in enumerate(bits) if said is not None and b.text == said), None)
        bits.insert(len(bits) if at is None else at, back)
    bits += s.outcome(inc)
    if (b := s.budget(inc.model, 2)) is not None:
        bits.append(b)
    pages = [p for p in s.f.pages if p.id != inc.page.id and p.alerts
             and p.model not in {i.model for i in s.incs}
             and inc.opened_at <= p.opened_at < inc.until]
    for p in pages[:1]:
        it = next((i for i in s.f.items if i.page == p.id), None)
        did = DONE_WORDS.get(str(it.outcome), "") if it is not None else ""
        bits.append(Bit(2, 4, f"At {clock(p.opened_at)}, while it was open, "
                              f"{rule_words(p.alerts[0])} paged me on {p.model} as well"
                              + (f", and I {did}." if did else ".")))
    waited = [it for it in s.f.items if it.kind != "incident" and it.arrived
              and inc.opened_at <= it.arrives_at < inc.until and it.taken_at is not None
              and it.taken_at >= inc.until]
    if waited:
        kind = KIND_WORDS[queue_kind(s.rec, waited[0])]
        bits.append(Bit(3, 3, f"The {kind} that came in while it was open waited until "
                              f"{clock(waited[0].taken_at or 0)}, which was the right order."))
    first = min((iv.t for iv in inc.moves), default=None)
    looked_first = any(first is None or e.observation.t <= first for e in inc.looks)
    if (fix := inc.fixer) is not None and fix.kind == "escalate":
        fixer = team(str(fix.command.get("team", "model-owners")))
        bits.append(Bit(3, 1, f"The fix itself was the work of {fixer}, not mine: my part was "
                              "getting it to them quickly."))
    if first is None and not inc.looks:
        bits.append(Bit(3, 6, "Looking back, I neither looked at the model nor changed anything "
                              "myself; next time I would at least check what changed, even for "
                              "a few minutes."))
        bits.append(Bit(3, 7, "That is the part of this night I would do differently, and I "
                              "say so when I tell it."))
    elif looked_first:
        if first is not None:  # an order kept: looked, then changed something
            bits.append(Bit(3, 6, "What I would stress is the order: look at what changed, "
                                  "stop the harm, and keep the people who depend on the model "
                                  "informed."))
        bits.append(Bit(3, 7, "Looking back, I would keep the same habit of checking what "
                              "changed before touching anything."))
    else:
        bits.append(Bit(3, 6, "Looking back, I acted before I had looked at anything myself; "
                              "next time I would check what changed first, even for a few "
                              "minutes."))
        bits.append(Bit(3, 7, "That is the part of this night I would do differently, and I "
                              "say so when I tell it."))
    return bits


def _item_said(rec: ShiftRecord, it: Item) -> str:
    """`the deploy request on churn-model`, `the noisy alert about ad-ctr`, `the regression
    page on credit-limit` (a page a release the player promoted set off: `queue_kind`)."""
    kind = queue_kind(rec, it)
    on = f" about {it.model}" if kind == "noise" else f" on {it.model}"
    return f"the {KIND_WORDS[kind]}{on}"


def _step(rec: ShiftRecord, it: Item) -> str:
    out = DONE_WORDS.get(str(it.outcome), "left it open")
    return (f"At {clock(it.taken_at or 0)} I took {_item_said(rec, it)}, which had "
            f"come in at {clock(it.arrives_at)}, and {out}.")


def _items_said(rec: ShiftRecord, items: list[Item], noun: str = "items") -> str:
    """`the deploy request on churn-model`, or for several `two of the night's items`."""
    if len(items) == 1:
        return _item_said(rec, items[0])
    return f"{NUMBER_WORDS.get(len(items), str(len(items)))} of the night's {noun}"


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _late(s: _Shift, items: list[Item]) -> list[Item]:
    """The requests that were not decided by their deadline (an undecided one whose deadline
    came after the player stopped is `_undecided`, not late)."""
    return [it for it in items if it.kind in ("deploy", "canary", "feature")
            and (it.outcome == "missed" or (it.done_at or s.span.stop) > it.deadline)]


def _undecided(s: _Shift, items: list[Item]) -> list[Item]:
    """The requests still undecided when the player stopped, their deadlines not yet come."""
    return [it for it in items if it.kind in ("deploy", "canary", "feature")
            and it.done_at is None and it.deadline >= s.span.stop]


def _prioritisation(s: _Shift) -> list[Bit] | None:
    items = s.items
    if len(items) < 2:
        return None
    bits = [s.night()]
    if (q := s.queue(0)) is not None:
        bits.append(q)
    bits.append(Bit(1, 0, "My rule was production incidents first, anything blocking a "
                          "release second, feature requests third, and noise silenced or "
                          "ticketed rather than chased."))
    taken = sorted((it for it in items if it.taken_at is not None),
                   key=lambda it: (it.taken_at or 0, it.id))
    for i, it in enumerate(taken):
        bits.append(Bit(2, 0 if it.kind == "incident" else 1 + i // 3, _step(s.rec, it)))
    untouched = [it for it in items if it.taken_at is None]
    if untouched:
        bits.append(Bit(2, 2, f"I never took {_items_said(s.rec, untouched)} at all."))
    late, undecided = _late(s, items), _undecided(s, items)
    if late:
        bits.append(Bit(3, 0, f"I let {_items_said(s.rec, late, 'requests')} pass "
                              f"{'its' if len(late) == 1 else 'their'} deadline, and I own "
                              "that."))
    if undecided:
        bits.append(Bit(3, 0, f"I left {_items_said(s.rec, undecided, 'requests')} undecided "
                              f"{s.span.until(clock)}."))
    if not late and not undecided and any(it.kind in ("deploy", "canary", "feature")
                                          for it in items):
        bits.append(Bit(3, 0, "Every request was decided before its deadline."))
    later = [it for it in s.f.items if it.arrived and it not in items]
    if later:
        n = ({1: "one"} | NUMBER_WORDS).get(len(later), str(len(later)))
        bits.append(Bit(3, 2, f"After {s.span.left(clock)}, {n} more "
                              f"item{'s' if len(later) != 1 else ''} came, and I answered "
                              "none of them."))
    for inc in s.incs:
        bits.append(Bit(3, 1, s.ended(inc, f"The incident on {inc.model}")
                        if s.span.on_pager(inc.opened_at) else
                        f"The incident on {inc.model} paged at {clock(inc.opened_at)}, after "
                        "I had gone off the pager, and I never answered it."))
    noise = [it for it in items if queue_kind(s.rec, it) == "noise"]
    if noise and all(it.outcome in ("ticketed", "silenced") for it in noise):
        bits.append(Bit(3, 3, "Every noisy alert got a ticket or a silence."))
    bits.append(Bit(3, 5, "The point of the order is that customer harm never waits behind a "
                          "request that can wait until morning."))
    bits.append(Bit(1, 4, "Several things needed me at once, and I could only do one at a "
                          "time."))
    return bits


def _disagreement(s: _Shift) -> list[Bit] | None:
    talks = [cv for cv in s.f.conversations if cv.said]
    if not talks:
        return None
    cv = max(talks, key=_contested)
    item = next((i for i in s.f.items if i.id == cv.item), None)
    if cv.held:
        about_what = (f"pushed back on my {move_noun(cv.held.get('do'))} of "
                      f"{model_words(cv.model)}")
    else:
        kind = item.kind if item is not None else "incident"
        about_what = "asked me to " + ASKED[kind].format(model=cv.model)
    bits = [s.night(),
            Bit(0, 0, f"At {clock_said(cv.opened_at)} the {cv.role} from {team(cv.team)} "
                      f"{about_what}."),
            Bit(1, 0, "I had to settle it on the evidence, without deferring and without "
                      "pulling rank, in the middle of the night."),
            Bit(1, 3, "A disagreement at night is expensive: every minute spent arguing is a "
                      "minute the problem keeps running.")]
    if item is not None and item.kind != "incident":
        bits.append(Bit(0, 1, f"They needed an answer by {clock_on(item.deadline)}."))
    index = {e.observation.id: e for e in s.rec.entries if e.observation.id}
    said_before: set[str] = set()
    told_in_replies: set[str] = set()
    for x in cv.said:
        again = x.verb in said_before
        said_before.add(x.verb)
        if x.verb == "defer" and again:
            bits.append(Bit(2, 1, f"At {clock(x.t)} they asked again, and I put them off again."))
        elif x.verb == "reply":
            seen = [index[o] for o in x.cited if o in index]
            sigs = [sig for e in seen for sig in e.observation.signals][:2]
            told_in_replies |= set(sigs)
            what = (f"showing that {and_list([signal_clause(g) for g in sigs])}" if sigs else
                    f"with {_looks_named(seen)}" if seen else "with no data")
            bits.append(Bit(2, 0, f"At {clock(x.t)} I answered {what}"
                                  + (", and that convinced them." if x.convinced else
                                     ", which did not convince them.")))
        else:
            bits.append(Bit(2, 0, f"At {clock(x.t)} I " + VERB_WORDS.get(x.verb, f"chose to "
                                                                             f"{x.verb}.")))
    with_data = any(x.verb == "reply" and x.cited for x in cv.said)
    if with_data:
        bits.append(Bit(2, 2, "I kept it about the data, not about who was right."))
    else:
        bits.append(Bit(2, 2, "I did not bring data to it, which is what I would change."))
    if item is not None:
        bits += s.gate(item, 2)  # before the queue: its `Its ... had failed` is the request's
        if item.taken_at is not None:
            read = "the request's gate report" if item.report.get("checks") else "the request"
            bits.append(Bit(2, 1, f"I read {read} at {clock(item.taken_at)} before answering."))
    if (q := s.queue(4)) is not None:
        bits.append(q)
    if all(x.verb == "reply" for x in cv.said):
        bits.append(Bit(2, 3, "I did not simply agree to end the conversation, and I did not "
                              "overrule them either."))
    paged = next((p for p in s.f.pages if p.model == cv.model and p.alerts
                  and p.opened_at <= cv.opened_at), None)
    if paged is not None:
        bits.append(Bit(0, 2, f"The model had paged me at {clock(paged.opened_at)} with "
                              f"{rule_words(paged.alerts[0])}."))
    inc_on = next((i for i in s.incs if i.model == cv.model), None)
    if inc_on is not None:
        bits += s.evidence(inc_on, 3, said=told_in_replies)
    end = cv.said[-1]
    bits.append(Bit(2, 4, f"From their first message to my last answer took "
                          f"{mins(end.t - cv.opened_at)}."))
    if cv.held and cv.outcome == "proceed":
        iv = next((iv for iv in s.g.interventions if iv.t >= end.t
                   and iv.kind == cv.held.get("do")), None)
        if iv is not None:
            bits.append(Bit(3, 0, f"It ended with the {move_noun(iv.kind)} going out at "
                                  f"{clock(iv.t)}."))
            bits.append(Bit(3, 1, HELD_EFFECT[iv.effect]))
    elif cv.item is not None:
        it = next((i for i in s.f.items if i.id == cv.item), None)
        if it is not None and it.outcome:
            bits.append(Bit(3, 0, f"It ended with the request "
                                  f"{OUT_PASSIVE.get(it.outcome, 'still open')}"
                                  + (f" at {clock(it.done_at)}." if it.done_at else ".")))
    else:
        bits.append(Bit(3, 0, "It ended with them accepting the call."
                        if any(x.convinced for x in cv.said) else
                        "It ended without agreement that night."))
    inc = next((i for i in s.incs if i.model == cv.model), None)
    if inc is not None:
        bits.append(Bit(3, 0, s.ended(inc, "The incident")))
    bits.append(Bit(3, 2, "What changed after was that the evidence was written down, so the "
                          "follow-up in working hours started from the same facts." if with_data
                    else "What changed after was my own rule: no answer to a push back "
                         "without an observation to point at."))
    if any(x.verb == "agree" for x in cv.said) and item is not None and item.outcome == \
            "promoted":
        bits.append(Bit(3, 3, "Agreeing ended the conversation quickly, but it meant the "
                              "release went out with its gate still failing."))
    if (b := s.budget(cv.model, 4)) is not None:
        bits.append(b)
    bits.append(Bit(3, 5, "The lesson I took is to lead with the observation, not the "
                          "conclusion."))
    return bits


HELD_EFFECT = {"fixes": "It stopped the fault.", "partial": "It helped only partly.",
               "none": "It changed nothing, so their push back had a point.",
               "worse": "It made things worse, so their push back had been right."}
VERB_WORDS = {"defer": "asked them to wait, and said I would come back to it.",
              "agree": "agreed to what they asked.",
              "overrule": "overruled them and went ahead with my own call."}


def _looks_named(seen: list[Entry]) -> str:
    """Observations cited in an answer, named as people name them (`the gate report and the
    logs`), never by their ids; `one of my own observations` for those no name fits."""
    names = list(dict.fromkeys(
        ("the gate report" if e.observation.data.get("failed") else "the request's report")
        if e.observation.kind == "request" else TOOL_WORDS.get(e.observation.kind, "")
        for e in seen))
    named = [n for n in names if n]
    if named:
        return and_list(named)
    return "one of my own observations" if len(seen) == 1 else \
        f"{NUMBER_WORDS.get(len(seen), str(len(seen)))} of my own observations"


def _contested(cv: Conversation) -> tuple[bool, bool, bool, int]:
    """How much of a disagreement a talk was: won with data, argued, held a move, went on."""
    return (any(x.verb == "reply" and bool(x.convinced) for x in cv.said),
            any(x.verb in ("reply", "overrule") for x in cv.said), cv.held is not None,
            len(cv.said))


OUT_PASSIVE = {"promoted": "promoted", "held": "held back for working hours",
               "ticketed": "filed for working hours", "built": "built",
               "missed": "left past its deadline"}


def _tradeoff(s: _Shift) -> list[Bit] | None:
    decided = [it for it in s.items if it.kind in ("deploy", "canary")
               and it.outcome in ("promoted", "held", "missed")]
    if not decided:
        return None
    it = decided[0]
    bits = [s.night(),
            Bit(0, 0, f"At {clock_said(it.arrives_at)} {team(it.team)} asked me to ship "
                      f"their {it.model} release by {clock(it.deadline)}, though its "
                      f"{it.report.get('gate', 'pre-production')} gate had failed."),
            Bit(1, 0, "The choice was the team's velocity, a release they had promised, "
                      "against the platform's reliability, what the failing gate said about "
                      "production.")]
    bits += s.gate(it, 2)
    if (q := s.queue(4)) is not None:
        bits.append(q)
    cv = next((c for c in s.f.conversations if c.item == it.id and c.said), None)
    if cv is not None:
        measured = ("with what the gate had measured" if cv.said[0].cited
                    else "though I cited nothing the gate had measured")
        bits.append(Bit(2, 1, f"When the {cv.role} pushed for it, I answered at "
                              f"{clock(cv.said[0].t)}, {measured}."))
    if it.taken_at is not None:
        bits.append(Bit(2, 0, f"I read the gate report at {clock(it.taken_at)} before deciding."))
    asked = open_at(s.incs, it.arrives_at)
    at = it.done_at if it.outcome in ("promoted", "held") else None  # a missed one: undecided
    then = [i for i in open_at(s.incs, at) if i not in asked] if at is not None else []
    if asked:
        bits.append(Bit(0, 1, "An incident was already open when they asked, which made any "
                              "new risk more expensive."))
    elif then:
        bits.append(Bit(2, 1, "By the time I decided, an incident had paged, which made any "
                              "new risk more expensive."))
    if it.outcome == "held":
        bits.append(Bit(2, 0, f"At {clock(it.done_at or 0)} I held it back."))
        bits.append(Bit(3, 0, "I chose reliability. What I gave up was the team's velocity: "
                              "the release they had promised that night waited for working "
                              "hours."))
    elif it.outcome == "promoted":
        bits.append(Bit(2, 0, f"At {clock(it.done_at or 0)} I promoted it."))
        bits.append(Bit(3, 0, "I chose velocity: the team got their release. What I gave up "
                              "was certainty about reliability, since the gate had failed."))
        regs = [r for r in s.f.regressions if r["model"] == it.model]
        if regs:
            bits.append(Bit(3, 1, "The release did carry a regression in its error ratio from "
                                  "then on, which I own."))
        else:
            bits.append(Bit(3, 1, "Nothing regressed on that model for the rest of the night, "
                                  "so the bet paid off this time."))
    else:
        bits.append(Bit(2, 0, "I did not decide in time."))
        bits.append(Bit(3, 0, f"The deadline at {clock(it.deadline)} passed without a "
                              "decision, so the team lost the release and the platform gained "
                              "nothing: the worst of both."))
        bits.append(Bit(3, 1, f"The team waited {mins(it.deadline - it.arrives_at)} for a "
                              "decision that never came."))
        bits.append(Bit(3, 4, "Looking back, a clear no before the deadline would have served "
                              "both sides better than no decision at all."))
    if it.outcome in ("held", "promoted") and it.done_at is not None \
            and it.done_at <= it.deadline:  # a missed deadline is recorded as done at it
        bits.append(Bit(3, 2, f"The team had my answer {mins(it.done_at - it.arrives_at)} "
                              "after they asked, inside their deadline."))
    if (b := s.budget(it.model, 2)) is not None:
        bits.append(b)
    if it.outcome == "held":
        bits.append(Bit(3, 3, "I did not pretend to get both: one side waited so the other "
                              "could be protected."))
    elif it.outcome == "promoted":
        bits.append(Bit(3, 3, "I did not pretend to get both: the team got its release, and "
                              "the platform took on the risk the gate had flagged."))
    if it.outcome in ("held", "promoted"):  # a deadline let pass weighed nothing
        bits.append(Bit(2, 4, "I weighed what the gate measured, not how urgent the "
                              "request sounded."))
    bits.append(Bit(3, 5, "Next time I would agree the rule with the team in daylight, so "
                          "nobody has to argue it at night."))
    return bits


LESSONS = {
    "looked": ("I acted before I had looked at anything myself",
               "Now I spend the first few minutes on what changed, however loud the page is."),
    "ack": ("I was slow to acknowledge the page",
            "Now I acknowledge first, before I know anything, so nobody wonders who has it."),
    "updates": ("I kept nobody informed while it was open",
                "Now I post a first status update within minutes, even if all it says is what "
                "I am checking."),
    "moves": ("I made changes that did not help",
              "Now I make one change at a time, and only one the evidence points at."),
    "cause": ("I named the wrong cause",
              "Now I say how sure I am when I name a cause, and what would prove me wrong."),
    "handed": ("I did not get the service back myself",
               "Now, when I hand an incident over, I hand over what I have already ruled out, "
               "so the next person starts ahead of where I did."),
}


def _mistakes(s: _Shift, inc: ShiftIncident) -> list[str]:
    out = []
    first = min((iv.t for iv in inc.moves), default=None)
    if first is not None and not any(e.observation.t <= first for e in inc.looks):
        out.append("looked")
    if inc.acked_at is None or inc.acked_at - inc.opened_at > 5:
        out.append("ack")
    if not inc.updates:
        out.append("updates")
    if any(iv.effect in ("none", "worse") and iv.kind != "escalate" for iv in inc.moves):
        out.append("moves")
    key = next((k for k in s.rec.key.incidents if k.id == inc.item.incident), None)
    if inc.diagnosis and key is not None and inc.diagnosis.get("cause") != key.cause:
        out.append("cause")
    if inc.item.outcome != "mitigated":
        out.append("handed")
    return out


def _learned(s: _Shift) -> list[Bit] | None:
    incs = [i for i in s.incs if s.span.on_pager(i.opened_at)]  # none paged after I left
    if not incs:
        return None
    inc = max(incs, key=lambda i: len(_mistakes(s, i)))
    mistakes = _mistakes(s, inc)
    late = _late(s, s.items)
    if not mistakes and not late:
        return None
    bits = s.paged(inc, 6)
    bits += s.opening(inc, 2) + s.acts(inc, 2, 1, 1, 3)
    bits += s.outcome(inc)
    if (b := s.budget(inc.model, 4)) is not None:
        bits.append(b)
    said = [LESSONS[m][0] for m in mistakes]
    if late:
        said.append(f"I let {len(late)} of the night's requests pass their deadline")
    bits.append(Bit(3, 0, f"Looking back, {and_list(said)}, and I own that."))
    bits += [Bit(3, 1 + i, LESSONS[m][1]) for i, m in enumerate(mistakes)]
    if late:
        bits.append(Bit(3, 2, "Now I answer every request before its deadline, even when the "
                              "answer is no."))
    bits.append(Bit(3, 7, "The night taught me more than a clean one would have, because each "
                          "of those is a habit I could change the next day."))
    return bits


BUILDERS = {"incident": _incident, "prioritisation": _prioritisation,
            "disagreement": _disagreement, "tradeoff": _tradeoff, "learned": _learned}


def spoken_shift(rec: ShiftRecord, question: str) -> Spoken | None:
    build = BUILDERS.get(question)
    bits = build(_Shift(rec)) if build else None
    return Spoken(question, QUESTIONS[question], fit(bits)) if bits is not None else None


def spoken_shift_stories(rec: ShiftRecord) -> list[Spoken]:
    return [s for q in QUESTIONS if (s := spoken_shift(rec, q)) is not None]


def markdown(rec: ShiftRecord, question: str | None = None) -> str:
    return page(f"Night shift, seed {rec.seed}", spoken_shift_stories(rec), "night", question,
                absent(rec, question) if question else "")
