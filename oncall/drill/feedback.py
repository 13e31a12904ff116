"""Per-role feedback on a drill, the team's card, and the story of who did what.

Each role is judged on what it owns, from the record and the drill's log alone:
- incident commander: the decisions (severity, diagnosis, hand-offs, resolve), the cadence
  (acknowledged within 5 minutes, severity soon after), delegation (who ran the commands) and
  no hands on the keyboard (investigations issued by the commander);
- operations: the investigations, how many showed the fault, the interventions and what they did;
- communications: status updates at least every 30 simulated minutes from the page to the
  resolve, each stakeholder ask answered by an update within 15 minutes, tickets for the noise;
- scribe: a timeline that matches the record (each key moment noted within 15 minutes; every
  time a note states is a moment of the record) and the postmortem.
The team's card is the game's scorecard of the drill's record, with the hints and pauses used.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

from oncall.drill import roles
from oncall.game.commands import ACK_TARGET_MIN, INVESTIGATIONS
from oncall.sim.clock import hhmm

if TYPE_CHECKING:
    from oncall.drill.log import Event
    from oncall.drill.table import Table

UPDATE_EVERY_MIN = 30
"""The longest a stakeholder should wait for the next update while the incident is open."""
ANSWER_WITHIN_MIN = 15
"""A stakeholder's ask is answered if an update follows within this many minutes."""
NOTE_WITHIN_MIN = 15
"""A key moment is on the timeline if a note was written within this many minutes of it."""
SEVERITY_WITHIN_MIN = 15
"""Minutes from the acknowledgement to a declared severity."""
_CLOCK = re.compile(r"\b([01]\d|2[0-3]):([0-5]\d)\b")


def _check(ok: bool, text: str) -> dict[str, Any]:
    return {"ok": ok, "text": text}


def _card(table: Table, role: str, checks: list[dict[str, Any]]) -> dict[str, Any]:
    players = sorted(w for w, r in table.members.items() if r == role)
    issued = sum(1 for ev in table.authors if ev.role == role)
    return {"role": role, "title": roles.TITLES[role], "players": players, "commands": issued,
            "checks": checks, "met": sum(1 for c in checks if c["ok"]), "of": len(checks)}


def _by(table: Table, verbs: tuple[str, ...]) -> list[tuple[Event, Any]]:
    """(event, record entry) of the commands with these verbs that the game accepted."""
    return [(ev, e) for ev, e in zip(table.authors, table.session.record.entries, strict=True)
            if ev.verb in verbs and e.observation.ok]


def commander(table: Table) -> dict[str, Any]:
    rec = table.session.record
    f, key = rec.facts, rec.answers
    checks = []
    if f.acked_at is None:
        checks.append(_check(False, "the page was never acknowledged"))
    else:
        mins = f.acked_at - f.page_at
        checks.append(_check(mins <= ACK_TARGET_MIN, f"acknowledged {mins} min after the page "
                             f"(target {ACK_TARGET_MIN})"))
    if f.severity is None or f.severity_at is None:
        checks.append(_check(False, "no severity was declared"))
    else:
        since = f.severity_at - (f.acked_at if f.acked_at is not None else f.page_at)
        checks.append(_check(f.severity == key.severity and since <= SEVERITY_WITHIN_MIN,
                             f"declared SEV-{f.severity} {since} min after the acknowledgement "
                             f"(the key: SEV-{key.severity}, within {SEVERITY_WITHIN_MIN} min)"))
    if f.diagnosis is None:
        checks.append(_check(False, "no diagnosis was stated"))
    else:
        right = f.diagnosis.get("cause") == key.cause
        checks.append(_check(right, f"stated the cause {f.diagnosis.get('cause')} "
                             f"({'right' if right else 'the key says ' + key.cause})"))
    handed = [e.command.get("team") for _, e in _by(table, ("escalate",))]
    if key.escalate_to:
        checks.append(_check(key.escalate_to in handed, "handed off to " + (
            ", ".join(map(str, handed)) if handed else "no team")
            + f" (the key: {key.escalate_to})"))
    hands = sum(1 for ev in table.authors if ev.role == roles.COMMANDER and
                ev.verb in INVESTIGATIONS)
    others = sorted({ev.who for ev in table.authors if ev.role != roles.COMMANDER})
    checks.append(_check(hands == 0 and bool(others),
                         f"hands off the keyboard: {hands} investigation(s) by the commander; "
                         f"the commands went through {', '.join(others) or 'nobody else'}"))
    checks.append(_check(f.resolved_at is not None, "resolved the incident" if f.resolved_at
                         is not None else "the incident was not resolved"))
    return _card(table, roles.COMMANDER, checks)


def operations(table: Table) -> dict[str, Any]:
    rec = table.session.record
    looked = _by(table, INVESTIGATIONS)
    showing = sum(1 for _, e in looked if e.observation.signals)
    checks = [_check(showing > 0, f"{len(looked)} investigation(s), {showing} of them showing "
                     "the fault")]
    for iv in rec.facts.interventions:
        if iv.kind == "escalate":
            continue
        checks.append(_check(iv.effect in ("fixes", "partial"),
                             f"{iv.kind} at {hhmm(iv.t)}: {iv.effect}, after {iv.evidence_before}"
                             " observation(s) with evidence"))
    if rec.facts.mitigated_at is not None:
        checks.append(_check(True, f"mitigated at {hhmm(rec.facts.mitigated_at)}, "
                             f"{rec.facts.mitigated_at - rec.facts.page_at} min after the page"))
    else:
        checks.append(_check(False, "the fault was never mitigated"))
    return _card(table, roles.OPERATIONS, checks)


def communications(table: Table) -> dict[str, Any]:
    f = table.session.record.facts
    updates = sorted(f.updates_at)
    end = f.resolved_at if f.resolved_at is not None else table.now
    marks = [f.page_at, *updates, end]
    gaps = [b - a for a, b in itertools.pairwise(marks)]
    longest = max(gaps) if gaps else 0
    checks = [_check(bool(updates) and longest <= UPDATE_EVERY_MIN,
                     f"{len(updates)} update(s); the longest wait for news "
                     f"{longest} min (at most {UPDATE_EVERY_MIN})")]
    asks = [m for m in table.injects if m.event.command.get("event", "stakeholder")
            == "stakeholder"]
    answered = sum(1 for m in asks if any(m.t <= u <= m.t + ANSWER_WITHIN_MIN for u in updates))
    if asks:
        checks.append(_check(answered == len(asks), f"{answered} of {len(asks)} stakeholder "
                             f"ask(s) answered by an update within {ANSWER_WITHIN_MIN} min"))
    noise = {(a.rule, a.model) for a in f.noise_alerts}
    ticketed = {(t.get("alert"), t.get("model")) for t in f.tickets}
    if noise:
        checks.append(_check(noise <= ticketed, f"{len(noise & ticketed)} of {len(noise)} "
                             "alert(s) off the incident ticketed for working hours"))
    return _card(table, roles.COMMUNICATIONS, checks)


def _moments(table: Table) -> list[tuple[int, str]]:
    f = table.session.record.facts
    found = [(f.page_at, "the page"), (f.acked_at, "the acknowledgement"),
             (f.severity_at, "the severity"), (f.diagnosis_at, "the diagnosis"),
             *((iv.t, f"the {iv.kind}") for iv in f.interventions),
             (f.mitigated_at, "the mitigation"), (f.resolved_at, "the resolve")]
    return [(t, what) for t, what in found if t is not None]


def scribe(table: Table) -> dict[str, Any]:
    moments = _moments(table)
    noted = [(t, what) for t, what in moments
             if any(t <= n.t <= t + NOTE_WITHIN_MIN for n in table.notes)]
    missed = [f"{what} ({hhmm(t)})" for t, what in moments if (t, what) not in noted]
    checks = [_check(not missed, f"{len(noted)} of {len(moments)} key moments on the timeline "
                     f"within {NOTE_WITHIN_MIN} min" + (f"; missing {', '.join(missed)}"
                                                        if missed else ""))]
    stated = [(m, int(h) * 60 + int(mm)) for m in table.notes
              for h, mm in _CLOCK.findall(m.text)]
    wrong = [f"{hhmm(t)} in “{m.text[:40]}”" for m, t in stated
             if not any(abs(t - when) <= 2 for when, _ in moments)
             and not any(abs(t - e.observation.t) <= 2 for e in table.session.record.entries)]
    if stated:
        checks.append(_check(not wrong, f"{len(stated) - len(wrong)} of {len(stated)} times "
                             "in the notes match the record" + (
                                 f"; not in the record: {'; '.join(wrong)}" if wrong else "")))
    filed = _by(table, ("postmortem",))
    checks.append(_check(bool(filed), "filed the postmortem" if filed else
                         "no postmortem was filed"))
    return _card(table, roles.SCRIBE, checks)


JUDGES = {roles.COMMANDER: commander, roles.OPERATIONS: operations,
          roles.COMMUNICATIONS: communications, roles.SCRIBE: scribe}


def drill_cards(table: Table) -> dict[str, Any]:
    """The team's card and one card per role that took part (joined or issued a command)."""
    card = table.card
    present = set(table.members.values()) | {ev.role for ev in table.authors}
    team: dict[str, Any] = {
        "score": card.model_dump(mode="json") if card is not None else None,
        "players": {w: r for w, r in sorted(table.members.items())},
        "hints": len(table.hints), "pauses": sum(1 for m in table.pauses
                                                 if m.text == "pause"),
        "injected": len(table.injects)}
    return {"team": team,
            "roles": [JUDGES[r](table) for r in roles.ROLES if r in present and r in JUDGES]}


def story(table: Table) -> str:
    """The drill as Markdown: who was there, who did what when, and each role's card."""
    rec = table.session.record
    out = [f"# Drill {table.info.id}: {table.scenario.title}", "",
           f"Seed {table.info.seed}, {table.info.difficulty}; paged at "
           f"{hhmm(rec.facts.page_at)}.", "", "## Who was there", ""]
    out += [f"- {w}, {roles.TITLES.get(r, r)}" for w, r in sorted(table.members.items())]
    out += ["", "## Who did what", ""]
    said = [(ev, e.observation.clock, e.observation.text)
            for ev, e in zip(table.authors, rec.entries, strict=True)]
    said += [(m.event, hhmm(m.t), m.text) for m in [*table.notes, *table.hints, *table.injects]]
    for ev, clock, text in sorted(said, key=lambda x: x[0].seq):
        first = text.splitlines()[0] if text else ""
        out.append(f"- {clock} **{ev.who}** ({roles.TITLES.get(ev.role, ev.role)}) "
                   f"`{ev.verb}`: {first[:100]}")
    cards = drill_cards(table)
    score = cards["team"]["score"]
    out += ["", "## The team's card", ""]
    out.append(f"Score {score['total']:g}/{score['max']:g}. {score['ending']}" if score else
               f"The incident is still {table.session.phase}: no score yet.")
    out.append(f"Hints used: {cards['team']['hints']}; pauses: {cards['team']['pauses']}; "
               f"events injected: {cards['team']['injected']}.")
    for card in cards["roles"]:
        out += ["", f"## {card['title'].capitalize()} ({', '.join(card['players']) or 'nobody'})"
                f": {card['met']} of {card['of']}", ""]
        out += [f"- {'✓' if c['ok'] else '✗'} {c['text']}" for c in card["checks"]]
    return "\n".join(out) + "\n"
