"""Stories to say aloud: for each behavioural question a saved incident supports, 220 to 300
words of plain first-person speech in STAR order (about two minutes at interview pace).

Built from the same record as the written story, but told the way a person talks: figures
rounded as people say them ("about 130,000 requests"), no observation ids, catalogue codes or
paths, each figure said once, the business impact in one sentence. Sentences are drawn by
priority from everything the record supports and told in STAR order, so a sparse night gives a
shorter telling of what happened, never an invented one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oncall.content.kinds import signal_abouts
from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import Entry, Intervened, Record
from oncall.game.remediations import BY_ID
from oncall.scoring.awareness import best_replay
from oncall.scoring.text import a_an, and_list
from oncall.sim.catalogue import ARCHETYPES_BY_NAME, TOOL_WORDS
from oncall.story.clauses import (
    about,
    clock,
    clock_said,
    fault_words,
    fix_words,
    mins,
    model_words,
    needs_that,
    rule_words,
    signal_clauses,
    team,
    words,
)
from oncall.story.facts import (
    cited,
    heard,
    is_revert,
    minutes_to_mitigate,
    mitigating,
    played_until,
    stopped_for,
)
from oncall.story.star import TEAM_CHANGES, defensible

LOW, HIGH = 220, 300
"""Two minutes of speech at 110 to 150 words a minute."""
QUESTIONS: dict[str, str] = {
    "incident": "Tell me about a production incident you handled.",
    "prioritisation": "How do you prioritise when several things need you at once?",
    "disagreement": "Tell me about a disagreement with an ML team. How did it end?",
    "tradeoff": "Tell me about a time you traded reliability against a team's velocity.",
    "learned": "Tell me about an incident you learned from.",
}
PARTS = ("situation", "task", "action", "result")
UNSPEAKABLE = re.compile(r"\bobs-\d+|\b[DMIN]\d{1,2}\b|[\w.-]+/[\w.-]+|\.ya?ml\b|\.md\b|`|_")
"""What a spoken story never says: observation ids, catalogue codes, paths, code spans."""


SEVERITY_WITH_ACK = 5
"""Minutes after the ack within which a declared severity is told as part of the same moment
('I acknowledged the page within a minute and declared it a SEV-2'); later, with its time."""


@dataclass(frozen=True)
class Bit:
    """A sentence of a spoken answer: its STAR part, its priority (lower is kept first) and,
    for a sentence that points back ("that alert"), the sentence it `needs` said before it and
    the `alt` text it says when that one did not fit."""
    part: int
    prio: int
    text: str
    needs: str = ""
    alt: str = ""


@dataclass(frozen=True)
class Spoken:
    question: str
    asked: str
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(p for p in self.parts if p)

    @property
    def words(self) -> int:
        return words(self.text)

    def markdown(self) -> str:
        return f"## {self.asked}\n\n{self.text}\n\n*{self.words} words, about " \
               f"{max(1, round(self.words / 130 * 60))} seconds aloud.*\n"


def speakable(text: str) -> bool:
    return not UNSPEAKABLE.search(text)


PROPOSED_LEADS = (("add the ", "the "), ("alert ", "the alert "), ("a ", "the "), ("an ", "the "))
"""How a monitor's title (`alert on ...`, `a 2-minute warning on ...`, `add the ... alert`)
becomes the alert it names: `the alert on ...`, `the 2-minute warning on ...`."""


def proposed_alert(rid: str) -> str | None:
    """A proposed monitor named by its title as one says it (`the 2-minute warning on the 5xx
    ratio`), without its asides; None when its title does not read as one (an author's own
    wording, a path) or runs long."""
    rem = BY_ID.get(rid)
    if rem is None:
        return None
    text = re.sub(r"\s*\([^)]*\)", "", rem.title).split(":")[0].strip()
    text = re.sub(r"\ba model\b", "the model", text)
    for lead, said in PROPOSED_LEADS:
        if text.startswith(lead):
            text = said + text.removeprefix(lead)
            return text if speakable(text) and words(text) <= 16 else None
    return None


def in_time(diagnosis: list[Bit], at: int | None, moves: list[tuple[int, Bit]]) -> list[Bit]:
    """The diagnosis and the moves in the order they happened: a move made before the
    diagnosis is said before it ("at 2:27 I rolled it back ... by 2:32 I called it ..."), as a
    listener takes sentences for a sequence."""
    if at is None:
        return [*diagnosis, *(bit for _, bit in moves)]
    return [*(bit for t, bit in moves if t < at), *diagnosis,
            *(bit for t, bit in moves if t >= at)]


def fit(bits: list[Bit], low: int = LOW, high: int = HIGH) -> tuple[str, ...]:
    """The most important sentences that fit in `high` words, told in STAR order."""
    order = sorted(range(len(bits)), key=lambda i: (bits[i].prio, i))
    chosen: dict[int, str] = {}
    total = 0
    for i in order:
        b = bits[i]
        text = b.text
        if b.needs and not any(bits[j].text == b.needs for j in chosen if j < i):
            text = b.alt
        n = words(text)
        if text and total + n <= high:
            chosen[i] = text
            total += n
    at = sorted(chosen, key=lambda i: (bits[i].part, i))
    return tuple(" ".join(chosen[i] for i in at if bits[i].part == p)
                 for p in range(len(PARTS)))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _low(s: str) -> str:
    """A sentence's first letter lowered to go on after a colon, unless it starts a name or
    the pronoun 'I' ("I scaled up first" stays, never "i scaled up first")."""
    if s[1:2].isupper() or re.match(r"I\b", s):
        return s
    return s[:1].lower() + s[1:]


def evidence_bits(entries: Iterable[Entry], model: str, prio: int,
                  key: set[str] | None = None, said: Iterable[str] = (),
                  abouts: Mapping[str, str] | None = None) -> list[Bit]:
    """What the looks at `model` showed, one sentence per tool, each signal told once (and
    none of those the story has `said` already); a tool that showed nothing new is named in
    one closing sentence. With `key`, the looks it names (the ones a diagnosis cited) come
    first and the rest one step later."""
    return [b for _, b in _evidence(entries, model, prio, key, set(said), abouts)[0]]


def _evidence(entries: Iterable[Entry], model: str, prio: int, key: set[str] | None,
              said: set[str], abouts: Mapping[str, str] | None
              ) -> tuple[list[tuple[int, Bit]], set[str]]:
    """`evidence_bits`, each with the minute of the first look it tells (the closing one with
    the last quiet look's), and the signals told so far (`said` and these looks' own), so a
    later stretch of the night does not tell them again."""
    told: set[str] = set(said)
    shown: dict[str, tuple[int, list[str]]] = {}
    first: dict[str, int] = {}
    quiet: list[str] = []
    quiet_at = 0
    for e in entries:
        do, o = e.command.get("do"), e.observation
        if do not in INVESTIGATIONS or do == "runbook" or not o.ok:
            continue
        if e.command.get("model") not in (None, model):
            continue  # a look at another model shows another incident's evidence, not this one's
        where = TOOL_WORDS.get(str(do), str(do))
        new = [look_signal(e, s) for s in o.signals]
        new = [s for s in dict.fromkeys(new) if s not in told]
        if not new:
            if e.command.get("model") == model and where not in quiet:
                quiet.append(where)
                quiet_at = o.t
            continue
        told |= set(new)
        first.setdefault(where, o.t)
        p, sigs = shown.get(where, (prio if key is None else prio + 1, []))
        mine = prio if key is None or o.id in key else prio + 1
        shown[where] = (min(p, mine), sigs + new)
    bits = [(first[where], Bit(2, p, f"{_cap(where)} showed "
                                     f"{'that ' if needs_that(sigs[:2], abouts) else ''}"
                                     f"{signal_clauses(sigs[:2], abouts)}."))
            for where, (p, sigs) in shown.items()]
    quiet = [q for q in quiet if q not in shown]
    if quiet:
        bits.append((max([quiet_at, *first.values()]), Bit(
            2, prio + (4 if key is not None else 3),
            f"I also checked {and_list(quiet)}, which told me nothing new.")))
    return bits, told


def look_signal(e: Entry, signal: str) -> str:
    """A signal as the look's own answer shows it. A drift test on one input answers with
    its test figures only (a distance, a p-value, two means), so whatever a fault kind means
    by the signal it raised there (a feature "collapsing onto its default"), the story says
    what the drift report said: that input drifted from what the model was trained on."""
    feature = e.command.get("feature")
    if e.command.get("do") != "drift" or not isinstance(feature, str) \
            or feature in ("all", "prediction"):
        return signal
    data = e.observation.data if isinstance(e.observation.data, dict) else {}
    if data.get("feature") != feature or not data.get("drifted"):
        return signal
    return f"{'drift-slight' if slight(data.get('result')) else 'drift'}:{feature}"


SLIGHT = 2.0
"""A drift whose effect is under twice the lab's own floor for one that matters is said to be
slight: the test passed its p-value on many rows, but the distributions barely moved."""


def slight(result: object) -> bool:
    if not isinstance(result, dict):
        return False
    effect, floor = result.get("effect_size"), result.get("effect_floor")
    return isinstance(effect, int | float) and isinstance(floor, int | float) and floor > 0 \
        and abs(effect) < SLIGHT * floor


MOVE_TAILS = {"fixes": ", and that stopped it", "partial": ", which helped only partly",
              "none": ", which changed nothing", "worse": ", which made things worse"}


def move_line(iv: Intervened, stopped_at: int | None, elsewhere: str | None = None,
              heard_by: int | None = None) -> str:
    """One move said aloud, with what it did; `stopped_at` is when the fault stopped, so a move
    that landed after it is not credited with stopping it. A move on another model than the
    story's (`elsewhere`, another incident of the night) names that model. `heard_by`: the
    last minute of the play; a team's answer due after it never reached the player, so it is
    not told."""
    late = iv.effect in ("fixes", "partial") and stopped_at is not None \
        and iv.effective_at > stopped_at
    if iv.kind == "escalate":
        who = team(str(iv.command.get("team"))) + (f" about {elsewhere}" if elsewhere else "")
        unheard = heard_by is not None and iv.effective_at > heard_by
        if late and stopped_at is not None and iv.t < stopped_at:
            # Brought in while the fault was on; it stopped before their answer came.
            return (f"At {clock(iv.t)} I brought in {who}" + (
                f", who had not answered by {clock(heard_by)}." if unheard and heard_by
                is not None else f", who answered at {clock(iv.effective_at)}, after the fault "
                "had already stopped."))
        if late:
            return (f"At {clock(iv.t)} I handed the follow-up to {who}" +
                    ("." if unheard else f", and they took it on at {clock(iv.effective_at)}."
                     if iv.effect == "fixes" else f", who answered at "
                     f"{clock(iv.effective_at)}."))
        if heard_by is not None and unheard:
            return (f"At {clock(iv.t)} I brought in {who}, who had not answered by "
                    f"{clock(heard_by)}.")
        if iv.effect in ("fixes", "partial"):
            return (f"At {clock(iv.t)} I brought in {who}, and their fix landed at "
                    f"{clock(iv.effective_at)}.")
        return (f"At {clock(iv.t)} I brought in {who}, who answered at "
                f"{clock(iv.effective_at)} without taking it on.")
    if iv.deployed_nothing:
        return (f"At {clock(iv.t)} I asked to roll "
                + (f"{elsewhere} back" if elsewhere else "the model back") +
                " again, and nothing was deployed: the version it would have gone back to was "
                "the one an earlier rollback had taken out.")
    what = ("I rolled the model back to its previous version" if iv.kind == "rollback" else
            f"I {fix_words(str(iv.command.get('fix')))}")
    if elsewhere:
        what = (f"I rolled {elsewhere} back to its previous version" if iv.kind == "rollback"
                else f"{what} on {elsewhere}")
    if late and iv.effect == "fixes":
        return f"At {clock(iv.t)} {what}, after the fault had already stopped."
    tail = MOVE_TAILS[iv.effect]
    if elsewhere and iv.effect == "fixes":
        tail = ", and that stopped the fault there"
    return f"At {clock(iv.t)} {what}{tail}."


def looks_in_time(looks: list[Entry], decided: list[int], stop: int | None, model: str,
                  prio: int, key: set[str] | None = None,
                  abouts: Mapping[str, str] | None = None) -> list[tuple[int, Bit]]:
    """`_Night.evidence_in_time` for looks known by their minutes: each look is told by the
    first decision (at the minutes `decided`) it came before, at its own minute; the looks
    after the last one after it ("After that, ..."), none of those made once the fault had
    stopped (`stop`)."""
    told: set[str] = set()
    out: list[tuple[int, Bit]] = []
    rest = sorted(looks, key=lambda e: e.observation.t)
    for t in sorted(set(decided)):
        stretch = [e for e in rest if e.observation.t <= t]
        rest = [e for e in rest if e.observation.t > t]
        bits, told = _evidence(stretch, model, prio, key, told, abouts)
        out += bits
    before = [e for e in rest if stop is None or e.observation.t - e.observation.cost < stop]
    bits, told = _evidence(before, model, prio + 1, key, told, abouts)
    return out + [(t, Bit(b.part, b.prio, _after(b.text) if i == 0 and out else b.text))
                  for i, (t, b) in enumerate(bits)]


def _after(text: str) -> str:
    """A look's sentence told after the moves it followed."""
    return "After that, " + _low(text)


def told_in_order(looks: list[tuple[int, Bit]], acts: list[Bit], when: list[int]) -> list[Bit]:
    """The acts (in their order, at the minutes `when`) with each look's sentence told just
    before the first act at or after its minute, and the rest after the last act. A look
    is timed by when it was made, so one made before a decision is told before it, and one
    made before a ticket filed on the way is told before that too."""
    out: list[Bit] = []
    pending = list(looks)
    for b, t in zip(acts, when, strict=True):
        out += [lb for lt, lb in pending if lt <= t]
        pending = [(lt, lb) for lt, lb in pending if lt > t]
        out.append(b)
    return out + [lb for _, lb in pending]


class _Night:
    """The sentences one incident record supports, shared by every question."""

    def __init__(self, record: Record) -> None:
        self.r = record
        self.f = record.facts
        f = self.f
        self.model = f.target_model
        self.page = next((a for a in f.page_alerts if a.severity == "critical"),
                         f.page_alerts[0] if f.page_alerts else None)
        self.ttm = minutes_to_mitigate(record)
        self.fix = mitigating(record)

    def other(self, model: object) -> str:
        return "the same model" if model == self.model else str(model)

    # -- situation ---------------------------------------------------------------------------
    def setting(self) -> list[Bit]:
        f = self.f
        out = [Bit(0, 0, f"I was the ML-platform engineer on call one night, looking after "
                         f"{f.fleet_models} production models that served "
                         f"{about(round(f.fleet_rps))} requests a second.")]
        if self.page is not None:
            on = model_words(self.page.model)
            out.append(Bit(0, 0, f"At {clock_said(f.page_at)} I was paged by "
                                 f"{rule_words(self.page.rule)} on {on}."))
        else:
            out.append(Bit(0, 0, f"At {clock_said(f.page_at)} I was paged for "
                                 f"{model_words(self.model)}."))
        return out

    def noise(self, prio: int) -> list[Bit]:
        f = self.f
        if not f.noise_alerts:
            return []
        by_rule: dict[str, list[str]] = {}
        for a in f.noise_alerts:  # one rule on several models is said once, in the plural
            models = by_rule.setdefault(a.rule, [])
            if self.other(a.model) not in models:
                models.append(self.other(a.model))
        others = and_list(sorted(
            f"{rule_words(rule).split(' ', 1)[1]}s on {and_list(sorted(ms))}" if len(ms) > 1
            else f"{rule_words(rule)} on {ms[0]}" for rule, ms in by_rule.items()))
        return [Bit(0, prio, f"Besides the page, {others} "
                             f"{'was' if len(f.noise_alerts) == 1 else 'were'} showing as "
                             "firing on the board.")]

    def task(self) -> list[Bit]:
        out = [Bit(1, 0, "My job was to stop the harm first, work out whether the data, the "
                         "model or the infrastructure was at fault, and keep everyone who "
                         "depended on the model informed.")]
        return out

    # -- action ------------------------------------------------------------------------------
    def opening(self) -> list[Bit]:
        f = self.f
        bits = []
        if f.acked_at is not None:
            d = f.acked_at - f.page_at
            when = "within a minute" if d <= 1 else f"after {mins(d)}"
            line = f"I acknowledged the page {when}"
            if f.severity is not None:
                line += f" and declared it a SEV-{f.severity}"
                if f.severity_at is not None and f.severity_at - f.acked_at > SEVERITY_WITH_ACK:
                    line += f" at {clock(f.severity_at)}"  # later: not one moment with the ack
            bits.append(Bit(2, 1, line + "."))
        else:
            bits.append(Bit(2, 1, "I never acknowledged the page, which I should have."))
        if not f.updates_at:
            bits.append(Bit(2, 3, "I posted no status update, which I would do differently."))
        elif self._updated_after() is None:
            bits.append(self._comms())
        return bits

    def _comms(self) -> Bit:
        """The updates as they went: one is told by its minute, several by the first's; when
        the first came only once the fault had stopped, the story says so rather than claim
        the people waiting were kept informed."""
        f = self.f
        n, first = len(f.updates_at), min(f.updates_at)
        when = f"at {clock(first)}" if n == 1 else f"the first at {clock(first)}"
        told = "one status update" if n == 1 else f"{n} status updates"
        if f.mitigated_at is not None and first >= f.mitigated_at:
            return Bit(2, 3, f"I posted {told}, {when}, once the fault had stopped.")
        return Bit(2, 3, f"I kept the people who depended on it informed, with {told}, {when}.")

    def _updated_after(self) -> int | None:
        """The first update's minute when it came after the diagnosis or a move: it is then
        told among them, in time (`acts`), where the opening would say it before them."""
        f = self.f
        acts = [iv.t for iv in f.interventions] + \
            ([f.diagnosis_at] if f.diagnosis_at is not None else [])
        first = min(f.updates_at) if f.updates_at else None
        return first if first is not None and acts and first > min(acts) else None

    def evidence(self, prio: int, until: int | None = None) -> list[Bit]:
        """What the looks made by `until` showed (all of them, at any time, without it)."""
        looks = [e for e in self.r.entries if until is None or e.observation.t <= until]
        return evidence_bits(looks, self.model, prio, {o.id for o in cited(self.r) if o.id},
                             abouts=signal_abouts(self.r.scenario))

    def evidence_in_time(self, prio: int, until: int | None = None) -> list[tuple[int, Bit]]:
        """What the looks showed, each with its minute, by the first decision it came before
        (the diagnosis or a move): a look is told as evidence for a decision only if it came
        before it. Looks after the last decision are told after it,
        as what they showed after the moves ("After that, ..."), and not at all once the fault
        had stopped: a chart read then shows the recovery as much as the fault, and its
        signal ("the predictions had dropped") would be told as news it no longer was."""
        key = {o.id for o in cited(self.r) if o.id}
        abouts = signal_abouts(self.r.scenario)
        told: set[str] = set()
        out: list[tuple[int, Bit]] = []
        stretch: list[Entry] = []
        for e in self.r.entries:
            if until is not None and e.observation.t > until:
                break
            do = e.command.get("do")
            if do in ("diagnose", "rollback", "hotfix", "escalate") and e.observation.ok:
                bits, told = _evidence(stretch, self.model, prio, key, told, abouts)
                out += bits
                stretch = []
            else:
                stretch.append(e)
        if not stretch:
            return out
        stop = self.f.mitigated_at
        before = [e for e in stretch if stop is None
                  or e.observation.t - e.observation.cost < stop]
        bits, told = _evidence(before, self.model, prio + 1, key, told, abouts)
        return out + [(t, Bit(b.part, b.prio, _after(b.text) if i == 0 and out else b.text))
                      for i, (t, b) in enumerate(bits)]

    def diagnosis(self, prio: int) -> list[Bit]:
        f, ans = self.f, self.r.answers
        dx = f.diagnosis or {}
        if not dx:
            return [Bit(2, prio, "I never stated a diagnosis.")]
        when = f"By {clock(f.diagnosis_at)} " if f.diagnosis_at is not None else ""
        cat, cause = str(dx.get("category")), str(dx.get("cause"))
        line = f"{when}I called it {a_an(cat)} problem: {fault_words(cause)}."
        if cause != ans.cause:
            line += (f" That was defensible, but the root cause was {fault_words(ans.cause)}, "
                     f"{a_an(ans.category)} problem." if defensible(self.r, cause) else
                     f" That was wrong: it was {a_an(ans.category)} problem, "
                     f"{fault_words(ans.cause)}.")
        return [Bit(2, prio, line)]

    def move(self, iv: Intervened) -> str:
        model = iv.command.get("model")
        return move_line(iv, stopped_for(self.r, iv),
                         elsewhere=str(model) if model not in (None, self.model) else None,
                         heard_by=played_until(self.r))

    def moves(self, prio: int) -> list[Bit]:
        ivs = self.f.interventions
        if not ivs:
            return [] if self.r.answers.control else [
                Bit(2, prio, "I made no change to production.")]
        return [Bit(2, prio if iv is self.fix or i == 0 else prio + 1, self.move(iv))
                for i, iv in enumerate(ivs)]

    def acts(self, dx_prio: int, move_prio: int, ev_prio: int | None = None,
             also: Iterable[tuple[int, Bit]] = ()) -> list[Bit]:
        """The diagnosis, the moves and a first status update after either, in the order they
        happened; with `ev_prio`, what the looks showed too, each before the decision it came
        before (`evidence_in_time`); `also`, other sentences of their minutes (tickets)."""
        ivs = self.f.interventions
        moves = self.moves(move_prio)
        # "I made no change to production" (no move at all) goes after the diagnosis.
        timed = list(zip([iv.t for iv in ivs], moves, strict=True)) if ivs else \
            [(self.f.diagnosis_at or 0, bit) for bit in moves]
        update = self._updated_after()
        extra = [*also] + ([(update, self._comms())] if update is not None else [])
        if extra:  # told where they happened (after a move of the same minute)
            timed = sorted([*timed, *extra], key=lambda tb: tb[0])
        told = in_time(self.diagnosis(dx_prio), self.f.diagnosis_at, timed)
        if ev_prio is None:
            return told
        return told_in_order(self.evidence_in_time(ev_prio), told, self._when(told, timed))

    def _when(self, told: list[Bit], timed: list[tuple[int, Bit]]) -> list[int]:
        """The minute of each of `told` (the diagnosis's, a move's, an update's)."""
        at = {id(b): t for t, b in timed}
        out, last = [], 0
        for b in told:
            t = at.get(id(b))
            if t is None:  # the diagnosis, or "I never stated a diagnosis" (no time: in order)
                t = self.f.diagnosis_at if self.f.diagnosis_at is not None else last
            out.append(t)
            last = t
        return out

    # -- result ------------------------------------------------------------------------------
    def outcome(self) -> list[Bit]:
        f = self.f
        if f.handed_over:
            line = "I did not fix it myself: the secondary on-call took the incident over."
        elif self.ttm is not None and f.mitigated_at is not None:
            back = f.impact.get("recovered_at")
            line = (f"The fault stopped at {clock(f.mitigated_at)}, {mins(self.ttm)} after the "
                    "page" + (f", and the service level was back by {clock(int(back))}."
                              if back is not None and int(back) > f.mitigated_at else "."))
        elif self.r.answers.control and not f.interventions:
            line = ("It was not a fault in any of our models, so I changed nothing in "
                    "production.")
        else:
            line = "The fault was not fixed while I was on call for it."
        return [Bit(3, 0, line)]

    def impact(self) -> list[Bit]:
        imp = self.f.impact
        arch = ARCHETYPES_BY_NAME.get(self.model)
        what = (f"{arch.task.removesuffix(' model')} requests"
                if arch and self.model not in arch.task else "requests to the model")
        if "requests_affected" not in imp:
            return self.quality_impact(what)
        n = imp["requests_affected"]
        line = f"In business terms, {about(n)} {what} were affected"
        m = int(imp.get("minutes", 0))
        if m and m != self.ttm:
            line += f" over {mins(m)}"
        failed = imp.get("requests_failed", 0)
        if failed:
            line += f", {about(failed)} of them failed outright"
        pct = imp.get("budget_consumed_pct")
        if pct:
            line += f", and it used {about(pct)}% of the month's error budget"
        elif pct is not None:
            line += ", though no error budget was spent"
        return [Bit(3, 1, line + ".")]

    def quality_impact(self, what: str) -> list[Bit]:
        """A silent fault: no counter saw a request go wrong; the quality SLO did."""
        imp = self.f.impact
        if "minutes_outside_quality_slo" not in imp:
            return []
        m = int(imp.get("minutes", 0))
        span = "until it was fixed" if m == self.ttm else f"for {mins(m)} after the page"
        outside = int(imp["minutes_outside_quality_slo"])
        line = (f"In business terms, {what} were answered badly {span}, with no error for "
                "any counter to see")
        if outside:
            line += (f": quality sat outside its target for {mins(outside)}, "
                     f"{about(imp.get('quality_budget_consumed_pct', 0))}% of the month's "
                     "quality budget")
        else:
            line += ", and the labels that had arrived did not yet show it"
        return [Bit(3, 1, line + ".")]

    def aftermath(self, prio: int) -> list[Bit]:
        f = self.f
        bits = []
        if f.resolved_at is not None:
            bits.append(Bit(3, prio + 3, f"I resolved the incident at {clock(f.resolved_at)}."))
        pm = f.postmortem
        if pm is None:
            bits.append(Bit(3, prio, "I did not write a postmortem, so nothing was added "
                                     "afterwards."))
            return bits
        said = [a for a in pm.action_items if speakable(a.item)][:2]
        items = [_low(re.sub(r"\s*\([^)]*\)", "", a.item.split(":")[0]).rstrip("."))
                 .replace(self.model, "that model") for a in said]
        follow_ups = f"In the postmortem I put down the follow-ups: {'; '.join(items)}."
        if items:
            bits.append(Bit(3, prio, follow_ups))
        best = best_replay(f.replays)
        # Named, so a listener does not take it for the follow-up said just before.
        named = None if best is None else proposed_alert(best.remediation)
        alert = f"{named}, which I proposed," if named else "the alert I proposed"
        # "that alert" only right after the follow-ups that say it (when they fit the answer),
        # and only if it is the last alert they said: a listener takes the nearest one.
        alerts = [rid for a in said if (rid := a.remediation) is not None and rid in BY_ID
                  and BY_ID[rid].kind == "monitor"]
        back = best is not None and alerts[-1:] == [best.remediation]
        if best is not None and best.lead_minutes is not None and best.lead_minutes > 0:
            fa = best.false_alarms_week
            alarms = "no false alarms" if fa == 0 else \
                f"{fa} false alarm{'s' if fa != 1 else ''}"
            line = ("Replayed over the week before, {} would have fired "
                    f"{mins(best.lead_minutes)} before the page, with {alarms}.")
        elif best is not None and self.r.answers.control:
            line = "Nothing was broken, so there was no failure for an earlier alert to catch."
        elif best is not None:
            line = ("Replayed over the week before, {} would not have fired before the page, "
                    "so the detection gap is still open.")
        else:
            return bits
        bits.append(Bit(3, prio + 1, line.format("that alert"), needs=follow_ups,
                        alt=line.format(alert)) if back
                    else Bit(3, prio + 1, line.format(alert)))
        return bits


def _order(n: _Night) -> list[Bit]:
    """The order the player kept, as the record shows it: the move that stopped the fault made
    before the right cause was named (no change of mine missing before it), or the right cause
    named before anything changed in production, each worth stressing; or changes that missed
    made before any cause was named, which is the order to change. Nothing when the record
    shows none of these: never a principle the run contradicts."""
    f, fix = n.f, n.fix
    dx = f.diagnosis or {}
    at = f.diagnosis_at if dx else None
    missed = [iv for iv in f.interventions if iv.kind != "escalate" and not iv.deployed_nothing
              and iv.effect in ("none", "worse")]
    if fix is not None and f.mitigated_at is not None and not f.handed_over \
            and at is not None and dx.get("cause") == n.r.answers.cause:
        if fix.t < at and not [iv for iv in missed if iv.t < fix.t]:
            return [Bit(3, 9, "What I would stress is the order: I stopped the harm first, "
                              "then named the cause.")]
        changed = [iv for iv in f.interventions if iv.t < at and not iv.deployed_nothing
                   and (iv.kind != "escalate" or (iv.effect != "none" and iv.effective_at < at))]
        if fix.t >= at and not changed:
            return [Bit(3, 9, "What I would stress is the order: I named the cause from the "
                              "evidence before anything changed in production, so the fix "
                              "was aimed at it.")]
    guessed = [iv for iv in missed if at is None or iv.t < at]
    if guessed:
        k = len(guessed)
        many = {1: "a change", 2: "two changes", 3: "three changes"}.get(k, f"{k} changes")
        return [Bit(3, 9, f"What I would change is the order: I made {many} to production "
                          "that did not help before I had named any cause"
                          + (", and I never named one." if at is None else "."))]
    return []


def _incident(n: _Night) -> list[Bit]:
    return [*n.setting(), *n.noise(6), *n.task(), *n.opening(), *n.acts(0, 0, 1),
            *n.outcome(), *n.impact(), *n.aftermath(2), *_order(n)]


def _mistakes(n: _Night) -> list[str]:
    f, ans = n.f, n.r.answers
    out = []
    dx = f.diagnosis or {}
    if dx and dx.get("cause") != ans.cause:
        out.append("I named the wrong cause at first")
    wrong = [iv for iv in f.interventions if iv.effect in ("none", "worse")
             and iv.kind != "escalate" and not iv.deployed_nothing]
    if wrong:
        out.append("I made a change that did not help before I understood the fault")
    if f.acked_at is None or f.acked_at - f.page_at > 5:
        out.append("I was slow to acknowledge the page")
    if not f.updates_at:
        out.append("I kept nobody informed")
    if f.mitigated_at is None and not ans.control:
        out.append("I did not get the service back myself")
    return out


def _learned(n: _Night) -> list[Bit] | None:
    f = n.f
    pm = f.postmortem
    mistakes = _mistakes(n)
    if pm is None and not mistakes:
        return None
    bits = [*n.setting(), *n.task(), *n.opening(), *n.acts(1, 1, 2), *n.outcome(),
            *n.impact()]
    if mistakes:
        bits.append(Bit(3, 0, f"Looking back, {and_list(mistakes)}, and I own that."))
    else:
        bits.append(Bit(3, 0, "The response went to plan, so what I learned was about "
                              "detection rather than my own moves."))
    if pm is not None and pm.lessons.went_wrong and speakable(pm.lessons.went_wrong) \
            and words(pm.lessons.went_wrong) <= 40:
        wrong = pm.lessons.went_wrong.strip().rstrip(".")
        bits.append(Bit(3, 2, f"What went wrong, as I wrote it up: {_low(wrong)}."))
    bits += n.aftermath(1)
    if (lesson := _lesson(n)) is not None:
        bits.append(Bit(3, 8, lesson))
    return bits


UPSTREAM = ("deploys", "pipelines")
"""The looks that say what changed: the model's releases and the pipelines feeding it."""


def _lesson(n: _Night) -> str | None:
    """What the player takes from the night, from what the record shows they did or failed to
    do before their first move: looked at nothing and paged several teams; changed production
    and it did not help; or checked what changed first, which is the habit to keep."""
    f, entries = n.f, n.r.entries
    first = min((iv.t for iv in f.interventions), default=None)
    looks = [e for e in entries if e.command.get("do") in INVESTIGATIONS
             and e.command.get("do") != "runbook" and e.observation.ok
             and e.command.get("model") in (None, n.model)]
    before = [e for e in looks if first is None or e.observation.t <= first]
    teams = {iv.command.get("team") for iv in f.interventions if iv.kind == "escalate"}
    own = [iv for iv in f.interventions if iv.kind != "escalate"]
    if not before and len(teams) > 1:
        return ("Since then I look at the evidence before I page anyone, and I bring in the "
                "team it points at rather than every team at once.")
    if not before and f.interventions:
        return "Since then I look at the evidence before I change anything in production."
    if own and own[0].effect in ("none", "worse"):
        return ("Since then I wait until the evidence points at a fix before I change anything "
                "in production.")
    if any(e.command.get("do") in UPSTREAM for e in before):
        return "Since then I keep the habit of checking what changed before I touch the model."
    return None


def _tradeoff(n: _Night) -> list[Bit] | None:
    f = n.f
    revert = [iv for iv in f.interventions if iv.effect in ("fixes", "partial")
              and is_revert(iv) and (iv.kind == "rollback" or str(iv.command.get("fix"))
                                     in TEAM_CHANGES)]
    if not revert:
        return None
    iv = revert[0]
    owner = team(n.r.answers.escalate_to or "model-owners")
    what = {"rollback": "their new model version", "pause_canary": "their canary",
            "revert_config": "their config change", "pin_feature_version":
            "their new feature version"}.get(
        "rollback" if iv.kind == "rollback" else str(iv.command.get("fix")), "their change")
    bits = [*n.setting(), *n.opening()]
    bits.append(Bit(1, 0, f"The choice was between keeping {what} live and debugging it in "
                          "production, which keeps the team moving, or taking it back to the "
                          "last known good state, which protects the platform."))
    before = f.diagnosis_at is None or iv.t < f.diagnosis_at
    choice = Bit(2, 0, "I chose reliability" + (
        ", before I had proved the root cause, because every minute live was more harm."
        if before else ", once the evidence pointed at the change."))
    # The moves in order with the choice told just before the revert, and each look before
    # the first move it came before (none made after the revert: they did not decide it).
    at = f.interventions.index(iv)
    moves = n.moves(1)
    acts = [*moves[:at], choice, *moves[at:]]
    when = [i.t for i in f.interventions]
    bits += told_in_order(n.evidence_in_time(3, until=iv.t), acts, [*when[:at], iv.t, *when[at:]])
    bits += [*n.outcome(), *n.impact()]
    bits.append(Bit(3, 0, f"What I gave up was velocity: {what} came off production for the "
                          f"night, and {owner} had to find the problem before shipping it "
                          "again."))
    bits.append(Bit(3, 2, "I did not get both: the release waited so the service could "
                          "recover."))
    bits += n.aftermath(4)
    return bits


def _disagreement(n: _Night) -> list[Bit] | None:
    f = n.f
    pushed = [i for i in f.interventions if i.kind == "escalate" and i.effect in ("none", "worse")
              and i.command.get("team") == "model-owners" and heard(n.r, i)]
    if not pushed:
        return None
    iv = pushed[0]
    after = [i for i in f.interventions if i.t >= iv.t and i is not iv
             and i.effect in ("fixes", "partial")]
    dx_at = f.diagnosis_at
    # The ask, the push back and the diagnosis in the record's order (on a tie, a diagnosis
    # of the ask's minute was stated before it, and one of the push back's minute after it),
    # each look told before the first of them it came before.
    asked = f"At {clock(iv.t)} I asked the model's owners to act"
    came = f"at {clock(iv.effective_at)} they pushed back: they did not take it on."
    calls = [t for t in [dx_at, *(i.t for i in after)] if t is not None]
    argued = Bit(2, 1, "By the time they answered I had already made the call on what the "
                       "evidence showed." if calls and min(calls) < iv.effective_at else
                       "I did not argue from opinion: I went back to the evidence and made "
                       "the call on what it showed.")
    if dx_at is not None and iv.t < dx_at < iv.effective_at:
        timed = [(iv.t, Bit(2, 0, asked + ".")), *((dx_at, b) for b in n.diagnosis(1)),
                 (iv.effective_at, Bit(2, 0, _cap(came))), (iv.effective_at, argued)]
    else:
        ask = [(iv.t, Bit(2, 0, f"{asked}, and {came}")), (iv.effective_at, argued)]
        said = [(dx_at if dx_at is not None else iv.t, b) for b in n.diagnosis(1)]
        timed = [*said, *ask] if dx_at is None or dx_at <= iv.t else [*ask, *said]
    looks = n.evidence_in_time(1, until=max(t for t, _ in timed))
    bits = [*n.setting(), *n.opening(),
            *told_in_order(looks, [b for _, b in timed], [t for t, _ in timed]),
            *n.outcome(), *n.impact()]
    bits.append(Bit(1, 0, "I needed the model's owners to agree on where the fault was, in the "
                          "middle of the night, without pulling rank."))
    if after:
        bits.append(Bit(3, 0, f"It ended with the data deciding it: {n.move(after[0])[0].lower()}"
                              f"{n.move(after[0])[1:]}"))
    else:
        bits.append(Bit(3, 0, "It ended without agreement that night: the owners did not act, "
                              "and I did not get a fix in myself."))
    bits += n.aftermath(2)
    bits.append(Bit(3, 3, "What changed after was the written record: the evidence went into "
                          "the postmortem, so the next conversation starts from data."
                    if f.postmortem is not None else
                    "Nothing was written down after, which is what I would change."))
    return bits


def _prioritisation(n: _Night) -> list[Bit] | None:
    f = n.f
    if not f.noise_alerts:
        return None
    tickets: list[tuple[int, Bit]] = []
    for t in f.tickets:
        if t.get("t") is None:
            continue
        said = rule_words(str(t.get("alert")))
        named = any(a.rule == t.get("alert") for a in f.noise_alerts) or (
            n.page is not None and n.page.rule == t.get("alert"))
        what = f"that {said.split()[-1]}" if named else f"the {said[2:].lstrip()}"
        tickets.append((int(t["t"]), Bit(2, 0, f"At {clock(int(t['t']))} I filed a ticket for "
                                               f"{what} on {n.other(t.get('model'))} for "
                                               "working hours, rather than act on it at night.")))
    # Each ticket told at its minute among the diagnosis and the moves.
    bits = [*n.setting(), *n.noise(0), *n.opening(), *n.acts(2, 2, 3, also=tickets),
            *n.outcome(), *n.impact(), *n.aftermath(5)]
    bits.append(Bit(1, 0, "I had to decide what deserved my attention at that hour: the page "
                          "that was hurting customers, or the other "
                          f"alert{'s' if len(f.noise_alerts) > 1 else ''} on the board."))
    chased = [i for i in f.interventions if i.command.get("model")
              and i.command.get("model") != n.model]
    if chased:
        bits.append(Bit(2, 0, "I did lose time on a model that was not at fault, which I "
                              "would not do again."))
    elif not f.tickets:
        bits.append(Bit(2, 0, "I left the other alert alone and stayed on the page."))
    bits.append(Bit(3, 1, "The rule I used: customer harm first, then anything blocking a "
                          "release, then the rest in working hours."))
    return bits


BUILDERS = {"incident": _incident, "prioritisation": _prioritisation,
            "disagreement": _disagreement, "tradeoff": _tradeoff, "learned": _learned}


def spoken(record: Record, question: str) -> Spoken | None:
    """The spoken answer to `question`, or None when the record does not support it."""
    n = _Night(record)
    bits = BUILDERS[question](n)
    if bits is None:
        return None
    return Spoken(question=question, asked=QUESTIONS[question], parts=fit(bits))


def spoken_stories(record: Record) -> list[Spoken]:
    return [s for q in QUESTIONS if (s := spoken(record, q)) is not None]


def page(title: str, told: list[Spoken], what: str, question: str | None = None,
         why: str = "nothing of the kind happened.") -> str:
    """The spoken answers as Markdown, or why there is none for `question` (`why`, a clause
    the record supports)."""
    chosen = [s for s in told if question is None or s.question == question]
    head = f"# {title}: said aloud\n\n"
    if not chosen:
        return head + (f"This {what} does not answer the {question} question: {why}\n"
                       if question else "Nothing to tell.\n")
    return head + "\n".join(s.markdown() for s in chosen)


def markdown(record: Record, question: str | None = None) -> str:
    return page(record.title, spoken_stories(record), "incident", question)
