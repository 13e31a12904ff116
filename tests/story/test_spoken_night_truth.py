"""Sentences of a spoken night said only when its record holds them: an answer to a push back
that cited nothing is not told as the gate's measurements, a deadline passed is not "inside
their deadline", and noise left open is not told as ticketed or silenced."""

from __future__ import annotations

from oncall.game.shift import Shift
from oncall.story.spoken_shift import spoken_shift

NIGHT = [
    {"do": "wait", "minutes": 30}, {"do": "wait", "minutes": 30}, {"do": "wait", "minutes": 30},
    {"do": "ack"}, {"do": "severity", "level": 2},
    {"do": "dashboard", "model": "fraud-scorer", "metric": "latency_p99_ms"},
    {"do": "hotfix", "model": "fraud-scorer", "fix": "fallback_cached_features"},
    *[{"do": "wait", "minutes": 5}] * 6,
    {"do": "ack"},
    {"do": "take", "about": "q2"},
    {"do": "reply", "about": "q2", "evidence": [],
     "message": "the integration suite failed; I will not override the gate tonight"},
    {"do": "resolve"},
    *[{"do": "wait", "minutes": 30}] * 9,
    {"do": "end"},
]
"""Seed 1: the incident handled; the search-ranker release's push back answered with no data,
its deadline (02:43) left to pass; a noisy alert taken and left open."""


def test_a_night_tells_only_what_its_record_holds() -> None:
    s = Shift(1)
    for command in NIGHT:
        s.do(command)
    rec = s.record
    item = next(it for it in rec.facts.items if it.id == "q2")
    assert item.outcome == "missed" and item.done_at == item.deadline
    tradeoff = spoken_shift(rec, "tradeoff")
    assert tradeoff is not None
    said = tradeoff.text
    assert "with what the gate had measured" not in said
    assert "cited nothing the gate had measured" in said
    assert "inside their deadline" not in said
    noise = [it for it in rec.facts.items if it.kind == "noise" and it.arrived]
    assert noise and any(it.outcome not in ("ticketed", "silenced") for it in noise)
    priorities = spoken_shift(rec, "prioritisation")
    assert priorities is not None
    assert "ticket or a silence" not in priorities.text
