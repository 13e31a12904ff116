"""Per-role feedback on a drill and the team's card (filled in below)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncall.drill.table import Table


def drill_cards(table: Table) -> dict[str, Any]:
    card = table.card
    return {"team": card.model_dump(mode="json") if card is not None else None}


def story(table: Table) -> str:
    lines = [f"# Drill {table.info.id}: {table.scenario.title}", ""]
    for ev, entry in zip(table.authors, table.session.record.entries, strict=True):
        lines.append(f"- {entry.observation.clock} {ev.who} ({ev.role}): {ev.verb}")
    return "\n".join(lines) + "\n"
