"""The same run seen as an interviewer weighs an ML-platform candidate.

Each of the five dimensions is a weighted share of rubric parts already scored, so the two views
can never disagree; the sentence quotes the run's own facts, the way a debrief would.

- platform thinking: self-awareness, remediations and action items (does the fleet get safer?).
- production track record: diagnosis and intervention (was it found and fixed, and how fast?).
- system-design judgement: category and cause, first move, harm, mitigation before root cause.
- collaboration with ML teams: escalation judgement, status updates, blameless owned actions.
- on-call temperament: the temperament section.
"""

from __future__ import annotations

from oncall.scoring.awareness import best_replay
from oncall.scoring.card import InterviewScore
from oncall.scoring.run import Run, describe
from oncall.scoring.tally import Tally
from oncall.scoring.text import a_an, and_list, num

Weights = list[tuple[str, tuple[str, ...], float]]

DIMENSIONS: dict[str, tuple[str, Weights]] = {
    "platform_thinking": ("Platform thinking", [
        ("self_awareness", (), 0.5),
        ("postmortem", ("remediations", "actions"), 0.3),
        ("alert", ("detection",), 0.2),
    ]),
    "production_track_record": ("Production track record", [
        ("intervention", (), 0.6),
        ("diagnosis", (), 0.4),
    ]),
    "system_design_judgement": ("System-design judgement", [
        ("diagnosis", ("category", "cause", "evidence"), 0.4),
        ("intervention", ("first", "harm", "early"), 0.4),
        ("alert", ("look", "noise"), 0.2),
    ]),
    "collaboration": ("Collaboration with ML teams", [
        ("temperament", ("team", "spray", "looked", "first_update", "cadence"), 0.6),
        ("postmortem", ("blameless", "actions"), 0.4),
    ]),
    "temperament": ("On-call temperament", [
        ("temperament", (), 1.0),
    ]),
}


def _percent(tallies: dict[str, Tally], weights: Weights) -> float:
    return round(100 * sum(w * tallies[name].fraction(*keys) for name, keys, w in weights), 1)


def _platform(run: Run) -> str:
    pm = run.facts.postmortem
    ids = pm.remediations if pm else []
    best = best_replay(run.facts.replays)
    if best and best.lead_minutes and best.lead_minutes > 0:
        fa = best.false_alarms_week
        return (f"Proposed {', '.join(ids) or best.remediation}; replayed, the monitor would have "
                f"fired {best.lead_minutes} min before the page with {fa} false "
                f"alarm{'s' if fa != 1 else ''} in the week before.")
    if ids:
        return f"Proposed {', '.join(ids)}, but no monitor that would have fired before the page."
    return "Proposed no monitor, test or runbook, so the fleet is no safer after this incident."


def _track(run: Run) -> str:
    f = run.facts
    what = f"{a_an(run.answers.category)} fault on {run.target}"
    affected = f.impact.get("requests_affected")
    tail = f", with {num(affected)} requests affected" if affected is not None else ""
    if run.answers.control:
        acts = [i for i in run.interventions if i.kind != "escalate"]
        held = "held back from fixes" if not acts else f"made {len(acts)} needless fix(es)"
        return f"Paged for {run.target} with nothing to fix: {held}{tail}."
    if f.handed_over:
        return f"Did not mitigate {what}: the secondary on-call took it over{tail}."
    if f.mitigated_at is None:
        return f"Did not mitigate {what} during the run{tail}."
    return f"Mitigated {what} {f.mitigated_at - run.page_at} min after the page{tail}."


def _design(run: Run) -> str:
    dx = run.facts.diagnosis or {}
    told = dx.get("category") == run.answers.category
    first = run.interventions[0] if run.interventions else None
    m = run.match(first.command) if first else None
    head = (f"Told {a_an(run.answers.category)} fault from the other two" if told else
            f"Took {a_an(run.answers.category)} fault for {dx['category']}"
            if dx.get("category") else f"Named no cause for {a_an(run.answers.category)} fault")
    if first is None:
        return head + ", and made no intervention."
    if m is not None and m.right:
        return head + f", and opened with a right move ({describe(first.command)})."
    if m is not None:
        return head + f", but opened with the tempting wrong move {describe(first.command)}."
    return head + f", and opened with {describe(first.command)}, which is not the fix."


def _collab(run: Run) -> str:
    teams = run.teams_escalated()
    ups = len(run.facts.updates_at)
    who = f"Escalated to {and_list(teams)}" if teams else "Escalated to no team"
    want = run.answers.escalate_to
    if want and want not in teams:
        who += f" (not {want}, who own it)"
    return f"{who}, and posted {ups} status update{'s' if ups != 1 else ''}."


def _temper(run: Run) -> str:
    f = run.facts
    ack = (f"acknowledged {f.acked_at - run.page_at} min after the page"
           if f.acked_at is not None else "never acknowledged the page")
    sev = f"declared SEV-{f.severity}" if f.severity is not None else "declared no severity"
    n = len([i for i in run.interventions if i.kind != "escalate"])
    return f"{ack[0].upper()}{ack[1:]}, {sev}, and made {n} hands-on move{'s' if n != 1 else ''}."


SENTENCES = {
    "platform_thinking": _platform,
    "production_track_record": _track,
    "system_design_judgement": _design,
    "collaboration": _collab,
    "temperament": _temper,
}


def interview_view(run: Run, tallies: dict[str, Tally]) -> list[InterviewScore]:
    return [InterviewScore(name=key, title=title, percent=_percent(tallies, weights),
                           sentence=SENTENCES[key](run))
            for key, (title, weights) in DIMENSIONS.items()]
