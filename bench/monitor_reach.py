"""Which fitting monitor can fire before the page, scenario by scenario and on generated nights.

    python bench/monitor_reach.py [--seed 1] [--nights 6]

For each library scenario (and `random-SEED-DIFFICULTY` nights 1..N) it replays every monitor
of the answer key over the incident's own telemetry (the same replay the postmortem's
self-awareness is scored on) and prints the minute each fires against the page. A row with no
monitor firing before the page caps a perfect player's self-awareness.

Not a test (tests/game/test_monitor_reach.py is): a reader's table.
"""

from __future__ import annotations

import argparse

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.game.generator import random_id, scenario


def reach(sid: str, seed: int) -> tuple[str, list[str], bool]:
    sc = scenario(sid) if sid.startswith("random-") else loader.scenario(sid)
    g = Game(sc, seed)
    w = remediations.clean(g.world)
    rows, ok = [], False
    for rid in sc.answers.remediations:
        if rid not in remediations.MONITORS:
            continue
        rep = remediations.replay(rid, w)
        if rep is None:
            rows.append(f"{rid}: does not fit")
            continue
        lead = rep.lead_minutes
        ok = ok or (lead is not None and lead > 0)
        at = "never" if rep.fired_at is None else f"t={rep.fired_at} lead {lead}"
        rows.append(f"{rid}: {at}")
    return f"{sid} [{sc.fault.kind} {sc.answers.cause}] (page t={w.page_at})", rows, ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nights", type=int, default=6)
    args = ap.parse_args()
    ids = loader.scenario_ids() + [random_id(n, ("easy", "normal", "hard")[n % 3])
                                   for n in range(1, args.nights + 1)]
    short = []
    for sid in ids:
        head, rows, ok = reach(sid, args.seed)
        print(f"{'ok ' if ok else 'NO '} {head}: {'; '.join(rows) or 'no monitor in the key'}")
        if not ok:
            short.append(sid)
    print(f"\n{len(ids) - len(short)} of {len(ids)} reachable; not: {', '.join(short) or '-'}")


if __name__ == "__main__":
    main()
