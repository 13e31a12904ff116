"""Temperament (15): calm, visible, proportionate: the habits an on-call rotation depends on.

Rules:
- 3: acknowledged within 5 minutes of the page (the SRE target for user-facing services),
  falling linearly to 0 at 10 minutes.
- 1: ownership: the page did not go unacknowledged long enough to escalate to the secondary,
  and the secondary did not have to take the incident over.
- 3: severity declared: 3 for the answer key's SEV, 2.5 one level more severe (when unsure, pick
  the higher severity), 1.5 one level less severe, 0.5 for any other declared level; half of
  that when the severity in force was declared more than 15 minutes after the acknowledgement
  (or the page, when never acknowledged): a severity sets who is told and how fast, so it is
  declared at the start of the response and revised as the facts come in.
- 3: status updates: 1.5 for the first within 15 minutes of the acknowledgement, 1.5 for never
  leaving more than 30 minutes between updates until the incident was resolved.
- 2: no thrashing: each rollback or hotfix that follows another one that did not fix anything,
  with no new evidence in between, costs 1 (a right move of the answer key is never thrashing:
  it is the fix the evidence already pointed to), and so does each one made, with no new
  evidence since the previous one, after the fault had stopped that changed nothing, right move
  or not (a second rollback once the first has worked). A rollback or hotfix on a model with no
  incident tonight voids the calm (it is flailing, whatever came before). Calm is judged on
  moves made on evidence on
  the models of the night's incidents: a run with no rollback or hotfix there, or only ones made
  before any observation showed the fault, earns nothing here (a control excepted, where
  holding back is the move once it is a decision: the page acknowledged, the target looked at,
  a ticket or a diagnosis stated; and a fault no rollback or hotfix can fix, where handing it to
  the owning team after looking is the calm move).
- proportion: each rollback, hotfix or escalation aimed at a model with no incident tonight
  costs ASTRAY, taken from the rest of the section (a change to a healthy model at night is
  a risk of your own making, not caution); it earns nothing of its own.
- 3: escalation judgement: 1.5 for telling the team the answer key names after an observation
  showed the fault, about the target (or, when none is needed, for a fix of your own on the
  target made on evidence before handing the fault off; neither earns nothing, and paging 3 or
  more teams earns nothing whoever owns it); 0.75 for paging fewer than 3 teams and 0.75 for an
  observation that showed the fault before the first escalation, each only when something was
  judged on evidence (an escalation made after a look that says something, a fix of your own
  on evidence, or a control's decision).
"""

from __future__ import annotations

from itertools import pairwise

from oncall.game.commands import ACK_TARGET_MIN
from oncall.scoring.run import Run, describe
from oncall.scoring.tally import Tally

ACK_TARGET, ACK_LATEST = ACK_TARGET_MIN, 10
FIRST_UPDATE, UPDATE_GAP = 15, 30
SEVERITY_BY = 15
"""Minutes after the acknowledgement by which the severity is declared."""
ASTRAY = 1
"""Temperament points each rollback, hotfix or escalation on a model with no fault costs."""


def _ack(run: Run, tally: Tally) -> None:
    delay = run.since_page(run.facts.acked_at)
    if delay is None or run.facts.acked_at is None:
        tally.add("ack", 0, 3, "Never acknowledged the page.")
    else:
        share = 1.0 if delay <= ACK_TARGET else max(0.0, (ACK_LATEST - delay) /
                                                    (ACK_LATEST - ACK_TARGET))
        tally.add("ack", 3 * share, 3, f"Acknowledged at {run.at(run.facts.acked_at)}, "
                  f"{delay} min after the page (target {ACK_TARGET}).")
    if run.facts.paged_unacked_escalated:
        tally.add("unacked", 0, 1, "The page went unacknowledged long enough to escalate to the "
                  "secondary.")
    elif run.facts.handed_over:
        tally.add("unacked", 0, 1, "The secondary on-call had to take the incident over.")
    else:
        tally.add("unacked", 1, 1, "")


def _severity(run: Run, tally: Tally) -> None:
    want = run.answers.severity
    got = run.facts.severity
    if got is None:
        tally.add("severity", 0, 3, f"Never declared a severity (SEV-{want} fits).")
        return
    at = run.facts.severity_at
    when = f" at {run.at(at)}" if at is not None else ""
    start = run.facts.acked_at if run.facts.acked_at is not None else run.page_at
    late = at is not None and at - start > SEVERITY_BY
    if got == want:
        pts, line = 3.0, f"Declared SEV-{got}{when}, as fits"
    elif got == want - 1:
        pts, line = 2.5, f"Declared SEV-{got}{when}, one level above SEV-{want}: erring high is " \
            "the safer mistake"
    elif got == want + 1:
        pts, line = 1.5, f"Declared SEV-{got}{when}, one level below SEV-{want}: when unsure, " \
            "pick the higher severity"
    else:
        pts, line = 0.5, f"Declared SEV-{got}{when}; SEV-{want} fits"
    if late and at is not None:
        pts /= 2
        line += (f"; {at - start} min after the "
                 f"{'acknowledgement' if run.facts.acked_at is not None else 'page'} "
                 f"(target {SEVERITY_BY}), so it earns half: a severity steers the response "
                 "only from its start")
    tally.add("severity", pts, 3, line + ".")


def _updates(run: Run, tally: Tally) -> None:
    ups = sorted(run.facts.updates_at)
    start = run.facts.acked_at if run.facts.acked_at is not None else run.page_at
    if not ups:
        tally.add("first_update", 0, 1.5, "Posted no status update; stakeholders heard nothing.")
        tally.add("cadence", 0, 1.5, "")
        return
    first = ups[0] - start
    tally.add("first_update", 1.5 if first <= FIRST_UPDATE else 0, 1.5,
              f"First status update at {run.at(ups[0])}, {first} min after the acknowledgement "
              f"(target {FIRST_UPDATE}); {len(ups)} in all.")
    end = max(run.end(), ups[-1])
    marks = [*ups, end]
    gaps = [b - a for a, b in pairwise(marks)]
    worst = max(gaps, default=0)
    if worst <= UPDATE_GAP:
        tally.add("cadence", 1.5, 1.5, "")
    else:
        i = gaps.index(worst)
        tally.add("cadence", 0, 1.5, f"{worst} min without an update after {run.at(marks[i])} "
                  f"(at most {UPDATE_GAP}).")


def _thrash(run: Run, tally: Tally) -> None:
    models = run.incident_models()
    acts = [i for i in run.interventions if i.kind != "escalate"
            and str(i.command.get("model") or run.target) in models]
    if not acts:
        why = run.restraint()
        owners = run.answers.escalate_to
        handed = [i for i in run.escalations() if i.command.get("team") == owners
                  and run.on_target(i) and run.informed(i)]
        if run.answers.control and why is None:
            tally.add("thrash", 2, 2, "Held back from rollbacks and hotfixes.")
        elif handed and not any(m.kind != "escalate" for m in run.right):
            tally.add("thrash", 2, 2, f"Held back from rollbacks and hotfixes, which could not "
                      f"fix this, and handed it to {owners} after looking.")
        elif run.answers.control:
            tally.add("thrash", 0, 2, f"Held back, but not as a decision: {why}.")
        else:
            tally.add("thrash", 0, 2, "")  # calm needs a move to be judged on
        return
    if not any(run.informed(i) for i in acts):
        tally.add("thrash", 0, 2, "Every rollback and hotfix came before any observation showed "
                  "the fault: calm is judged on moves made on evidence.")
        return
    if any(i.kind != "escalate" for i in run.off_target):
        tally.add("thrash", 0, 2, "Rollbacks and hotfixes strayed to models with no fault: "
                  "calm is staying on the incident.")
        return
    stopped = run.facts.mitigated_at
    blind = [b for a, b in pairwise(acts) if b.evidence_before <= a.evidence_before and (
        (a.effect != "fixes" and not _is_right(run, b.command))
        or (b.effect == "none" and stopped is not None and b.t >= stopped and run.on_target(b)))]
    if blind:
        names = ", ".join(f"{describe(b.command)} at {run.at(b.t)}" for b in blind)
        tally.add("thrash", 2 - len(blind), 2, f"Thrashing: {names} with no new evidence since "
                  "the previous move.")
    elif len(acts) < 2:
        tally.add("thrash", 2, 2, "")
    else:
        followed = [b for a, b in pairwise(acts) if b.evidence_before > a.evidence_before]
        if len(followed) == len(acts) - 1:
            tally.add("thrash", 2, 2, "Each new move followed new evidence; no thrashing.")
        else:
            tally.add("thrash", 2, 2, "")


def _astray(run: Run, tally: Tally) -> None:
    """Moves aimed at models with no incident tonight: each costs ASTRAY, past its own rule."""
    astray = run.off_target
    if not astray:
        tally.add("astray", 0, 0, "")
        return
    names = "; ".join(f"{describe(i.command)} at {run.at(i.t)}" for i in astray)
    tally.add("astray", -ASTRAY * len(astray), 0, f"Changed models with no fault tonight "
              f"({names}): a change to a healthy model at night is a risk, not caution; "
              f"{ASTRAY:g} point each, from this section.", reach=True)


def _is_right(run: Run, command: dict[str, object]) -> bool:
    m = run.match(dict(command))
    return m is not None and m.right


def _escalation(run: Run, tally: Tally) -> None:
    teams = run.teams_escalated()
    want = run.answers.escalate_to
    own = [i for i in run.interventions if i.kind != "escalate"]
    mine = [i for i in own if run.on_target(i) and run.informed(i)]
    decided = run.answers.control and run.restraint() is None
    if run.sprayed():
        tally.add("team", 0, 1.5, f"Paged {len(teams)} teams ({', '.join(teams)}): a spray "
                  "tells no one that the fault is theirs.")
    elif want:
        told = [i for i in run.escalations() if i.command.get("team") == want]
        aimed = [i for i in told if run.on_target(i) and run.informed(i)]
        if aimed:
            tally.add("team", 1.5, 1.5, f"Escalated to {want}, who own this, after looking.")
        elif told:
            tally.add("team", 0, 1.5, f"Told {want}, who own this, before any observation "
                      "showed the fault: a page to the right team by habit, not by judgement.")
        else:
            tally.add("team", 0, 1.5, f"Never told {want}, who own this: no lone heroes.")
    elif teams and not mine and not run.answers.control:
        tally.add("team", 0, 1.5, f"Handed the fault to {', '.join(teams)} without trying a fix "
                  "of your own: deferring what you could settle is passivity.")
    elif mine or decided:
        tally.add("team", 1.5, 1.5, "")
    elif own:
        tally.add("team", 0, 1.5, "No fix of your own on evidence: every rollback or hotfix "
                  f"came before a look, or was aimed away from {run.target}.")
    elif run.answers.control:
        tally.add("team", 0, 1.5, f"Held back, but not as a decision: {run.restraint()}.")
    else:
        tally.add("team", 0, 1.5, "Neither tried a fix nor asked a team for help.")
    if not mine and not decided and not any(run.informed(i) for i in run.escalations()):
        tally.add("spray", 0, 0.75, "")  # nothing was judged on evidence
        tally.add("looked", 0, 0.75, "")
        return
    if run.sprayed():
        tally.add("spray", 0, 0.75, "")
    else:
        tally.add("spray", 0.75, 0.75, "")
    escs = run.escalations()
    if not escs:
        tally.add("looked", 0.75, 0.75, "")
        return
    if run.informed(escs[0]):
        tally.add("looked", 0.75, 0.75, "")
    else:
        tally.add("looked", 0, 0.75, f"Escalated at {run.at(escs[0].t)} before any observation "
                  "showed the fault.")


def score_temperament(run: Run) -> Tally:
    tally = Tally("temperament")
    _ack(run, tally)
    _severity(run, tally)
    _updates(run, tally)
    _thrash(run, tally)
    _astray(run, tally)
    _escalation(run, tally)
    return tally
