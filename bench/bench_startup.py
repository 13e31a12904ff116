"""Start-up and memory benchmark: prints ratios against a bare Textual app measured in this run.

    python bench/bench_startup.py [--runs 5]

Each measurement is a fresh interpreter, timed from process start until the first screen is
mounted and ready, so imports count as a player feels them. Not a test: timings vary by machine,
ratios much less.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

AUTO = """
async def ready(pilot):
    await pilot.pause()
    pilot.app.exit()
"""

BARE = AUTO + """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("title")
Bare().run(headless=True, size=(80, 24), auto_pilot=ready)
"""

ONCALL = AUTO + """
from oncall.tui.app import make_app
make_app().run(headless=True, size=(80, 24), auto_pilot=ready)
"""

INCIDENT = """
import io, json, resource
from oncall.content import loader
from oncall import headless
sc = loader.scenario("{sid}")
lines = "\\n".join(json.dumps(c) for c in sc.playbook.right)
out = io.StringIO()
headless.run(sc, 7, None, io.StringIO(lines), out, save=False)
last = json.loads(out.getvalue().splitlines()[-1])
print(json.dumps({{"score": last["scorecard"]["total"],
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def timed(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    timed(BARE)  # warm the file cache for both
    timed(ONCALL)
    bare = [timed(BARE) for _ in range(args.runs)]
    ours = [timed(ONCALL) for _ in range(args.runs)]
    b, o = statistics.median(bare), statistics.median(ours)
    print(
        f"title screen ready: oncall {o:.3f}s, bare Textual app {b:.3f}s, ratio {o / b:.2f}x "
        f"(median of {args.runs}; target <= 1.5x, and < 2 s)"
    )
    for sid in ("fraud-1", "feed-1", "search-1"):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", INCIDENT.format(sid=sid)],
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - start
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"headless incident {sid}: {took:.2f}s, peak memory "
            f"{res['maxrss_kb'] / 1024:.0f} MiB, score {res['score']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
