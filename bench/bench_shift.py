"""What a night shift costs: a 6-hour shift with 6 queue items played headless, against the
import floor measured in the same run.

    python bench/bench_shift.py [--runs 3] [--seed-from 0]

(a) the floor: `python -c "import numpy, pydantic"` in a fresh interpreter (median of --runs);
(b) `oncall shift --headless --seed N --length 6h --no-save` fed the commands a calm scripted
    player gave on the same night (the first seed from --seed-from whose queue holds 6 items):
    median wall seconds, its ratio to the floor, and whether it stays under 3 s.

Not a test: timings vary by machine, ratios much less. Bench code may read the wall clock; the
game never does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "shift")]
BUDGET_S = 3.0
ITEMS = 6


def wall(argv: list[str], stdin: str = "") -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return took


def median_wall(argv: list[str], runs: int, stdin: str = "") -> float:
    wall(argv, stdin)  # warms the file cache
    return statistics.median(wall(argv, stdin) for _ in range(runs))


def six_item_night(start: int) -> tuple[int, str, int]:
    """A seed whose 6-hour night ends with 6 queue items, and a calm player's commands on it."""
    from shift_players import Calm

    from oncall.game.shift import Shift

    for seed in range(start, start + 200):
        shift = Calm(Shift(seed, 360, "normal")).play()
        if len(shift.record.facts.items) == ITEMS:
            lines = "".join(json.dumps(e.command) + "\n" for e in shift.record.entries)
            return seed, lines, len(shift.record.entries)
    raise SystemExit(f"no night with {ITEMS} items from seed {start}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed-from", type=int, default=0)
    args = ap.parse_args()
    seed, script, commands = six_item_night(args.seed_from)
    floor = median_wall([sys.executable, "-c", "import numpy, pydantic"], args.runs)
    argv = [sys.executable, "-m", "oncall", "shift", "--headless", "--seed", str(seed),
            "--length", "6h", "--no-save"]
    took = median_wall(argv, args.runs, script)
    print(f"floor (import numpy, pydantic): {floor:.3f} s")
    print(f"shift seed {seed}: 6 h, {ITEMS} items, {commands} commands headless: {took:.3f} s "
          f"= {took / floor:.1f}x the floor; under {BUDGET_S:g} s: "
          f"{'yes' if took < BUDGET_S else 'NO'}")


if __name__ == "__main__":
    main()
