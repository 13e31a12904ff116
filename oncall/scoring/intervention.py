"""Intervention (25): the right kind on the right target, soon, and nothing harmful on the way.

Rules:
- 8: the first intervention, judged by what it did: 8 for a rollback or hotfix that mitigated the
  fault, 6 for an escalation whose team mitigated it (it spends another team's night and waits
  on them) or would have, had a later move of the player's own not stopped the fault before
  their answer, 4 when a rollback or hotfix of your own could have settled it, 3 for a move that
  helped partly, 0 for one that changed nothing or made it worse (the answer key's `why` says
  what makes a tempting move wrong). A move made before any observation had shown a sign of the
  fault is a blind guess: it earns nothing, even when it works, as a diagnosis named before any
  look earns nothing (reading the runbook is no look at what happened); a move made while the
  stated diagnosis named a wrong cause (neither the root cause nor an accepted alternative)
  earns half: it worked for another reason than the one given.
  An escalation that was one of SPRAY or more teams paged earns nothing.
- 6: the fault was mitigated during the run and not handed over to the secondary; 4 when a team
  you escalated to mitigated what a rollback or hotfix of your own could have settled; half of
  either when the move that mitigated was aimed at a wrong cause, none when it was a blind guess
  or came from a spray or from an escalation made before any look (or saying nothing): a page by
  habit hands the team a page, not a finding, and the first move's points follow the same rule.
  On a night with several incidents these points are the mean over them (each other incident
  counts when its fault stopped without the secondary).
- 5: page to mitigation: every minute of impact counts, so full within 15 minutes, falling
  linearly to nothing at 75 (only when mitigated), times the share of the mitigation earned
  (half for a move aimed at a wrong cause, none for a guess or a spray).
- 4: no harmful moves. Each intervention that matches a wrong move, or had no effect, costs 2;
  one that made things worse costs 3; an escalation that changed nothing costs 1 (a team's
  time is cheap next to a blind rollback). What the 4 cannot absorb comes out of the rest of the
  section: a harmful move costs more than doing nothing. The feedback names the move and why
  it was wrong.
  Restraint needs a decision: a run with no intervention, only blind guesses, or a page never
  acknowledged earns nothing here, and what its moves cost beyond the 4 still comes out of the
  section.
- 2: mitigation before full root cause: something that helped was applied before the diagnosis
  or within 10 minutes of it (SRE: make the system work first, then find the cause), once some
  observation had shown a sign of the fault (mitigating first is not guessing first).

A control (a page with nothing to fix) is scored on restraint instead, with the same maxima:
- 8: no rollback or hotfix at all, and the signal alert ticketed after the page was
  acknowledged and the target looked at (holding back is a decision only when it is made: doing
  nothing and filing nothing earns nothing, and neither does a ticket filed without a look).
- 6: the signal alert was ticketed on the model (or an escalation about it asked for
  working-hours follow-up: the same decision by another verb, `Run.follow_ups`); 5: within 30
  minutes of the page, half by 60;
  none of either when the ticket was not a decision (see restraint below).
- 4: no harmful moves, costed as above and past this rule as above (a follow-up escalation
  costs nothing; doing nothing is the right play here), once restraint
  is a decision: the page acknowledged, the target looked at, a ticket or a diagnosis stated.
- 2: the ticket followed an observation that showed what happened.
"""

from __future__ import annotations

from oncall.game.record import Intervened
from oncall.scoring.diagnosis import alternative, cause_label
from oncall.scoring.run import Run, describe
from oncall.scoring.tally import Tally, within
from oncall.sim.catalogue import FAULTS_BY_ID

FAST, SLOW = 30, 60
MITIGATE_FULL, MITIGATE_NONE = 15, 75
BEFORE_ROOT_CAUSE = 10
HELPED = ("fixes", "partial")


def _penalty(run: Run, iv: Intervened) -> tuple[int, str]:
    m = run.match(iv.command)
    what = f"{describe(iv.command)} at {run.at(iv.t)}"
    stopped = run.facts.mitigated_at
    if iv.effect == "none" and iv.kind != "escalate" and stopped is not None \
            and iv.t >= stopped and run.on_target(iv):
        return 2, f"{what} came after the fault had stopped and changed nothing"
    if m is not None and not m.right:
        why = f": {m.move.why}" if m.move.why else ""
        return (3 if iv.effect == "worse" else 2), f"{what} is a tempting wrong move{why}"
    if iv.effect == "worse":
        return 3, f"{what} made things worse"
    if iv.effect == "none":
        return (1 if iv.kind == "escalate" else 2), f"{what} changed nothing"
    return 0, ""


def score_intervention(run: Run) -> Tally:
    if run.answers.control:
        return _score_control(run)
    tally = Tally("intervention")
    ivs = run.interventions
    facts = run.facts
    if not ivs:
        tally.add("first", 0, 8, "Made no intervention: no rollback, hotfix or escalation.")
    else:
        first = ivs[0]
        m = run.match(first.command)
        what = f"First move {describe(first.command)} at {run.at(first.t)}"
        share, why = _earned(run, first)
        guess = f" {why[:1].upper()}{why[1:]}." if why and share else ""
        if first.kind == "escalate" and run.sprayed():
            teams = run.teams_escalated()
            tally.add("first", 0, 8, f"{what} was one of {len(teams)} escalations "
                      f"({', '.join(teams)}): paging every team is not a decision.")
        elif first.kind == "escalate" and run.landed_late(first):
            mit = run.mitigator()
            by = f" {describe(mit.command)} at {run.at(mit.t)}" if mit is not None else ""
            line = (f"{what} handed the fault to its team;{by} stopped it before their answer "
                    f"at {run.at(first.effective_at)}")
            tally.add("first", 6 * share, 8, line + (f".{guess}" if share else f", but {why}."))
        elif first.effect in HELPED and not share:
            did = "mitigated" if first.effect == "fixes" else "helped with"
            via = " through the team" if first.kind == "escalate" else ""
            tally.add("first", 0, 8, f"{what} {did} the fault{via}, but {why}.")
        elif first.effect == "fixes" and first.kind != "escalate":
            tally.add("first", 8 * share, 8, f"{what} mitigated the fault.{guess}")
        elif first.effect == "fixes" and _delegated(run):
            tally.add("first", 4 * share, 8, f"{what} mitigated the fault through the team, at "
                      f"{run.at(first.effective_at)}; a fix of your own would have been faster."
                      f"{guess}")
        elif first.effect == "fixes":
            tally.add("first", 6 * share, 8, f"{what} mitigated the fault through the team that "
                      f"owns it, at {run.at(first.effective_at)}.{guess}")
        elif first.effect == "partial":
            tally.add("first", 3 * share, 8, f"{what} only helped partly; a move that fixes it: "
                      f"{describe(_as_command(run))}.{guess}")
        elif m is not None and not m.right:
            why = f" ({m.move.why})" if m.move.why else ""
            tally.add("first", 0, 8, f"{what} was the tempting wrong move{why}.")
        else:
            did = "made things worse" if first.effect == "worse" else "changed nothing"
            tally.add("first", 0, 8, f"{what} {did}; a move that fixes it: "
                      f"{describe(_as_command(run))}.")

    delay = run.since_page(facts.mitigated_at)
    if facts.handed_over:
        tally.add("mitigated", 0, 6, "Handed over: the secondary on-call took the "
                  "incident over before it was mitigated.")
        tally.add("time", 0, 5, "")
    elif facts.mitigated_at is None:
        tally.add("mitigated", 0, 6, "The fault was never mitigated.")
        tally.add("time", 0, 5, "")
    else:
        pts, line = 6.0, f"Mitigated at {run.at(facts.mitigated_at)}"
        if _delegated(run):
            pts, line = 4.0, line + " by a team you escalated to, though a rollback or hotfix " \
                "of your own could have settled it"
        share, why = 1.0, ""
        fixer = run.mitigator()
        if fixer is not None:
            share, why = _earned(run, fixer)
            if why:
                line += f"; {describe(fixer.command)}: {why}"
        pts, line = _every_incident(run, pts * share, line)
        tally.add("mitigated", pts, 6, line + ".")
        _mitigation_time(tally, delay, share,
                         "; it counts only as far as the move that mitigated does (above)"
                         if why else "")

    costs = [_penalty(run, iv) for iv in ivs]
    bad = [(c, line) for c, line in costs if c]
    costly = "Moves that cost: " + "; ".join(line for _, line in bad) + "." if bad else ""
    if facts.acked_at is None or all(_blind(run, iv) for iv in ivs):
        # doing nothing, or only guessing, is not restraint; what the moves cost still counts
        tally.add("harm", min(0.0, 4 - sum(c for c, _ in bad)), 4, costly + (
            " No move was made on evidence, so there was no restraint to credit." + _past(bad)
            if costly else ""), reach=True)
    elif bad:
        tally.add("harm", 4 - sum(c for c, _ in bad), 4, costly + _past(bad), reach=True)
    else:
        tally.add("harm", 4, 4, "No harmful or wasted interventions.")

    helped = [iv for iv in ivs if iv.effect in HELPED and iv.evidence_before > 0
              and not run.landed_late(iv)]
    dx_at = facts.diagnosis_at
    early = [iv for iv in helped if dx_at is None or iv.t <= dx_at + BEFORE_ROOT_CAUSE]
    if early:
        iv = early[0]
        took = (f"; it took effect at {run.at(iv.effective_at)}"
                if iv.effective_at != iv.t else "")
        if dx_at is None or iv.t < dx_at:
            line = f"Moved to mitigate before the root cause was confirmed: " \
                   f"{describe(iv.command)} at {run.at(iv.t)}"
            line += (f", before any diagnosis{took}." if dx_at is None else
                     f", before the diagnosis at {run.at(dx_at)}{took}.")
        else:
            line = f"Mitigated without waiting on more root-causing: {describe(iv.command)} at " \
                   f"{run.at(iv.t)}, {iv.t - dx_at} min after the diagnosis (target " \
                   f"{BEFORE_ROOT_CAUSE})."
        share, why = _earned(run, iv)
        tally.add("early", 2 * share, 2, line[:-1] + (f"; {why}." if why else "."))
    elif helped and dx_at is not None:
        iv = helped[0]
        tally.add("early", 0, 2, f"The first move that helped ({describe(iv.command)}) came "
                  f"{iv.t - dx_at} min after the diagnosis; mitigate first, root-cause after "
                  f"(target {BEFORE_ROOT_CAUSE}).")
    else:
        tally.add("early", 0, 2, "")
    return tally


def _score_control(run: Run) -> Tally:
    """A page with nothing to fix: restraint, a ticket and a look before it earn the points."""
    tally = Tally("intervention")
    acts = [iv for iv in run.interventions if iv.kind != "escalate"]
    signal = run.answers.signal_alert
    tickets = run.control_tickets()
    if acts:
        tally.add("first", 0, 8, f"{describe(acts[0].command)} at {run.at(acts[0].t)} acted on a "
                  "page with nothing to fix: look, ticket and let it clear.")
    elif tickets and run.restraint() is None:
        tally.add("first", 8, 8,
                  "Held back from rollbacks and hotfixes: nothing here needed a fix.")
    elif tickets:
        tally.add("first", 0, 8, f"Made no rollback or hotfix and {tickets[0][1]}, but "
                  f"{run.restraint()}: a ticket filed without a look is no decision.")
    else:
        tally.add("first", 0, 8, f"Made no rollback or hotfix, but never decided either: "
                  f"{signal} was not ticketed.")
    ticket_at = tickets[0][0] if tickets else None
    if ticket_at is None:
        tally.add("mitigated", 0, 6, f"Never ticketed {signal} on {run.target}: a page with "
                  "nothing to fix still needs its alert or its trend followed up.")
        tally.add("time", 0, 5, "")
    else:
        delay = run.since_page(ticket_at)
        share = 1.0 if run.restraint() is None else 0.0
        blind = "" if share == 1 else "; it earns nothing, as it was not a decision made on a look"
        tally.add("mitigated", 6 * share, 6,
                  f"At {run.at(ticket_at)}, {tickets[0][1]} on {run.target}{blind}.")
        tally.add("time", 5 * share * within(delay, FAST, SLOW), 5,
                  f"Page to ticket took {delay} min (target {FAST}, partial {SLOW}).")
    follow = run.follow_ups()
    bad = [(c, line) for c, line in (_penalty(run, iv) for iv in run.interventions
                                     if iv not in follow) if c]
    if bad:
        tally.add("harm", 4 - sum(c for c, _ in bad), 4,
                  "Moves that cost: " + "; ".join(line for _, line in bad) + "." + _past(bad),
                  reach=True)
    elif run.restraint() is None:
        tally.add("harm", 4, 4, "No rollback, hotfix or needless escalation.")
    else:
        tally.add("harm", 0, 4, f"Held back, but not as a decision: {run.restraint()}.")
    looked = ticket_at is not None and any(
        e.observation.signals and run.started(e) <= ticket_at for e in run.investigations)
    tally.add("early", 2 if looked else 0, 2,
              "Looked at what happened before ticketing it." if looked else
              "Ticketed without an observation that showed what happened." if ticket_at is not None
              else "")
    return tally


def _past(bad: list[tuple[int, str]]) -> str:
    """Says so when the moves cost more than the harm rule holds."""
    total = sum(c for c, _ in bad)
    return (" They cost more than this rule's 4 points: the rest comes out of the other rules "
            "of this section." if total > 4 else "")


def _every_incident(run: Run, pts: float, line: str) -> tuple[float, str]:
    """On a night with several incidents, the mitigation points are the mean over them: each
    other incident counts as mitigated when its fault stopped and no secondary took it over."""
    if not run.extra_incidents:
        return pts, line
    shares = [pts / 6]
    for inc in run.extra_incidents:
        cause = FAULTS_BY_ID.get(inc.cause)
        if cause is not None and cause.control:
            line += f"; incident {inc.id} ({inc.model}) had nothing to fix"
            continue  # a control beside the page: no mitigation to count
        done = inc.mitigated_at is not None and not inc.handed_over
        shares.append(1.0 if done else 0.0)
        line += (f"; incident {inc.id} ({inc.model}) mitigated at {run.at(inc.mitigated_at)}"
                 if done and inc.mitigated_at is not None else
                 f"; incident {inc.id} ({inc.model}) was "
                 f"{'handed over' if inc.handed_over else 'never mitigated'}")
    return 6 * sum(shares) / len(shares), line + f" (the mean over {len(shares)} incidents)"


def _mitigation_time(tally: Tally, delay: int | None, earned: float = 1.0, why: str = "") -> None:
    """Minutes from page to mitigation, times the share of the mitigation the move earned."""
    share = 0.0 if delay is None else max(0.0, min(1.0, (MITIGATE_NONE - delay) /
                                                    (MITIGATE_NONE - MITIGATE_FULL)))
    tally.add("time", 5 * share * earned, 5, f"Page to mitigation took {delay} min (full marks "
              f"within {MITIGATE_FULL}, none after {MITIGATE_NONE}){why}.")


def _earned(run: Run, iv: Intervened) -> tuple[float, str]:
    """The share of a move's credit the player earned, and why it is less than all of it."""
    if iv.kind == "escalate" and run.sprayed():
        return 0.0, f"it was one of {len(run.teams_escalated())} teams paged at once, and a " \
                    "spray earns nothing of the mitigation"
    if iv.kind == "escalate" and _blind(run, iv):
        return 0.0, "an escalation made before any observation showed the fault (or with " \
                    "nothing in its message) hands the team a page, not a finding, and earns " \
                    "nothing of what they fixed"
    if _blind(run, iv):
        return 0.0, "it was a guess made before any observation showed the fault, and a guess " \
                    "earns nothing, right or wrong"
    aimed = _aimed_wrong(run, iv)
    if aimed:
        return 0.5, f"it was aimed at {cause_label(aimed)}, not the cause here, and a fix that " \
                    "works for another reason earns half"
    return 1.0, ""


def _aimed_wrong(run: Run, iv: Intervened) -> str | None:
    """The wrong cause a move on the target was aimed at: the diagnosis in force when it was
    made named neither the root cause nor an accepted alternative. None when no diagnosis had
    been stated (mitigating first is good practice) or the move was elsewhere."""
    if not run.on_target(iv):
        return None
    cause = run.stated_cause(iv.t)
    if not cause or cause == run.answers.cause or alternative(run, cause) is not None:
        return None
    return cause


def _blind(run: Run, iv: Intervened) -> bool:
    """A move made before any observation showed the fault. Reading a runbook is no look: it
    says what the alert means, not what happened."""
    return not run.informed(iv)


def _delegated(run: Run) -> bool:
    """The fault was mitigated by a team's answer where the player's own move would have done."""
    fixer = run.mitigator()
    own_fix = any(m.kind != "escalate" for m in run.right)
    return fixer is not None and fixer.kind == "escalate" and own_fix


def _as_command(run: Run) -> dict[str, object]:
    move = run.right[0]
    return {"do": move.kind, "model": move.model, "fix": move.fix, "team": move.team}
