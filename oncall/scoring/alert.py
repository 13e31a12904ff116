"""Alert (15): did the player find the real signal among symptoms and noise, and name it after.

Rules:
- 3: the page was acknowledged at all (timing belongs to temperament).
- 4: the player looked at the signal itself (a runbook, dashboard or logs command on the target
  model, or the signal alert's runbook) before the first intervention; half if only afterwards.
- 4: no intervention on a model that is not the target; each one costs 2 (noise chasing).
- 2: every noise alert got a `ticket` instead of an intervention (full when no noise fired).
- 2: the postmortem's detection section names the signal alert (1) and its threshold (1).
"""

from __future__ import annotations

from oncall.scoring.run import LOOK_VERBS, Run, describe
from oncall.scoring.tally import Tally
from oncall.scoring.text import mentions, mentions_number


def _fmt(v: float) -> str:
    return f"{v:g}"


def score_alert(run: Run) -> Tally:
    tally = Tally("alert")
    facts = run.facts
    signal = run.answers.signal_alert

    if facts.acked_at is not None:
        tally.add("ack", 3, 3, "Acknowledged the page.")
    else:
        tally.add("ack", 0, 3, "Never acknowledged the page.")

    looks = [e for e in run.investigations if e.command.get("do") in LOOK_VERBS and (
        e.command.get("model") == run.target
        or (e.command.get("do") == "runbook"
            and signal in (e.command.get("alert"), e.command.get("rule"))))]
    first_iv = run.interventions[0].t if run.interventions else None
    if looks:
        e = looks[0]
        when = run.started(e)
        what = " ".join(str(e.command[k]) for k in ("do", "model", "alert", "rule", "metric")
                        if e.command.get(k))
        if first_iv is None or when <= first_iv:
            tally.add("look", 4, 4, f"Looked at the signal first: {what} at "
                      f"{run.at(when)}.")
        else:
            tally.add("look", 2, 4, f"Looked at the signal ({what}) only at "
                      f"{run.at(when)}, after the first intervention at {run.at(first_iv)}.")
    else:
        tally.add("look", 0, 4, f"Never opened the runbook, a dashboard or the logs of "
                  f"{run.target}, the model behind {signal}.")

    chased = [i for i in run.interventions
              if i.command.get("model") and i.command.get("model") != run.target]
    if chased:
        names = "; ".join(f"{describe(i.command)} at {run.at(i.t)}" for i in chased)
        tally.add("noise", 4 - 2 * len(chased), 4,
                  f"Intervened on models that were not at fault ({names}); the fault was on "
                  f"{run.target}.")
    else:
        tally.add("noise", 4, 4, f"Kept every intervention on {run.target}; no noise chasing.")

    noise = facts.noise_alerts
    if not noise:
        tally.add("tickets", 2, 2, "No noise alert fired beside the page.")
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
    alert = run.signal_alert
    if pm is None:
        tally.add("detection", 0, 2, f"No postmortem, so detection never named {signal}"
                  + (f" and its threshold {_fmt(alert.threshold)}." if alert else "."))
    else:
        named = mentions(pm.detection, signal)
        said = [f"Detection names {signal}" if named else f"Detection does not name {signal}"]
        pts = 1.0 if named else 0.0
        if alert is not None:
            if mentions_number(pm.detection, [alert.threshold]) is not None:
                pts += 1
                said.append(f"and quotes its threshold {_fmt(alert.threshold)} {alert.unit}")
            else:
                said.append(f"but not its threshold {_fmt(alert.threshold)} {alert.unit}"
                            if named else
                            f"nor its threshold {_fmt(alert.threshold)} {alert.unit}")
        else:
            pts += 1 if named else 0
        tally.add("detection", pts, 2, " ".join(said) + ".")
    return tally
