"""The library view: every scenario as a player picks it, with their best score, and nothing of
its key. The category is half a diagnosis (data or model decides between two lookalikes), and a
difficulty or a severity says how bad it is before a tool has been opened, so both stay behind
`--answers` with the cause."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from oncall.content.scenario import Scenario
from oncall.store.saves import IncidentSave


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
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
        models = tuple(dict.fromkeys(f.model for f in s.faults))
        out.append(Entry(sid, s.title, models, plays.get(sid, 0), best.get(sid)))
    return out


def key_of(s: Scenario) -> dict[str, Any]:
    """What a facilitator sees beside an entry with `--answers`."""
    a = s.answers
    return {"category": a.category, "cause": a.cause, "severity": a.severity,
            "difficulty": s.difficulty}


def table(entries: list[Entry], keys: dict[str, dict[str, Any]] | None = None) -> str:
    """The library as a terminal table; with `keys` (facilitators), each scenario's key too."""
    width = max([len(e.id) for e in entries] + [8])
    head = f"{'scenario':<{width}}  {'best':>5}  "
    if keys is not None:
        head += f"{'key':<24}  "
    lines = [head + "title"]
    for e in entries:
        best = f"{e.best:5.1f}" if e.best is not None else "    -"
        key = ""
        if keys is not None:
            k = keys[e.id]
            key = f"{k['category']} {k['cause']} SEV-{k['severity']} {k['difficulty']}"
            key = f"{key:<24}  "
        lines.append(f"{e.id:<{width}}  {best}  {key}{e.title}")
    return "\n".join(lines)
