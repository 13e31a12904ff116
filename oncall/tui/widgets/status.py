"""The status bar: the incident's pressure on two lines, wherever the player is.

Line one: the simulated clock, phase, severity, minutes since the page, the acknowledge countdown
(or how late it was), requests affected and failed, and the error budget spent. Line two: the
alerts firing, critical first, cut with "+N more" to the width. Rendered from the engine's
`glance` (taken under the session's lock), so nothing here touches the world.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from oncall.sim.impact import describe

SEVERITY_TAG = {"critical": "CRIT", "warning": "WARN", "ticket": "TICK"}
BUDGET_STEPS = (1.0, 2.0, 5.0, 10.0)
"""Error-budget shares (percent of the 30-day budget) whose crossing raises a toast; 2, 5 and 10
are the SRE workbook's burn-rate alert levels."""


def ack_text(state: dict[str, Any]) -> str:
    """The acknowledge countdown while paged; how long it took afterwards."""
    target = int(state.get("ack_target", 5))
    if state.get("acked_at") is not None:
        late = int(state["acked_at"]) - int(state["page_at"])
        return f"acked in {late} min" + (" (late)" if late > target else "")
    if state.get("phase") not in ("paged",):
        return ""
    left = target - (int(state["now"]) - int(state["page_at"]))
    return f"ACK in {left} min" if left > 0 else f"ACK OVERDUE {-left} min"


def ack_overdue(state: dict[str, Any]) -> bool:
    return (state.get("phase") == "paged" and state.get("acked_at") is None
            and int(state["now"]) - int(state["page_at"]) > int(state.get("ack_target", 5)))


def impact_text(state: dict[str, Any]) -> str:
    return describe(state.get("impact") or {}, short=True)


def alerts_line(firing: list[tuple[str, str, str]] | list[list[str]], width: int) -> str:
    """Firing alerts, critical first (the engine's order), as many as fit, then "+N more"."""
    if not firing:
        return "nothing firing"
    names = [f"{SEVERITY_TAG.get(sev, sev.upper())} {rule}/{model}" for sev, rule, model in firing]
    shown: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        more = f", +{rest} more" if rest else ""
        candidate = ", ".join([*shown, name])
        if len(candidate + more) <= width:
            shown.append(name)
            continue
        left = len(names) - len(shown)
        if not shown:  # even the first does not fit: cut it, keep the count
            tail = f" +{left - 1} more" if left > 1 else ""
            room = max(1, width - len(tail) - 1)
            return (name[:room] + "…" + tail) if len(name) > room else name + tail
        return ", ".join(shown) + f", +{left} more"
    return ", ".join(shown)


def short(n: float) -> str:
    """1,234 as 1,234; 123,456 as 123k; 1,234,567 as 1.2M."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 100_000:
        return f"{n / 1000:.0f}k"
    return f"{n:,.0f}"


def budget_crossed(before: float, after: float) -> list[float]:
    """The budget steps crossed going from `before` to `after` percent."""
    return [s for s in BUDGET_STEPS if before < s <= after]


class IncidentStatus(Static):
    """Two lines, fitted to the widget's width on every render and resize."""

    DEFAULT_CSS = "IncidentStatus { height: 2; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.state: dict[str, Any] = {}
        self.busy = False

    def show(self, state: dict[str, Any], busy: bool = False) -> None:
        self.state, self.busy = state, busy
        self.set_class(bool(state.get("firing")), "firing")
        self.set_class(ack_overdue(state), "overdue")
        self._render_text()

    def on_resize(self) -> None:
        self._render_text()

    def text_lines(self, width: int) -> tuple[str, str]:
        s = self.state
        if not s:
            return "", ""
        sev = f"SEV-{s['severity']}" if s.get("severity") else "SEV ?"
        since = int(s["now"]) - int(s["page_at"])
        busy = "  working…" if self.busy else ""
        parts = [s["clock"], s["phase"].upper(), sev, f"paged {since} min ago", ack_text(s),
                 impact_text(s), f"{s.get('obs', 0)} obs"]
        head = "  ".join(p for p in parts if p) + busy
        if len(head) > width:  # narrow: the same facts in short words
            imp = s.get("impact") or {}
            ack = ack_text(s).replace(" min", "m").replace("acked in", "acked")
            figures = (f"budget {imp.get('budget_consumed_pct', 0):g}%, "
                       f"{short(imp.get('requests_affected', 0))} affected, "
                       f"{short(imp.get('requests_failed', 0))} failed"
                       if "requests_affected" in imp or not imp else
                       f"quality SLO {imp.get('minutes_outside_quality_slo', 0):.0f}m out, "
                       f"budget {imp.get('quality_budget_consumed_pct', 0):g}%")
            head = f"{s['clock']} {s['phase'].upper()} {sev} +{since}m {ack} │ {figures}" + busy
            head = head if len(head) <= width else head[: width - 1] + "…"
        return head, alerts_line(s.get("firing", []), width)

    def _render_text(self) -> None:
        width = max(20, self.size.width or 78)
        self.update("\n".join(self.text_lines(width)))
