"""Generate many random nights and report what they are made of.

    python bench/generate_nights.py [--seeds 1-1000]

Each seed's night is drawn at the difficulty seed % 3 picks (easy, normal, hard) and, inside the
generator, checked by playing it (right moves fix, wrong moves do not, the scripted right play
runs clean and shows its evidence). Prints the distribution of fault kinds, categories, models
and page-to-onset gaps, the failures if any, and the time per night.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import time

from oncall.game.engine import Game
from oncall.game.generator import GenerationError, generate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-200")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.seeds.split("-"))
    kinds: collections.Counter[str] = collections.Counter()
    cats: collections.Counter[str] = collections.Counter()
    models: collections.Counter[str] = collections.Counter()
    gaps: list[int] = []
    failures: list[str] = []
    start = time.perf_counter()
    for seed in range(lo, hi + 1):
        difficulty = ("easy", "normal", "hard")[seed % 3]
        try:
            sc = generate(seed, difficulty)
        except GenerationError as exc:
            failures.append(f"seed {seed}: {exc}")
            continue
        f = Game(sc, seed).record.facts
        kinds[sc.fault.kind] += 1
        cats[sc.answers.category] += 1
        models[sc.fault.model] += 1
        gaps.append(f.page_at - f.onset_at)
    took = time.perf_counter() - start
    n = hi - lo + 1
    print(f"{n} nights (seeds {lo}-{hi}), {len(failures)} failed, "
          f"{1000 * took / n:.0f} ms per night")
    print("categories:", dict(sorted(cats.items())))
    print("fault kinds:", dict(sorted(kinds.items())))
    print("models:", dict(sorted(models.items())))
    if gaps:
        q = statistics.quantiles(gaps, n=4)
        print(f"page - onset (min): min {min(gaps)}, quartiles {q[0]:g}/{q[1]:g}/{q[2]:g}, "
              f"max {max(gaps)}")
    for line in failures[:20]:
        print("  " + line)


if __name__ == "__main__":
    main()
