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


HOURS = ("midnight", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "noon")


def mins(n: int) -> str:
    """A span said aloud: `1 minute`, `26 minutes`, and from an hour and a half on, in hours
    to the nearest half (`about three hours` for 184 minutes): nobody says "184 minutes"."""
    if n < 90:
        return f"{n} minute{'s' if n != 1 else ''}"
    h, half = divmod(round(n / 30), 2)
    word = HOURS[h] if h < 12 else str(h)
    said = "an hour and a half" if (h, half) == (1, 1) else \
        f"{word} and a half hours" if half else f"{word} hours"
    return f"about {said}" if h * 60 + 30 * half != n else said


def delay_text(minutes: float) -> str:
    """A delay in the unit a person would say it in: `45 min`, `4 h`, `3 days`."""
    if minutes >= 2 * DAY:
        return f"{minutes / DAY:.0f} days"
    if minutes >= 120:
        return f"{minutes / 60:.0f} h"
    return f"{minutes:.0f} min"
