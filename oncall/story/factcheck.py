"""A fact checker for what the game says about a run: every time, number, alert, model, team,
observation and outcome in a text must be true of the record.

It reads a text the way a sceptical reviewer would. Each clock time must be a minute the record
holds; each figure must be one the record holds or can be derived from it (a difference of two
recorded minutes, a count, a rubric's own target); each alert, model and team named must be one
the record knows; each observation id cited must exist. Then the claims that pair an event with a
time or a figure are checked as pairs: "acknowledged at 02:09" against the acknowledgement,
"mitigated at 02:22" against the mitigation, "12,437 requests affected" against the impact.

Tests run it over the scorecard and the stories of every calibration player; it is a tool for
the game's authors, not a part of play.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import combinations
from typing import Any

from pydantic import BaseModel

from oncall.game.record import Record
from oncall.game.shiftrecord import ShiftRecord
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.catalogue import ARCHETYPES_BY_NAME, TEAMS
from oncall.sim.clock import hhmm

CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
NUMBER = re.compile(r"(?<![\w.$-])\$?(\d[\d,]*(?:\.\d+)?)(%?)(?![\w:])")
DATED = re.compile(r"\b[A-Z][a-z]{2} \d{2} (?:[01]\d|2[0-3]):[0-5]\d\b")
"""A minute of another day, as `hhmm` prints it: `Mar 14 02:06`."""
OBS = re.compile(r"\bobs-(\d+)\b")
CLOCK_AT_COLON = re.compile(
    r":(?:(?<=(?<![\d:])([01]\d|2[0-3]):)|(?<=(?<![\d:])(\d):))([0-5]\d)(?![\d:])")
"""`CLOCK`'s matches found from their colon, the hour read behind it (two digits before one,
as `[01]?` is greedy): the regex engine finds a pattern's leading literal at C speed but tries
one that starts with a lookbehind at every character, and a record's text is 100,000 of them
(a tenth of the time). `clocks_in` gives `CLOCK.findall`'s pairs in its order."""
DATED_AT_COLON = re.compile(r":(?<=\b([A-Z][a-z]{2} \d{2} (?:[01]\d|2[0-3])):)([0-5]\d)\b")
"""`DATED`'s matches found from their colon, as `CLOCK_AT_COLON` (`dated_in`)."""


def clocks_in(text: str) -> list[tuple[str, str]]:
    """`CLOCK.findall(text)`, ten times faster on a long text."""
    return [(two or one, m) for two, one, m in CLOCK_AT_COLON.findall(text)]


def dated_in(text: str) -> list[str]:
    """`DATED.findall(text)`, ten times faster on a long text."""
    return [f"{day}:{m}" for day, m in DATED_AT_COLON.findall(text)]

RUBRIC_CONSTANTS = frozenset({
    0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 45, 50, 60, 75, 90, 100,
    120, 180})
"""Targets, maxima and windows the rubric quotes (minutes, points, percentages)."""
SMALL = 12
"""Counts up to this are taken as counts (sections, teams, moves) rather than figures."""
ROUNDED = 0.05
HEDGE = re.compile(r"\b(?:about|around|roughly|nearly|almost|some)\s+\$?$", re.IGNORECASE)
"""A figure after one of these is said rounded, and checked with ROUNDED's tolerance."""


def _walk(x: Any) -> Iterator[Any]:
    if isinstance(x, dict):
        for v in x.values():
            yield from _walk(v)
    elif isinstance(x, list | tuple):
        for v in x:
            yield from _walk(v)
    else:
        yield x


class Facts:
    """Everything a text about this record may quote, indexed once. A night shift's record
    (`outer`) adds its queue, pages, talks and budgets to its game record's facts."""

    def __init__(self, record: Record, outer: BaseModel | None = None) -> None:
        self.record = record
        f = record.facts
        # What the player and the facts say, not the raw series a dashboard returned: a figure
        # quoted from an observation is quoted from its text.
        dump = (outer or record).model_dump(mode="json", exclude={"entries": {"__all__": {
            "observation": {"data", "scorecard"}}}})
        leaves = list(_walk(dump))
        self.strings = [x for x in leaves if isinstance(x, str)]
        corpus = "\n".join(self.strings)
        self.corpus_low = corpus.lower()
        minutes: set[int] = set()
        for e in record.entries:
            o = e.observation
            minutes |= {o.t, o.t - o.cost}
            minutes |= {int(ev["t"]) for ev in o.events if isinstance(ev.get("t"), int | float)}
        named = [f.page_at, f.onset_at, f.acked_at, f.severity_at, f.diagnosis_at, f.mitigated_at,
                 f.resolved_at, *f.updates_at]
        named += [iv.t for iv in f.interventions] + [iv.effective_at for iv in f.interventions]
        named += [int(t["t"]) for t in f.tickets if isinstance(t.get("t"), int)]
        named += [a.fired_at for a in f.page_alerts + f.noise_alerts]
        named += [r.fired_at for r in f.replays]
        for inc in f.incidents:
            named += [inc.onset_at, inc.page_at, inc.mitigated_at, inc.resolved_at]
        if outer is not None:
            named += [int(x) for x in _walk(outer.model_dump(mode="json", include={
                "facts": {"items", "pages", "conversations", "silences", "start", "end",
                          "ended_at", "abandoned_at"}}))
                if isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 3 * 24 * 60]
        key = [t for t in named if t is not None]
        self.key_minutes = set(key)
        """The night's moments (page, moves, updates, queue and talks), not every look."""
        minutes |= set(key)
        self.minutes = minutes
        clocks = {hhmm(t) for t in minutes}
        clocks |= {f"{int(h):02d}:{m}" for h, m in clocks_in(corpus)}
        clocks |= set(dated_in(corpus))
        self.clocks = clocks
        numbers: set[float] = set()
        for x in leaves:
            if isinstance(x, bool):
                continue
            if isinstance(x, int | float):
                numbers.add(float(x))
        for s in self.strings:
            numbers |= {_value(m.group(1)) for m in NUMBER.finditer(s)}
        self._stated = sorted(n for n in numbers if math.isfinite(n))
        """The figures the record states (its values and the figures in its texts), before
        the ones derived from them (gaps between minutes, the rubric's constants)."""
        numbers |= {float(abs(a - b)) for a, b in combinations(sorted(set(key)), 2)}
        numbers |= {float(abs(a - b)) for a in set(key) for b in minutes}
        numbers |= {float(t - f.page_at) for t in minutes} | {float(f.page_at - t) for t in minutes}
        numbers |= {float(x) for x in RUBRIC_CONSTANTS}
        self.numbers = numbers
        self._finite = sorted(n for n in numbers if math.isfinite(n))
        self._infinite = [n for n in numbers if math.isinf(n)]
        self.pages_opened = [int(p.opened_at) for p in getattr(getattr(outer, "facts", None),
                                                                "pages", [])]
        opened = {p.id: int(p.opened_at) for p in getattr(getattr(outer, "facts", None),
                                                           "pages", [])}
        self.shift_stops = {int(it.done_at) - opened[it.page]
                            for it in getattr(getattr(outer, "facts", None), "items", [])
                            if it.kind == "incident" and it.done_at is not None
                            and it.page in opened}
        entries = list(record.entries) + list(getattr(outer, "entries", []))
        self.obs_ids = {e.observation.id for e in entries if e.observation.id}

    def has_number(self, v: float) -> bool:
        if v <= SMALL and float(v).is_integer():
            return True
        return any(_close(v, n) for n in self._near(v, CLOSE_REACH * abs(v) + 0.5))

    def states(self, v: float) -> bool:
        """Whether the record states `v` itself (a value or a figure in one of its texts),
        not as a gap between two of its minutes, a small count or a rubric constant: a figure
        a text does not tie to one quantity is found only if the record says it somewhere."""
        if not math.isfinite(v):
            return False
        reach = CLOSE_REACH * abs(v) + 0.5
        lo = bisect_left(self._stated, v - reach - 1e-9)
        near = self._stated[lo:bisect_right(self._stated, v + reach + 1e-9, lo)]
        return any(_close(v, n) for n in near)

    def states_rounded(self, v: float) -> bool:
        """`states`, or a stated figure within the rounding people use (`has_rounded`)."""
        if not math.isfinite(v):
            return False
        reach = ROUNDED_REACH * abs(v) + 0.5
        lo = bisect_left(self._stated, v - reach - 1e-9)
        near = self._stated[lo:bisect_right(self._stated, v + reach + 1e-9, lo)]
        return self.states(v) or any(abs(v - n) <= ROUNDED * abs(n) for n in near if n)

    def has_rounded(self, v: float) -> bool:
        """A figure said with "about": the record holds one within the rounding people use
        (two significant figures, so at most 5% off)."""
        return self.has_number(v) or any(
            abs(v - n) <= ROUNDED * abs(n) for n in self._near(v, ROUNDED_REACH * abs(v)) if n)

    def _near(self, v: float, reach: float) -> list[float]:
        """The record's numbers within `reach` of `v` (and the infinite ones): the only ones
        `_close` or the rounding test can accept, found by bisection instead of a scan (an
        infinite number is within any reach of anything, as the scan's arithmetic has it)."""
        if not math.isfinite(v):
            return self._infinite
        lo = bisect_left(self._finite, v - reach - 1e-9)
        return self._finite[lo:bisect_right(self._finite, v + reach + 1e-9, lo)] + self._infinite


CLOSE_REACH = 0.0102
"""`_close` accepts b within 1% of max(|a|, |b|), so within 1/0.99 % of |a|, or b rounding to a
(within 0.5 of it): `has_number` looks no further than 1.02% of |v| plus 0.5."""
ROUNDED_REACH = ROUNDED / (1 - ROUNDED) + 1e-6
"""|v - n| <= 5% of |n| puts n within 5/0.95 % of |v|."""


def _value(raw: str) -> float:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return float("nan")


def _close(a: float, b: float) -> bool:
    if a == b:
        return True
    if abs(a - b) <= 0.01 * max(abs(a), abs(b)):
        return True
    # printed rounded: 3.74 as 3.7, 0.999704 as 0.9997
    return any(round(b, digits) == a for digits in (0, 1, 2, 3, 4))


def _masked(text: str) -> str:
    """The text without what it quotes from the record verbatim (quotes and code spans are
    checked as record content, not as claims)."""
    text = re.sub(r"“[^”]*”", " ", text)
    return re.sub(r"`[^`]*`", lambda m: m.group(0) if " " not in m.group(0) else " ", text)


def check(text: str, record: Record, facts: Facts | None = None) -> list[str]:
    """Every statement in `text` that the record does not support, as short problems."""
    facts = facts or Facts(record)
    problems: list[str] = []
    body = _masked(text)
    for m in OBS.finditer(body):
        if f"obs-{m.group(1)}" not in facts.obs_ids:
            problems.append(f"obs-{m.group(1)} is not an observation of the run")
    for m in DATED.finditer(body):
        if m.group(0) not in facts.clocks:
            problems.append(f"{m.group(0)} is no minute the record holds")
    undated = DATED.sub(" ", body)
    for h, mm in CLOCK.findall(undated):
        clock = f"{int(h):02d}:{mm}"
        if clock not in facts.clocks:
            problems.append(f"{clock} is no minute the record holds")
    stripped = CLOCK.sub(" ", undated)
    stripped = OBS.sub(" ", stripped)
    stripped = re.sub(r"\b(?:SEV|Mon|Data|Model|Infra|ML)-?\d+\b|\b[DMIN]\d{1,2}\b", " ", stripped)
    stripped = re.sub(r"\b[\w-]*[a-z]-\d[\w-]*\b|\b\w+_\d\w*\b|@\d+|\bv\d+\b|\br\d+\b", " ",
                      stripped)
    for m in NUMBER.finditer(stripped):
        v = _value(m.group(1))
        if v != v:  # nan
            continue
        if m.group(2) == "%" and (facts.has_number(v) or facts.has_number(v / 100)):
            continue
        hedged = HEDGE.search(stripped[max(0, m.start() - 16):m.start()])
        if hedged and (facts.has_rounded(v) or (m.group(2) == "%" and facts.has_rounded(v / 100))):
            continue
        if not facts.has_number(v):
            problems.append(f"{m.group(0)} is no figure the record holds")
    low = body.lower()
    for name in _named(low, RULES_BY_NAME):
        if name.lower() not in facts.corpus_low:
            problems.append(f"alert {name} does not appear in the record")
    for name in _named(low, ARCHETYPES_BY_NAME):
        if name not in facts.corpus_low:
            problems.append(f"model {name} does not appear in the record")
    for name in _named(low, TEAMS):
        if name not in facts.corpus_low:
            problems.append(f"team {name} does not appear in the record")
    problems += _claims(body, record, facts)
    return problems


def _named(low: str, names: Iterable[str]) -> list[str]:
    return [n for n in names if (name := n.lower()) in low
            and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", low)]


def _claims(text: str, record: Record, facts: Facts) -> list[str]:
    """Pairs of an event and its time or figure, checked against that event."""
    f = record.facts
    out: list[str] = []

    def times_of(pattern: str, allowed: Iterable[int | None], what: str) -> None:
        ok = {hhmm(t) for t in allowed if t is not None}
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            clock = f"{int(m.group('h')):02d}:{m.group('m')}"
            if clock not in ok:
                out.append(f"{what} at {clock}, but the record says "
                           f"{', '.join(sorted(ok)) or 'never'}")

    t = r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)"
    times_of(rf"\backnowledged (?:the page )?at {t}", [f.acked_at], "acknowledged")
    times_of(rf"\bat {t}(?: in the morning|,[^,.]*,)? I was paged\b",
             [f.page_at, *(i.page_at for i in f.incidents), *facts.pages_opened], "paged")
    times_of(rf"\bresolved the incident at {t}", [f.resolved_at], "resolved")
    times_of(rf"\bmitigated at {t}", [f.mitigated_at, *(i.mitigated_at for i in f.incidents)],
             "mitigated")
    diagnosed = [e.observation.t for e in record.entries if e.command.get("do") == "diagnose"
                 and e.observation.ok]
    times_of(rf"\bdiagnosed at {t}", diagnosed, "diagnosed")
    levels = {int(e.command["level"]) for e in record.entries
              if e.command.get("do") == "severity" and e.observation.ok}
    for m in re.finditer(r"\bdeclared SEV-(\d)", text):
        if int(m.group(1)) not in levels:
            out.append(f"declared SEV-{m.group(1)}, but the run declared "
                       f"{', '.join(f'SEV-{x}' for x in sorted(levels)) or 'none'}")
    teams = {str(iv.command.get("team")) for iv in f.interventions if iv.kind == "escalate"}
    for m in re.finditer(r"\bescalated (?:it )?to ([a-z][\w-]+)", text):
        if m.group(1) in TEAMS and m.group(1) not in teams:
            out.append(f"escalated to {m.group(1)}, but the run never escalated to them")
    stops = {t - f.page_at for t in [f.mitigated_at, *(i.mitigated_at for i in f.incidents)]
             if t is not None} | {t - i.page_at for i in f.incidents
                                  for t in [i.mitigated_at] if t is not None}
    stops |= facts.shift_stops
    for m in re.finditer(r"\b(?:stopped|mitigated|fixed)\b[^.]*?\b(\d+) minutes? after the "
                         r"page", text):
        if int(m.group(1)) not in stops:
            out.append(f"stopped {m.group(1)} minutes after the page, but the record says "
                       f"{', '.join(str(x) for x in sorted(stops)) or 'never'}")
    affected = f.impact.get("requests_affected")
    for m in re.finditer(r"(about )?(\d[\d,]*) requests (?:were )?affected", text):
        v = _value(m.group(2))
        fair = affected is not None and (_close(v, affected) or (
            m.group(1) is not None and abs(v - affected) <= ROUNDED * affected))
        if not fair:
            out.append(f"{m.group(2)} requests affected, but the record measured "
                       f"{affected if affected is not None else 'none'}")
    if f.mitigated_at is None and not f.incidents and re.search(
            r"\bthe fault was mitigated at\b|\bMitigated at\b", text):
        out.append("claims a mitigation the record does not hold")
    if not f.handed_over and not any(x.handed_over for x in f.incidents) and re.search(
            r"\bsecondary on-call (?:took|had to take)", text):
        out.append("claims the secondary took over, but the record says not")
    return out


def check_shift(text: str, rec: ShiftRecord) -> list[str]:
    """`check` for a night shift's text, plus: no sentence about one incident's model names a
    minute, severity or count of updates that belongs to another part of the night."""
    from oncall.story.shiftfacts import incidents, worked

    problems = check(text, rec.game, Facts(rec.game, rec))
    by_model = {inc.model: inc for inc in incidents(rec)}
    looked = {e.observation.id: e.command.get("model") for e in rec.entries if e.observation.id}
    stop = worked(rec).stop  # when the player left: any incident may be told open then
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", _masked(text)):
        named = [m for m in _named(sentence.lower(), ARCHETYPES_BY_NAME) if m in by_model]
        if len(named) != 1:
            continue
        inc = by_model[named[0]]
        allowed = set(inc.minutes) | {stop}
        for it in rec.facts.items:
            if it.model == inc.model:
                allowed |= {t for t in (it.arrives_at, it.taken_at, it.done_at, it.deadline)
                            if t is not None}
        for cv in rec.facts.conversations:
            if cv.model == inc.model:
                allowed |= {cv.opened_at}
            # An answer belongs to its colleague's model, and to the model its evidence shows
            # (a reply on a release can cite the looks at a burning incident).
            allowed |= {t for s in cv.said if cv.model == inc.model
                        or inc.model in {looked.get(o) for o in s.cited}
                        for t in (s.t, s.answered_at) if t is not None}
        ok = {hhmm(t) for t in allowed}
        for h, mm in CLOCK.findall(sentence):
            clock = f"{int(h):02d}:{mm}"
            if clock not in ok:
                problems.append(f"{clock} is told of {inc.model}, but belongs to another part "
                                "of the night")
        for m in re.finditer(r"\bSEV-(\d)", sentence):
            if inc.severity is None or int(m.group(1)) != inc.severity:
                was = "no severity" if inc.severity is None else f"SEV-{inc.severity}"
                problems.append(f"SEV-{m.group(1)} is told of {inc.model}, but {was} was "
                                "declared while it was open")
        for m in re.finditer(r"\b(\d+) status updates?\b", sentence):
            if int(m.group(1)) != len(inc.updates):
                problems.append(f"{m.group(1)} status update(s) told of {inc.model}, but "
                                f"{len(inc.updates)} were posted about it")
    return problems


def check_numbers(sheet: str, saves: list[Any], shifts: Sequence[Any] = ()) -> list[str]:
    """`check` for the numbers sheet: each incident row against its own record (the saved date
    and the score, which the card holds rather than the record, left out), then each summary
    row against the incident rows as the sheet prints them (a total is their sum, a median
    their median, a count their count); a summary figure no row can give must be one a record
    holds."""
    from oncall.story import numbers as nb

    table = sheet.split("## Incidents", 1)[-1].splitlines()
    lines = [ln for ln in table if ln.startswith("| ") and not ln.startswith(("| saved",
                                                                            "| ---"))]
    rows = [nb.incident_row(s) for s in nb.distinct(saves)]
    rows += [r for s in nb.distinct_shifts(shifts) for r in nb.shift_rows(s)]
    if len(lines) != len(rows):
        return [f"{len(lines)} incident rows for {len(rows)} distinct incidents"]
    problems = []
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    for row, cs in zip(rows, cells, strict=True):
        text = " | ".join(cs[1:-1])
        found = check_shift(text, row.shift) if row.shift is not None else check(text,
                                                                                 row.record)
        problems += [f"{cs[1]}: {p}" for p in found]
    return problems + _check_summary(sheet, cells, rows)


def _figures_in(text: str) -> list[float]:
    return [_value(m.group(1)) for m in NUMBER.finditer(text)]


def _check_summary(sheet: str, cells: list[list[str]], rows: Sequence[Any]) -> list[str]:
    from statistics import median

    summary = {}
    for ln in sheet.split("## Incidents", 1)[0].splitlines():
        parts = [c.strip() for c in ln.strip("|").split("|")]
        if ln.startswith("| ") and len(parts) == 2 and parts[0] not in ("measure", "---"):
            summary[parts[0]] = parts[1]
    n = len(cells)

    def minutes(cell: str) -> float | None:
        m = re.fullmatch(r"(\d+) min", cell)
        return float(m.group(1)) if m else None

    def summed(pattern: str) -> tuple[float, int]:
        got = [_value(m.group(1)) for c in cells if (m := re.search(pattern, c[6]))]
        return round(sum(got), 2), len(got)

    acks = [v for c in cells if (v := minutes(c[4])) is not None]
    mine = [v for c in cells if (v := minutes(c[5])) is not None]
    requests, counted = summed(r"^([\d,]+) requests")
    budget, spent = summed(r"([\d.,]+)% error budget")
    quality, quiet = summed(r"([\d.,]+)% quality budget")
    outside, _ = summed(r"([\d.,]+) min outside")
    who = [len(mine), sum(c[5].endswith("by the owners") for c in cells),
           sum(c[5] == "handed over" for c in cells),
           sum(c[5] == "stopped by itself" for c in cells), sum(c[5] == "no" for c in cells)]
    expected: dict[str, list[float]] = {
        "Incidents handled": [n],
        "Median time to acknowledge": [round(median(acks), 1), len(acks), n] if acks else [],
        "Median time to mitigate": [round(median(mine), 1), len(mine), n] if mine else [],
        "Who stopped the fault": [float(x) for x in who],
        "Requests affected": [requests] if counted else [],
        "Error budget spent": [budget, spent],
        "Quality budget spent (silent faults)": [quality, outside, quiet] if quiet else [],
        "Impact not measured": [float(sum(c[6].startswith("not measured") for c in cells))],
    }
    problems = []
    for name, want in expected.items():
        said = summary.get(name)
        if said is None or not want:
            continue
        got = _figures_in(said)[:len(want)]
        if any(not _close(a, b) for a, b in zip(got, want, strict=False)) or len(got) < len(
                want):
            problems.append(f"summary {name}: says {said!r}, but the rows give "
                            f"{', '.join(f'{w:g}' for w in want)}")
    if "Requests affected" in summary and counted:
        over = _figures_in(summary["Requests affected"])
        if over and over[-1] != counted:
            problems.append(f"summary Requests affected: over {over[-1]:g} incidents, but "
                            f"{counted} rows count requests")
    facts = [Facts(r.record, r.shift) for r in rows]
    for name, said in summary.items():
        if name in expected or name == "Mean score":
            continue
        for v in _figures_in(said):
            if not any(f.has_number(v) for f in facts) and not _derived(v, name, rows):
                problems.append(f"summary {name}: {v:g} is no figure the records hold")
    return problems


def _derived(v: float, name: str, rows: Sequence[Any]) -> bool:
    """A summary figure counted across incidents (rollbacks, escalations, replica hours)."""
    from statistics import median

    from oncall.story.numbers import replica_hours

    if float(v).is_integer() and v <= 10 * max(1, len(rows)):
        return True
    detect = [r.detect for r in rows if r.detect is not None]
    if name == "Median time to detect" and detect:
        return _close(v, round(median(detect), 1))
    return name == "Extra replica hours" and any(_close(v, h)
                                                 for h in replica_hours(rows).values())
