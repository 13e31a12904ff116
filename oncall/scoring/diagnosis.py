"""Diagnosis (20): data, model or infra; which catalogue fault; evidence that really shows it.

The claim and the evidence are judged apart: the named cause against the truth, and the cited
observations against the named cause, so evidence that shows a GPU running out of memory does
not prove an upstream schema change, and a wrong cause argued from what the screen showed still
earns its evidence points.

Rules:
- 5: category right, when the cause is right (or an accepted alternative) or a cited observation
  shows a sign of the fault: a right category with a wrong cause and nothing cited is a guess
  among three, and its time and stability earn nothing either.
- 6: cause (catalogue id) right; an alternative the answer key accepts earns its share, and so
  does a cause that describes the same failure from another side (`OVERLAPS`, at 0.8 unless the
  key says otherwise), and one the fault kind's effects imply (a kind set off by a config-only
  deploy is also a bad deploy config: `FaultKind.implied_alternatives`); an alternative's
  category earns the same share, and evidence of the true cause counts as evidence of it.
- 4: the cited observations show evidence of the cause the player named (a signal the named
  cause leaves, found in the observation's own content; `Observation.signals` is set by the
  simulator, never by the player; a deploys view showing a changed config key, a deploy's diff,
  shows a bad deploy config whichever kind's deploy it was): 2 per distinct kind of evidence,
  up to 4, times the share of cited observations that show any of it, so padding costs in
  proportion.
- 1: every cited id is a real observation that shows some fault signal.
- 3: time from page to the diagnosis: full within 20 minutes, half within 45. Scaled by
  correctness (all for the right cause, the alternative's share for an accepted alternative,
  half for the right category only, none otherwise), so a fast guess earns nothing.
- 1: the diagnosis was stated at most twice (one revision on new evidence is good practice),
  scaled by correctness as the time is.
No diagnosis scores 0, and neither does one named before any look at a model of the night's
incidents showed a sign of the fault (`Run.grounded`): a guess earns nothing, right or wrong.
On a night with several incidents, category and cause are the mean over
the incidents, each judged on its own `diagnose incident=` by the same rules (`judge`), against
its own fault and the alternatives its own kind lists or implies.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

from oncall.scoring.run import Run
from oncall.scoring.tally import Part, Tally, within
from oncall.scoring.text import a_an
from oncall.sim.catalogue import FAULTS_BY_ID

FAST, SLOW = 20, 45
PER_SIGNAL, CORROBORATED = 2, 2
_FIELD = re.compile(r"\\\{[^{}]*\\\}|\{[^{}]*\}")


@cache
def cause_patterns(cause: str) -> tuple[re.Pattern[str], ...]:
    """The evidence a catalogue cause leaves, as patterns over signal ids: every fault kind that
    implements the cause, its signals with their template fields (`drift:{params.feature}`)
    matching any value."""
    from oncall.content.kinds import fault_kinds

    out: list[str] = []
    for sig in fault_kinds().signals_by_cause().get(cause, []):
        pat = _FIELD.sub(".+", re.escape(sig))
        if pat not in out:
            out.append(pat)
    return tuple(re.compile(f"^{p}$") for p in out)


def shows_cause(signals: list[str], cause: str) -> list[str]:
    """The signals among these that the named cause leaves."""
    pats = cause_patterns(cause)
    return [s for s in signals if any(p.match(s) for p in pats)]


OVERLAP_CREDIT = 0.8
OVERLAPS: dict[frozenset[str], str] = {
    frozenset({"I4", "N2"}): "CPU throttling and a noisy neighbour on a shared node are the same "
                             "starved cores, seen from the pod and from the node",
    frozenset({"D1", "M5"}): "a new customer segment and a fraud attack both move the mix of "
                             "inputs and labels the model was trained on",
    frozenset({"I9", "I5"}): "a deploy config that caps replicas or resources and an autoscaler "
                             "that cannot scale leave the same pods short of capacity",
    frozenset({"I9", "I1"}): "a config-only deploy that ran the GPU out of memory is both a bad "
                             "deploy config and a GPU out of memory",
    frozenset({"I5", "N2"}): "pods starved on a busy node and pods the autoscaler did not add "
                             "leave the same traffic without cores",
    frozenset({"M3", "M4"}): "a world that moved and scores that lost their calibration show the "
                             "same gap between predicted and observed rates",
}
"""Causes that describe one failure from two sides: each is an accepted alternative to the
other at OVERLAP_CREDIT, unless the answer key states its own credit."""


def alternative_to(truth: str, alternatives: list[dict[str, Any]],
                   cause: str) -> dict[str, Any] | None:
    """An alternative to the true cause `truth` that its answer key (`alternatives`) states, else
    an overlapping cause (OVERLAPS), else one the fault kind's effects imply (marked `implied`
    in the key: a config-only deploy makes a bad deploy config defensible). Every incident of a
    night is judged by this, each against its own key."""
    found = next((a for a in alternatives if a.get("cause") == cause), None)
    if found is not None and not found.get("implied"):
        return found
    why = OVERLAPS.get(frozenset({cause, truth}))
    if why is None or cause == truth:
        return found
    return {"cause": cause, "credit": OVERLAP_CREDIT, "why": why + "."}


def alternative(run: Run, cause: str) -> dict[str, Any] | None:
    """An alternative to the first page's cause (`alternative_to`)."""
    return alternative_to(run.answers.cause, run.answers.alternatives, cause)


class Verdict(NamedTuple):
    """A named category and cause judged against one incident's truth: the share of the category
    and cause points each earns, and the alternative the cause was taken as, if any."""

    category: float
    cause: float
    alt: dict[str, Any] | None
    guess: bool
    """The category is right, but neither the cause nor anything cited backs it."""


def judge(category: str, cause: str, truth_category: str, truth_cause: str,
          alternatives: list[dict[str, Any]], backed: bool) -> Verdict:
    """One diagnosis against one incident's truth: the cause right (all), an accepted
    alternative (its credit, and its category earns the same), or wrong; a right category with
    a wrong cause earns only when a cited observation shows a sign of the fault (`backed`)."""
    cause_ok = cause == truth_cause
    alt = None if cause_ok else alternative_to(truth_cause, alternatives, cause)
    credit = 1.0 if cause_ok else (float(str(alt["credit"])) if alt is not None else 0.0)
    guess = category == truth_category and not cause_ok and alt is None and not backed
    if category == truth_category:
        cat = 0.0 if guess else 1.0
    elif alt is not None and cause in FAULTS_BY_ID and FAULTS_BY_ID[cause].category == category:
        cat = credit
    else:
        cat = 0.0
    return Verdict(cat, credit, alt, guess)


def _backed(run: Run, cited: list[Any]) -> bool:
    """Whether a cited observation shows a sign of a fault."""
    return any(str(oid) in run.observations and run.observations[str(oid)].signals
               for oid in cited)


def misdiagnosed(run: Run) -> str | None:
    """The wrong cause the player's last diagnosis named (neither the root cause nor an accepted
    alternative), or None: lessons drawn from it were drawn for another failure."""
    dx = run.facts.diagnosis
    cause = str(dx.get("cause", "")) if dx else ""
    if not cause or cause == run.answers.cause or alternative(run, cause) is not None:
        return None
    return cause


WRONG_LESSON = 0.5
"""The share of the remediation and self-awareness points left when the diagnosis was wrong: a
monitor or test proposed for another failure that fits this one fits by chance."""


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
    if not run.grounded(run.facts.diagnosis_at):
        for key, top in (("category", 5), ("cause", 6), ("evidence", 4), ("citations", 1),
                         ("time", 3), ("stable", 1)):
            tally.add(key, 0, top, "")
        tally.note(f"Named {category} / {cause_label(cause)} before any look showed a sign of the "
                   f"fault: a guess earns nothing, right or wrong. The answer was {truth}.")
        return tally
    verdict = judge(category, cause, ans.category, ans.cause, ans.alternatives,
                    _backed(run, run.cited()))
    cat_ok = verdict.category == 1
    cause_ok = cause == ans.cause
    alt = verdict.alt
    if verdict.guess:
        # a coin toss among three: neither the cause nor the evidence backs it
        tally.add("category", 0, 5, f"Category {category} is right, but the cause is wrong and "
                  "nothing cited shows a sign of the fault: a category backed by neither is a "
                  "guess among three.")
    elif cat_ok:
        tally.add("category", 5, 5, f"Category {category} is right.")
    elif verdict.category:
        tally.add("category", 5 * verdict.category, 5, f"Category {category} goes with {cause}, "
                  f"an accepted alternative; this was {a_an(ans.category)} fault.")
    else:
        tally.add("category", 0, 5,
                  f"Category {category or '(none)'} is wrong: this was {a_an(ans.category)} fault.")
    if cause_ok:
        tally.add("cause", 6, 6, f"Cause {cause_label(cause)} is right.")
    elif alt is not None:
        credit = float(str(alt["credit"]))
        tally.add("cause", 6 * credit, 6, f"Cause {cause_label(cause)} is defensible but not "
                  f"the root cause {ans.cause} ({ans.cause_name}): {alt['why']}")
    else:
        tally.add("cause", 0, 6, f"Cause {cause_label(cause) or '(none)'} is wrong: it was "
                  f"{ans.cause} ({ans.cause_name}).")

    if run.extra_incidents:
        _every_incident(run, tally, verdict)

    cited = list(dict.fromkeys(run.cited()))
    proving: dict[str, list[str]] = {}
    borrowed: set[str] = set()  # shown only as signs of the root cause the alternative overlaps
    empty: list[str] = []
    unknown: list[str] = []
    for oid in cited:
        obs = run.observations.get(oid)
        if obs is None:
            unknown.append(oid)
            continue
        if not obs.signals:
            empty.append(oid)
        hits = shows_cause(obs.signals, cause) if cause in FAULTS_BY_ID else []
        if not hits and alt is not None:
            hits = shows_cause(obs.signals, ans.cause)  # the same failure, from the other side
            if hits:
                borrowed.add(oid)
        if hits:
            proving[oid] = hits
    kinds = {h for hits in proving.values() for h in hits}
    if proving:
        share = len(proving) / len(cited)
        pts = min(PER_SIGNAL * CORROBORATED, PER_SIGNAL * len(kinds)) * share

        def shown(oids: list[str]) -> str:
            return ", ".join(f"{oid} ({', '.join(sorted(proving[oid]))})" for oid in oids)

        own = [oid for oid in proving if oid not in borrowed]
        other = [oid for oid in proving if oid in borrowed]
        # What an observation shows is said as what it is a sign of: a node's disk pressure
        # is a sign of the log flood the alternative overlaps, not of a bad deploy config.
        said = [f"evidence of {cause}: {shown(own)}"] if own else []
        said += [f"evidence of the same failure as the root cause {ans.cause} sees it, which "
                 f"counts for {cause}: {shown(other)}"] if other else []
        line = f"Cited {'; '.join(said)}"
        if len(kinds) < CORROBORATED:
            line += "; one kind of evidence, a second would corroborate it"
        idle = [oid for oid in cited if oid not in proving]
        if idle:
            line += (f"; {len(idle)} of {len(cited)} citations show nothing of it "
                     f"({', '.join(idle)}), which costs in proportion")
        tally.add("evidence", pts, 4, line + ".")
    elif cited:
        hint = f"; what shows it here: {', '.join(ans.evidence)}" if cause_ok else ""
        tally.add("evidence", 0, 4, f"None of the cited observations ({', '.join(cited)}) shows "
                  f"evidence of {cause or 'the named cause'}{hint}.")
    else:
        tally.add("evidence", 0, 4, "Cited no observations: a diagnosis needs the observations "
                  "that show it.")
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
    correctness = 1.0 if cause_ok else (
        float(str(alt["credit"])) if alt is not None else (0.5 if cat_ok else 0.0))
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
    if n > 2:
        tally.add("stable", 0, 1, f"Changed the diagnosis {n - 1} times before settling.")
    else:
        # Holding to a diagnosis is a virtue only as far as it is right.
        tally.add("stable", correctness, 1, "")
    return tally


def _every_incident(run: Run, tally: Tally, main: Verdict) -> None:
    """On a night with several incidents, category and cause are the mean over the incidents:
    each one's `diagnose incident=` judged as the first page's is (`judge`), against its own
    fault and the alternatives its own kind accepts."""
    cats, causes = [main.category], [main.cause]
    for inc in run.extra_incidents:
        dx = inc.diagnosis
        if not dx:
            cats.append(0.0)
            causes.append(0.0)
            tally.note(f"Incident {inc.id} ({inc.model}) got no diagnosis (`diagnose "
                       f"incident={inc.id}`); it was {inc.category} / {cause_label(inc.cause)}.")
            continue
        cat, cause = str(dx.get("category", "")), str(dx.get("cause", ""))
        v = judge(cat, cause, inc.category, inc.cause, inc.alternatives,
                  _backed(run, list(dx.get("evidence") or [])))
        cats.append(v.category)
        causes.append(v.cause)
        if v.cause == 1:
            verdict = "right"
        elif v.alt is not None:
            verdict = (f"an accepted alternative, worth {v.cause:.0%} of the cause: "
                       f"{str(v.alt['why']).rstrip('.')}")
        else:
            verdict = "wrong"
        if v.guess:
            verdict += ("; its category is right, but nothing cited shows a sign of the fault, "
                        "so it earns nothing")
        tally.note(f"Incident {inc.id} ({inc.model}): {cat} / {cause_label(cause)} is {verdict}"
                   f"; it was {inc.category} / {cause_label(inc.cause)}.")
    n = len(cats)
    for key, top, shares in (("category", 5, cats), ("cause", 6, causes)):
        i = next(k for k, p in enumerate(tally.parts) if p.key == key)
        part = tally.parts[i]
        tally.parts[i] = Part(key, top * sum(shares) / n, top,
                              part.line + f" Scored as the mean over the night's {n} incidents.")
