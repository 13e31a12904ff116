"""STAR stories from a night shift's record, for the behavioural round's questions:

- incident: pick one model; name the alert, the diagnosis and the outcome;
- priorities: how you prioritised a night;
- disagreement: a disagreement with an ML team resolved with data;
- tradeoff: a reliability-versus-velocity decision, with both sides of it.

First person, with the night's own numbers and names. Every figure is read from the record; when
the night lacks what a kind needs (no disagreement came up, no release was decided) the kind is
not offered rather than invented.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import Entry
from oncall.game.shiftrecord import Conversation, Item, ShiftRecord, queue_kind
from oncall.scoring.shift import score_shift
from oncall.scoring.text import num
from oncall.sim.catalogue import FAULTS_BY_ID
from oncall.sim.clock import hhmm
from oncall.story.clauses import a_or_an, move_noun
from oncall.story.shiftfacts import absent, incidents, open_at, worked

Kind = Literal["incident", "priorities", "disagreement", "tradeoff"]
KINDS: tuple[Kind, ...] = ("incident", "priorities", "disagreement", "tradeoff")
QUESTIONS: dict[str, str] = {
    "incident": "Tell me about a production incident you handled.",
    "priorities": "How do you prioritise when several things need you at once?",
    "disagreement": "Tell me about a disagreement with an ML team. How did you resolve it?",
    "tradeoff": "Tell me about a time you traded platform reliability against team velocity.",
}
OUTCOMES = {"promoted": "promoted", "held": "held back", "ticketed": "ticketed for working hours",
            "built": "built", "missed": "left undecided past its deadline",
            "silenced": "silenced", "mitigated": "mitigated",
            "handed over": "handed over to the secondary on-call"}


class Story(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    question: str
    situation: str
    task: str
    action: str
    result: str

    def markdown(self) -> str:
        return (f"## {self.question}\n\n**Situation.** {self.situation}\n\n**Task.** {self.task}"
                f"\n\n**Action.** {self.action}\n\n**Result.** {self.result}\n")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _night(rec: ShiftRecord) -> str:
    """The span worked, never the shift's planned one: a night abandoned at 01:23 is told as
    that, not as a night on call to 06:00."""
    g = rec.game.facts
    span = worked(rec)
    fleet = (f"for {g.fleet_models} production ML models serving about "
             f"{num(round(g.fleet_rps))} requests per second")
    if span.how is None:
        return f"I was on call overnight, {hhmm(span.start)} to {hhmm(span.end)}, {fleet}."
    return (f"I was on call from {hhmm(span.start)}, {fleet}, until {span.left()}, "
            f"{span.end - span.stop} min before the shift's end at {hhmm(span.end)}"
            + ("; the rest of the night ran on with nobody answering." if span.how == "end"
               else "."))


def _looks(rec: ShiftRecord, model: str, until: int) -> list[Entry]:
    return [e for e in rec.entries[:until] if e.command.get("do") in INVESTIGATIONS
            and e.observation.ok and e.command.get("model") == model]


def _budget_line(rec: ShiftRecord, model: str) -> str:
    row = next((r for r in rec.facts.budget.get("models", []) if r["model"] == model), None)
    if row is None:
        return ""
    span = worked(rec)  # the budgets are taken where the record stops
    when = f"By the time {span.left()}" if span.how == "abandoned" else "By the end of the shift"
    return (f" {when} the night had spent {row['night_pct']:g}% of {model}'s 30-day error "
            f"budget (SLO {row['slo']:.1%}), leaving {row['left_pct']:g}%.")


def incident(rec: ShiftRecord) -> Story | None:
    """The night's first incident the player handled, told only from its own facts (its page,
    its looks, its diagnosis, its moves, the updates posted while it was open); none when the
    player handled none (a page never acknowledged, nothing done on it, is not an incident
    handled)."""
    inc = next((i for i in incidents(rec) if i.handled), None)
    if inc is None:
        return None
    it, page = inc.item, inc.page
    alert = inc.alert
    rule = page.alerts[0] if page.alerts else "an alert"
    if inc.fired_at is not None:
        fired = f"{rule} fired on {it.model} at {hhmm(inc.fired_at)}" + (
            f": {alert.value:.4g} against a threshold of {alert.threshold:.4g} ({alert.unit})"
            if alert is not None else "")
        if inc.fired_at != page.opened_at:
            fired += f". Page {page.id} reached me at {hhmm(page.opened_at)}"
    else:
        fired = f"{rule} paged for {it.model} at {hhmm(page.opened_at)}"
    situation = f"{_night(rec)} {fired}."
    since = inc.fired_at if inc.fired_at is not None else page.opened_at
    ack = (f"I acknowledged page {page.id} at {hhmm(page.acked_at)}, "
           f"{page.acked_at - since} min after "
           + ("the alert fired" if inc.fired_at is not None else "it paged me")
           if page.acked_at is not None else f"Page {page.id} went unacknowledged")
    tools = list(dict.fromkeys(str(e.command["do"]) for e in inc.looks))
    acts = [ack]
    if inc.severity is not None:
        acts.append(f"declared SEV-{inc.severity}")
    if tools:
        acts.append(f"looked at {_and(tools)} for {it.model} ({_plural(len(inc.looks), 'look')})")
    timed: list[tuple[int, int, str]] = []  # the diagnosis and the moves, in the record's order
    if inc.diagnosis:
        cause = str(inc.diagnosis.get("cause"))
        name = FAULTS_BY_ID[cause].name if cause in FAULTS_BY_ID else cause
        cited = inc.diagnosis.get("evidence") or []
        category = str(inc.diagnosis.get("category"))
        timed.append((inc.diagnosis_at if inc.diagnosis_at is not None else 0, 0,
                      (f"at {hhmm(inc.diagnosis_at)} " if inc.diagnosis_at is not None else "")
                      + f"I diagnosed {a_or_an(category)} fault, {cause} ({name})"
                      + (f", citing {', '.join(cited)}" if cited else "")))
    for n, iv in enumerate(inc.moves[:3], 1):
        what = iv.command.get("fix") or iv.command.get("team") or ""
        timed.append((iv.t, n, f"at {hhmm(iv.t)} I ran {iv.kind}" + (f" {what}" if what else "")
                      + f" on {it.model}" if iv.kind != "escalate" else
                      f"at {hhmm(iv.t)} I escalated to {what}"))
    # What came after the secondary took it over is told after that, in the result.
    handed = it.done_at if it.outcome == "handed over" else None
    later = [text for t, _, text in sorted(timed) if handed is not None and t > handed]
    acts += [text for t, _, text in sorted(timed) if handed is None or t <= handed]
    if inc.updates:
        acts.append(f"posted {_plural(len(inc.updates), 'status update')} about it")
    action = "; ".join(acts) + "."
    action = action[0].upper() + action[1:]
    if it.done_at is not None and it.outcome in ("mitigated", "handed over"):
        result = (f"{it.model} was {OUTCOMES[it.outcome]} at {hhmm(it.done_at)}, "
                  f"{it.done_at - page.opened_at} min after the page."
                  + (f" After that, {'; '.join(later)}." if later else ""))
    else:
        result = f"{it.model} was still not mitigated {worked(rec).until()}."
    result += _budget_line(rec, it.model)
    return Story(kind="incident", question=QUESTIONS["incident"], situation=situation,
                 task=f"Restore {it.model} while keeping the rest of the queue moving.",
                 action=action, result=result)


KIND_NAMES = {"release alert": "regression page"}
"""A queue kind (`queue_kind`) as the written story names it, where it is not its own name."""

TOLD_ITEMS = 8
"""Items a priorities story tells one by one; any more are named together at the end."""


def priorities(rec: ShiftRecord) -> Story | None:
    """How the player worked the queue that reached them while they were on the pager (what
    came after they went off it is counted apart, as nobody's)."""
    items = worked(rec).arrived(rec)
    if len(items) < 2:
        return None
    later = [it for it in rec.facts.items if it.arrived and it not in items]
    counts: dict[str, int] = {}
    for it in items:
        kind = queue_kind(rec, it)
        counts[kind] = counts.get(kind, 0) + 1
    mix = _and([_plural(n, {"noise": "noise item"}.get(k, KIND_NAMES.get(k, k)))
                for k, n in counts.items()])
    span = f"between {hhmm(min(it.arrives_at for it in items))} and " \
           f"{hhmm(max(it.arrives_at for it in items))}"
    situation = f"{_night(rec)} The queue received {mix} {span}." + (
        f" {_plural(len(later), 'more item')} came after I went off the pager, and nobody "
        "answered them." if later else "")
    taken = sorted((it for it in items if it.taken_at is not None),
                   key=lambda it: (it.taken_at or 0, it.id))
    steps = [f"{it.id} ({KIND_NAMES.get(queue_kind(rec, it), queue_kind(rec, it))}, arrived "
             f"{hhmm(it.arrives_at)}) at {hhmm(it.taken_at or 0)}"
             + (f", {OUTCOMES[it.outcome]}" if it.outcome in OUTCOMES else "")
             for it in taken[:TOLD_ITEMS]]
    if len(taken) > TOLD_ITEMS:  # every item taken is counted, none silently left out
        rest = taken[TOLD_ITEMS:]
        steps.append(f"and {len(rest)} more ({', '.join(it.id for it in rest)})")
    action = ("I took the items in this order: " + "; ".join(steps) + "."
              if steps else "I took no item from the queue.")
    card = score_shift(rec)
    order = next(f for f in card.section("prioritisation").findings if f.name == "order")
    deadlines = next(f for f in card.section("prioritisation").findings
                     if f.name == "deadlines")
    result = f"{order.text} {deadlines.text}"
    return Story(kind="priorities", question=QUESTIONS["priorities"], situation=situation,
                 task="Production incidents first, deployment-blocking work second, feature "
                      "requests third, and noise silenced or ticketed rather than chased.",
                 action=action, result=result)


def _obs_line(rec: ShiftRecord, oid: str) -> str | None:
    e = next((e for e in rec.entries if e.observation.id == oid), None)
    if e is None:
        return None
    what = "gate report" if e.observation.kind == "request" else str(e.command.get("do"))
    on = e.command.get("model") or e.observation.data.get("model")
    return f"{oid} ({what}{' of ' + str(on) if on else ''} at {e.observation.clock})"


def _talk(rec: ShiftRecord) -> Conversation | None:
    talks = [cv for cv in rec.facts.conversations if cv.said]
    won = [cv for cv in talks if any(s.verb == "reply" and s.convinced for s in cv.said)]
    pick = won or talks
    return pick[0] if pick else None


def _words(line: str, person: str) -> str:
    """What a colleague said, without the chat line's own lead (`Priya Shah (ads-ml): ...`): the
    story names the speaker already, and a quote that names them again reads as if they spoke
    of themselves."""
    m = re.match(rf"{re.escape(person)}(?: \([^)]*\))?: *", line)
    if m is None:
        return line
    rest = line[m.end():]
    return rest[:1].upper() + rest[1:]


def disagreement(rec: ShiftRecord) -> Story | None:
    cv = _talk(rec)
    if cv is None:
        return None
    how = (f"pushed back on my {move_noun(cv.held['do'])} of {cv.model}" if cv.held else
           f"pressed me on {cv.model}")
    situation = (f"{_night(rec)} At {hhmm(cv.opened_at)} {cv.person}, the {cv.role} "
                 f"({cv.team}), {how}: \"{_words(cv.opening, cv.person)}\"")
    acts = []
    for s in cv.said:
        if s.verb == "reply":
            cited = [x for x in (_obs_line(rec, o) for o in s.cited) if x]
            acts.append(f"at {hhmm(s.t)} I replied citing " + (_and(cited) if cited else
                                                               "no observation")
                        + (" and it convinced them" if s.convinced else
                           ", which did not convince them"))
        else:
            acts.append(f"at {hhmm(s.t)} I chose to {s.verb}")
    action = "; ".join(acts) + "."
    action = action[0].upper() + action[1:]
    last = cv.said[-1]
    result = f"{cv.person} answered: \"{_words(last.says, cv.person)}\""
    if cv.held and cv.outcome == "proceed":
        iv = next((iv for iv in rec.game.facts.interventions if iv.t >= last.t
                   and iv.kind == cv.held["do"]), None)
        if iv is not None:
            result += f" The {move_noun(iv.kind)} went out at {hhmm(iv.t)}."
    item = _incident_item(rec, cv.model)
    if item is not None and item.done_at is not None and item.outcome == "mitigated":
        result += f" {cv.model} was mitigated at {hhmm(item.done_at)}."
    return Story(kind="disagreement", question=QUESTIONS["disagreement"], situation=situation,
                 task="Settle it on the evidence, without deferring and without pulling rank.",
                 action=action, result=result)


def _incident_item(rec: ShiftRecord, model: str) -> Item | None:
    return next((it for it in rec.facts.items if it.kind == "incident" and it.model == model),
                None)


def tradeoff(rec: ShiftRecord) -> Story | None:
    decided = [it for it in worked(rec).arrived(rec) if it.kind in ("deploy", "canary")
               and it.outcome in ("promoted", "held", "missed")]
    if not decided:
        return None
    incs = incidents(rec)

    def decided_at(x: Item) -> int | None:
        """When the player decided the request (a missed deadline is recorded as done at it,
        with nothing decided)."""
        return x.done_at if x.outcome in ("promoted", "held") else None

    def busy(x: Item) -> bool:
        at = decided_at(x)
        return bool(open_at(incs, x.arrives_at) or (at is not None and open_at(incs, at)))

    it = next((x for x in decided if busy(x)), decided[0])
    report: dict[str, Any] = it.report
    failed = [c for c in report.get("checks", []) if not c["passed"]]
    gate = "; ".join(
        f"{c['check']}: candidate {c['candidate']:g} against stable {c['stable']:g}"
        if "candidate" in c else f"{c['check']}: {c['detail']}" for c in failed)
    asked = open_at(incs, it.arrives_at)
    at = decided_at(it)
    then = [i for i in open_at(incs, at) if i not in asked] if at is not None else []
    situation = (f"{_night(rec)} At {hhmm(it.arrives_at)} {it.requester} ({it.team}) asked me "
                 f"to {it.need[0].lower() + it.need[1:]} by {hhmm(it.deadline)}. Its "
                 f"{report.get('gate', 'release')} gate had failed ({gate})."
                 + (f" When they asked, the incident on {asked[0].model} had been open since "
                    f"{hhmm(asked[0].opened_at)}." if asked else ""))
    task = ("Weigh the team's release (velocity) against the platform's error budget and an "
            "open incident (reliability)." if asked or then else
            "Weigh the team's release (velocity) against what the gate said about the platform's "
            "reliability.")
    cv = next((c for c in rec.facts.conversations if c.item == it.id), None)
    acts = []
    if it.taken_at is not None:
        acts.append(f"I read the gate report at {hhmm(it.taken_at)}")
    for s in (cv.said if cv else []):
        acts.append(f"at {hhmm(s.t)} I chose to {s.verb}"
                    + (f", citing {', '.join(s.cited)}" if s.cited else ""))
    action = ("; ".join(acts) + ".") if acts else "I made no decision on it."
    action = action[0].upper() + action[1:]
    if then:
        action += (f" By the time I decided, the incident on {then[0].model} had been open "
                   f"since {hhmm(then[0].opened_at)}.")
    if it.outcome == "promoted":
        result = (f"{it.model} {report.get('version')} went live at "
                  f"{hhmm(it.done_at or 0)}: the team got its release.")
        regs = [r for r in rec.facts.regressions if r["model"] == it.model]
        if regs:
            result += (f" The release carried a regression of {regs[0]['error_rate']:g} in "
                       "error ratio from then on.")
    elif it.outcome == "held":
        result = (f"{it.model} {report.get('version')} was held back at "
                  f"{hhmm(it.done_at or 0)}: the release waits for working hours.")
    else:
        result = f"The deadline {hhmm(it.deadline)} passed without a decision."
    result += _budget_line(rec, it.model)
    return Story(kind="tradeoff", question=QUESTIONS["tradeoff"], situation=situation,
                 task=task, action=action, result=result)


BUILDERS = {"incident": incident, "priorities": priorities, "disagreement": disagreement,
            "tradeoff": tradeoff}


def stories(rec: ShiftRecord) -> list[Story]:
    """Every kind this night can tell, in the order of KINDS."""
    return [s for k in KINDS if (s := BUILDERS[k](rec)) is not None]


def markdown(rec: ShiftRecord, kind: str | None = None) -> str:
    chosen = [s for s in stories(rec) if kind is None or s.kind == kind]
    head = f"# Night shift, seed {rec.seed} ({rec.difficulty}, {rec.length // 60} h)\n\n"
    if not chosen:
        return head + (f"This night has no {kind} story: {absent(rec, kind)}\n"
                       if kind else "Nothing happened this night to tell.\n")
    return head + "\n".join(s.markdown() for s in chosen)
