"""Play the calibration personas over every scenario and several seeds and print their scores.

    python bench/personas.py [SCENARIO ...] [--seeds 1,2,3,4,5,6] [--random-nights N]

The personas live in `tests/players/`; they read only what observations show. The table is the
means per persona, overall and per scenario, with the tier checks the rubric must pass.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import itertools

from players.personas import PERSONAS, TIERS

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
    bad = []
    for sid in ids:
        m = {n: sum(v) / len(v) for n, v in per[sid].items()}
        for upper, lower in itertools.pairwise(TIERS):
            if not all(u in m for u in upper) or not all(lo in m for lo in lower):
                continue
            gap = min(m[u] for u in upper) - max(m[lo] for lo in lower)
            if gap < 10:
                bad.append(f"{sid}: {'/'.join(upper)} - {'/'.join(lower)} = {gap:.1f}")
        if "keyword_gamer" in m and "novice" in m and m["keyword_gamer"] >= m["novice"]:
            bad.append(f"{sid}: keyword_gamer {m['keyword_gamer']:.1f} >= novice {m['novice']:.1f}")
        if "paperwork" in m and m["paperwork"] > 25:
            bad.append(f"{sid}: paperwork {m['paperwork']:.1f} > 25")
    print(f"\n{len(bad)} tier checks failed" + (":" if bad else ""))
    for b in bad:
        print("  ", b)


if __name__ == "__main__":
    main()
