"""What `oncall replay` costs on a long save, next to the import floor and, optionally, the same
replay run by an earlier revision of the code in the same run.

    python bench/bench_replay.py [--commands 500] [--runs 3] [--against REF]

The save: fraud-1 at seed 7, acknowledged, then a fixed cycle of looks, status, help and waits
until --commands commands, then `abandon`; written by this checkout's `Session` into a temporary
home. Each replay is `python -m oncall replay SAVE` in a fresh process (median of --runs), so it
pays the imports, the world's build, every command and the re-score; the best of --runs
wall and CPU times are shown (CPU time holds up on a busy machine). `--against REF` (a git
revision, e.g. `main` or `HEAD~3`) replays the same file with that revision's code.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_incident import FLOOR, ROOT, checkout, timed_run

sys.path.insert(0, str(ROOT))

CYCLE: list[dict[str, Any]] = [
    {"do": "status"}, {"do": "dashboard", "model": "fraud-1"}, {"do": "help"},
    {"do": "logs", "model": "fraud-1"}, {"do": "fleet"},
    {"do": "runbook", "alert": "ModelPredictionMeanShift"}, {"do": "status"},
    {"do": "deploys", "model": "fraud-1"},
]


def make_save(home: Path, commands: int) -> Path:
    from oncall.content import loader
    from oncall.session import Session

    session = Session(loader.scenario("fraud-1"), 7, home=home, record_limit=None)
    session.page()
    session.do({"do": "ack"})
    for cmd in itertools.islice(itertools.cycle(CYCLE), commands - 2):
        session.do(cmd)
    session.do({"do": "abandon"})
    assert session.outcome is not None and session.outcome.path is not None, session.outcome
    return session.outcome.path


def best(runs: int, argv: list[str], cwd: Path) -> tuple[float, float, str]:
    """The least wall and the least CPU time of `runs` runs (after one that warms the file
    cache), and the output."""
    timed_run(argv, cwd=cwd)
    took = [timed_run(argv, cwd=cwd) for _ in range(runs)]
    return min(t[0] for t in took), min(t[1] for t in took), took[-1][2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", help="a git revision to replay the same save with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        save = make_save(Path(tmp) / "home", args.commands)
        floor = best(args.runs, [sys.executable, "-c", FLOOR], ROOT)
        print(f"import floor `{FLOOR}`: {floor[0] * 1000:.0f} ms wall, {floor[1] * 1000:.0f} ms "
              f"CPU (best of {args.runs})")
        argv = [sys.executable, "-m", "oncall", "replay", str(save)]
        trees = [("this checkout", ROOT)]
        if args.against:
            trees.append((args.against, checkout(args.against, Path(tmp))))
        for label, tree in trees:
            took, cpu, out = best(args.runs, argv, tree)
            print(f"replay of {args.commands} commands, {label}: {took * 1000:.0f} ms wall, "
                  f"{cpu * 1000:.0f} ms CPU ({cpu / floor[1]:.1f}x the floor's CPU) -- "
                  f"{out.strip().split(': ', 1)[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
