"""Generated command lines against the headless session: whatever arrives, every reply is one
JSON object on one line, the session goes on, and the record replays exactly."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fuzz_budget import budget, count, timed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall import headless
from oncall.content import loader
from oncall.game.commands import FIXES, TESTS, VERBS
from oncall.session import replay

SCENARIOS = sorted(loader.scenarios())
MODELS = ["fraud-scorer", "recsys-ranker", "search-ranker", "eta-predictor", "nope", ""]
FIELDS = ["model", "metric", "window", "feature", "test", "level", "grep", "alert", "minutes",
          "message", "category", "cause", "evidence", "fix", "team", "to", "note", "by",
          "correction", "summary", "remediations", "action_items", "lessons", "x"]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
field_values = st.one_of(
    json_values, st.sampled_from(MODELS), st.sampled_from(list(TESTS)),
    st.sampled_from(list(FIXES)), st.sampled_from(["prediction", "all", "pred_mean",
                                                   "latency_p99_ms", "obs-1", "obs-2", "D4"]),
    st.integers(min_value=-5, max_value=2000))


@st.composite
def commands(draw: st.DrawFn) -> str:
    verb = draw(st.one_of(st.sampled_from(sorted(VERBS)), st.text(max_size=12)))
    cmd: dict[str, Any] = {"do": verb}
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        cmd[key] = draw(field_values)
    return json.dumps(cmd)


def nested(depth: int, opener: str, closer: str) -> str:
    return '{"do": "update", "message": ' + opener * depth + closer * depth + "}"


junk_lines: st.SearchStrategy[bytes] = st.one_of(
    commands().map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=60).map(lambda t: t.replace("\n", " ").encode("utf-8", "surrogatepass")),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ")),
    st.integers(min_value=1, max_value=3000).map(lambda n: nested(n, "[", "]").encode()),
    st.integers(min_value=1, max_value=1500).map(
        lambda n: ('{"do": "x", "a": ' + '{"a": ' * n + "1" + "}" * n + "}").encode()),
    st.integers(min_value=4000, max_value=6000).map(lambda n: b'{"do": "wait", "minutes": '
                                                    + b"9" * n + b"}"),
    st.integers(min_value=1000, max_value=300_000).map(
        lambda n: json.dumps({"do": "update", "message": "m" * n}).encode()),
    st.sampled_from([b'{"do": "ack", "x": NaN}', b'{"do": "ack", "x": -Infinity}',
                     b'{"do": "ack", "x": 1e999}', b'{"do": "update", "message": "\\ud800"}',
                     b'"\\udfff"', b"\xff\xfe", b"\xc3\x28", b"{", b"}", b"null", b"[]"]),
)


@st.composite
def sessions(draw: st.DrawFn) -> tuple[str, int, list[bytes]]:
    sid = draw(st.sampled_from(SCENARIOS))
    seed = draw(st.sampled_from([0, 1, 7, 2**63 - 1]))
    right = [json.dumps(c).encode() for c in loader.scenario(sid).playbook.right]
    lines = right[: draw(st.integers(min_value=0, max_value=len(right)))]
    for _ in range(draw(st.integers(min_value=1, max_value=budget(25, 60)))):
        lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), draw(junk_lines))
    return sid, seed, lines


def blank(line: bytes) -> bool:
    """As the protocol reads it: valid UTF-8 that is only white space."""
    try:
        return not line.decode("utf-8").strip()
    except UnicodeDecodeError:
        return False


@pytest.mark.heavy
@settings(max_examples=budget(15, 350), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(sessions())
def test_any_line_gets_one_json_line_and_the_record_replays(case: tuple[str, int, list[bytes]]
                                                            ) -> None:
    sid, seed, lines = case
    scenario = loader.scenario(sid)
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as home, timed("headless lines"):
        session = headless.run(scenario, seed, None, io.BytesIO(b"\n".join(lines) + b"\n"), out,
                               Path(home))
        replies = out.getvalue().splitlines()  # the strictest reader's idea of a line
        assert out.getvalue().endswith("\n") and len(replies) == out.getvalue().count("\n")
        sent = [x for x in lines if not blank(x)]
        assert len(replies) == 1 + len(sent)
        for reply in replies:
            obj = json.loads(reply)
            assert isinstance(obj, dict) and "kind" in obj
        assert session.errors == 0, replies  # no unexpected exception inside the engine
        again, card = replay(session.record, scenario)
        assert again.model_dump(mode="json") == session.record.model_dump(mode="json")
        if session.ended:
            assert session.outcome is not None and session.outcome.ok
            assert card == session.card
    count("headless lines", len(sent))
