"""Self-awareness (10): what would have caught it earlier, checked by replaying the monitor.

Rules:
- 1.5: the postmortem says what could have caught it earlier (real text).
- 1.5: and says it concretely: a number, or a thing the run knows by name (the model, an alert,
  a feature or source from the evidence, a remediation id).
- 5: the best replayed monitor fired before the real page; scaled by its lead, full at 15 min.
- 2: that monitor raised at most 2 false alarms in the week before (1 for 3-5, 0 beyond);
  only counted when it fired before the page, since a silent monitor has no false alarms.
With no monitor proposed the feedback names the monitoring that fits the fault.
"""

from __future__ import annotations

import re

from oncall.game.record import Replay
from oncall.scoring.run import Run
from oncall.scoring.tally import Tally
from oncall.scoring.text import is_real

FULL_LEAD = 15
QUIET, NOISY = 2, 5


def best_replay(replays: list[Replay]) -> Replay | None:
    """The monitor a player would quote: it fired before the page, as early and quietly as any."""
    if not replays:
        return None
    return max(replays, key=lambda r: (
        r.lead_minutes is not None and r.lead_minutes > 0,
        r.lead_minutes if r.lead_minutes is not None else -10**9,
        -r.false_alarms_week,
    ))


def monitoring_ids(ids: list[str]) -> list[str]:
    """Remediations that are monitors: ML Test Score `Mon*` ids, or ids that say monitor/alert."""
    picked = [i for i in ids if i.lower().startswith("mon") or "monitor" in i.lower()
              or "alert" in i.lower()]
    return picked or ids


def _nouns(run: Run) -> list[str]:
    nouns = {run.target, run.answers.signal_alert}
    nouns |= {a.rule for a in run.facts.page_alerts + run.facts.noise_alerts}
    for tag in run.answers.evidence:
        nouns |= {p for p in re.split(r"[:]", tag) if len(p) >= 4}
    return sorted(n for n in nouns if n)


def _concrete(run: Run, text: str) -> bool:
    low = text.lower()
    if re.search(r"\d", text):
        return True
    ids = run.answers.remediations + (run.facts.postmortem.remediations
                                      if run.facts.postmortem else [])
    if any(re.search(rf"\b{re.escape(i.lower())}\b", low) for i in ids):
        return True
    return any(n.lower() in low for n in _nouns(run))


def score_awareness(run: Run) -> Tally:
    tally = Tally("self_awareness")
    pm = run.facts.postmortem
    earlier = pm.caught_earlier if pm else ""
    if not is_real(earlier):
        tally.add("earlier", 0, 1.5, "The postmortem does not say what would have caught it "
                  "earlier.")
        tally.add("concrete", 0, 1.5, "")
    else:
        tally.add("earlier", 1.5, 1.5, "")
        if _concrete(run, earlier):
            tally.add("concrete", 1.5, 1.5, "Said concretely what would have caught it earlier.")
        else:
            tally.add("concrete", 0, 1.5, "What would have caught it earlier stays vague: name "
                      "the signal, the feature or the threshold.")

    best = best_replay(run.facts.replays)
    if best is None:
        fits = ", ".join(monitoring_ids(run.answers.remediations))
        tally.add("lead", 0, 5, f"No monitoring proposed, so nothing could be replayed; "
                  f"propose {fits}.")
        tally.add("quiet", 0, 2, "")
        return tally
    lead = best.lead_minutes
    name = f"{best.rule} ({best.remediation})"
    if lead is None:
        tally.add("lead", 0, 5, f"Replayed over the week before, {name} never fired before the "
                  f"page.")
        tally.add("quiet", 0, 2, "")
        return tally
    if lead <= 0:
        tally.add("lead", 0, 5, f"Replayed, {name} would have fired {-lead} min after the page: "
                  f"no earlier than the alert that woke you.")
        tally.add("quiet", 0, 2, "")
        return tally
    tally.add("lead", 5 * min(1.0, lead / FULL_LEAD), 5,
              f"Replayed, {name} would have fired {lead} min before the page (full marks at "
              f"{FULL_LEAD}).")
    fa = best.false_alarms_week
    pts = 2.0 if fa <= QUIET else (1.0 if fa <= NOISY else 0.0)
    tally.add("quiet", pts, 2, f"It raised {fa} false alarm{'s' if fa != 1 else ''} in the week "
              f"before (target at most {QUIET}).")
    return tally
