"""How much the fuzz and kill tests run, and what they ran (printed after the tests).

By default the budgets keep CI to a minute or so; `pytest --fuzz-long` raises them to the
counts the issue asks for (10,000 headless lines, 2,000 scenario files, 2,000 saves, 2,000 TUI
keys, 100 kills).
"""

from __future__ import annotations

import time
from collections import Counter

LONG = False
COUNTS: Counter[str] = Counter()
SECONDS: Counter[str] = Counter()


def configure(*, long: bool) -> None:
    global LONG
    LONG = long


def budget(ci: int, long: int) -> int:
    return long if LONG else ci


def count(what: str, n: int = 1) -> None:
    COUNTS[what] += n


class timed:  # a context manager, named to read as a phrase
    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        SECONDS[self.what] += time.perf_counter() - self.start


def summary() -> list[str]:
    return [f"{what}: {n:,}" + (f" in {SECONDS[what]:.1f} s" if what in SECONDS else "")
            for what, n in sorted(COUNTS.items())]
