"""Runbooks in the prometheus-operator layout, one per alert, for every cause the alert can mean.

The Markdown lives in the content folder (`runbooks/ALERT.md`), which the game's `runbook` tool
shows during play. Its commands name the model as `$MODEL` (and the namespace as `$NAMESPACE`);
an export fills them in and adds the rule exactly as exported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncall.content import loader

if TYPE_CHECKING:
    from oncall.sim.fleet import Model

NAMESPACE = "ml-serving"
"""The Kubernetes namespace the serving pods run in."""
RUNBOOK_BASE = "https://runbooks.example.com/ml-platform"
"""Where a team publishes its runbooks: the placeholder `oncall export --runbook-base` replaces.
Each alert's `runbook_url` is this base and `/ALERT.md`."""


def url(base: str, alert: str) -> str:
    return f"{base.rstrip('/')}/{alert}.md"


def render(alert: str, model: Model, expr: str) -> str:
    """The alert's runbook with the model filled in and the rule as exported under Meaning."""
    text = loader.runbook(alert)
    text = text.replace("$MODEL", model.name).replace("$NAMESPACE", NAMESPACE) \
        .replace("$TEAM", model.team)
    head, sep, rest = text.partition("## Impact")
    rule = f"The rule as exported for {model.name}:\n\n```promql\n{expr}\n```\n\n"
    return head.rstrip() + "\n\n" + rule + sep + rest if sep else text
