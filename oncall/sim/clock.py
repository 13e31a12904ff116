"""Simulated time. Minute 0 is midnight of the night on call; history reaches back days.

Game logic reads only this clock: nothing here asks the machine for the time.
"""

from __future__ import annotations

import datetime as dt

DAY = 24 * 60
WEEK = 7 * DAY
NIGHT = dt.datetime(2026, 3, 17)
QUIET_FROM = -4 * 60
"""20:00 the evening before the night: seeded history events (traffic events, backfills, deploy
blips) all end before this, so the night itself has the same shape whatever the week held."""

SATURDAY = ((5 - NIGHT.weekday()) % 7) * DAY
"""Minute 0 of a Saturday (any Saturday: weekly patterns repeat every WEEK minutes)."""


def hhmm(t: int | float) -> str:
    """`02:07` for minute 127 of the night; other days show their date (`Mar 16 23:50`)."""
    t = int(t)
    day, minute = divmod(t, DAY)
    text = f"{minute // 60:02d}:{minute % 60:02d}"
    return text if day == 0 else f"{date_of(t):%b %d} {text}"


def date_of(t: int | float) -> dt.datetime:
    return NIGHT + dt.timedelta(minutes=int(t))


def delay_text(minutes: float) -> str:
    """A delay in the unit a person would say it in: `45 min`, `4 h`, `3 days`."""
    if minutes >= 2 * DAY:
        return f"{minutes / DAY:.0f} days"
    if minutes >= 120:
        return f"{minutes / 60:.0f} h"
    return f"{minutes:.0f} min"
