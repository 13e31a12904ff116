"""A shift is a pure function of its seed, length, difficulty and commands: replays rebuild the
record byte for byte, in this process and in a new one, and its card re-scores the same."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from shift_players import Calm, Panicker

from oncall.game.shift import Shift
from oncall.scoring.shift import score_shift
from oncall.store.jsonio import dump_json


def _replay(record_shift: Shift) -> Shift:
    r = record_shift.record
    fresh = Shift(r.seed, r.length, r.difficulty)
    for entry in r.entries:
        fresh.do(entry.command)
    return fresh


def test_replay_rebuilds_the_record_byte_for_byte() -> None:
    for player in (Calm, Panicker):
        s = player(Shift(5, difficulty="hard")).play()
        again = _replay(s)
        assert dump_json(again.record) == dump_json(s.record)
        assert score_shift(again.record) == score_shift(s.record)


@pytest.mark.heavy
def test_headless_shift_replays_identically_in_new_processes() -> None:
    s = Calm(Shift(11)).play()
    lines = "\n".join(json.dumps(e.command) for e in s.record.entries) + "\n"
    cmd = [sys.executable, "-m", "oncall", "shift", "--headless", "--seed", "11", "--no-save"]
    outs = [subprocess.run(cmd, input=lines.encode(), capture_output=True, check=True,
                           timeout=120).stdout for _ in range(2)]
    assert outs[0] == outs[1]
    last = json.loads(outs[0].splitlines()[-1])
    assert last["scorecard"] == score_shift(s.record).model_dump(mode="json")
    # Nothing hidden reaches the player: no answer keys, no evidence tags.
    text = outs[0].decode()
    assert '"signals"' not in text and '"gates"' not in text and '"right"' not in text


def test_a_shift_holds_three_to_eight_items_arriving_over_time() -> None:
    for seed, difficulty in enumerate(("easy", "normal", "hard", "normal")):
        s = Shift(seed, difficulty=difficulty)
        assert s.do({"do": "end"}).ok
        items = s.record.facts.items
        assert 3 <= len(items) <= 8
        times = sorted(it.arrives_at for it in items)
        assert times[-1] - times[0] >= 60
        assert all(it.requester and it.need and it.deadline > it.arrives_at for it in items)
        assert {it.kind for it in items} >= {"incident", "noise"}


def test_every_result_of_a_headless_night_carries_an_obs_id() -> None:
    """As in the war room, every answer that is not a refusal has an obs id, unique in the
    night: a noise page's acknowledgement, `status`, `queue` and `help` included."""
    import io

    from oncall.headless import run_shift

    s = Calm(Shift(5, difficulty="hard")).play()
    night = [e.command for e in s.record.entries
             if e.observation.t < s.record.facts.end and e.command.get("do") != "end"]
    cmds = [{"do": "help"}, {"do": "queue"}, {"do": "status"}, *night,
            {"do": "reply", "about": "c1", "evidence": ["obs-999"]},
            {"do": "end"}, {"do": "status"}, {"do": "queue"}, {"do": "help"}]
    out = io.StringIO()
    run_shift(5, s.length, "hard", io.StringIO("\n".join(json.dumps(c) for c in cmds) + "\n"),
              out, save=False)
    answers = [json.loads(line) for line in out.getvalue().splitlines()[1:]]
    assert len(answers) == len(cmds)
    done = [(c["do"], a) for c, a in zip(cmds, answers, strict=True) if a["ok"]]
    assert {"help", "queue", "status", "ack", "silence", "end"} <= {d for d, _ in done}
    assert [d for d, a in done if not a.get("id")] == []
    ids = [a["id"] for _, a in done]
    assert len(ids) == len(set(ids))
    refused = answers[len(cmds) - 5]
    assert not refused["ok"] and refused["cost"] == 0 and "obs-999" in refused["error"]
