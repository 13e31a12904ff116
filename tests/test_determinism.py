"""Same seed, same commands: byte-identical records in two separate processes."""

from __future__ import annotations

import json

import new_processes
import pytest


# The record of each scenario from the two new processes of tests/new_processes.py, one per hash
# seed; the group keeps the tests that read them on one worker.
@new_processes.GROUP
@pytest.mark.parametrize("sid", new_processes.RECORD_IDS)
def test_records_are_byte_identical_across_processes(sid: str) -> None:
    first, second = (json.dumps(run["records"][sid], sort_keys=True)
                     for run in new_processes.runs())
    assert first == second
    record = new_processes.runs()[0]["records"][sid]
    assert record["ended"] and len(record["entries"]) > 10
