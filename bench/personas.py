"""Play the calibration personas over every scenario and several seeds and print their scores.

    python bench/personas.py [SCENARIO ...] [--seeds 1,2,3,4,5,6] [--random-nights N]
                             [--save DIR | --rescore DIR]

The personas live in `tests/players/`; they read only what observations show. The table is the
means per persona, overall and per scenario, then every ordering check the rubric must pass
(`ordering_checks`), on the means and per scenario or night, with pass/fail and totals.

The rubric is a pure function of the record, so `--save DIR` keeps every played record and
`--rescore DIR` scores those records again without playing: a rubric change is measured over
the same plays in seconds. A change to the players or the simulation needs a new `--save`.
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
from oncall.game.record import Record
from oncall.scoring import score


def play(sid: str, seed: int, name: str, save: Path | None = None,
         rescore: Path | None = None) -> tuple[float, dict[str, float]]:
    path = (rescore or save or Path()) / f"{sid}.{seed}.{name}.json"
    if rescore is not None:
        try:
            record = Record.model_validate_json(path.read_bytes())
        except (OSError, ValueError) as e:
            raise SystemExit(f"personas: --rescore {rescore}: cannot read {path.name}: {e}") \
                from None
    else:
        record = PERSONAS[name](Game(generator.scenario(sid), seed), seed).play()
        if save is not None:
            path.write_text(record.model_dump_json())
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
    keep = ap.add_mutually_exclusive_group()
    keep.add_argument("--save", type=Path, metavar="DIR",
                      help="keep every played record in DIR (one JSON file each)")
    keep.add_argument("--rescore", type=Path, metavar="DIR",
                      help="score the records --save kept in DIR instead of playing")
    args = ap.parse_args()
    if args.save is not None:
        args.save.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    names = args.personas.split(",")
    nights = [generator.random_id(n) for n in range(1, args.random_nights + 1)]
    ids = args.ids or nights or sorted(loader.scenarios())
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    sections: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for sid in ids:
        for seed in seeds:
            for name in names:
                total, parts = play(sid, seed, name, args.save, args.rescore)
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
