"""Same seed, same commands: byte-identical records in two separate processes."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from typing import Any

import pytest

IDS = ["fraud-1", "feed-1"]
SCRIPT = """
import io, json, sys
from oncall import headless
from oncall.content import loader
records = {}
for sid in sys.argv[1:]:
    sc = loader.scenario(sid)
    lines = "\\n".join(json.dumps(c) for c in sc.playbook.right)
    game = headless.run(sc, 11, None, io.StringIO(lines), io.StringIO(), save=False)
    records[sid] = game.record.model_dump(mode="json")
sys.stdout.write(json.dumps(records, sort_keys=True))
"""


@cache
def records(hashseed: int) -> dict[str, Any]:
    """Both scenarios' records from one new process with this hash seed."""
    out = subprocess.run([sys.executable, "-c", SCRIPT, *IDS], capture_output=True, text=True,
                         env={"PYTHONHASHSEED": str(hashseed), "PATH": ""}, check=True).stdout
    return json.loads(out)


@pytest.mark.xdist_group("determinism-processes")
@pytest.mark.parametrize("sid", IDS)
def test_records_are_byte_identical_across_processes(sid: str) -> None:
    first, second = (json.dumps(records(h)[sid], sort_keys=True) for h in (1, 2))
    assert first == second
    record = records(1)[sid]
    assert record["ended"] and len(record["entries"]) > 10
