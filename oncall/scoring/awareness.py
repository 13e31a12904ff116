"""Self-awareness (10): what would have caught it earlier, checked by replaying the monitor.

Rules:
- 1.5: the postmortem says what could have caught it earlier (real text).
- 1.5: and the claim is backed: it names a proposed remediation (its id, its ML Test Score id
  such as Mon6, or for a monitor its alert) that fits this fault, or whose replay fired before
  the page; a sentence that describes one of the proposed remediations in words, clearly ahead
  of the others (`remediations.match.nearest`), names it too. Proposed: listed, or described
  in words by an action item (as the postmortem section reads them), the same for every rule
  below.
- 5: the best replayed monitor among those that fit (any proposed one when none fits) fired
  before the real page; scaled by its lead against what was possible: full at 15 minutes, or
  one minute short of the time between the onset and the page when that was shorter. A
  proposed test that fails on the incident's own faulty fixtures (and passes on the healthy
  ones: only such a test is generated) catches the fault at its release, before any page:
  full lead.
- On a control nothing broke, so nothing could have caught it earlier: the 5 go to the lesson
  that fits the page (a remediation of the key, such as tuning the alert), and the quiet to
  the proposed monitors' false alarms as usual; a monitor's lead earns nothing there.
- The lead and the quiet need a look at the target during the run (a monitor proposed without
  one is a template). The backing (1.5), the lead (5) and the quiet (2) are scaled by the share
  of proposed remediations that fit the fault or whose replay fired before the page: a list of
  everything claims nothing; and halved when the diagnosis named a wrong cause (a lesson drawn
  for another failure fits this one by chance).
- 2: the proposed monitors together raised at most 2 false alarms in the week before (1 for
  3-5, 0 beyond): every monitor proposed pages someone, so proposing all of them is noisy.
  Only counted when a monitor fired before the page.
With no monitor proposed the feedback names the monitoring that fits the fault.
"""

from __future__ import annotations

import re

from oncall.game.record import Replay
from oncall.scoring.diagnosis import WRONG_LESSON, cause_label, misdiagnosed
from oncall.scoring.postmortem import proposed_remediations
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


def full_lead(run: Run) -> int:
    """The lead that earns full marks: 15 minutes, or what the incident allowed."""
    possible = run.facts.page_at - run.facts.onset_at
    return max(1, min(FULL_LEAD, possible - 1))


def _backed(run: Run, text: str, useful: list[Replay]) -> str | None:
    """The proposed remediation the claim names, when it fits or replayed before the page."""
    from oncall.game import remediations  # the catalogue, only when a claim is read

    low = text.lower()
    pm = run.facts.postmortem
    proposed = proposed_remediations(pm) if pm else []
    for rid in proposed:
        rem = remediations.BY_ID.get(rid)
        names = [rid] + ([rem.ml_test_score] if rem is not None else [])
        if rid in run.answers.remediations and any(
                re.search(rf"\b{re.escape(n.lower())}\b", low) for n in names):
            return rid
    for r in useful:
        if r.rule.lower() in low or re.search(rf"\b{re.escape(r.remediation.lower())}\b", low):
            return r.remediation
    # a sentence that describes one of the proposed remediations in words names it, as its id
    # would: it backs the claim when that one fits or fired early
    sound = set(run.answers.remediations) | {r.remediation for r in useful}
    for sentence in re.split(r"(?<=[.;!?])\s+", text):
        named = remediations.match.nearest(sentence, proposed, alike=sound)
        if named is not None and named in sound:
            return named
    return None


def score_awareness(run: Run) -> Tally:
    tally = Tally("self_awareness")
    pm = run.facts.postmortem
    earlier = pm.caught_earlier if pm else ""
    replays = run.facts.replays
    fitting = [r for r in replays if r.remediation in run.answers.remediations]
    useful = [r for r in replays if r.lead_minutes is not None and r.lead_minutes > 0]
    proposed = [r for r in (proposed_remediations(pm) if pm else [])
                if r not in run.facts.not_generated]
    sound = set(run.answers.remediations) | {r.remediation for r in useful}
    unsound = [r for r in proposed if r not in sound]
    precision = 1.0 - len(unsound) / len(proposed) if proposed else 1.0
    kept = len(proposed) - len(unsound)
    scatter = (f" Scaled by the share of proposals that fit or fired early ({kept} of "
               f"{len(proposed)}): proposing everything claims nothing." if unsound else "")
    wrong = misdiagnosed(run)
    if wrong is not None:
        precision *= WRONG_LESSON
        scatter += (f" Half, as the diagnosis named {cause_label(wrong)}: a lesson drawn for "
                    "another failure fits this one by chance.")
    if not is_real(earlier):
        tally.add("earlier", 0, 1.5, "The postmortem does not say what would have caught it "
                  "earlier.")
        tally.add("concrete", 0, 1.5, "")
    else:
        tally.add("earlier", 1.5, 1.5, "")
        backed = _backed(run, earlier, useful)
        if backed:
            tally.add("concrete", 1.5 * precision, 1.5, f"What would have caught it earlier "
                      f"names {backed}, a remediation this postmortem proposes.{scatter}")
        else:
            tally.add("concrete", 0, 1.5, "What would have caught it earlier names no proposed "
                      "monitor or test that fits this fault or fired before the page.")

    best = best_replay(fitting) or best_replay(replays)
    tests = list(dict.fromkeys(a.remediation for a in run.facts.artifacts if a.kind == "test"))
    lesson = best.remediation if best is not None else (tests[0] if tests else None)
    if run.answers.control and proposed:
        lesson = lesson or proposed[0]
    if lesson is not None and not run.looked_at(run.target):
        tally.add("lead", 0, 5, f"Proposed {lesson} without ever looking at "
                  f"{run.target}: a remediation from a template is not a lesson of this "
                  "incident.")
        tally.add("quiet", 0, 2, "")
        return tally
    if run.answers.control:
        return _control(run, tally, proposed, replays, precision, scatter)
    if tests:  # at the release: as early as anything could be
        tally.add("lead", 5 * precision, 5, f"{tests[0]} fails on this incident's faulty data "
                  f"and passes on its healthy data: it would have stopped the fault at its "
                  f"release, before any page.{scatter}")
        _quiet(tally, replays, precision)
        return tally
    if best is None:
        proposed = proposed_remediations(pm) if pm else []
        fits = ", ".join(monitoring_ids(run.answers.remediations))
        if proposed:
            tally.add("lead", 0, 5, f"None of the proposed remediations ({', '.join(proposed)}) "
                      f"is a monitor that replays on {run.target}; monitoring that fits: {fits}.")
        else:
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
    full = full_lead(run)
    tally.add("lead", 5 * min(1.0, lead / full) * precision, 5,
              f"Replayed, {name} would have fired {lead} min before the page (full marks at "
              f"{full}, with the fault starting {run.facts.page_at - run.facts.onset_at} min "
              f"before the page).{scatter}")
    _quiet(tally, replays, precision)
    return tally


def _quiet(tally: Tally, replays: list[Replay], precision: float) -> None:
    """2: the proposed monitors' false alarms in the week before, together."""
    fa = sum(r.false_alarms_week for r in replays)
    pts = (2.0 if fa <= QUIET else (1.0 if fa <= NOISY else 0.0)) * precision
    among = f" across the {len(replays)} proposed monitors" if len(replays) > 1 else ""
    tally.add("quiet", pts, 2, f"{fa} false alarm{'s' if fa != 1 else ''}{among} in the week "
              f"before (target at most {QUIET}).")


def _control(run: Run, tally: Tally, proposed: list[str], replays: list[Replay],
             precision: float, scatter: str) -> Tally:
    """A control: nothing broke, so the lesson is about the page itself (the key's
    remediations, such as tuning the alert), and no monitor's lead counts."""
    fits = [r for r in proposed if r in run.answers.remediations]
    if fits:
        tally.add("lead", 5 * precision, 5, f"Nothing was broken, so nothing could have caught "
                  f"it earlier; {fits[0]} draws the lesson of a page without a fault.{scatter}")
    else:
        key = ", ".join(run.answers.remediations)
        tally.add("lead", 0, 5, "Nothing was broken, so the lesson is about the page itself, "
                  f"and no proposal draws it; what fits: {key}.")
    if fits or replays:
        _quiet(tally, replays, precision)
    else:
        tally.add("quiet", 0, 2, "")
    return tally
