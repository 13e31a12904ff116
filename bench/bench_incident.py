"""What one incident costs: the import floor, a headless right play per scenario as a player's
process runs it, and the per-incident cost when many seeds play in one process.

    python bench/bench_incident.py [--runs 5] [--seeds 1-50] [--profile]
    python bench/bench_incident.py --fleet 100,300,1000 [--against REF]

(a) the floor: `python -c "import numpy, pydantic, yaml"` in a fresh interpreter (median of
    --runs);
(b) `oncall play --headless --seed 7 --scenario S --no-save` fed the scenario's right playbook,
    per shipped scenario (median of --runs), and its ratio to the floor;
(c) in one process, `Game(scenario, seed)` plus the right playbook through `game.do` for each
    seed of --seeds: mean and slowest milliseconds per incident. --profile adds the top cProfile
    entries of (c), by cumulative and by own time.
(d) with --fleet: fraud-1 at seed 7 in a fleet of each size, in a fresh process per size: the
    world's build (`Game`), the slowest of the right playbook's commands and of the looks a player
    takes at the whole fleet (`status`, `fleet`, a wait), and the process's peak memory. The game
    draws one model per archetype (18 at most); a bigger fleet is the drawn one plus copies of the
    archetypes under new names (`fraud-scorer-0018`), each with its own seeded owners, traffic
    share and deploy history, built by `build_fleet`'s own helpers. `--against REF` times the
    same in a checkout of git revision REF, with its own script, in the same run. The process
    collects cycles as the game's does (`oncall.cli.GC_THRESHOLDS`, the imports frozen).

Not a test: timings vary by machine, ratios much less. Bench code may read the wall clock; the
game never does.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import numpy, pydantic, yaml"


def player_env(cache: Path) -> dict[str, str]:
    """The environment of a player's process: Python keeps the bytecode it compiles (a shell
    with PYTHONDONTWRITEBYTECODE set would have every run compile the game's modules again, a
    tenth of a second no player pays) and the validated content is cached in `cache`, a folder
    of the bench's own (the shared user cache keeps 4 versions of the code, so other checkouts
    on the machine would evict it between runs)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"ONCALL_CACHE": str(cache)}


def seeds(text: str) -> list[int]:
    """`1-50` or `7` or `1,5,9`."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def timed_run(argv: list[str], stdin: str = "", cwd: Path = ROOT,
              env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system) and stdout of one process run in `cwd`
    (`-m oncall` imports the oncall found there, so a checkout of another revision runs its own
    code). CPU time holds up on a busy machine, where wall time does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, cwd=cwd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return took, cpu, proc.stdout


def wall(argv: list[str], stdin: str = "", cwd: Path = ROOT,
         env: dict[str, str] | None = None) -> tuple[float, str]:
    took, _, out = timed_run(argv, stdin, cwd, env)
    return took, out


def median_wall(argv: list[str], runs: int, stdin: str = "", cwd: Path = ROOT,
                env: dict[str, str] | None = None) -> tuple[float, str]:
    _, out = wall(argv, stdin, cwd, env)  # also warms the file cache
    return statistics.median(wall(argv, stdin, cwd, env)[0] for _ in range(runs)), out


def checkout(ref: str, into: Path) -> Path:
    """The tree of git revision `ref` written under `into`, to run as a same-run baseline."""
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(f"git archive {ref} | tar -x -C {into}", shell=True, cwd=ROOT, check=True)
    return into


def play_headless(sid: str, script: str, runs: int, env: dict[str, str]) -> tuple[float, str]:
    """Median wall time, and what the play ended with: its score, or the commands refused."""
    argv = [sys.executable, "-m", "oncall", "play", "--headless", "--seed", "7", "--scenario",
            sid, "--no-save"]
    took, out = median_wall(argv, runs, script, env=env)
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    refused = sum(not line.get("ok", True) for line in lines)
    card = lines[-1].get("scorecard") if lines else None
    end = f"score {card['total']}/{card['max']}" if card else "no scorecard"
    return took, end + (f", {refused} command(s) refused" if refused else "")


def play_in_process(scenarios: dict[str, Any], seed_list: list[int]) -> dict[str, list[float]]:
    from oncall.game.engine import Game

    took: dict[str, list[float]] = {}
    for sid, sc in scenarios.items():
        for seed in seed_list:
            start = time.perf_counter()
            game = Game(sc, seed)
            for cmd in sc.playbook.right:
                game.do(cmd)
            took.setdefault(sid, []).append(time.perf_counter() - start)
    return took


FLEET_RUN = """
import gc, json, resource, sys, time
import numpy as np
from oncall.cli import GC_THRESHOLDS
from oncall.content import loader
from oncall.game.engine import Game
from oncall.sim import fleet as fl, world as wd
from oncall.sim.catalogue import ARCHETYPES
from oncall.sim.names import Names

size = int(sys.argv[1])
drawn = fl.build_fleet


def grown(seed, size_asked=14, total_rps=500.0, must_include=()):
    base = drawn(seed, size_asked, total_rps, must_include)
    rng = np.random.default_rng([seed, 1, size])
    names = Names(seed + 1)
    share = base.total_rps / len(base.models)
    for i in range(len(base.models), size):
        arch = ARCHETYPES[i % len(ARCHETYPES)]
        gpu = arch.hardware == "gpu"
        rps = round(share * float(rng.uniform(0.5, 1.5)), 1)
        model = fl.Model(name=f"{arch.name}-{i:04d}", archetype=arch, owner=names.person(),
                         oncall_contact=names.person(), hardware=arch.hardware,
                         gpu_type=fl.GPU_TYPES[int(rng.integers(len(fl.GPU_TYPES)))]
                         if gpu else None, replicas=int(max(2, round(rps / (12 if gpu else 8)))),
                         rps=rps, slo=0.999, latency_slo_ms=round(arch.p99_ms * 1.6, 0))
        fl._history(model, rng, names)
        base.models[model.name] = model
    total = round(sum(m.rps for m in base.models.values()), 1)
    return fl.Fleet(models=base.models, total_rps=total)


wd.build_fleet = grown
sc = loader.scenario("fraud-1")
gc.set_threshold(*GC_THRESHOLDS)  # as the game's process collects (oncall.cli.main, _play)
gc.freeze()
start = time.perf_counter()
game = Game(sc, 7)
build = time.perf_counter() - start
assert len(game.world.fleet.models) == size, len(game.world.fleet.models)
looks = [{"do": "status"}, {"do": "fleet"}, {"do": "wait", "minutes": 5}, {"do": "status"}]
commands = [*sc.playbook.right[:-2], *looks, *sc.playbook.right[-2:]]
took = []
for cmd in commands:
    start = time.perf_counter()
    game.do(cmd)
    took.append((time.perf_counter() - start, cmd["do"]))
worst = max(took)
slow = sorted(((round(t * 1000), c) for t, c in took if t > 0.1), reverse=True)
print(json.dumps({"build": build, "worst": worst[0], "worst_cmd": worst[1], "slow": slow,
                  "mean": sum(t for t, _ in took) / len(took), "commands": len(took),
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fleet_sizes(sizes: list[int], env: dict[str, str], against: str | None = None) -> None:
    """(d): each size in this checkout and, with `against`, in that revision's checkout (with
    that revision's own script, which grows the fleet with its own helpers), taking turns."""
    print("(d) fraud-1, seed 7, by fleet size (a fresh process each; Game build, then the "
          "right playbook and a look at the fleet; the process's CPU time in brackets):")
    with tempfile.TemporaryDirectory() as tmp:
        runs = {"this checkout": (FLEET_RUN, ROOT)}
        if against:
            tree = checkout(against, Path(tmp) / "tree")
            old = runpy.run_path(str(tree / "bench" / "bench_incident.py"))["FLEET_RUN"]
            runs[against] = (old, tree)
        for size in sizes:
            for label, (script, cwd) in runs.items():
                _, cpu, out = timed_run([sys.executable, "-c", script, str(size)], cwd=cwd,
                                        env=env)
                r = json.loads(out)
                print(f"    {size:5d} models, {label}: build {r['build']:6.2f} s; commands mean "
                      f"{r['mean'] * 1000:7.1f} ms, slowest {r['worst'] * 1000:7.1f} ms "
                      f"({r['worst_cmd']}, of {r['commands']}); peak memory "
                      f"{r['rss_mib']:6.0f} MiB [{cpu:.2f} s CPU]")
                slow = ", ".join(f"{c} {ms} ms" for ms, c in r["slow"]) or "none"
                print(f"          over 100 ms: {slow}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seeds", default="1-50", help="e.g. 1-50 (default), 1-1000, 7")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process plays")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--fleet", help="fleet sizes to time, e.g. 100,300,1000 (only these)")
    parser.add_argument("--against", help="with --fleet: a git revision to time the same with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        return run(args, player_env(Path(tmp) / "cache"))


def run(args: argparse.Namespace, env: dict[str, str]) -> int:
    if args.fleet:
        fleet_sizes([int(n) for n in args.fleet.split(",")], env, args.against)
        return 0

    from oncall.content import loader

    ids = sorted(loader.scenarios())
    scenarios = {sid: loader.scenario(sid) for sid in ids}

    floor, _ = median_wall([sys.executable, "-c", FLOOR], args.runs, env=env)
    print(f"(a) import floor `{FLOOR}`: {floor * 1000:.0f} ms (median of {args.runs})")

    print(f"(b) headless right play, seed 7, fresh process (median of {args.runs}):")
    for sid, sc in scenarios.items():
        script = "".join(json.dumps(c) + "\n" for c in sc.playbook.right)
        took, end = play_headless(sid, script, args.runs, env)
        print(f"    {sid:24s} {took * 1000:6.0f} ms  {took / floor:4.1f}x the floor  "
              f"(+{(took - floor) * 1000:.0f} ms; {end})")

    seed_list = seeds(args.seeds)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    timings = play_in_process(scenarios, seed_list)
    if profiler:
        profiler.disable()
    print(f"(c) in one process, Game + right playbook, seeds {args.seeds} "
          f"({len(seed_list)} per scenario){' under cProfile' if profiler else ''}:")
    every = [t for ts in timings.values() for t in ts]
    for sid, ts in timings.items():
        slow = max(range(len(ts)), key=ts.__getitem__)
        print(f"    {sid:24s} mean {statistics.fmean(ts) * 1000:6.1f} ms  median "
              f"{statistics.median(ts) * 1000:6.1f} ms  slowest {ts[slow] * 1000:6.1f} ms "
              f"(seed {seed_list[slow]})")
    print(f"    all {len(every)} incidents: mean {statistics.fmean(every) * 1000:.1f} ms, "
          f"slowest {max(every) * 1000:.1f} ms (one-offs such as importing scipy.special at the "
          "process's first drift test land on one incident)")

    if profiler:
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key) \
                .print_stats(args.top)
            print(f"\n-- top {args.top} by {key} --")
            print(out.getvalue().split("\n\n", 1)[-1].rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
