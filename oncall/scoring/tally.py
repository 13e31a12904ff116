"""Parts of a section: each rule of the rubric adds one part with its own maximum and a line.

Keeping parts (rather than a running number) lets the interview view reuse the exact points a
rule gave, and lets a test check that the maxima of a section add up to the published maximum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from oncall.scoring.card import SECTION_MAXIMA, SECTION_TITLES, Section


class Part(NamedTuple):
    key: str
    points: float
    max: float
    line: str


@dataclass(slots=True)
class Tally:
    name: str
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, points: float, maximum: float, line: str, *,
            reach: bool = False) -> None:
        """Clamp into [0, maximum]: a penalty never reaches into another rule's points, unless
        `reach`: the cost of a harmful move that the rule's own points cannot absorb comes out
        of the rest of the section (which never goes below 0)."""
        low = -float(SECTION_MAXIMA[self.name]) if reach else 0.0
        self.parts.append(Part(key, max(low, min(maximum, points)), maximum, line))

    def note(self, line: str) -> None:
        """Feedback that carries no points of its own (context for the lines around it)."""
        self.notes.append(line)

    def part(self, key: str) -> Part:
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(key)

    def fraction(self, *keys: str) -> float:
        chosen = [p for p in self.parts if not keys or p.key in keys]
        top = sum(p.max for p in chosen)
        return max(0.0, sum(p.points for p in chosen) / top) if top else 0.0

    def section(self) -> Section:
        maximum = SECTION_MAXIMA[self.name]
        top = sum(p.max for p in self.parts)
        if abs(top - maximum) > 1e-9:
            raise AssertionError(f"{self.name}: parts add up to {top}, not {maximum}")
        points = round(max(0.0, min(maximum, sum(p.points for p in self.parts))), 1)
        # two rules that charge the same missing decision say it once
        lines = list(dict.fromkeys([p.line for p in self.parts if p.line] + self.notes))
        return Section(name=self.name, title=SECTION_TITLES[self.name], points=points,
                       max=maximum, feedback=lines)


def scaled(maximum: float, share: float) -> float:
    return maximum * max(0.0, min(1.0, share))


def within(minutes: int | None, full: int, partial: int) -> float:
    """Share earned by a delay: all of it up to `full`, half up to `partial`, none after."""
    if minutes is None:
        return 0.0
    if minutes <= full:
        return 1.0
    return 0.5 if minutes <= partial else 0.0
