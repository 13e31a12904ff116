"""Diagnosis (20): data, model or infra; which catalogue fault; evidence that really shows it.

Rules:
- 5: category right.
- 6: cause (catalogue id) right.
- 4: at least one cited observation genuinely shows one of the answer key's evidence signals
  (`Observation.signals` is set by the simulator, never by the player).
- 1: every cited id is a real observation that shows some fault signal (no padding).
- 3: time from page to the diagnosis: full within 20 minutes, half within 45. Scaled by
  correctness (all for the right cause, half for the right category only, none otherwise), so a
  fast guess earns nothing.
- 1: the diagnosis was stated at most twice (one revision on new evidence is good practice).
No diagnosis scores 0.
"""

from __future__ import annotations

from oncall.scoring.run import Run
from oncall.scoring.tally import Tally, within
from oncall.sim.catalogue import FAULTS_BY_ID

FAST, SLOW = 20, 45


def cause_label(cause: str) -> str:
    info = FAULTS_BY_ID.get(cause)
    return f"{cause} ({info.name})" if info else cause


def score_diagnosis(run: Run) -> Tally:
    tally = Tally("diagnosis")
    ans = run.answers
    dx = run.facts.diagnosis
    truth = f"{ans.category} / {ans.cause} ({ans.cause_name})"
    if not dx:
        for key, top in (("category", 5), ("cause", 6), ("evidence", 4), ("citations", 1),
                         ("time", 3), ("stable", 1)):
            tally.add(key, 0, top, "")
        tally.note(f"No diagnosis was stated; the answer was {truth}.")
        return tally

    category, cause = str(dx.get("category", "")), str(dx.get("cause", ""))
    cat_ok = category == ans.category
    cause_ok = cause == ans.cause
    tally.add("category", 5 if cat_ok else 0, 5,
              f"Category {category} is right." if cat_ok else
              f"Category {category or '(none)'} is wrong: this was a {ans.category} fault.")
    tally.add("cause", 6 if cause_ok else 0, 6,
              f"Cause {cause_label(cause)} is right." if cause_ok else
              f"Cause {cause_label(cause) or '(none)'} is wrong: it was {ans.cause} "
              f"({ans.cause_name}).")

    proving: list[str] = []
    empty: list[str] = []
    unknown: list[str] = []
    wanted = set(ans.evidence)
    for oid in run.cited():
        obs = run.observations.get(oid)
        if obs is None:
            unknown.append(oid)
        elif wanted & set(obs.signals):
            proving.append(f"{oid} ({', '.join(sorted(wanted & set(obs.signals)))})")
        elif not obs.signals:
            empty.append(oid)
    cited = run.cited()
    if proving:
        tally.add("evidence", 4, 4, f"Cited evidence that shows the cause: {', '.join(proving)}.")
    elif cited:
        tally.add("evidence", 0, 4, f"None of the cited observations ({', '.join(cited)}) shows "
                  f"the cause; evidence that would: {', '.join(ans.evidence)}.")
    else:
        tally.add("evidence", 0, 4, f"Cited no observations; evidence that would show it: "
                  f"{', '.join(ans.evidence)}.")
    if not cited:
        tally.add("citations", 0, 1, "")
    elif unknown or empty:
        bits = []
        if unknown:
            bits.append(f"{', '.join(unknown)} not found in the run")
        if empty:
            bits.append(f"{', '.join(empty)} show no fault signal")
        tally.add("citations", 0, 1, f"Padding in the citations: {'; '.join(bits)}.")
    else:
        tally.add("citations", 1, 1, "")

    delay = run.since_page(run.facts.diagnosis_at)
    correctness = 1.0 if cause_ok else (0.5 if cat_ok else 0.0)
    share = within(delay, FAST, SLOW) * correctness
    if run.facts.diagnosis_at is None or delay is None:
        line = "The time of the diagnosis was not recorded"
    else:
        line = (f"Diagnosed at {run.at(run.facts.diagnosis_at)}, {delay} min after the page "
                f"(target {FAST}, partial {SLOW})")
    if correctness < 1:
        line += "; time counts only as far as the diagnosis was right"
    tally.add("time", 3 * share, 3, line + ".")

    n = run.facts.diagnoses
    tally.add("stable", 1 if n <= 2 else 0, 1,
              "" if n <= 2 else f"Changed the diagnosis {n - 1} times before settling.")
    return tally
