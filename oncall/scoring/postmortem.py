"""Postmortem (15): the Google SRE template filled with real text, typed owned actions, blameless.

Rules:
- 5: the ten parts carry real text (at least three words, not a placeholder such as `TBD`):
  summary, impact, root cause, trigger, detection, resolution, what went well, what went wrong,
  where we got lucky, what would have caught it earlier. 0.5 each.
- 4: action items: 2 × the share with a real owner, 1.5 for at least one `detect` item, 0.5 for
  at least one item that is not monitoring (prevent, mitigate or repair): the template warns
  that knee-jerk action items add monitoring where a test would have caught it earlier.
- 3: remediations that fit the fault: full with two from the answer key (or all, if it lists
  fewer), 1.5 with one.
- 2: blameless: each phrase of `text.BLAME_PATTERNS` and each person's name the run showed
  (owners, deployers) costs 1.
- 1: the impact section quotes a non-zero number the simulation measured (requests affected or
  failed, error budget consumed, minutes), within 2%.
No postmortem scores 0.
"""

from __future__ import annotations

from oncall.game.record import Postmortem
from oncall.scoring.run import Run
from oncall.scoring.tally import Tally
from oncall.scoring.text import blame_hits, is_real, mentions_number, num, people_in

IMPACT_LABELS = {"requests_affected": "requests affected", "requests_failed": "requests failed",
                 "budget_consumed_pct": "error budget consumed (%)", "minutes": "minutes"}
OWNERLESS = frozenset({"", "tbd", "todo", "?", "n/a", "none", "someone", "nobody", "team"})


def parts(pm: Postmortem) -> dict[str, str]:
    return {
        "summary": pm.summary, "impact": pm.impact, "root cause": pm.root_cause,
        "trigger": pm.trigger, "detection": pm.detection, "resolution": pm.resolution,
        "what went well": pm.lessons.went_well, "what went wrong": pm.lessons.went_wrong,
        "where we got lucky": pm.lessons.lucky, "caught earlier": pm.caught_earlier,
    }


def all_text(pm: Postmortem) -> str:
    items = [f"{a.item} {a.owner}" for a in pm.action_items]
    return "\n".join([*parts(pm).values(), *items])


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
    missing = [name for name, text in texts.items() if not is_real(text)]
    present = len(texts) - len(missing)
    line = f"{present} of {len(texts)} sections have real text"
    tally.add("sections", 5 * present / len(texts), 5,
              line + (f"; missing or stub: {', '.join(missing)}." if missing else "."))

    items = pm.action_items
    if not items:
        tally.add("actions", 0, 4, "No action items: each needs a type and an owner, and at "
                  "least one should be a detect item.")
    else:
        owned = [a for a in items if a.owner.strip().lower() not in OWNERLESS]
        types = sorted({a.type for a in items})
        has_detect = "detect" in types
        has_fix = bool({"prevent", "mitigate", "repair"} & set(types))
        pts = 2 * len(owned) / len(items) + (1.5 if has_detect else 0) + (0.5 if has_fix else 0)
        bits = [f"{len(items)} action items ({', '.join(types)}), {len(owned)} with an owner"]
        if not has_detect:
            bits.append("no detect item")
        if not has_fix:
            bits.append("nothing but monitoring or investigation: add a prevent item (a test)")
        tally.add("actions", pts, 4, "; ".join(bits) + ".")

    wanted = run.answers.remediations
    skipped = run.facts.not_generated
    proposed = [r for r in pm.remediations if r not in skipped]
    fit = [r for r in proposed if r in wanted]
    need = min(2, len(wanted))
    share = min(1.0, len(fit) / need) if need else 1.0
    others = [r for r in wanted if r not in fit]
    if fit:
        line = f"Remediations that fit: {', '.join(fit)}"
        line += f"; also fitting: {', '.join(others)}." if others else "."
    elif proposed:
        line = (f"Remediations {', '.join(proposed)} do not address this fault; fitting ones: "
                f"{', '.join(wanted)}.")
    else:
        line = f"No remediation proposed; fitting ones: {', '.join(wanted)}."
    if skipped:
        line += " Not credited, as they do not fit the model: " + "; ".join(
            f"{r} ({why})" for r, why in skipped.items()) + "."
    tally.add("remediations", 3 * share, 3, line)

    text = all_text(pm)
    hits = [f'"{h}"' for h in blame_hits(text)]
    names: set[str] = set()
    for e in run.record.entries:
        names |= people_in(e.observation.data)
        names |= people_in(e.observation.events)
    hits += sorted(n for n in names if n.lower() in text.lower())
    if hits:
        tally.add("blameless", 2 - len(hits), 2,
                  f"Not blameless: {', '.join(hits)}; describe what the system allowed, not who.")
    else:
        tally.add("blameless", 2, 2, "Blameless wording throughout.")

    # A fixed key order: a saved record's dict comes back with sorted keys, and the card
    # must not depend on which order the engine happened to insert them in.
    order = [k for k in IMPACT_LABELS if k in run.facts.impact]
    order += sorted(k for k in run.facts.impact if k not in IMPACT_LABELS)
    impact = {k: run.facts.impact[k] for k in order}
    # Zeros are left out of the match: a stray "0" anywhere should not pass for a figure.
    quoted = mentions_number(pm.impact, [v for v in impact.values() if v])
    if quoted is not None:
        key = next(k for k, v in impact.items() if v == quoted)
        tally.add("impact", 1, 1, f"Impact quotes the measured "
                  f"{IMPACT_LABELS.get(key, key)} ({num(quoted)}).")
    elif impact:
        figures = ", ".join(f"{IMPACT_LABELS.get(k, k)} {num(v)}" for k, v in impact.items())
        tally.add("impact", 0, 1, f"Impact quotes none of the measured numbers ({figures}).")
    else:
        tally.add("impact", 1, 1, "")
    return tally
