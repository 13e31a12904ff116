"""What new interpreters compute, one per hash seed, shared by the tests that compare their bytes:
every scenario's right play through `oncall play --headless` (tests/content/test_conformance.py),
two scenarios' whole records (tests/test_determinism.py) and a week of a fleet's telemetry
(tests/sim/test_telemetry.py). Two processes serve all three, started side by side (a worker
waiting on one would leave its core idle); the tests that read them share one xdist group,
`GROUP`, so they start once per run. They take the test's environment, and with it the run's
content cache (never the user's).

What a fork or the test process cannot show, these do: the bytes do not depend on the hash seed
or on anything a process keeps from an earlier run of the game.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from typing import Any

import pytest

from oncall.content import loader

GROUP = pytest.mark.xdist_group("new-processes")
HASH_SEEDS = ("1", "4242")
PLAY_SEED = 7
"""The seed of every scenario's right play."""
RECORD_IDS = ("fraud-1", "feed-1")
RECORD_SEED = 11
"""The scenarios, and their seed, whose whole records are compared."""
WEEK = ("feed-1", 5)
"""The scenario and seed of the world whose week of telemetry is compared."""

SCRIPT = """
import io, json, sys, zlib
import numpy as np
from oncall import cli, headless
from oncall.content import loader
from oncall.game.engine import world_spec
from oncall.sim.world import World
record_ids, record_seed, play_seed, sids, (week_id, week_seed) = json.loads(sys.argv[1])
w = World(week_seed, world_spec(loader.scenario(week_id), "normal"))
v = np.concatenate([w.series(n, k, -7 * 1440, 0)[1] for n in w.fleet.names()
                    for k in ("rps", "pred_mean", "error_rate", "latency_p99_ms")])
week = zlib.crc32(v.tobytes())
records = {}
for sid in record_ids:
    sc = loader.scenario(sid)
    lines = "\\n".join(json.dumps(c) for c in sc.playbook.right)
    session = headless.run(sc, record_seed, None, io.StringIO(lines), io.StringIO(), save=False)
    records[sid] = session.record.model_dump(mode="json")
plays = {}
for sid in sids:
    script = "\\n".join(json.dumps(c) for c in loader.scenario(sid).playbook.right) + "\\n"
    sys.stdin, sys.stdout = io.StringIO(script), io.StringIO()
    code = cli.main(["play", "--headless", "--seed", str(play_seed), "--scenario", sid,
                     "--no-save"])
    plays[sid] = [code, sys.stdout.getvalue()]
    sys.stdout = sys.__stdout__
json.dump({"week": week, "records": records, "plays": plays}, sys.stdout, sort_keys=True)
"""


@cache
def runs() -> tuple[dict[str, Any], ...]:
    """For each hash seed, what its new process printed: `week` (the CRC-32 of the week's
    minute values of every model's rps, prediction mean, error rate and p99 latency),
    `records` (sid -> the record as JSON data) and `plays` (sid -> [exit status, the headless
    protocol's output])."""
    job = json.dumps([RECORD_IDS, RECORD_SEED, PLAY_SEED, sorted(loader.scenarios()), WEEK])
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, job], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONHASHSEED": hashseed})
             for hashseed in HASH_SEEDS]
    out = []
    for proc in procs:
        printed, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        out.append(json.loads(printed))
    return tuple(out)
