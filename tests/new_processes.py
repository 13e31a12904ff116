"""Plays in new interpreters, one per hash seed, shared by the tests that compare their bytes:
every scenario's right play through `oncall play --headless` (tests/content/test_conformance.py)
and two scenarios' whole records (tests/test_determinism.py). Two processes serve both, started
side by side (a worker waiting on one would leave its core idle); the tests that read them share
one xdist group, `GROUP`, so they start once per run.

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

SCRIPT = """
import io, json, sys
from oncall import cli, headless
from oncall.content import loader
record_ids, record_seed, play_seed, sids = json.loads(sys.argv[1])
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
json.dump({"records": records, "plays": plays}, sys.stdout, sort_keys=True)
"""


@cache
def runs() -> tuple[dict[str, Any], ...]:
    """For each hash seed, what its new process printed: `records` (sid -> the record as JSON
    data) and `plays` (sid -> [exit status, the headless protocol's output])."""
    job = json.dumps([RECORD_IDS, RECORD_SEED, PLAY_SEED, sorted(loader.scenarios())])
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
