"""`oncall daily`: the night of the day, its counted attempt, its card, and the streak.

    oncall daily [play] [--date D] [--headless] [--no-save]   play the day's night
    oncall daily card [--date D] [--svg FILE]                  the day's card again
    oncall daily stats                                         streak, days played, best day

The date is today's UTC date unless `--date` names another; the night depends only on the date
and the game's version, so everyone on the same version plays the same night on the same day.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from oncall import __version__

if TYPE_CHECKING:
    from oncall.store.saves import IncidentSave
    from oncall.story.daily import Night

TuiPlay = Callable[[int, str, str, "Path | None"], int]
"""Starts the TUI on (seed, scenario id, difficulty, home)."""
HeadlessPlay = Callable[[str, int, str, "Path | None", bool], int]
"""Runs the headless protocol on (scenario id, seed, difficulty, home, save)."""


class DailyUsageError(Exception):
    """A problem with the daily command line; the caller prints it as one line."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("daily", help="the night of the day: the same generated night for "
                       "everyone on the same date, one counted attempt, a result card to "
                       "paste; `daily card`, `daily stats`")
    d.add_argument("action", nargs="?", choices=("play", "card", "stats"), default="play")
    d.add_argument("--date", help="the day, YYYY-MM-DD (default: today, UTC)")
    d.add_argument("--headless", action="store_true",
                   help="JSON lines on stdin/stdout instead of the TUI")
    d.add_argument("--no-save", action="store_true",
                   help="headless: do not save (the attempt then does not count)")
    d.add_argument("--svg", type=Path, help="card: also write the card as an SVG file")


def run(args: argparse.Namespace, play_tui: TuiPlay, play_headless: HeadlessPlay) -> int:
    """Dispatch `oncall daily`. The two play callables start the TUI or the headless protocol
    for a (scenario id, seed, difficulty, home) and return an exit code."""
    from oncall.story import daily

    try:
        day = daily.parse_day(args.date) if args.date else daily.today()
    except ValueError as exc:
        raise DailyUsageError(f"daily: --date: {exc}") from None
    night = daily.night_of(day, __version__)
    if args.action == "stats":
        days = daily.played_days(_saves(args.home), daily.today(), __version__)
        print("\n".join(daily.stats_lines(days, daily.today())))
        return 0
    if args.action == "card":
        return _card(night, args.home, args.svg)
    before = daily.counted(_saves(args.home), night)
    if args.headless:
        code = play_headless(night.scenario, night.seed, daily.DIFFICULTY, args.home,
                             not args.no_save)
    else:
        code = play_tui(night.seed, night.scenario, daily.DIFFICULTY, args.home)
    after = daily.counted(_saves(args.home), night)
    if after is None:
        _say(args.headless, {"daily": day.isoformat(), "counted": False,
                             "note": "nothing was saved, so this attempt does not count"})
        return code
    counted_now = before is None
    note = ("this attempt counts: it is your first on this night" if counted_now else
            f"practice: the attempt that counts was saved at {before.saved_at if before else ''}")
    _say(args.headless, {"daily": day.isoformat(), "counted": counted_now, "note": note,
                         "card": daily.card_text(night, after)})
    return code


def _say(headless: bool, fields: dict[str, object]) -> None:
    if headless:
        print(json.dumps(fields, ensure_ascii=False))
        return
    card = fields.get("card")
    if isinstance(card, str):
        sys.stdout.write(card)
    print(f"oncall daily: {fields['note']}", file=sys.stderr)


def _saves(home: Path | None) -> list[IncidentSave]:
    from oncall.store.locations import home_dir
    from oncall.store.saves import load_saves

    saves, _errors = load_saves(home_dir(home))
    return saves


def _card(night: Night, home: Path | None, svg: Path | None) -> int:
    from oncall.story import daily

    save = daily.counted(_saves(home), night)
    if save is None:
        raise DailyUsageError(f"daily card: the night of {night.day.isoformat()} has not been "
                              "played yet (`oncall daily`)")
    sys.stdout.write(daily.card_text(night, save))
    if svg is not None:
        try:
            _write(svg, daily.card_svg(night, save))
        except OSError as exc:
            raise DailyUsageError(f"daily card: --svg {svg}: {exc.strerror or exc}") from None
        print(f"oncall daily: wrote {svg}", file=sys.stderr)
    return 0


def _write(path: Path, text: str) -> None:
    """Write the picture whole or not at all: a temp file beside it, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
