"""Helpers the shift tests share: finding a night with a property, and driving it to a page."""

from __future__ import annotations

from typing import Any

from oncall.game.record import Observation
from oncall.game.shift import Shift

LOOKS: tuple[dict[str, Any], ...] = (
    {"do": "deploys"}, {"do": "dashboard", "metric": "error_rate", "by": "revision"},
    {"do": "dashboard", "metric": "pred_mean"}, {"do": "logs", "level": "ERROR"},
    {"do": "drift", "feature": "prediction"}, {"do": "infra"})


def night_with_rollback_fix(difficulty: str = "easy") -> Shift:
    """The first seed whose first incident a rollback fixes (the key is read only to pick the
    night, never to play it)."""
    for seed in range(40):
        s = Shift(seed, difficulty=difficulty)
        k = s.record.key.incidents[0]
        if any(m["kind"] == "rollback" for m in k.right):
            return s
    raise AssertionError("no night with a rollback fix in 40 seeds")


def until_page(s: Shift) -> dict[str, Any]:
    """Wait until something pages; acknowledge it; return its page."""
    while True:
        st = s.do({"do": "status"}).data
        waiting = [p for p in st["pages"] if p["acked_at"] is None]
        if waiting:
            s.do({"do": "ack", "page": waiting[0]["id"]})
            return dict(waiting[0])
        assert not s.ended
        s.do({"do": "wait", "minutes": 15})


def incident_page(s: Shift) -> dict[str, Any]:
    """Acknowledge pages until one is an incident's; return it."""
    incident_models = {i.model for i in s.world.incidents.values()}
    while True:
        page = until_page(s)
        if page["model"] in incident_models:
            return page


def look(s: Shift, model: str) -> list[Observation]:
    """Every look the tools offer at a model; the observations that succeeded."""
    out = []
    for cmd in LOOKS:
        obs = s.do({**cmd, "model": model})
        if obs.ok:
            out.append(obs)
    return out
