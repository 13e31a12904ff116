"""The library view: every scenario as a player picks it, with their best score, and never the
cause (the category says data, model or infra, and a control shows as what it looks like)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from oncall.content.scenario import Scenario
from oncall.store.saves import IncidentSave


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    difficulty: str
    category: str
    models: tuple[str, ...]
    plays: int
    best: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def library(scenarios: dict[str, Scenario], saves: list[IncidentSave]) -> list[Entry]:
    """One entry per scenario, in id order, with the best total of the player's saves of it."""
    best: dict[str, float] = {}
    plays: dict[str, int] = {}
    for save in saves:
        sid = save.record.scenario
        plays[sid] = plays.get(sid, 0) + 1
        best[sid] = max(best.get(sid, 0.0), float(save.scorecard.total))
    out = []
    for sid, s in sorted(scenarios.items()):
        # A control shows the category of what it looks like: telling the player that nothing
        # needs fixing would give the answer away.
        category = s.answers.category
        models = tuple(dict.fromkeys(f.model for f in s.faults))
        out.append(Entry(sid, s.title, s.difficulty, category, models, plays.get(sid, 0),
                         best.get(sid)))
    return out


def table(entries: list[Entry]) -> str:
    """The library as a terminal table."""
    width = max([len(e.id) for e in entries] + [8])
    lines = [f"{'scenario':<{width}}  {'category':<8}  {'level':<6}  {'best':>5}  title"]
    for e in entries:
        best = f"{e.best:5.1f}" if e.best is not None else "    -"
        lines.append(f"{e.id:<{width}}  {e.category:<8}  {e.difficulty:<6}  {best}  {e.title}")
    return "\n".join(lines)
