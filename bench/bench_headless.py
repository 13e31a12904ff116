"""What a player's process costs for one headless right play, next to the import floor and,
optionally, an earlier revision of the code in the same run.

    python bench/bench_headless.py [--scenario fraud-1] [--runs 5] [--against REF]

Runs `python -m oncall play --headless --seed 7 --scenario S --no-save` fed the scenario's right
playbook in a fresh process, and the floor `python -c "import numpy, pydantic, yaml"` (also with
OPENBLAS_NUM_THREADS=1, as the game's process loads numpy: a floor without OpenBLAS's thread
pool), each --runs times after one warm-up run, taking turns so a busy spell slows them alike.
Prints the least wall and CPU (user + system) time of each and the ratios to the floors';
`--against REF` (a git revision) plays the same with that revision's code and says whether its
answers are the same.
Each process runs as a player's does (`player_env`): its bytecode kept, the validated content
cached (in a folder of this run's own; the warm-up run fills both), and says whether every
run answered as the warm-up did with an empty cache.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench_incident import FLOOR, ROOT, checkout, player_env, timed_run

BLAS_THREADS = "OPENBLAS_NUM_THREADS"
ONE_THREAD = "floor, one BLAS thread"

sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="fraud-1")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", help="a git revision to play the same with")
    args = parser.parse_args()

    from oncall.content import loader

    script = "".join(json.dumps(c) + "\n" for c in loader.scenario(args.scenario).playbook.right)
    play = [sys.executable, "-m", "oncall", "play", "--headless", "--seed", "7", "--scenario",
            args.scenario, "--no-save"]
    with tempfile.TemporaryDirectory() as tmp:
        env = player_env(Path(tmp) / "cache")
        floor = [sys.executable, "-c", FLOOR]
        runs = {"floor": (floor, "", ROOT, env),
                ONE_THREAD: (floor, "", ROOT, env | {BLAS_THREADS: "1"}),
                "this checkout": (play, script, ROOT, env)}
        if args.against:
            runs[args.against] = (play, script, checkout(args.against, Path(tmp) / "tree"), env)
        timings: dict[str, list[tuple[float, float, str]]] = {label: [] for label in runs}
        cold: dict[str, str] = {}
        for round_ in range(args.runs + 1):  # the first round warms the file cache: dropped
            for label, (argv, stdin, cwd, run_env) in runs.items():
                timed = timed_run(argv, stdin, cwd, run_env)
                if round_:
                    timings[label].append(timed)
                else:  # its content cache was empty: what it answers must not depend on that
                    cold[label] = timed[2]
    best = {label: (min(t[0] for t in ts), min(t[1] for t in ts), ts[-1][2])
            for label, ts in timings.items()}
    floor_wall, floor_cpu, _out = best.pop("floor")
    one_wall, one_cpu, _out = best.pop(ONE_THREAD)
    print(f"floor `{FLOOR}`: {floor_wall * 1000:.0f} ms wall, {floor_cpu * 1000:.0f} ms CPU "
          f"(least of {args.runs})")
    print(f"floor with {BLAS_THREADS}=1, numpy as the game loads it: {one_wall * 1000:.0f} ms "
          f"wall, {one_cpu * 1000:.0f} ms CPU")
    for label, (took, cpu, _out) in best.items():
        print(f"{args.scenario} right play, {label}: {took * 1000:.0f} ms wall "
              f"({took / floor_wall:.1f}x the floor, {took / one_wall:.1f}x the one-thread "
              f"floor), {cpu * 1000:.0f} ms CPU ({cpu / floor_cpu:.1f}x the floor, "
              f"{cpu / one_cpu:.1f}x the one-thread floor)")
    if args.against:
        same = best["this checkout"][2] == best[args.against][2]
        print(f"answers: {'the same, byte for byte' if same else 'DIFFER'}")
    alike = all(out == cold[label] for label, ts in timings.items() for *_, out in ts)
    print(f"answers with an empty content cache and a filled one, every run: "
          f"{'the same' if alike else 'DIFFER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
