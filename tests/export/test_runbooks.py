"""Every alert the game can page with or an export can add has a runbook for the alert, not for
one incident: the operator layout, PromQL and kubectl in its diagnosis, a dashboard to replace,
how to silence it, and why its severity and `for` are what the rule says."""

from __future__ import annotations

import re

import pytest

from oncall.content import loader
from oncall.game.remediations.monitors import MONITORS
from oncall.sim.alerts import RULES

pytest.importorskip("promql_parser")
from promql_names import selectors

ALERTS = {r.name: (r.severity, r.for_min) for r in RULES} | {
    m.alert: (m.severity, m.default.for_min) for m in MONITORS.values()}
SECTIONS = ["Meaning", "Impact", "Diagnosis", "Mitigation", "Silencing", "Severity and `for`",
            "Escalation"]


@pytest.mark.parametrize("alert", sorted(ALERTS))
def test_the_runbook_covers_the_alert_with_queries_silencing_and_its_severity(
        alert: str) -> None:
    text = loader.runbook(alert)
    assert text.startswith(f"# {alert}\n")
    sections = loader.runbook_sections(text)
    assert list(sections) == SECTIONS, alert
    diagnosis = sections["Diagnosis"]
    assert "Dashboard: https://" in diagnosis and "replace with" in diagnosis
    blocks = re.findall(r"```promql\n(.*?)```", diagnosis, re.S)
    assert blocks and "```sh\n" in diagnosis and "kubectl" in diagnosis
    for block in blocks:
        for query in re.split(r"\n   (?=\S)(?!/)", block.strip()):  # a line each, or wrapped
            assert selectors(" ".join(query.split())), f"{alert}: {query!r}"
    steps = re.findall(r"^\d+\. ", diagnosis, re.M)
    assert len(steps) >= 2, "a diagnosis in steps"
    severity, for_min = ALERTS[alert]
    why = sections["Severity and `for`"]
    assert why.startswith(f"`{severity}`"), why[:40]
    assert (f"`for: {for_min}m`" in " ".join(why.split()) if for_min
            else "No `for`" in why or "for: 0m" in why), why
    assert "`$MODEL`" not in text and "MODEL`" not in text.replace("$MODEL", "")
