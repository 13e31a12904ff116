"""Alert (15): did the player find the real signal among symptoms and noise, and name it after.

The acknowledgement is credited once, in temperament (its timing and who owned the page); here
it only gates: a page that went on to the secondary before it was acknowledged was theirs.

Rules:
- 4: the player looked at the signal itself (an investigation of the target model whose content
  showed a sign of the fault) before the first intervention; half if only afterwards; 1 for
  reading the runbook of an alert that paged without ever looking at the model; nothing when
  the page went on to the secondary before it was acknowledged (the triage was theirs).
- 7: every rollback and hotfix was aimed at the target (or at the model of another real
  incident of the night), in proportion to the share of them that was. A judgement needs a
  decision: this earns nothing unless a rollback or hotfix there followed an observation that
  showed the fault, or an escalation made after such an observation (and saying something) was
  the decision, or, on a control, restraint was (`Run.restraint`: a look at the target, then a
  ticket or diagnosis). Each rollback or hotfix
  on another model costs 2 (noise chasing), and the cost reaches past this rule into the rest
  of the section: chasing noise is the opposite of finding the signal, so it costs more than
  doing nothing.
- 2: every noise alert got a `ticket` instead of an intervention; when no noise fired there was
  nothing else to triage, and the 2 follow the triage of the page itself: full when the look
  above earned all its points and no other model was chased.
- 2: the postmortem's detection section names an alert that paged on the incident (1) and that
  alert's threshold (1), stated as a threshold: the number (`text.close`) with the alert's name or
  a word that says it is the line the alert crossed (`STATED_AS`: "threshold", "above", "passed",
  "more than", ">") within a few words in its sentence (`text.stated_figures`), so "paged when
  the 5xx ratio passed 0.05" states it and a bare 0.05 elsewhere does not. A run of three or more
  bare numbers ("0.01, 0.05, 0.1") earns no threshold point, whichever one is right. A detection
  that names ALERT_LIST or more alerts that were not firing at the page (neither paging nor
  noise) is a list of every alert, and names none.
"""

from __future__ import annotations

import re

from oncall.game.record import AlertFact
from oncall.scoring.run import Run, describe
from oncall.scoring.tally import Tally
from oncall.scoring.text import (
    and_list,
    close,
    mentions,
    mentions_number,
    number_runs,
    stated_figures,
)
from oncall.sim.clock import hhmm

LOOK, NOISE = 4, 7
ALERT_LIST = 3
"""Alerts not firing at the page, named in the detection, from which it is a list, not an
account."""
CHASE = 2
"""Points a rollback or hotfix on a model that is not at fault costs (past its own rule)."""


STATED_AS = (r"\bthresholds?\b|\bvalues?\b|\babove\b|\bbelow\b|\bover\b|\bunder\b|"
             r"\bfir(?:ed|es|ing)\b|\bpag(?:ed|ing)\b|\bpass(?:ed|es|ing)?\b|"
             r"\bcross(?:ed|es|ing)?\b|\bexceed|\bbreach|\b(?:more|less|fewer|greater|higher|"
             r"lower) than\b|\bat least\b|\breach(?:ed|es)?\b|\blimit\b|\btrigger|[<>≥≤]")
"""Words that say a number is the line an alert crossed (or the value that crossed it): with the
alert's own name, what makes a number a threshold rather than any number."""


def _fmt(v: float) -> str:
    return f"{v:g}"


def _stated_as(rule: str) -> re.Pattern[str]:
    """What states a number as an alert's threshold: the alert's name or STATED_AS."""
    return re.compile(rf"{re.escape(rule.lower())}|{STATED_AS}")


def score_alert(run: Run) -> Tally:
    tally = Tally("alert")
    facts = run.facts
    signal = run.answers.signal_alert

    paged = {a.rule for a in run.facts.page_alerts} | {signal}
    looks = [e for e in run.investigations
             if e.command.get("model") == run.target and e.observation.signals]
    books = [e for e in run.investigations if e.command.get("do") == "runbook"
             and paged & {e.command.get("alert"), e.command.get("rule")}]
    first_iv = run.interventions[0].t if run.interventions else None
    if looks and not run.acked_in_time():
        tally.add("look", 0, LOOK, f"Looked at {run.target} only while the page sat unacknowledged "
                  "or after it had gone on to the secondary: the triage was theirs by then.")
    elif looks:
        e = looks[0]
        when = run.started(e)
        what = " ".join(str(e.command[k]) for k in ("do", "model", "alert", "rule", "metric")
                        if e.command.get(k))
        if first_iv is None or when <= first_iv:
            tally.add("look", LOOK, LOOK, f"Looked at the signal first: {what} at "
                      f"{run.at(when)}.")
        else:
            tally.add("look", LOOK / 2, LOOK, f"Looked at the signal ({what}) only at "
                      f"{run.at(when)}, after the first intervention at {run.at(first_iv)}.")
    elif books:
        tally.add("look", 1, LOOK, f"Read the runbook of {books[0].command.get('alert')} but never "
                  f"looked at {run.target} where the fault showed: the runbook says what an "
                  "alert means, not what happened.")
    else:
        tally.add("look", 0, LOOK, f"Never looked at {run.target} where the fault showed.")

    hands_on = [i for i in run.interventions if i.kind != "escalate"]
    chased = [i for i in run.off_target if i.kind != "escalate"]
    aimed = [i for i in hands_on if i not in chased and run.informed(i)]
    informed = [i for i in run.interventions if i.kind == "escalate" and run.informed(i)]
    decided = bool(aimed or informed) or (run.answers.control and run.restraint() is None)
    base = NOISE if decided else 0
    if chased:
        names = "; ".join(f"{describe(i.command)} at {run.at(i.t)}" for i in chased)
        kept = base * (len(hands_on) - len(chased)) / len(hands_on)
        tally.add("noise", kept - CHASE * len(chased), NOISE,
                  f"Intervened on models that were not at fault ({names}); the fault was on "
                  f"{run.target}. Each costs {CHASE} points, past this rule if need be: chasing "
                  "noise costs more than doing nothing.", reach=True)
    elif aimed:
        where = and_list(sorted({str(i.command.get("model") or run.target) for i in aimed}))
        tally.add("noise", NOISE, NOISE, f"Kept every rollback and hotfix on {where}, after "
                  "looking; no noise chasing.")
    elif informed:
        tally.add("noise", NOISE, NOISE, f"Escalated {run.target} after looking, and touched no "
                  "other model.")
    elif decided:
        tally.add("noise", NOISE, NOISE, f"Ticketed {run.target} after looking, and touched "
                  "nothing else.")
    elif hands_on:
        tally.add("noise", 0, NOISE, "Every rollback and hotfix came before any observation "
                  "showed the fault: a target chosen blind is no finding.")
    else:
        tally.add("noise", 0, NOISE, "Made no rollback or hotfix, so there was no choice of "
                  "target to judge.")

    noise = facts.noise_alerts
    found = tally.part("look").points >= LOOK and not chased
    if not noise and found:
        # Noise is what was firing when the page came; an alert that fires later, while the
        # incident is worked, is not (the sentence once read as if none ever had).
        tally.add("tickets", 2, 2, f"No other alert was firing when the page came at "
                  f"{hhmm(facts.page_at)}: nothing to ticket.")
    elif not noise:
        tally.add("tickets", 0, 2, "")  # nothing else to triage: the points follow the look
    else:
        handled: list[str] = []
        missed: list[str] = []
        for a in noise:
            hit = any(t.get("alert") == a.rule and t.get("model") in (None, a.model)
                      for t in facts.tickets)
            (handled if hit else missed).append(f"{a.rule} on {a.model}")
        text = f"Ticketed {len(handled)} of {len(noise)} noise alerts"
        text += f" ({', '.join(handled)})" if handled else ""
        text += f"; not ticketed: {', '.join(missed)}." if missed else "."
        tally.add("tickets", 2 * len(handled) / len(noise), 2, text)

    pm = facts.postmortem
    paging = [a for a in facts.page_alerts if a.model == run.target] or facts.page_alerts
    if pm is None:
        tally.add("detection", 0, 2, f"No postmortem, so detection never named {signal}.")
        return tally
    from oncall.sim.alerts import RULES_BY_NAME  # the rule names, only when a postmortem is read

    fired = {a.rule for a in facts.page_alerts + facts.noise_alerts}
    listed = [r for r in sorted(RULES_BY_NAME) if r not in fired and r != signal
              and re.search(rf"\b{re.escape(r)}\b", pm.detection)]
    if len(listed) >= ALERT_LIST:
        tally.add("detection", 0, 2, f"Detection names {len(listed)} alerts that were not firing "
                  f"at the page ({', '.join(listed[:3])}, ...): a list of every alert names "
                  "none.")
        return tally
    named = next((a for a in paging if mentions(pm.detection, a.rule)), None)
    if named is None and run.signal_alert is not None and mentions(pm.detection, signal):
        named = run.signal_alert
    if named is None:
        names = and_list(sorted({a.rule for a in paging} | {signal}))
        tally.add("detection", 0, 2, f"Detection names none of the alerts that paged ({names}).")
        return tally
    tally.add("detection", *_threshold(pm.detection, named))
    return tally


def _threshold(text: str, named: AlertFact) -> tuple[float, float, str]:
    """The detection part: 1 for naming the alert, 1 for its threshold stated as one; a run of
    bare numbers earns no threshold point. The line says what the text matched, in its words."""
    line = f"Detection names {named.rule}"
    threshold = f"{_fmt(named.threshold)} {named.unit}".strip()
    runs = number_runs(text)
    if runs:
        return 1.0, 2, (f"{line} but lists numbers without what they are (\"{runs[0]}\"): a "
                        f"list of numbers states no threshold, whichever one is right (its "
                        f"threshold is {threshold}).")
    figures = stated_figures(text, _stated_as(named.rule))
    said = next((phrase for v, phrase in figures if close(v, named.threshold)), None)
    if said is not None:
        return 2.0, 2, f"{line} and states its threshold {threshold}: \"{said}\"."
    value = next((phrase for v, phrase in figures if close(v, named.value)), None)
    if value is not None:
        return 1.0, 2, (f"{line} and the value the page showed ({_fmt(named.value)}: \"{value}\") "
                        f"but not its threshold {threshold}.")
    if mentions_number(text, [named.threshold]) is not None:
        return 1.0, 2, (f"{line} and quotes {_fmt(named.threshold)}, but not as its threshold: "
                        f"say what the number is (\"fired when ... passed {_fmt(named.threshold)}"
                        "\").")
    return 1.0, 2, f"{line} but not its threshold {threshold}."
