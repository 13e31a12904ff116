"""Every line a fault writes is evidence of it, at any level, in the logs or the cluster's
events: a senior's citations of them are never called padding."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.game.engine import Game
from oncall.scoring.diagnosis import shows_cause
from oncall.sim.faultdef import FaultKind
from oncall.story.spoken import markdown as spoken_markdown


def _signals(sid: str, cmd: dict[str, object]) -> list[str]:
    g = Game(loader.scenario(sid), 1)
    g.do({"do": "ack"})
    return g.do(cmd).signals


def test_an_error_line_and_an_infra_event_of_the_fault_show_its_cause() -> None:
    errors = _signals("fraud-3", {"do": "logs", "model": "fraud-scorer", "level": "ERROR"})
    assert shows_cause(errors, "I6") == ["log:request-deadline-exceeded"]
    events = _signals("fraud-3", {"do": "infra", "model": "fraud-scorer"})
    assert shows_cause(events, "I6") == ["event:readiness-probe-failed"]
    # another cause's kinds leave other lines: no credit across causes
    assert shows_cause(errors, "I5") == []


def test_a_line_an_explicit_signal_already_matches_gets_no_second_signal() -> None:
    kind = fault_kinds()["feature_store_timeouts"]
    own = [s.id for s in kind.signals if s.id.startswith(("log:", "event:"))]
    # the WARN template is the explicit `store-timeouts`; the ERROR, the second WARN and the
    # readiness event are the fault's own
    assert own == ["log:request-deadline-exceeded",
                   "log:circuit-closed-0-of-3-fallbacks-configured", "event:readiness-probe-failed"]


def test_a_story_quotes_the_line_it_cites_as_written() -> None:
    g = Game(loader.scenario("fraud-3"), 1)
    for cmd in [{"do": "ack"}, {"do": "logs", "model": "fraud-scorer", "level": "ERROR"},
                {"do": "diagnose", "category": "infra", "cause": "I6", "evidence": ["obs-2"]}]:
        g.do(cmd)
    told = spoken_markdown(g.record)
    assert "The logs showed that the service was logging \u201crequest deadline exceeded\u201d." \
        in told


def test_says_names_a_line_in_words_a_story_can_quote_and_refuses_fields() -> None:
    kind = fault_kinds()["segment_shift"]
    assert "log:a-source-tag-absent-from-the-7-day-baseline" in [s.id for s in kind.signals]
    doc = kind.model_dump(mode="json", exclude_none=True)
    line = next(t for t in doc["logs"] if "says" in t)
    line["says"] = "tag {params.tag} present"
    with pytest.raises(ValidationError, match="says"):
        FaultKind.model_validate(doc)
