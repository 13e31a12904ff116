"""Intervention (25): the right kind on the right target, soon, and nothing harmful on the way.

Rules:
- 8: the first intervention matches a right move of the answer key (kind, and model / fix / team
  where the move names them); 3 if it was not listed but helped partly; 0 for a wrong move.
- 6: the fault was mitigated during the run and not handed over to the secondary.
- 5: page to mitigation: full within 30 minutes, half within 60 (only when mitigated).
- 4: no harmful moves. Each intervention that matches a wrong move, or had no effect, costs 2;
  one that made things worse costs 3; an escalation that changed nothing costs 1 (a team's
  time is cheap next to a blind rollback). The feedback names the move and why it was wrong.
  A run with no intervention at all earns nothing here.
- 2: mitigation before full root cause: something that helped was applied before the diagnosis
  or within 10 minutes of it (SRE: make the system work first, then find the cause).
"""

from __future__ import annotations

from oncall.game.record import Intervened
from oncall.scoring.run import Run, describe
from oncall.scoring.tally import Tally, within

FAST, SLOW = 30, 60
BEFORE_ROOT_CAUSE = 10
HELPED = ("fixes", "partial")


def _penalty(run: Run, iv: Intervened) -> tuple[int, str]:
    m = run.match(iv.command)
    what = f"{describe(iv.command)} at {run.at(iv.t)}"
    if m is not None and not m.right:
        why = f": {m.move.why}" if m.move.why else ""
        return (3 if iv.effect == "worse" else 2), f"{what} is a tempting wrong move{why}"
    if iv.effect == "worse":
        return 3, f"{what} made things worse"
    if iv.effect == "none":
        return (1 if iv.kind == "escalate" else 2), f"{what} changed nothing"
    return 0, ""


def score_intervention(run: Run) -> Tally:
    tally = Tally("intervention")
    ivs = run.interventions
    facts = run.facts
    if not ivs:
        tally.add("first", 0, 8, "Made no intervention: no rollback, hotfix or escalation.")
    else:
        first = ivs[0]
        m = run.match(first.command)
        what = f"First move {describe(first.command)} at {run.at(first.t)}"
        if m is not None and m.right:
            tally.add("first", 8, 8, f"{what} was a right move.")
        elif m is not None:
            why = f" ({m.move.why})" if m.move.why else ""
            tally.add("first", 0, 8, f"{what} was the tempting wrong move{why}.")
        elif first.effect == "partial":
            tally.add("first", 3, 8, f"{what} only helped partly; a right move was "
                      f"{describe(_as_command(run))}.")
        else:
            tally.add("first", 0, 8, f"{what} was not a fix for this fault; a right move was "
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
        tally.add("mitigated", 6, 6, f"Mitigated at {run.at(facts.mitigated_at)}.")
        tally.add("time", 5 * within(delay, FAST, SLOW), 5,
                  f"Page to mitigation took {delay} min (target {FAST}, partial {SLOW}).")

    costs = [_penalty(run, iv) for iv in ivs]
    bad = [(c, line) for c, line in costs if c]
    if bad:
        tally.add("harm", 4 - sum(c for c, _ in bad), 4,
                  "Moves that cost: " + "; ".join(line for _, line in bad) + ".")
    elif ivs:
        tally.add("harm", 4, 4, "No harmful or wasted interventions.")
    else:
        tally.add("harm", 0, 4, "")  # doing nothing is not restraint

    helped = [iv for iv in ivs if iv.effect in HELPED]
    dx_at = facts.diagnosis_at
    early = [iv for iv in helped if dx_at is None or iv.t <= dx_at + BEFORE_ROOT_CAUSE]
    if early:
        iv = early[0]
        if dx_at is None or iv.t < dx_at:
            line = f"Mitigated before the full root cause was known: {describe(iv.command)} " \
                   f"at {run.at(iv.t)}"
            line += ", before any diagnosis." if dx_at is None else ", before the diagnosis."
        else:
            line = f"Mitigated without waiting on more root-causing: {describe(iv.command)} at " \
                   f"{run.at(iv.t)}, {iv.t - dx_at} min after the diagnosis (target " \
                   f"{BEFORE_ROOT_CAUSE})."
        tally.add("early", 2, 2, line)
    elif helped and dx_at is not None:
        iv = helped[0]
        tally.add("early", 0, 2, f"The first move that helped ({describe(iv.command)}) came "
                  f"{iv.t - dx_at} min after the diagnosis; mitigate first, root-cause after "
                  f"(target {BEFORE_ROOT_CAUSE}).")
    else:
        tally.add("early", 0, 2, "")
    return tally


def _as_command(run: Run) -> dict[str, object]:
    move = run.right[0]
    return {"do": move.kind, "model": move.model, "fix": move.fix, "team": move.team}
