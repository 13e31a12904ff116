"""The STAR story of one saved incident, in the first person, built only from its record.

Interviewers reward the alert and its threshold, the data/model/infra call, the evidence, a
rollback over a live fix, numbers for impact and recovery, and the monitoring added afterwards.
Each of those appears only when the record holds it; when the run lacks something (no diagnosis,
never mitigated, handed over, no postmortem) the story says so plainly instead of inventing it.
"""

from __future__ import annotations

import math

from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import AlertFact, Intervened, Record
from oncall.scoring.awareness import best_replay
from oncall.scoring.diagnosis import alternative_to
from oncall.scoring.text import and_list, num
from oncall.sim.catalogue import FAULTS_BY_ID
from oncall.sim.clock import hhmm
from oncall.sim.impact import unmeasured
from oncall.store.saves import IncidentSave
from oncall.story.clauses import a_or_an
from oncall.story.facts import (
    action_phrase,
    cited,
    gist,
    heard,
    is_revert,
    minutes_to_mitigate,
    mitigating,
    played_until,
    plural,
    quote,
    shorten,
    stopped_for,
)

EFFECT_WORDS = {
    "fixes": "it worked",
    "partial": "it helped only partly",
    "none": "it changed nothing",
    "worse": "it made things worse",
}
TEAM_CHANGES = ("pause_canary", "revert_config", "pin_feature_version")
"""Hotfixes that take a team's own change back (the velocity side of a tradeoff)."""
ARTIFACT_WORDS = {"monitor": "an alert rule", "test": "a test", "runbook": "a runbook"}


def _fmt(v: float) -> str:
    """An alert's value as a dashboard shows it: 0.9995, 14.4, 31, 1,250."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _paging(record: Record) -> AlertFact | None:
    alerts = record.facts.page_alerts
    # Only a critical alert pages; a warning or a ticket on the same model is context.
    paging = [a for a in alerts if a.severity == "critical"] or alerts
    if not paging:
        return None
    return min(paging, key=lambda a: (a.fired_at, a.rule != record.answers.signal_alert))


def _cause(cause: str) -> str:
    info = FAULTS_BY_ID.get(cause)
    return f"{cause} ({info.name})" if info else cause


def situation(record: Record) -> str:
    f = record.facts
    out = [f"I was the ML-platform engineer on call for a fleet of {f.fleet_models} production "
           f"models serving about {num(round(f.fleet_rps))} requests per second."]
    page = _paging(record)
    if page is not None:
        out.append(f"At {hhmm(f.page_at)} I was paged by `{page.rule}` on {page.model}: the "
                   f"value stood at {_fmt(page.value)} against a threshold of "
                   f"{_fmt(page.threshold)} ({page.unit}).")
        others = [a for a in f.page_alerts if a is not page]
        if others:
            out.append("It fired alongside " + and_list(
                [f"`{a.rule}` on {a.model}" for a in others]) + ".")
    if f.noise_alerts:
        out.append("Also firing, unrelated to it: " + and_list(
            [f"`{a.rule}` on {a.model} (since {hhmm(a.fired_at)})" for a in f.noise_alerts])
            + ".")
    return " ".join(out)


def task(record: Record) -> str:
    return (f"My job was to limit the harm to {record.facts.target_model}'s traffic, work out "
            "whether this was a data, model or infra problem, get the service back, and keep "
            "everyone who depended on it informed.")


def _outcome(iv: Intervened, mitigated_at: int | None) -> str:
    """An answer that arrives after the fault already stopped did not fix it: say so."""
    if iv.effect == "fixes" and mitigated_at is not None and iv.effective_at > mitigated_at:
        return "by then the fault was already mitigated"
    return EFFECT_WORDS[iv.effect]


def _intervention_line(iv: Intervened, mitigated_at: int | None, until: int | None) -> str:
    """A move and what it did; a team's answer due after the play ended (`until`) was never
    read, so it is not quoted."""
    if iv.deployed_nothing:
        return (f"At {hhmm(iv.t)} I asked to roll back {iv.command.get('model') or 'the model'}"
                f", and nothing was deployed ({shorten(iv.message, 200)}).")
    line = f"At {hhmm(iv.t)} I {action_phrase(iv.command)}"
    ask = iv.command.get("message")
    if iv.kind == "escalate" and ask:
        line += f" with the message “{shorten(str(ask))}”"
    if iv.kind == "escalate" and until is not None and iv.effective_at > until:
        return line + f"; their answer had not come by {hhmm(until)}."
    if iv.kind == "escalate" and iv.effective_at > iv.t:
        line += (f"; they answered at {hhmm(iv.effective_at)}: “{quote(iv.message)}”"
                 if iv.message else "")
        return line + f" ({_outcome(iv, mitigated_at)})."
    line += f": {_outcome(iv, mitigated_at)}"
    return line + (f" ({shorten(iv.message, 200)})." if iv.message else ".")


def defensible(record: Record, cause: str) -> bool:
    """Whether a stated cause that is not the root cause is one the judge accepts as describing
    the same failure from another side (`alternative_to`), so the story says so as the
    scorecard does, not that it was wrong."""
    ans = record.answers
    return alternative_to(ans.cause, ans.alternatives, cause) is not None


def _diagnosis_lines(record: Record) -> list[str]:
    f = record.facts
    dx = f.diagnosis or {}
    cause = str(dx.get("cause", ""))
    line = f"At {hhmm(f.diagnosis_at)} I" if f.diagnosis_at is not None else "I"
    category = str(dx.get("category"))
    line += f" diagnosed {a_or_an(category)} fault: {_cause(cause)}"
    if f.diagnoses > 1:
        line += f", after revising my diagnosis {plural(f.diagnoses - 1, 'time')}"
    evidence = cited(record)
    if evidence:
        line += ". The evidence I cited: " + "; ".join(
            f"{o.kind} ({o.id}): {gist(o)}" for o in evidence)
    else:
        line += ". I cited no observation from the run to support it"
    out = [line + "."]
    ans = record.answers
    if cause != ans.cause:
        out.append(f"That diagnosis was defensible but not the root cause, which was "
                   f"{ans.cause} ({ans.cause_name})." if defensible(record, cause) else
                   f"That diagnosis was wrong: the cause was {ans.cause} ({ans.cause_name}).")
    return out


def _ticket_at(ticket: dict[str, object], page_at: int) -> int:
    """The minute a ticket was filed; a save edited by hand may lack it, and then the page's."""
    t = ticket.get("t")
    if isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t):
        return int(t)
    return page_at


def action(record: Record) -> list[str]:
    """What I did, in the order the simulated clock saw it."""
    f = record.facts
    out: list[str] = []
    if f.acked_at is not None:
        line = f"I acknowledged the page at {hhmm(f.acked_at)}, " \
               f"{plural(f.acked_at - f.page_at, 'minute')} after it paged"
        if f.severity is not None:
            line += f", and declared SEV-{f.severity}"
        out.append(line + ".")
    else:
        line = "I did not acknowledge the page"
        if f.paged_unacked_escalated:
            line += ", and it escalated to the secondary on-call"
        out.append(line + ".")
        if f.severity is not None:
            out.append(f"I declared SEV-{f.severity}.")
    first_iv = f.interventions[0].t if f.interventions else None
    looks = [e for e in record.entries if e.observation.ok
             and e.command.get("do") in INVESTIGATIONS
             and (first_iv is None or e.observation.t <= first_iv)]
    if looks:
        kinds = sorted({e.observation.kind for e in looks})
        when = "before my first intervention" if first_iv is not None else "in all"
        out.append(f"I made {plural(len(looks), 'check')} {when} ({', '.join(kinds)}).")
    timeline: list[tuple[int, int, list[str]]] = []
    if f.diagnosis:
        at = f.diagnosis_at if f.diagnosis_at is not None else f.page_at
        timeline.append((at, 0, _diagnosis_lines(record)))
    timeline += [(iv.t, 1, [_intervention_line(iv, stopped_for(record, iv),
                                               played_until(record))])
                 for iv in f.interventions]
    timeline += [(_ticket_at(t, f.page_at), 2, [
        f"At {hhmm(_ticket_at(t, f.page_at))} I filed a ticket for `{t.get('alert')}`"
        + (f" on {t['model']}" if t.get("model") else "") + " rather than act on it at night."])
        for t in f.tickets]
    for _, _, lines in sorted(timeline, key=lambda x: (x[0], x[1])):
        out += lines
    if not f.diagnosis:
        out.append("I never stated a diagnosis.")
    if not f.interventions:
        out.append("I made no intervention: no rollback, hotfix or escalation.")
    if f.updates_at:
        first = hhmm(min(f.updates_at))
        out.append(f"I posted {plural(len(f.updates_at), 'status update')}, "
                   + (f"at {first}." if len(f.updates_at) == 1 else f"the first at {first}."))
    else:
        out.append("I posted no status update.")
    return out


def result(record: Record) -> list[str]:
    f = record.facts
    out: list[str] = []
    minutes = minutes_to_mitigate(record)
    if f.handed_over:
        line = "I did not mitigate it myself: the secondary on-call took the incident over"
        if f.mitigated_at is not None:
            line += f", and the fault stopped at {hhmm(f.mitigated_at)}"
        out.append(line + ".")
    elif minutes is not None and f.mitigated_at is not None:
        iv = mitigating(record)
        how = f" once I had {action_phrase(iv.command)}" if iv is not None else ""
        out.append(f"The fault was mitigated at {hhmm(f.mitigated_at)}{how}, "
                   f"{plural(minutes, 'minute')} after the page.")
    elif f.impact.get("recovered_at") is not None:
        back = hhmm(int(f.impact["recovered_at"]))
        out.append(f"It cleared by itself at {back}: nothing was broken that needed a fix of "
                   "mine." if record.answers.control else
                   f"The fault stopped by itself at {back}, before any move of mine stopped it.")
    else:
        out.append("The fault was not mitigated while I was on call for it.")
    imp = f.impact
    bits = []
    if "requests_affected" in imp:
        bits.append(f"{num(imp['requests_affected'])} requests were affected")
    if imp.get("requests_failed"):
        bits.append(f"{num(imp['requests_failed'])} failed outright")
    if "budget_consumed_pct" in imp:
        bits.append(f"{num(imp['budget_consumed_pct'])}% of the error budget was consumed"
                    if imp["budget_consumed_pct"] else "no error budget was consumed")
    unlabelled = unmeasured(imp)
    if unlabelled:
        out.append(f"In all, over {plural(imp.get('minutes', 0), 'minute')} counted from the "
                   "page, no request failed, and the labels that would show the damage had not "
                   "arrived yet, so the quality metric could not measure it: the shift of the "
                   "predictions was the only sign.")
    elif "minutes_outside_quality_slo" in imp:
        bits.append("no request failed, and the quality metric spent "
                    f"{plural(int(imp['minutes_outside_quality_slo']), 'minute')} outside its "
                    f"SLO ({num(imp.get('quality_budget_consumed_pct', 0))}% of the quality "
                    "budget)")
    if bits and not unlabelled:
        span = f" over {plural(imp['minutes'], 'minute')}" if imp.get("minutes") else ""
        out.append(f"In all, {and_list(bits)}{span}, counted from the page.")
    elif "minutes_outside_quality_slo" in imp and not unlabelled:
        out.append(f"No request failed or was counted: the fault only made answers worse. Over "
                   f"{plural(imp.get('minutes', 0), 'minute')} from the page, quality sat "
                   f"outside its target for {plural(imp['minutes_outside_quality_slo'], 'minute')}"
                   f" ({num(imp.get('quality_budget_consumed_pct', 0))}% of the month's quality "
                   f"budget), with label coverage at {num(imp.get('label_coverage_pct', 0))}%.")
    if f.extra_cost_per_hour > 0:
        out.append(f"My interventions added ${num(f.extra_cost_per_hour)} an hour in compute.")
    if f.resolved_at is not None:
        out.append(f"I resolved the incident at {hhmm(f.resolved_at)}.")
    return out


def learning(record: Record) -> list[str]:
    f = record.facts
    pm = f.postmortem
    if pm is None:
        return ["I did not write a postmortem, so nothing was added afterwards."]
    out: list[str] = []
    if f.artifacts:
        out.append("Afterwards I added " + and_list([
            f"{ARTIFACT_WORDS.get(a.kind, a.kind)} (`{a.path}`, {a.remediation})"
            for a in f.artifacts]) + ".")
    elif pm.remediations:
        out.append(f"In the postmortem I proposed {and_list(pm.remediations)}.")
    else:
        out.append("My postmortem proposed no new monitoring, test or runbook.")
    best = best_replay(f.replays)
    if best is not None:
        lead, fa = best.lead_minutes, best.false_alarms_week
        if lead is not None and lead > 0:
            out.append(f"Replayed over the history before the page, my alert would have fired "
                       f"{plural(lead, 'minute')} before the page, with "
                       f"{plural(fa, 'false alarm')} in the week before.")
        elif lead is not None:
            out.append(f"Replayed over the history, my alert would have fired only "
                       f"{plural(-lead, 'minute')} after the page.")
        else:
            out.append("Replayed over the week before, my alert would not have fired before "
                       "the page.")
    if pm.action_items:
        out.append("Action items: " + "; ".join(
            f"{a.item} ({a.type}, owner {a.owner or 'unassigned'})" for a in pm.action_items)
            + ".")
    if pm.caught_earlier.strip():
        out.append(f"What would have caught it earlier, as I wrote it: "
                   f"“{shorten(pm.caught_earlier, 240)}”.")
    return out


def tradeoff(record: Record) -> str | None:
    """Reliability over velocity: a rollback or revert that helped. When live fixes came first,
    the story says so rather than claim the revert was the first choice."""
    f = record.facts
    chosen = [i for i in f.interventions if i.effect in ("fixes", "partial") and is_revert(i)
              and (i.kind == "rollback" or str(i.command.get("fix")) in TEAM_CHANGES)]
    if not chosen:
        return None  # a cache fallback or a pause of a job takes no team's release back
    iv = chosen[0]
    tried = [i for i in f.interventions if i.kind != "escalate" and i.t < iv.t]
    looked = any(e.observation.ok and e.command.get("do") in INVESTIGATIONS
                 and e.observation.t <= iv.t for e in record.entries)
    if tried and not any(is_revert(i) for i in tried):
        line = (f"I first {and_list([action_phrase(i.command) for i in tried])}; only at "
                f"{hhmm(iv.t)} did I go back to a known state: I {action_phrase(iv.command)}, "
                f"and {EFFECT_WORDS[iv.effect]}")
    elif tried:
        line = (f"I first {and_list([action_phrase(i.command) for i in tried])}; at "
                f"{hhmm(iv.t)} I {action_phrase(iv.command)}, and {EFFECT_WORDS[iv.effect]}")
    elif looked:
        line = (f"At {hhmm(iv.t)} I {action_phrase(iv.command)} instead of debugging the change "
                f"live: {EFFECT_WORDS[iv.effect]}")
    else:
        line = (f"At {hhmm(iv.t)} I {action_phrase(iv.command)} before looking at anything: "
                f"{EFFECT_WORDS[iv.effect]}")
    line += f" ({shorten(iv.message, 200)})." if iv.message else "."
    if f.diagnosis_at is None or iv.t < f.diagnosis_at:
        line += " I did it before I had stated a root cause."
    later = [i for i in f.interventions if i.kind == "escalate" and i.t >= iv.t
             and i.effect in ("fixes", "partial")]
    if later:
        line += (f" I then handed the fix-forward to {later[0].command.get('team')} at "
                 f"{hhmm(later[0].t)}.")
    line += (" What it cost: the team's change came off production for the night, and it could "
             "ship again only once they had found what was wrong with it.")
    return line


def disagreement(record: Record) -> str | None:
    """A pushback from the model owners, and what I did with the data afterwards."""
    f = record.facts
    pushed = [i for i in f.interventions if i.kind == "escalate"
              and i.command.get("team") == "model-owners" and i.effect in ("none", "worse")
              and i.message and heard(record, i)]
    if not pushed:
        return None
    iv = pushed[0]
    when = hhmm(iv.effective_at)
    line = (f"When I escalated to the model owners at {hhmm(iv.t)}, they answered at {when}: "
            f"“{quote(iv.message)}”.")
    evidence = cited(record)
    after = [i for i in f.interventions if i.t >= iv.t and i is not iv
             and i.effect in ("fixes", "partial")]
    if evidence:
        line += (" I went with the data I had: " + "; ".join(
            gist(o, 120) for o in evidence[:2]) + ".")
    if after:
        line += f" At {hhmm(after[0].t)} I {action_phrase(after[0].command)}, and " \
                f"{EFFECT_WORDS[after[0].effect]}: that is how it ended."
    else:
        line += " It ended without their agreement: the fault was not fixed by a move of mine."
    pm = f.postmortem
    if pm is not None and pm.action_items:
        line += (" What changed after: the postmortem's action items, "
                 + "; ".join(a.item for a in pm.action_items[:2]) + ".")
    return line


def prioritising(record: Record) -> str | None:
    f = record.facts
    if not f.noise_alerts:
        return None
    noise = and_list([f"`{a.rule}` on {a.model}" for a in f.noise_alerts])
    line = f"Besides the page, {noise} fired."
    ticketed = [t for t in f.tickets]
    chased = [i for i in f.interventions
              if i.command.get("model") and i.command.get("model") != f.target_model]
    if ticketed:
        # Each ticket with the model it was filed for: one rule may fire on several models
        # and be ticketed on one of them only.
        line += " I ticketed " + and_list([f"`{t.get('alert')}` on {t.get('model')}"
                                           for t in ticketed]) + \
            f" and kept my attention on {f.target_model}."
    if chased:
        line += " I also spent time on models that were not at fault: " + and_list([
            f"{action_phrase(i.command)} at {hhmm(i.t)}" for i in chased]) + "."
    if not ticketed and not chased:
        line += f" I left {'it' if len(f.noise_alerts) == 1 else 'them'} alone and kept on " \
                "the page."
    return line


def star_story(save: IncidentSave) -> str:
    record = save.record
    parts = [f"# {record.title}", "",
             f"*Scenario {record.scenario}, seed {record.seed}, {record.difficulty}.*", "",
             "## Situation", "", situation(record), "",
             "## Task", "", task(record), "",
             "## Action", "", *[f"- {line}" for line in action(record)], "",
             "## Result", "", " ".join(result(record)), "",
             "## Learning", "", " ".join(learning(record)), ""]
    extras = [("A reliability-versus-velocity trade-off", tradeoff(record)),
              ("A disagreement with an ML team", disagreement(record)),
              ("How I prioritised", prioritising(record))]
    extras_found = [(title, text) for title, text in extras if text]
    if extras_found:
        parts += ["## Other questions this incident answers", ""]
        for title, text in extras_found:
            parts += [f"### {title}", "", text, ""]
    return "\n".join(parts)
