"""Same seed, same commands: byte-identical records in two separate processes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = """
import io, json, sys
from oncall import headless
from oncall.content import loader
sc = loader.scenario(sys.argv[1])
lines = "\\n".join(json.dumps(c) for c in sc.playbook.right)
game = headless.run(sc, 11, None, io.StringIO(lines), io.StringIO(), save=False)
sys.stdout.write(json.dumps(game.record.model_dump(mode="json"), sort_keys=True))
"""


@pytest.mark.parametrize("sid", ["fraud-1", "feed-1"])
def test_records_are_byte_identical_across_processes(sid: str) -> None:
    runs = [subprocess.run([sys.executable, "-c", SCRIPT, sid], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": str(h), "PATH": ""}, check=True).stdout
            for h in (1, 2)]
    assert runs[0] == runs[1]
    record = json.loads(runs[0])
    assert record["ended"] and len(record["entries"]) > 10
