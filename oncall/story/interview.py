"""An interview rehearsal over a saved night: ask a behavioural question, take the answer, and
judge it the way a senior interviewer would, by rules over the record (no language model).

The verdict names what it saw: which STAR parts are there, each figure quoted checked against the
record (true, rounded fairly, unverified when the record holds it but not as what the sentence
says it is, or wrong), ownership ("I" for what the player did, no claiming what
a team did), the tells interviewers mark down (a passive hand-off, "we did both" on a tradeoff,
blame), and the length against two minutes of speech. Then one or two follow-up questions drawn
from the record, judged the same way. Every deduction says why, so a player knows what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from oncall.game.record import Record
from oncall.game.shiftrecord import ShiftRecord
from oncall.scoring.card import InterviewScore
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.catalogue import ARCHETYPES_BY_NAME, TEAMS
from oncall.story.clauses import words
from oncall.story.factcheck import (
    CLOCK,
    HEDGE,
    NUMBER,
    ROUNDED,
    Facts,
    _close,
    _named,
    check,
)
from oncall.story.facts import is_revert
from oncall.story.spoken import QUESTIONS, spoken

WPM = 130
"""Interview pace: two minutes is about 260 words."""

IRREGULAR = ("took|made|went|ran|read|held|brought|put|chose|did|got|gave|wrote|saw|told|"
             "sent|kept|set|found|began|spent|left|led|built|caught|cut|drew|knew|let|met|"
             "paid|said|shut|split|thought|understood|won|sat|stood|fell|stuck|dug|hid|rang|"
             "struck|swung|tore|woke|spoke|broke|froze")
STAR = {
    "situation": r"\b(?:paged|page|alert\w*|on call|on-call|fired|night|shift|incident|outage|"
                 r"was (?:serving|running|handling|looking after)|at \d{1,2}:\d\d|"
                 r"(?:one|last) (?:night|week|month|time)|production)\b",
    "task": r"\b(?:my (?:job|task|goal|role|aim|priority|responsibility|rule)|I (?:needed|had|"
            r"wanted|meant|was supposed|was asked) to|I was (?:responsible|on the hook|"
            r"accountable)|the (?:choice|decision|question|goal) was|(?:had )?to decide|"
            r"I owned|it was on me|the priority was)\b",
    "action": rf"\bI (?:then |first |also |quickly |immediately |next |finally )?"
              rf"(?:\w{{2,}}ed|{IRREGULAR})\b",
    "result": r"\b(?:stopped|mitigated|recovered|resolved|fixed|restored|back to normal|"
              r"in the end|result\w*|afterwards|after that|since then|postmortem|"
              r"minutes after|ended|by the end|came back|lesson|learned|next time|"
              r"as a result|outcome|saved|prevented|impact|before its deadline|"
              r"missed the deadline|handed \w+(?: \w+)* over|still not \w+)\b",
}
"""A STAR part is there when its kind of sentence is: any first-person past-tense verb is an
action, whatever the verb; the situation, task and result each have many ways to be said."""
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                "twelve": 12}
SMALL_FIGURE = re.compile(
    r"\b(?P<bound>within|under|less than|about|around|roughly|nearly|almost)?\s*"
    r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?P<unit>minutes?|mins?|status updates?|updates?)\b", re.I)
"""A small count that is a figure: minutes, or status updates. `a minute` is left alone."""
BLAME = re.compile(r"\b(?:their fault|his fault|her fault|blame[ds]?|careless|sloppy|"
                   r"incompetent|should have known|messed up|screwed up|they broke|"
                   r"didn't bother|did not bother|lazy)\b", re.I)
PASSIVE = re.compile(r"\b(?:it|this|the incident|the issue|the page|the problem)\s+(?:was|got)"
                     r"\s+(?:escalated|handed (?:off|over)|passed|thrown|rolled back|fixed|"
                     r"mitigated|resolved|taken care of)\b|\b(?:threw|tossed) it over\b|"
                     r"\bhanded it off\b|\blet (?:them|the \w+(?: \w+)? team) (?:handle|deal)",
                     re.I)
BOTH = re.compile(r"\b(?:did both|got both|have both|had both|best of both|no trade-?off|"
                  r"without giving (?:anything )?up|nothing was lost|no cost)\b", re.I)
COST = re.compile(r"\b(?:gave up|give up|giving up|cost|lost|at the expense|waited|delayed|"
                  r"held back|came off|paid|price|traded|sacrific\w*|slowed)\b", re.I)
CLAIMS: list[tuple[str, str]] = [
    (r"\bI rolled (?:it |the model |\w+ )?back\b", "rollback"),
    (r"\bI (?:fixed|reverted|patched) (?:the )?(?:upstream|pipeline|producer|feed|release|"
     r"partner|schema)\b", "team-fix"),
    (r"\bI (?:mitigated|fixed|stopped) (?:it|the fault|the incident)\b", "mitigated"),
    (r"\bI (?:escalated|brought in|paged|called (?!it\b|this\b|that\b))\b", "escalate"),
    (r"\bI (?:applied|deployed|shipped) (?:a |the )?(?:hot)?fix\b", "hotfix"),
]


FIXED = re.compile(r"\b(?:fix\w*|stopp\w*|stops?|mitigat\w*|recover\w*|restor\w*|resolv\w*|"
                   r"came back|was back|back to normal|under control)\b", re.I)
"""Words that tie a number of minutes in their sentence to the time the fault took to stop."""
BOUND = re.compile(r"\b(?:within|under|less than|in under|in less than|inside)\s*$", re.I)
PEOPLE = re.compile(r"\b(?:disagree\w*|pushed back|push(?:ed)?-?back|convinc\w*|persuad\w*|"
                    r"argu\w*|objected|insisted|refused|resisted|agreed|talked \w+ round|"
                    r"won \w+ over|brought \w+ round)\b", re.I)
"""What a sentence claims of people: that they disagreed, were convinced, pushed back."""
TEAM_WORDS = {
    "model-owners": r"\b(?:model(?:'s)? owners?|owners?|owning team|ML team|model team|"
                    r"data scientists?)\b",
    "data-engineering": r"\bdata[- ]engineer\w*",
    "feature-store": r"\bfeature[- ]store (?:team|people|owners)",
    "infra-sre": r"\b(?:SREs?|infra\w*(?: team)|platform team)\b",
    "security": r"\bsecurity(?: team)?\b",
}


@dataclass
class Figure:
    said: str
    verdict: str  # true | rounded | unverified (found, but not as what it is said of) | wrong
    note: str = ""


@dataclass
class Deduction:
    points: int
    reason: str


@dataclass
class Verdict:
    question: str
    asked: str
    score: int
    words: int
    seconds: int
    star: dict[str, bool] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    fact_check: bool = True
    deductions: list[Deduction] = field(default_factory=list)
    praise: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        out = [f"Verdict: {self.score}/100 ({self.words} words, about {self.seconds} s aloud)"]
        if self.star:
            out.append("STAR: " + ", ".join(f"{k} {'yes' if v else 'MISSING'}"
                                            for k, v in self.star.items()))
        for f in self.figures:
            out.append(f"  figure {f.said!r}: {f.verdict}" + (f" ({f.note})" if f.note else ""))
        out.append(f"Fact check: {'passes' if self.fact_check else 'FAILS'}")
        out += [f"  -{d.points}: {d.reason}" for d in self.deductions]
        out += [f"  +: {p}" for p in self.praise]
        return "\n".join(out)


@dataclass
class FollowUp:
    key: str
    asked: str
    needs: str
    """A pattern the answer must match to address the question."""
    missing: str
    """What the verdict says when it does not."""


def _small_figures(text: str, facts: Facts, record: Record,
                   shift: ShiftRecord | None = None) -> list[Figure]:
    """Small figures (twelve or under) held to the record: a number of minutes must be a gap
    between two of the night's moments (or, said as a bound, "within five minutes", at least
    one such gap); a number of status updates must be how many were posted (on the night, or
    for one of its incidents)."""
    key = sorted(facts.key_minutes)
    gaps = {b - a for i, a in enumerate(key) for b in key[i + 1:]}
    f = record.facts
    spans = [f.impact, *(i.impact for i in f.incidents)]
    gaps |= {int(v) for imp in spans for k, v in imp.items() if "minutes" in k}
    gaps |= {r.lead_minutes for r in f.replays if r.lead_minutes is not None}
    posted = {len(record.facts.updates_at)}
    if shift is not None:
        from oncall.story.shiftfacts import incidents

        posted |= {len(inc.updates) for inc in incidents(shift)}
    out = []
    for m in SMALL_FIGURE.finditer(text):
        raw = m.group("n").lower()
        v = NUMBER_WORDS.get(raw) or int(raw)
        if v > 12:
            continue  # larger figures are checked with every other number
        unit = m.group("unit").lower()
        bound = (m.group("bound") or "").lower()
        head = text[:m.start()]
        sentence = head[max(head.rfind(". "), head.rfind("\n"), head.rfind("; ")) + 1:]
        if unit.startswith(("status", "update")):
            ok = v in posted
            note = f"{', '.join(str(p) for p in sorted(posted))} status update(s) were posted"
        elif FIXED.search(sentence[-80:] + m.group(0)):
            stops = _stops(record, facts, recovered=bool(re.search(
                r"\b(?:recover\w*|restor\w*|resolv\w*|came back|was back)\b", sentence, re.I)))
            within = bound in ("within", "under", "less than")
            ok = any(s <= v for s in stops) if within else any(
                abs(s - v) <= (max(1, round(0.2 * v)) if bound else 0) for s in stops)
            note = (f"the fault stopped {', '.join(str(s) for s in sorted(stops))} minutes "
                    "after the page" if stops else "the fault was not stopped")
        elif bound in ("within", "under", "less than"):
            out.append(Figure(m.group(0).strip(), "unverified", "not found in the record as "
                              "said: within what of what?"))
            continue
        elif bound:
            ok = any(abs(g - v) <= max(1, round(0.2 * v)) for g in gaps)
            note = f"no two moments of the night were about {v} minutes apart"
        else:
            ok = v in gaps
            note = f"no two moments of the night were {v} minutes apart"
        out.append(Figure(m.group(0).strip(), "true" if ok else "wrong", "" if ok else note))
    return out


def _spans(record: Record) -> list[dict[str, Any]]:
    f = record.facts
    return [imp for imp in [f.impact, *(i.impact for i in f.incidents)] if imp]


def _stops(record: Record, facts: Facts, recovered: bool = False) -> set[int]:
    """Minutes from a page until its fault stopped (and, with `recovered`, until the service
    level was back or the incident resolved)."""
    f = record.facts
    out = {t - f.page_at for t in [f.mitigated_at] if t is not None}
    out |= {i.mitigated_at - i.page_at for i in f.incidents if i.mitigated_at is not None}
    out |= set(facts.shift_stops)
    if recovered:
        out |= {int(imp["recovered_at"]) - f.page_at for imp in _spans(record)
                if isinstance(imp.get("recovered_at"), int | float)}
        out |= {t - f.page_at for t in [f.resolved_at] if t is not None}
    return out


def _quantity(body: str, start: int, end: int, pct: bool, record: Record,
              facts: Facts, shift: ShiftRecord | None = None) -> tuple[str, list[float]] | None:
    """The quantity a figure's sentence ties it to, and the values the record holds for it:
    a percentage of the error (or quality) budget, a number of requests (affected, failed,
    or a second across the fleet), of models, or of minutes until the fault stopped. None
    for a figure the sentence ties to nothing this knows."""
    head = body[:start]
    sentence = head[max(head.rfind(". "), head.rfind("\n"), head.rfind("; ")) + 1:]
    after = body[end:end + 60]
    f = record.facts
    spans = _spans(record)
    if pct and re.search(r"\bbudget\b", sentence + after.split(".")[0], re.I):
        if re.search(r"\bquality\b", sentence[-40:] + after[:30], re.I):
            return "of the quality budget", [float(imp["quality_budget_consumed_pct"])
                                             for imp in spans
                                             if "quality_budget_consumed_pct" in imp]
        # No failed request spends no error budget: a silent fault's impact holds no figure.
        # A shift's budgets, as the night ended, are its own (used and left, per model).
        nightly = [float(x) for row in (shift.facts.budget.get("models", []) if shift else [])
                   for x in row.values() if isinstance(x, int | float)
                   and not isinstance(x, bool)]
        return "of the error budget", [float(imp.get("budget_consumed_pct", 0.0))
                                       for imp in spans] + nightly or [0.0]
    if pct:
        return None
    if re.match(r"\s*requests? (?:a|per|each) second", after, re.I):
        return "requests a second across the fleet", [float(f.fleet_rps)]
    if re.match(r"\s*(?:production )?models\b", after, re.I):
        return "models in the fleet", [float(f.fleet_models)]
    if re.match(r"\s*(?:[\w-]+\s+){0,4}?requests?\b|\s*(?:of them\s+)?failed\b", after, re.I):
        return "requests affected or failed", [
            float(imp[k]) for imp in spans for k in ("requests_affected", "requests_failed")
            if k in imp]
    if re.match(r"\s*min(?:ute)?s?\b", after, re.I) and FIXED.search(sentence[-80:]) \
            and not re.match(r"\s*min(?:ute)?s?\s+(?:before|earlier)", after, re.I):
        recovered = bool(re.search(r"\b(?:recover\w*|restor\w*|resolv\w*|came back|was back|"
                                   r"back to normal)\b", sentence[-80:], re.I))
        return "minutes until the fault stopped", sorted(_stops(record, facts, recovered))
    return None


def _held(v: float, values: list[float], hedged: bool, bound: bool) -> str:
    """true, rounded or wrong: `v` against the values of the quantity it was tied to."""
    if bound:
        return "true" if any(x <= v for x in values) else "wrong"
    if any(_close(v, x) for x in values):
        return "true"
    if hedged and any(abs(v - x) <= ROUNDED * abs(x) or abs(v - x) <= 1 for x in values):
        return "rounded"
    return "wrong"


def _figures(text: str, facts: Facts, record: Record,
             shift: ShiftRecord | None = None) -> list[Figure]:
    out: list[Figure] = []
    for h, mm in CLOCK.findall(text):
        clock = f"{int(h):02d}:{mm}"
        ok = clock in facts.clocks
        out.append(Figure(f"{h}:{mm}", "true" if ok else "wrong",
                          "" if ok else "no minute of the night"))
    body = CLOCK.sub(" ", text)
    body = re.sub(r"\bSEV-?\d\b|\b[\w-]*[a-z]-\d[\w-]*\b", " ", body)
    for m in NUMBER.finditer(body):
        raw = m.group(1)
        try:
            v = float(raw.replace(",", ""))
        except ValueError:
            continue
        pct = m.group(2) == "%"
        if not pct and v <= 12 and v.is_integer():
            continue  # small counts: "two updates", "3 tools"
        said = m.group(0)
        hedged = HEDGE.search(body[max(0, m.start() - 16):m.start()])
        tied = _quantity(body, m.start(), m.end(), pct, record, facts, shift)
        if tied is not None and (shift is None or tied[1]):
            what, values = tied
            bound = bool(BOUND.search(body[max(0, m.start() - 20):m.start()]))
            verdict = _held(v, values, bool(hedged), bound)
            said_of = ", ".join(f"{x:g}{'%' if pct else ''}" for x in values) or "none"
            out.append(Figure(said, verdict, "" if verdict != "wrong" else
                              f"the record holds {said_of} {what}"))
            continue
        if facts.states(v) or (pct and facts.states(v / 100)):
            out.append(Figure(said, "true"))
            continue
        if not pct and facts.has_number(v):
            # A gap between two minutes of the night, or a constant: true of something, but
            # the sentence does not say of what, so it is not called true.
            out.append(Figure(said, "unverified", "not found in the record as said: say what "
                                                  "it measures"))
            continue
        if (not pct and facts.has_rounded(v)) or (pct and (
                facts.states_rounded(v) or facts.states_rounded(v / 100))):
            out.append(Figure(said, "rounded" if hedged else "wrong",
                              "" if hedged else "close, but said as exact: say \"about\""))
            continue
        out.append(Figure(said, "wrong", "the record holds no such figure"))
    out += _small_figures(text, facts, record, shift)
    for problem in check(text, record, facts):
        if not any(k in problem for k in (" at ", "requests affected", "declared",
                                          "after the page")):
            continue
        claim = problem.split(",")[0]
        # The figure was true somewhere in the night but not of the event it is paired with:
        # mark that figure wrong rather than list it twice.
        same = next((f for f in out if f.verdict != "wrong" and re.search(
            rf"(?<![\d:,.]){re.escape(f.said.lstrip('$'))}(?![\d:])", claim)), None)
        if same is not None:
            same.verdict, same.note = "wrong", problem
        else:
            out.append(Figure(claim, "wrong", problem))
    return out


def _claimed(text: str, record: Record) -> list[str]:
    f = record.facts
    kinds = {iv.kind for iv in f.interventions}
    reverted = any(is_revert(iv) for iv in f.interventions if iv.kind != "escalate")
    team_fixed = [iv for iv in f.interventions if iv.kind == "escalate"
                  and iv.effect in ("fixes", "partial")]
    out = []
    for pattern, what in CLAIMS:
        if not re.search(pattern, text, re.I):
            continue
        if what == "rollback" and "rollback" not in kinds and not reverted:
            out.append("claims a rollback the record does not hold")
        elif what == "team-fix" and team_fixed:
            team = str(team_fixed[0].command.get("team"))
            out.append(f"claims the upstream fix as your own: {team} made it")
        elif what == "mitigated" and (f.handed_over or f.mitigated_at is None):
            out.append("claims the mitigation, but "
                       + ("the secondary on-call took it over" if f.handed_over
                          else "the fault was not mitigated on your watch"))
        elif what == "escalate" and "escalate" not in kinds:
            out.append("claims an escalation the record does not hold")
        elif what == "hotfix" and "hotfix" not in kinds:
            out.append("claims a hotfix the record does not hold")
    return out


def _people(text: str, record: Record, shift: ShiftRecord | None = None) -> list[str]:
    """Claims about people (a team disagreed, pushed back, was convinced) that the record
    cannot hold: the night must have a contact with that team, an escalation to it (or, on a
    shift, a conversation with it); a claim naming no team needs a contact with some team."""
    contacted = {str(iv.command.get("team")) for iv in record.facts.interventions
                 if iv.kind == "escalate"}
    if shift is not None:  # a colleague who came to talk: their team, and what their role is
        contacted |= {t for cv in shift.facts.conversations for t, pattern in TEAM_WORDS.items()
                      if cv.team == t or re.search(pattern, f"{cv.role} {cv.team}", re.I)}
        # and a contact whatever their team is called (`personalization`): a release manager
        # convinced by a reply was someone the night was in touch with
        contacted |= {cv.team for cv in shift.facts.conversations if cv.said}
    out = []
    for sentence in re.split(r"(?<=[.!?;])\s+", text):
        claim = PEOPLE.search(sentence)
        if claim is None or re.search(r"(?:\b(?:no one|nobody|never|not)\b|n't\b)[^.]*" +
                                      re.escape(claim.group(0)), sentence, re.I):
            continue
        named = [t for t, pattern in TEAM_WORDS.items() if re.search(pattern, sentence, re.I)]
        missing = [t for t in named if t not in contacted]
        if missing:
            out.append(f"claims the {missing[0].replace('-', ' ')} {claim.group(0)}, but the "
                       f"record holds no contact with them")
        elif not named and not contacted and re.search(
                r"\b(?:they|them|the team|the owners)\b", sentence, re.I):
            out.append(f"claims people {claim.group(0)}, but the record holds no contact with "
                       "any team")
    return out


def _claims_both(text: str) -> str | None:
    """A claim to have had both sides of a tradeoff, not a denial of one ("I did not get
    both")."""
    for m in BOTH.finditer(text):
        before = text[max(0, m.start() - 30):m.start()].lower()
        if not re.search(r"(?:\bnot|\bnever|\bno way|n't|\bcannot)\b[^.]*$", before):
            return m.group(0)
    return None


def _strangers(text: str, facts: Facts) -> list[str]:
    low = text.lower()
    out = []
    for names, what in ((RULES_BY_NAME, "alert"), (ARCHETYPES_BY_NAME, "model"),
                        (TEAMS, "team")):
        out += [f"{what} {n} is not part of this night" for n in _named(low, names)
                if n.lower() not in facts.corpus_low]
    return out


def judge(answer: str, record: Record, question: str, *, follow_up: FollowUp | None = None,
          facts: Facts | None = None, shift: ShiftRecord | None = None) -> Verdict:
    """The verdict on one answer: main question (STAR, two minutes) or a follow-up (one
    point, under a minute)."""
    facts = facts or Facts(record, shift)
    n = words(answer)
    asked = follow_up.asked if follow_up else QUESTIONS.get(question, question)
    v = Verdict(question=follow_up.key if follow_up else question, asked=asked, score=100,
                words=n, seconds=round(n / WPM * 60))
    cut = v.deductions.append
    if follow_up is None:
        v.star = {part: bool(re.search(p, answer, re.I)) for part, p in STAR.items()}
        for part, there in v.star.items():
            if not there:
                cut(Deduction(10, f"no {part}: a STAR answer needs it"))
        if n < 150:
            cut(Deduction(10, f"too short: {n} words is under a minute and a quarter; aim for "
                              "220 to 300"))
        elif n > 360:
            cut(Deduction(10, f"too long: {n} words is nearly three minutes; aim for 220 to "
                              "300"))
        elif not 220 <= n <= 300:
            cut(Deduction(3, f"{n} words: two minutes is 220 to 300"))
        else:
            v.praise.append("two minutes long")
    else:
        if not re.search(follow_up.needs, answer, re.I):
            cut(Deduction(20, follow_up.missing))
        if n > 150:
            cut(Deduction(5, f"{n} words for a follow-up: answer it in under a minute"))
    v.figures = _figures(answer, facts, record, shift)
    wrong = [f for f in v.figures if f.verdict == "wrong"]
    for f in wrong:
        cut(Deduction(15, f"wrong figure {f.said!r}: {f.note}"))
    strangers = _strangers(answer, facts)
    for s in strangers:
        cut(Deduction(15, f"{s}: the answer is about another night"))
    false_claims = _claimed(answer, record) + _people(answer, record, shift)
    v.fact_check = not wrong and not strangers and not false_claims
    if v.figures and v.fact_check and all(f.verdict in ("true", "rounded") for f in v.figures):
        v.praise.append("every figure true to the record")
    i = len(re.findall(r"\b(?:I|I'm|I've|I'd|me|my)\b", answer))
    we = len(re.findall(r"\b(?:we|we're|we've|we'd|us|our)\b", answer, re.I))
    if we > i:
        cut(Deduction(15, f"\"we\" for everything ({we} we, {i} I): say what you did"))
    for claim in false_claims:
        cut(Deduction(15, claim))
    if passive := PASSIVE.search(answer):
        cut(Deduction(10, f"passive hand-off ({passive.group(0)!r}): say who did what and "
                          "what you kept"))
    if blame := BLAME.search(answer):
        cut(Deduction(15, f"blame ({blame.group(0)!r}): keep it blameless, talk about the "
                          "system"))
    if question == "tradeoff" and follow_up is None:
        if both := _claims_both(answer):
            cut(Deduction(15, f"\"we did both\" ({both!r}): a tradeoff has a side you gave up"))
        elif not COST.search(answer):
            cut(Deduction(15, "the tradeoff's cost is left out: say what you gave up"))
    v.score = max(0, 100 - sum(d.points for d in v.deductions))
    return v


WHY = r"\b(?:because|so that|since|harm|customers?|risk|evidence|gate|deadline|budget)\b"


def shift_follow_ups(shift: ShiftRecord, question: str) -> list[FollowUp]:
    """Follow-ups for a night shift, each about one item of the night (never mixing two
    incidents)."""
    from oncall.story.shiftfacts import incidents

    out: list[FollowUp] = []
    decided = [it for it in shift.facts.items if it.kind in ("deploy", "canary")
               and it.outcome in ("promoted", "held")]
    if question == "tradeoff" and decided:
        if decided[0].outcome == "held":
            out.append(FollowUp("given-up", "What did you give up by holding the release?",
                                COST.pattern, "does not say what was given up"))
        else:
            out.append(FollowUp("risk-taken", "What did you risk by promoting it with a "
                                "failing gate?", r"\b(?:risk|regress\w*|errors?|budget|"
                                r"latency|rollback|roll back)\b", "does not name the risk"))
    if question == "disagreement":
        out.append(FollowUp("unconvinced", "What would you have done if they had not been "
                            "convinced?", r"\b(?:escalat\w*|hold|roll\w* back|incident "
                            r"commander|manager|data|evidence)\b",
                            "does not say what the next step would have been"))
    if question == "prioritisation":
        out.append(FollowUp("made-wait", "Which item did you make wait, and why?", WHY,
                            "does not give the reason it could wait"))
    for inc in incidents(shift)[:1]:
        esc = [iv for iv in inc.moves if iv.kind == "escalate"]
        fix = [iv for iv in inc.moves if iv.kind != "escalate"]
        if esc and fix and esc[0].t < fix[0].t:
            out.append(FollowUp("escalate-first", "Why escalate before making a change "
                                "yourself?", WHY, "does not give the reason for the order"))
        elif esc and not fix:
            out.append(FollowUp("handed-to-owners", "Why hand it to the owners rather than "
                                "act yourself?", WHY, "does not give the reason"))
    out.append(FollowUp("earlier", "How would you catch it earlier next time?",
                        r"\b(?:alert|monitor|test|check|gate|runbook)\b",
                        "names no alert, test or check that would catch it"))
    return out[:2]


def follow_ups(record: Record, question: str) -> list[FollowUp]:
    """One or two questions an interviewer would ask next, drawn from this night."""
    f = record.facts
    out: list[FollowUp] = []
    fixes = [iv for iv in f.interventions if iv.kind != "escalate"]
    escalations = [iv for iv in f.interventions if iv.kind == "escalate"]
    if question == "tradeoff" or (fixes and is_revert(fixes[0])):
        out.append(FollowUp("given-up", "What did you give up by taking the change back?",
                            COST.pattern, "does not say what was given up"))
    if escalations and fixes and escalations[0].t < fixes[0].t:
        out.append(FollowUp("escalate-first", "Why escalate before making a change yourself?",
                            r"\b(?:because|so that|own|owners?|evidence|risk)\b",
                            "does not give the reason for the order"))
    elif escalations and fixes:
        out.append(FollowUp("why-not-wait", "Why make the change yourself before the owners "
                            "answered?", r"\b(?:because|harm|minutes?|customers?|risk|"
                            r"evidence)\b", "does not give the reason for acting first"))
    if f.noise_alerts and len(out) < 2:
        out.append(FollowUp("the-other-alert", "Why did the other alert wait?",
                            r"\b(?:ticket|morning|working hours|not urgent|unrelated|"
                            r"customers?|harm)\b", "does not say why it could wait"))
    if len(out) < 2:
        out.append(FollowUp("earlier", "How would you catch it earlier next time?",
                            r"\b(?:alert|monitor|test|check|gate|runbook)\b",
                            "names no alert, test or check that would catch it"))
    return out[:2]


@dataclass
class Session:
    """One rehearsal. For a night shift, `record` is its game record and `shift` the shift's
    own, so figures from the queue, pages and talks count as the night's too."""

    record: Record
    question: str
    dimensions: list[InterviewScore] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    shift: ShiftRecord | None = None

    def __post_init__(self) -> None:
        self.facts = Facts(self.record, self.shift)
        self.queue = (shift_follow_ups(self.shift, self.question) if self.shift is not None
                      else follow_ups(self.record, self.question))

    def asked(self) -> str | None:
        if not self.verdicts:
            return QUESTIONS[self.question]
        i = len(self.verdicts) - 1
        return self.queue[i].asked if i < len(self.queue) else None

    def answer(self, text: str) -> Verdict:
        i = len(self.verdicts)
        fu = self.queue[i - 1] if i else None
        v = judge(text, self.record, self.question, follow_up=fu, facts=self.facts,
                  shift=self.shift)
        self.verdicts.append(v)
        return v

    @property
    def score(self) -> int:
        if not self.verdicts:
            return 0
        main, *rest = self.verdicts
        if not rest:
            return main.score
        return round(0.7 * main.score + 0.3 * sum(v.score for v in rest) / len(rest))


def questions_for(record: Record, shift: ShiftRecord | None = None) -> list[str]:
    """The questions this night can answer (the incident question always)."""
    if shift is not None:
        from oncall.story.spoken_shift import spoken_shift

        return [q for q in QUESTIONS if spoken_shift(shift, q) is not None]
    return [q for q in QUESTIONS if q == "incident" or spoken(record, q) is not None]


def run_headless(record: Record, question: str, lines: Iterable[str], out: IO[str],
                 dimensions: list[InterviewScore] | None = None,
                 shift: ShiftRecord | None = None) -> int:
    """The rehearsal as JSON lines: prints {"ask": ...}, reads {"answer": "..."}, prints
    {"verdict": ...}; after the follow-ups, {"done": true, "score": N}."""
    session = Session(record, question, dimensions or [], shift=shift)

    def emit(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    emit({"ask": session.asked(), "question": question})
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            text = msg["answer"]
            if not isinstance(text, str):
                raise TypeError("answer is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            emit({"error": f"stdin line {n}: answer: expected {{\"answer\": \"...\"}} "
                           f"({type(exc).__name__}: {exc})"})
            continue
        v = session.answer(text)
        emit({"verdict": v.to_dict(), "text": v.text()})
        nxt = session.asked()
        if nxt is None:
            break
        emit({"ask": nxt, "follow_up": True})
    emit({"done": True, "score": session.score,
          "dimensions": [d.model_dump(mode="json") for d in session.dimensions]})
    return 0
