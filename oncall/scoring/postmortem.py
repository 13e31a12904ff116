"""Postmortem (15): the Google SRE template filled with the facts of this incident, owned
actions that fit it, blameless.

Fields that state facts are checked against the record, so a generic postmortem pasted into
every incident earns little:
- 3: the ten parts carry real text (a real sentence: `text.is_real`, not a word count nor a
  placeholder such as `TBD`, nor a list of 3 or more catalogue causes): summary, impact, root
  cause, trigger, detection, resolution, what went well, what went wrong, where we got lucky,
  what would have caught it earlier. 0.3 each.
- 2: the root cause names the mechanism of this incident: the catalogue cause (its id or its
  name) or the details that define it in this run (the feature, the source, the config key, the
  error; words as common as "drift" or "shift" alone are not a mechanism): 1 per term, up to 2,
  divided by one plus the number of other catalogue causes it names that the answer key does
  not accept; naming 3 or more of them is a list of everything and earns nothing.
- 1: the trigger names the change or the minute it started (a time within 20 minutes of the
  onset) or a term of the mechanism.
- 1: the impact states a non-zero figure the simulation measured as what it measures: the number
  (within 2%) with the words of what it counts near it in its sentence (`IMPACT_MEASURES`:
  "12,400 requests affected", "3.2% of the error budget", "for 26 minutes", "the mean
  prediction 95% below training"). Label coverage and the share of requests with labels are not
  impact; clock times are not figures. A run of three or more bare numbers ("99, 100, 101")
  earns nothing, whatever else the impact says.
- 1: the resolution names what mitigated it: the move that worked (its verb with its fix, team or
  model), or the secondary on-call when they took over; on a control, that it cleared or was
  ticketed, and never a rollback or fix that no one made.
- 3: action items that are about this incident (an item that reads as a catalogue remediation
  is about it when that remediation fits; any other names something the run knows, in any
  inflection: the model, an alert, a feature or source, a team, a fitting remediation, and one
  that names a remediation that does not fit is not about it): 1 for a detect item, 1 for a
  prevent, mitigate or repair item, 1 × the share of all items that are about it and have a
  real owner; all of it times the share of items that are about this incident, so a list of
  everything costs in proportion.
- 3: remediations that fit the fault: full with two from the answer key (or all, if it lists
  fewer), 1.5 with one, times the share of proposed remediations that fit, so a list of
  everything costs in proportion; half when the diagnosis named a wrong cause. A remediation is
  proposed when it is listed or when an action item describes it in words (the engine reads
  each item against the catalogue: `ActionItem.remediation`), once either way, so describing
  every monitor costs as listing every id does. A proposed monitor whose replay fired before the
  page fits, whatever the key lists (self-awareness counts it the same way); not on a control,
  where nothing broke for it to catch.
- 1: blameless: no phrase of `text.BLAME_PATTERNS` and no person's name the run showed (owners,
  deployers) in the text; an action item's owner is who does the work, not blame. Only a
  postmortem with real text can earn it.
No postmortem scores 0.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from oncall.game.record import Postmortem
from oncall.game.remediations import match
from oncall.scoring.diagnosis import WRONG_LESSON, cause_label, misdiagnosed
from oncall.scoring.run import Run, describe
from oncall.scoring.tally import Tally
from oncall.scoring.text import (
    PLACEHOLDERS,
    and_list,
    blame_hits,
    close,
    is_real,
    num,
    number_runs,
    people_in,
    stated_figures,
    times_in,
)
from oncall.sim.catalogue import FAULTS_BY_ID, FIXES, TEAMS

IMPACT_LABELS = {"requests_affected": "requests affected", "requests_failed": "requests failed",
                 "budget_consumed_pct": "error budget consumed (%)",
                 "minutes": "minutes of impact from the page",
                 "prediction_shift_pct": "prediction shift (%)",
                 "minutes_outside_quality_slo": "minutes outside the quality SLO",
                 "quality_budget_consumed_pct": "quality budget consumed (%)"}
NOT_IMPACT = frozenset({"recovered_at", "label_delay_min", "label_coverage_pct", "labelled_pct"})
"""Figures the impact record keeps that measure no harm: the minute the service came back (a
clock reading), the model's usual label delay, and how many labels have arrived (label coverage,
requests with labels): what quality can be measured on, not what the fault did."""
_REQUESTS = (r"\breq\b|\brequests?\b|\bcalls?\b|\btransactions?\b|\bpayments?\b|"
             r"\bdecisions?\b|\busers?\b|\bcustomers?\b|\bpredictions?\b|\bscores?\b|"
             r"\bsessions?\b|\bquer(?:y|ies)\b|\bauctions?\b|\bmessages?\b|\bleads?\b|"
             r"\bprices?\b|\bembeddings?\b|\brankings?\b|\borders?\b|\bimages?\b|"
             r"\breviews?\b|\btickets?\b|\bapplications?\b")
_MINUTES = r"\bmin(?:ute)?s?\b|\d\s*m\b"
IMPACT_MEASURES = {
    "requests_affected": re.compile(_REQUESTS + r"|\baffected\b|\bimpacted\b"),
    "requests_failed": re.compile(_REQUESTS + r"|\bfail|\berrors?\b|\b5xx\b|\btimed out\b|"
                                  r"\btime(?:d)?outs?\b|\bshed\b|\brefused\b"),
    "budget_consumed_pct": re.compile(r"\bbudget\b"),
    "minutes": re.compile(_MINUTES),
    "prediction_shift_pct": re.compile(r"\bpredict|\bscores?\b|\bmean\b|\bshift|\boutputs?\b|"
                                       r"\bbelow\b|\babove\b|\bprobabilit"),
    "minutes_outside_quality_slo": re.compile(_MINUTES),
    "quality_budget_consumed_pct": re.compile(r"\bbudget\b"),
}
"""What a figure of the impact record measures, in the words a postmortem says it with: a
number is an impact figure when these words stand near it (`text.stated_figures`), so "12,400
requests affected" states one and a bare 12,400 does not. The prediction shift is signed in the
record and said as a size ("95% below training"), so it is matched without its sign."""
SIGNLESS = frozenset({"prediction_shift_pct"})
OWNERLESS = frozenset({"", "tbd", "todo", "?", "n/a", "none", "someone", "nobody", "team"})
GENERIC = frozenset({"change", "changes", "from", "with", "model", "models", "fault", "upstream",
                     "serving", "broken", "drift", "shift", "alert", "alerts", "failure",
                     "production", "system"})
"""Words too common to show that a text knows this incident's mechanism."""
TRIGGER_SLACK = 20
FIX_VERBS = frozenset({"apply", "raise", "lower", "revert", "enable", "disable"})


ABOUT_COMMON = frozenset({"model", "costs", "money", "their", "which", "every", "instead",
                          "serving", "values", "value", "previous", "feature", "features"})
"""Words of a fix's description that say nothing of which fix it was."""


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9_]+", text.lower()) if len(w) >= 4}


def mechanism_terms(run: Run) -> list[str]:
    """What defines this fault in this run: the catalogue id and the distinctive words of its
    name, and the parts of the answer key's evidence (features, sources, errors, config keys)."""
    ans = run.answers
    terms = {ans.cause.lower()}
    info = FAULTS_BY_ID.get(ans.cause)
    if info is not None:
        terms |= _words(info.name) - GENERIC
    for tag in ans.evidence:
        for part in re.split(r"[:]", tag):
            if len(part) >= 4 and part.lower() not in GENERIC:
                terms.add(part.lower())
                terms |= _words(part.replace("-", " ")) - GENERIC
    return sorted(terms)


CATALOGUE_LIST = 3
"""Other catalogue causes from which a root cause is a list, not a claim."""


def other_causes(run: Run, text: str) -> list[str]:
    """Catalogue causes a text names (by id or full name) that are neither the truth nor an
    alternative the answer key accepts."""
    ok = {run.answers.cause, *(str(a.get("cause")) for a in run.answers.alternatives)}
    low = text.lower()
    return [cid for cid, info in FAULTS_BY_ID.items() if cid not in ok and (
        re.search(rf"\b{cid}\b", text) or info.name.lower() in low)]


def _hits(text: str, terms: list[str]) -> list[str]:
    low = text.lower()
    spaced = low.replace("_", " ").replace("-", " ")
    return [t for t in terms if re.search(rf"\b{re.escape(t)}\b", low)
            or re.search(rf"\b{re.escape(t.replace('-', ' ').replace('_', ' '))}\b", spaced)]


def _names_any(text: str, nouns: list[str]) -> bool:
    """Whether an action item names something the run knows, as written or in another
    inflection of the same words ("training gangs" names the gang that held the GPUs), so an
    item about this incident counts whatever form carries it."""
    if _hits(text, nouns):
        return True
    stemmed = _stemmed(text)
    return any(words != "  " and words in stemmed for words in map(_stemmed, nouns))


@lru_cache(maxsize=4096)
def _stemmed(text: str) -> str:
    """A text's stemmed terms, space-separated with a space at either end (so a term's run is
    found whole): each noun a run knows is stemmed once, however many items read it."""
    return f" {' '.join(match.terms(text))} "


def known_nouns(run: Run) -> list[str]:
    """Names an action item can point at to be about this incident."""
    f = run.facts
    nouns = {run.target, *TEAMS, *(a.rule for a in f.page_alerts + f.noise_alerts)}
    nouns |= set(mechanism_terms(run))
    nouns |= set(run.answers.remediations)
    return sorted(n for n in nouns if len(n) >= 3)


def parts(pm: Postmortem) -> dict[str, str]:
    return {
        "summary": pm.summary, "impact": pm.impact, "root cause": pm.root_cause,
        "trigger": pm.trigger, "detection": pm.detection, "resolution": pm.resolution,
        "what went well": pm.lessons.went_well, "what went wrong": pm.lessons.went_wrong,
        "where we got lucky": pm.lessons.lucky, "caught earlier": pm.caught_earlier,
    }


def resolution_terms(run: Run) -> tuple[str, list[str]]:
    """What the resolution must name, as a label and the patterns that say it: the move that
    mitigated, or the secondary who took over. Empty when nothing did."""
    f = run.facts
    if f.handed_over:
        return "the secondary on-call", [r"\bsecondary\b"]
    if run.answers.control:
        return "it cleared by itself and was ticketed", [
            r"\bticket", r"\bclear", r"\bby itself\b", r"\bon its own\b", r"\btransient"]
    worked = run.mitigator()
    if worked is None:
        return "", []
    c = worked.command
    pats = [re.escape(str(v)).replace("_", "[_ ]").replace("\\-", "[- ]")
            for v in (c.get("fix"), c.get("team")) if v]
    fix = str(c.get("fix") or "")
    # apply_unit_conversion: "unit conversion", "conversion"; raise_max_replicas: "replica
    # ceiling" as well as "replicas" (a word of the fix's id, singular or plural)
    pats += [rf"\b{re.escape(w.removesuffix('s'))}" for w in fix.split("_")
             if len(w) >= 5 and w not in FIX_VERBS]
    # The fix said in the words of its registry entry ("treated the placeholder as missing at
    # ingestion" for null_sentinel_values): two of its words, in any order.
    # A word is matched by its first five letters ("missing", "ingested", "placeholders").
    about = sorted({w[:5] for w in re.findall(r"[a-z]{5,}", FIXES.get(fix, "").lower())
                    if w not in FIX_VERBS and w not in ABOUT_COMMON})
    pats += [rf"\b{a}.*\b{b}|\b{b}.*\b{a}" for a, b in combinations(about, 2)]
    if c.get("do") == "rollback":
        pats += [r"\broll(?:ed|ing)?\s+(?:[\w-]+\s+){0,5}back\b", r"\brollback\b", r"\brevert"]
    if c.get("do") == "escalate":
        pats.append(r"\bescalat")
    return describe(c), pats


CLAIMED_FIX = re.compile(
    r"\broll(?:ed|ing)?\s+(?:[\w-]+\s+){0,5}back\b|\brollback\b|\breverted\b|\bhotfix(?:ed)?\b|"
    r"\brestarted\b|\bscaled\s+(?:[\w-]+\s+){0,3}up\b|"
    r"\b(?:applied|deployed|shipped)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}"
    r"(?:fix|mitigation|patch)\b", re.IGNORECASE)
"""Words that say a rollback or hotfix was made."""
NEGATION = re.compile(r"\b(?:no|not|never|without|nothing|neither|nor|instead of|rather than|"
                      r"\w+n't)\b", re.IGNORECASE)
"""Words before a claim, in its clause, that deny it ("no rollback was needed")."""


def _claimed_fix(run: Run, text: str) -> str | None:
    """On a control, the words of a resolution that claim a fix no one made (nothing was broken,
    so no team fixed anything either), or None."""
    if not run.answers.control or any(iv.kind in ("rollback", "hotfix")
                                      for iv in run.interventions):
        return None
    for found in CLAIMED_FIX.finditer(text):
        before = re.split(r"[.;:!?,]", text[:found.start()])[-1]
        after = " ".join(re.split(r"[.;:!?,]", text[found.end():])[0].split()[:3])
        if not NEGATION.search(before) and not NEGATION.search(after):
            return found.group(0)
    return None


def proposed_remediations(pm: Postmortem) -> list[str]:
    """The remediations a postmortem proposes: those it lists, then those its action items
    describe (`ActionItem.remediation`), each once."""
    return list(dict.fromkeys(
        [*pm.remediations, *(a.remediation for a in pm.action_items if a.remediation)]))


def _catalogue_remediations() -> list[str]:
    from oncall.game import remediations  # the catalogue, only when a postmortem is read

    return sorted(remediations.BY_ID)


def all_text(pm: Postmortem) -> str:
    """The words a reader judges for blame: an owner named on an action item is who does the
    work, not who is blamed, so owners are left out."""
    items = [a.item for a in pm.action_items]
    return "\n".join([*parts(pm).values(), *items])


def impact_figures(run: Run) -> dict[str, float]:
    """The figures of the impact record that measure harm, in a fixed key order: a saved
    record's dict comes back with sorted keys, and the card must not depend on which order the
    engine happened to insert them in."""
    order = [k for k in IMPACT_LABELS if k in run.facts.impact]
    order += sorted(k for k in run.facts.impact if k not in IMPACT_LABELS and k not in NOT_IMPACT)
    return {k: run.facts.impact[k] for k in order}


def stated_impact(text: str, impact: dict[str, float]) -> tuple[str, float, str] | None:
    """The first impact figure a text states as what it measures: the key, the measured value
    and the text's own phrase. Zeros are left out: a stray "0" should not pass for a figure."""
    for key, value in impact.items():
        if not value:
            continue
        measures = IMPACT_MEASURES.get(key, re.compile(re.escape(key.replace("_", " "))))
        for said, phrase in stated_figures(text, measures):
            if close(abs(said), abs(value)) if key in SIGNLESS else close(said, value):
                return key, value, phrase
    return None


def _score_impact(run: Run, text: str, tally: Tally) -> None:
    """1 point: the impact states a measured figure as what it measures; a run of bare numbers
    earns nothing, whatever else the text says."""
    impact = impact_figures(run)
    runs = number_runs(text)
    if runs:
        tally.add("impact", 0, 1, f"The impact lists numbers without what they measure "
                  f"(\"{runs[0]}\"): a list of numbers is no figure, whichever one is right.")
        return
    stated = stated_impact(text, impact)
    if stated is not None:
        key, value, phrase = stated
        tally.add("impact", 1, 1, f"Impact states the measured {IMPACT_LABELS.get(key, key)} "
                  f"({num(value)}): \"{phrase}\".")
    elif impact:
        figures = ", ".join(f"{IMPACT_LABELS.get(k, k)} {num(v)}" for k, v in impact.items())
        tally.add("impact", 0, 1, f"Impact states none of the measured figures as what it "
                  f"measures ({figures}).")
    else:
        tally.add("impact", 1, 1, "")


def score_postmortem(run: Run) -> Tally:
    tally = Tally("postmortem")
    pm = run.facts.postmortem
    if pm is None:
        for key, top in (("sections", 5), ("actions", 4), ("remediations", 3),
                         ("blameless", 2), ("impact", 1)):
            tally.add(key, 0, top, "")
        tally.note("No postmortem was written.")
        return tally

    texts = parts(pm)
    missing = [name for name, text in texts.items() if not is_real(text)
               or len(other_causes(run, text)) >= CATALOGUE_LIST]
    present = len(texts) - len(missing)
    line = f"{present} of {len(texts)} sections have real text"
    # A section with words but no sentence is told apart from an empty one: "ModelHigh5xxRatio
    # at 0.05" may name the right alert (the alert section credits that) and still not be
    # written up.
    empty = [n for n in missing if texts[n].strip().lower() in PLACEHOLDERS]
    terse = [n for n in missing if n not in empty and not is_real(texts[n])]
    listed = [n for n in missing if n not in empty and n not in terse]
    said = [f"missing: {', '.join(empty)}"] if empty else []
    said += [f"not written as a sentence: {', '.join(terse)}"] if terse else []
    said += [f"a list of catalogue causes, not an account: {', '.join(listed)}"] if listed \
        else []
    tally.add("sections", 3 * present / len(texts), 3,
              line + (f"; {'; '.join(said)}." if said else "."))

    terms = mechanism_terms(run)
    said = _hits(pm.root_cause, terms)
    others = other_causes(run, pm.root_cause)
    if said and len(others) >= CATALOGUE_LIST:
        tally.add("root_cause", 0, 2, f"The root cause lists {len(others)} other catalogue "
                  f"causes ({and_list(others[:3])}, ...): a list of everything names no "
                  "mechanism.")
    elif said:
        share = 1 / (1 + len(others))
        line = f"The root cause names the mechanism ({and_list(said[:3])})"
        if others:
            line += (f", beside {and_list(others)}, which nothing in the run supports; "
                     "each unsupported cause costs in proportion")
        tally.add("root_cause", min(2, len(said)) * share, 2, line + ".")
    else:
        tally.add("root_cause", 0, 2, f"The root cause does not name the mechanism: "
                  f"{run.answers.cause} ({run.answers.cause_name}) or what defines it here.")

    onset = run.facts.onset_at
    near = [t for t in times_in(pm.trigger) if abs(t - onset % 1440) <= TRIGGER_SLACK
            or abs(t - onset % 1440) >= 1440 - TRIGGER_SLACK]
    if near or _hits(pm.trigger, terms):
        tally.add("trigger", 1, 1, "")
    else:
        tally.add("trigger", 0, 1, f"The trigger names neither the change nor when it started "
                  f"(the fault began at {run.at(onset)}).")

    _score_impact(run, pm.impact, tally)

    label, pats = resolution_terms(run)
    claimed = _claimed_fix(run, pm.resolution)
    if claimed:
        tally.add("resolution", 0, 1, f"The resolution says \"{claimed}\", but nothing was "
                  "broken and no rollback or hotfix was made: a resolution reports what "
                  "happened.")
    elif pats and any(re.search(p, pm.resolution, flags=re.IGNORECASE) for p in pats):
        tally.add("resolution", 1, 1, "")
    elif pats:
        tally.add("resolution", 0, 1, f"The resolution does not say what ended it ({label}).")
    else:
        tally.add("resolution", 0, 1, "Nothing the run did mitigated the fault, so the "
                  "resolution has nothing true to report.")

    wanted = run.answers.remediations
    skipped = run.facts.not_generated
    proposed = [r for r in proposed_remediations(pm) if r not in skipped]
    early = set() if run.answers.control else {
        r.remediation for r in run.facts.replays if r.lead_minutes and r.lead_minutes > 0}
    fit = [r for r in proposed if r in wanted or r in early]
    unfit = [r for r in proposed if r not in fit]

    items = pm.action_items
    nouns = known_nouns(run)
    unfit_ids = [r for r in _catalogue_remediations() if r not in run.answers.remediations]
    # an item that reads as a remediation is about this incident when that remediation fits
    about = [a for a in items if (a.remediation in fit if a.remediation is not None
                                  else _names_any(a.item, nouns) and not _hits(a.item, unfit_ids))]
    if not items:
        tally.add("actions", 0, 3, "No action items: each needs a type and an owner, and at "
                  "least one should be a detect item.")
    else:
        owned = [a for a in about if a.owner.strip().lower() not in OWNERLESS]
        types = {a.type for a in about}
        has_detect = "detect" in types
        has_fix = bool({"prevent", "mitigate", "repair"} & types)
        pts = (len(owned) / len(items) + (1 if has_detect else 0) + (1 if has_fix else 0)) \
            * len(about) / len(items)  # a list of everything costs in proportion
        bits = [f"{len(items)} action item{'' if len(items) == 1 else 's'}, {len(about)} about "
                f"this incident, {len(owned)} of those with an owner"]
        if not has_detect:
            bits.append("no detect item that names what to watch")
        if not has_fix:
            bits.append("no prevent item (a test) that names what it guards")
        tally.add("actions", pts, 3, "; ".join(bits) + ".")

    need = min(2, len(wanted))
    share = min(1.0, len(fit) / need) if need else 1.0
    # A remediation the record could not generate for this incident is no fitting one to
    # point at (the card said 'also fitting: X' and 'not credited: X' of the same X).
    named_fits = [r for r in wanted if r not in skipped] or list(wanted)
    others = [r for r in named_fits if r not in fit]
    # Where a remediation was read from an action item's words, the card says which item.
    read_from = {}
    for n, a in enumerate(items, start=1):
        if a.remediation and a.remediation not in read_from:
            read_from[a.remediation] = n

    def named(rids: list[str]) -> str:
        return ", ".join(f"{r} (action item {read_from[r]})" if r in read_from else r
                         for r in rids)

    if fit:
        line = f"Remediations that fit: {named(fit)}"
        if unfit:
            line += (f"; not for this fault: {named(unfit)} (the points scale by the "
                     f"share that fits, {len(fit)} of {len(proposed)})")
        line += f"; also fitting: {', '.join(others)}." if others else "."
    elif proposed:
        line = (f"Remediations {named(proposed)} do not address this fault; fitting ones: "
                f"{', '.join(named_fits)}.")
    else:
        line = f"No remediation proposed; fitting ones: {', '.join(named_fits)}."
    if skipped:
        line += " Not generated or credited, as they do not fit the model: " + "; ".join(
            f"{r} ({why})" for r, why in skipped.items()) + "."
    precision = len(fit) / len(proposed) if proposed else 1.0
    wrong = misdiagnosed(run)
    if wrong is not None and fit:
        precision *= WRONG_LESSON
        line += (f" Half, as the diagnosis named {cause_label(wrong)}: a remediation proposed for "
                 "another failure fits this one by chance.")
    tally.add("remediations", 3 * share * precision, 3, line)

    text = all_text(pm)
    hits = [f'"{h}"' for h in blame_hits(text)]
    names: set[str] = set()
    for e in run.record.entries:
        names |= people_in(e.observation.data)
        names |= people_in(e.observation.events)
    hits += sorted(n for n in names if n.lower() in text.lower())
    if hits:
        tally.add("blameless", 0, 1,
                  f"Not blameless: {', '.join(hits)}; describe what the system allowed, not who.")
    elif present >= len(texts) // 2:
        tally.add("blameless", 1, 1, "Blameless wording throughout.")
    else:
        tally.add("blameless", 0, 1, "")
    return tally
