"""Play the calibration personas over every scenario and several seeds and print their scores.

    python bench/personas.py [SCENARIO ...] [--seeds 1,2,3,4,5,6] [--random-nights N]

The personas live in `tests/players/`; they read only what observations show. The table is the
means per persona, overall and per scenario, then every ordering check the rubric must pass
(`ordering_checks`), on the means and per scenario or night, with pass/fail and totals.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from players.personas import PERSONAS, ordering_checks

from oncall.content import loader
from oncall.game import generator
from oncall.game.engine import Game
from oncall.scoring import score


def play(sid: str, seed: int, name: str) -> tuple[float, dict[str, float]]:
    g = Game(generator.scenario(sid), seed)
    record = PERSONAS[name](g, seed).play()
    card = score(record)
    return card.total, {s.name: s.points for s in card.sections}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--seeds", default="1,2,3,4,5,6")
    ap.add_argument("--personas", default=",".join(PERSONAS))
    ap.add_argument("--random-nights", type=int, default=0,
                    help="play this many generated nights (random-1-normal, ...) instead of "
                         "the library")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    names = args.personas.split(",")
    nights = [generator.random_id(n) for n in range(1, args.random_nights + 1)]
    ids = args.ids or nights or sorted(loader.scenarios())
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    sections: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for sid in ids:
        for seed in seeds:
            for name in names:
                total, parts = play(sid, seed, name)
                per[sid][name].append(total)
                for k, v in parts.items():
                    sections[name][k].append(v)
        row = "  ".join(f"{n[:9]:>9} {sum(v) / len(v):5.1f}" for n, v in per[sid].items())
        print(f"{sid:<18} {row}", flush=True)
    means = {n: sum(sum(per[s][n]) / len(per[s][n]) for s in ids) / len(ids) for n in names}
    print("\nmeans over", len(ids), "scenarios x", len(seeds), "seeds")
    for n in names:
        secs = "  ".join(f"{k}={sum(v) / len(v):.1f}" for k, v in sections[n].items())
        print(f"  {n:<16} {means[n]:5.1f}   {secs}")
    checks = [c for sid in ids for c in ordering_checks(
        {n: sum(v) / len(v) for n, v in per[sid].items()}, sid)]
    overall = ordering_checks(means, "means")
    print("\nordering checks on the means")
    for c in overall:
        print("  ", c)
    print(f"\nordering checks per {'night' if nights and not args.ids else 'scenario'}")
    for c in checks:
        print("  ", c)
    for label, group in (("means", overall), ("per id", checks)):
        failed = sum(not c.passed for c in group)
        print(f"{label}: {len(group) - failed}/{len(group)} passed, {failed} failed")
    by_label: dict[str, list[str]] = defaultdict(list)
    for c in checks:
        if not c.passed:
            by_label[c.label].append(c.where)
    for label, where in by_label.items():
        print(f"  failed {label}: {len(where)} ({', '.join(where)})")

if __name__ == "__main__":
    main()
