"""Every line a fault writes is evidence of it, at any level, in the logs or the cluster's
events: a senior's citations of them are never called padding."""

from __future__ import annotations

from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.game.engine import Game
from oncall.scoring.diagnosis import shows_cause


def _signals(sid: str, cmd: dict[str, object]) -> list[str]:
    g = Game(loader.scenario(sid), 1)
    g.do({"do": "ack"})
    return g.do(cmd).signals


def test_an_error_line_and_an_infra_event_of_the_fault_show_its_cause() -> None:
    errors = _signals("fraud-3", {"do": "logs", "model": "fraud-scorer", "level": "ERROR"})
    assert shows_cause(errors, "I6") == ["own-log:feature_store_timeouts-1"]
    events = _signals("fraud-3", {"do": "infra", "model": "fraud-scorer"})
    assert shows_cause(events, "I6") == ["own-event:feature_store_timeouts-0"]
    # another cause's kinds leave other lines: no credit across causes
    assert shows_cause(errors, "I5") == []


def test_a_line_an_explicit_signal_already_matches_gets_no_second_signal() -> None:
    kind = fault_kinds()["feature_store_timeouts"]
    own = [s.id for s in kind.signals if s.id.startswith("own-")]
    # the WARN template is the explicit `store-timeouts`; the ERROR, the second WARN and the
    # readiness event are the fault's own
    assert own == ["own-log:feature_store_timeouts-1", "own-log:feature_store_timeouts-2",
                   "own-event:feature_store_timeouts-0"]
