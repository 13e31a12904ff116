"""Play every scenario's scripted right and wrong plays and print the scores.

    python bench/play_scenarios.py [SCENARIO ...] [--seeds 7,11]

Not a benchmark of speed: a quick check for scenario authors that the right play scores well,
the wrong play much worse, and that every scripted command ran.
"""

from __future__ import annotations

import argparse

from oncall.content import loader
from oncall.game.engine import Game
from oncall.scoring import score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--seeds", default="7")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    for sid in args.ids or sorted(loader.scenarios()):
        sc = loader.scenario(sid)
        for seed in seeds:
            totals = {}
            for which in ("right", "wrong"):
                g = Game(sc, seed)
                failed = []
                for cmd in getattr(sc.playbook, which):
                    obs = g.do(cmd)
                    if not obs.ok:
                        failed.append(f"{cmd.get('do')}: {obs.text[:120]}")
                card = score(g.record)
                totals[which] = card.total
                parts = " ".join(f"{s.name}={s.points:g}" for s in card.sections)
                print(f"{sid:<28} seed {seed:<4} {which:<5} {card.total:5.1f}  {parts}"
                      + (f"  FAILED: {failed}" if failed else ""))
            gap = totals["right"] - totals["wrong"]
            print(f"{'':<28} gap {gap:.1f}" + ("" if totals["right"] >= 85 and gap >= 30 else
                                                 "  <-- right < 85 or gap < 30"))


if __name__ == "__main__":
    main()
