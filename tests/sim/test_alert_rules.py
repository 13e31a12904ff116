"""The alert rules are real PromQL: every expression parses, and every recording rule an
expression reads is defined (otherwise Prometheus evaluates it to nothing, silently)."""

from __future__ import annotations

import pytest

from oncall.sim.alerts import RECORDING_RULES, RULES, prometheus_rules
from oncall.sim.fleet import build_fleet

pytest.importorskip("promql_parser")
from promql_names import selectors


def test_every_alert_and_recording_rule_parses_and_reads_only_defined_recordings() -> None:
    fleet = build_fleet(3)
    for rule in RULES:
        for model in fleet.models.values():
            if not rule.applies(model):
                continue
            used = {n for n in selectors(rule.expression(model)) if ":" in n}
            assert used <= set(RECORDING_RULES), f"{rule.name} reads undefined {used}"
    for name, expr in RECORDING_RULES.items():
        assert ":" in name and not any(":" in n for n in selectors(expr)), name


def test_a_rule_file_carries_the_recordings_its_alerts_read() -> None:
    model = next(iter(build_fleet(3).models.values()))
    doc = prometheus_rules(RULES, model, "oncall")
    records = {r["record"] for g in doc["groups"] for r in g["rules"] if "record" in r}
    alerts = [r for g in doc["groups"] for r in g["rules"] if "alert" in r]
    needed = {n for a in alerts for n in selectors(a["expr"]) if ":" in n}
    assert needed and needed <= records
