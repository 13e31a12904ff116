"""The daily night: one generated night per calendar day, the same for every player on the same
version, with a result card a player can paste anywhere.

The night of a day is a pure function of the date and the game's version (a hash, never the
wall clock inside the game). The attempt that counts is the first save of that night: the save
with the earliest `saved_at` whose record is the day's scenario and seed. Later plays of the
same night are practice. Nothing else is stored: streak and best day are read from the saves.

The card names no scenario, model, cause or category, so posting it spoils nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from oncall.game.generator import random_id
from oncall.scoring.card import Scorecard
from oncall.store.saves import IncidentSave

DIFFICULTY = "normal"
BLOCKS = 5
STREAK_LOOKBACK = 3660
"""Days a streak is counted back over (ten years)."""


@dataclass(frozen=True)
class Night:
    day: dt.date
    scenario: str
    seed: int


def night_of(day: dt.date, version: str) -> Night:
    """The day's night: its seed is a hash of the version and the ISO date."""
    digest = hashlib.sha256(f"oncall daily {version} {day.isoformat()}".encode()).digest()
    seed = int.from_bytes(digest[:4], "big")
    return Night(day, random_id(seed, DIFFICULTY), seed)


def today() -> dt.date:
    """Today's UTC date: the one wall-clock read, and only to choose which night to build."""
    return dt.datetime.now(dt.UTC).date()


def parse_day(text: str) -> dt.date:
    """A `--date` value; ValueError with the reason when it is not a calendar date."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def attempts(saves: list[IncidentSave], night: Night) -> list[IncidentSave]:
    """The saves of this night, first played first."""
    mine = [s for s in saves if s.record.scenario == night.scenario and s.record.seed == night.seed]
    return sorted(mine, key=lambda s: s.saved_at)


def counted(saves: list[IncidentSave], night: Night) -> IncidentSave | None:
    """The attempt that counts: the first save of the night, or None."""
    found = attempts(saves, night)
    return found[0] if found else None


def attempt_note(saves: list[IncidentSave], night: Night, saved_at: str) -> str:
    """One line for the player who just saved an attempt (saved at `saved_at`) on the night."""
    first = counted(saves, night)
    if first is None or first.saved_at == saved_at:
        return (f"Daily night of {night.day.isoformat()}: this attempt counts "
                "(`oncall daily card` prints the card).")
    return (f"Daily night of {night.day.isoformat()}: practice; the attempt that counts was "
            f"saved at {first.saved_at}.")


# -- the card -----------------------------------------------------------------------------------
def _blocks(fraction: float) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * BLOCKS)
    colour = "🟩" if fraction >= 0.8 else "🟨" if fraction >= 0.5 else "🟥"
    return colour * filled + "⬛" * (BLOCKS - filled)


def _minutes(save: IncidentSave) -> tuple[int | None, int | None]:
    f = save.record.facts
    ack = None if f.acked_at is None else f.acked_at - f.page_at
    mit = None if f.mitigated_at is None else max(0, f.mitigated_at - f.page_at)
    return ack, mit


def timing_line(save: IncidentSave) -> str:
    ack, mit = _minutes(save)
    said_ack = "never acknowledged" if ack is None else f"acknowledged in {ack} min"
    said_mit = "not mitigated" if mit is None else f"mitigated {mit} min after the page"
    return f"{said_ack} · {said_mit}"


def card_text(night: Night, save: IncidentSave) -> str:
    """The pasteable card: a title, one row of blocks per section, the two times."""
    card: Scorecard = save.scorecard
    lines = [f"oncall daily {night.day.isoformat()} · {card.total:g}/{card.max}"]
    for s in card.sections:
        lines.append(f"{_blocks(s.fraction)} {s.title} {s.points:g}/{s.max}")
    lines.append(timing_line(save))
    return "\n".join(lines) + "\n"


_SVG_COLOURS = {"🟩": "#3fb950", "🟨": "#d29922", "🟥": "#f85149", "⬛": "#30363d"}


def card_svg(night: Night, save: IncidentSave) -> str:
    """The same card as a standalone SVG picture."""
    card = save.scorecard
    row, top, width = 30, 56, 460
    height = top + row * len(card.sections) + 44
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="monospace">',
           f'<rect width="{width}" height="{height}" rx="10" fill="#0d1117"/>',
           f'<text x="20" y="34" font-size="18" fill="#e6edf3">oncall daily '
           f'{night.day.isoformat()} · {card.total:g}/{card.max}</text>']
    for i, s in enumerate(card.sections):
        y = top + i * row
        for j, block in enumerate(_blocks(s.fraction)):
            out.append(f'<rect x="{20 + j * 24}" y="{y}" width="20" height="20" rx="3" '
                       f'fill="{_SVG_COLOURS[block]}"/>')
        out.append(f'<text x="150" y="{y + 15}" font-size="14" fill="#e6edf3">'
                   f'{escape(s.title)} {s.points:g}/{s.max}</text>')
    out.append(f'<text x="20" y="{height - 18}" font-size="13" fill="#8b949e">'
               f'{escape(timing_line(save))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- streak and best day ----------------------------------------------------------------------
def played_days(saves: list[IncidentSave], today: dt.date, version: str
                ) -> dict[dt.date, IncidentSave]:
    """Each past day (up to today) whose night has a counted attempt among the saves, on this
    version. Only the days a save could belong to are looked at."""
    seeds = {(s.record.scenario, s.record.seed) for s in saves}
    out: dict[dt.date, IncidentSave] = {}
    for back in range(STREAK_LOOKBACK):
        day = today - dt.timedelta(days=back)
        night = night_of(day, version)
        if (night.scenario, night.seed) in seeds:
            found = counted(saves, night)
            if found is not None:
                out[day] = found
    return out


def streak(days: dict[dt.date, IncidentSave], today: dt.date) -> int:
    """Consecutive days played, ending today, or yesterday when today is still to play."""
    day = today if today in days else today - dt.timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= dt.timedelta(days=1)
    return n


def stats_lines(days: dict[dt.date, IncidentSave], today: dt.date) -> list[str]:
    """Streak, days played and the best day, as lines for the CLI and Career."""
    if not days:
        return ["Daily nights: none played yet (`oncall daily`)."]
    best_day = max(days, key=lambda d: (days[d].scorecard.total, d))
    best = days[best_day].scorecard
    played_today = "played" if today in days else "still to play"
    return [f"Daily nights: {len(days)} played; streak {streak(days, today)} "
            f"day(s); today's night {played_today}.",
            f"Best day: {best_day.isoformat()}, {best.total:g}/{best.max}."]
