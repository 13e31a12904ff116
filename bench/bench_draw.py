"""What drawing a random night costs, and that an earlier revision draws the same nights.

    python bench/bench_draw.py [--ids 20] [--against REF]

Draws the nights of seeds 0..--ids-1 (difficulty by seed: easy, normal, hard in turn) in a fresh
process, after one warm-up draw (seed 1000) that pays the imports and the kinds' parsing.
Prints the CPU seconds per draw. `--against REF` (a git revision) draws the same ids with that
revision's code in the same run and says whether every night is the same, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench_incident import ROOT, checkout, timed_run

DRAW = """
import hashlib, json, sys, time
from oncall.game import generator
generator.scenario(generator.random_id(1000))
ids = [generator.random_id(s, ("easy", "normal", "hard")[s % 3]) for s in range(int(sys.argv[1]))]
start = time.process_time()
nights = {i: generator.scenario(i).model_dump_json() for i in ids}
cpu = (time.process_time() - start) / len(ids)
print(json.dumps({"cpu": cpu, "nights": {i: hashlib.sha256(n.encode()).hexdigest()
                                         for i, n in nights.items()}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", type=int, default=20)
    parser.add_argument("--against", help="a git revision to draw the same ids with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = [("this checkout", ROOT)]
        if args.against:
            trees.append((args.against, checkout(args.against, Path(tmp))))
        drawn = {}
        for label, tree in trees:
            _, _, out = timed_run([sys.executable, "-c", DRAW, str(args.ids)], cwd=tree)
            drawn[label] = json.loads(out)
            print(f"{label}: {drawn[label]['cpu']:.3f} s CPU per draw ({args.ids} ids)")
        if args.against:
            ours, theirs = drawn["this checkout"]["nights"], drawn[args.against]["nights"]
            differ = [i for i in ours if ours[i] != theirs.get(i)]
            print(f"same nights: {len(ours) - len(differ)} of {len(ours)} ids"
                  + (f"; DIFFER: {', '.join(differ)}" if differ else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
