"""Generated commands against a night shift: whatever arrives, the shift answers with an
observation (never an internal error), and the record still replays byte for byte."""

from __future__ import annotations

from typing import Any

from fuzz_budget import budget, count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall.game.commands import VERBS
from oncall.game.shiftcommands import SHIFT_VERBS
from oncall.session import ShiftSession
from oncall.store.jsonio import dump_json

FIELDS = ["page", "item", "about", "evidence", "message", "minutes", "alert", "model", "fix",
          "team", "incident", "x"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10, max_value=10**6),
    st.text(max_size=12), st.sampled_from(["p1", "q1", "q2", "c1", "c2", "obs-1", "obs-3",
                                           "fraud-scorer", "*", "ModelHighP99Latency",
                                           "model-owners", "data-engineering", "main"]),
    st.lists(st.sampled_from(["obs-1", "obs-2", "obs-9"]), max_size=3))


@st.composite
def commands(draw: st.DrawFn) -> dict[str, Any]:
    verb = draw(st.sampled_from(sorted({*VERBS, *SHIFT_VERBS, "wait", "nope"})))
    cmd: dict[str, Any] = {"do": verb}
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        cmd[key] = draw(VALUES)
    return cmd


@settings(max_examples=budget(6, 60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands(), min_size=1, max_size=25))
def test_any_commands_leave_a_sound_replayable_shift(cmds: list[dict[str, Any]]) -> None:
    session = ShiftSession(4, 240, "normal", save=False)
    for cmd in cmds:
        obs = session.do(cmd)
        assert "internal error" not in obs.text, (cmd, obs.text)
        count("shift commands")
    assert session.errors == 0
    again = ShiftSession(4, 240, "normal", save=False)
    for entry in session.shift.record.entries:
        again.do(entry.command)
    assert dump_json(again.shift.record) == dump_json(session.shift.record)
