"""The status bar: the incident's pressure on two lines, wherever the player is.

Line one: the simulated clock, phase, severity, minutes since the page, the acknowledge countdown
(or how late it was), requests affected and failed, and the error budget spent. Line two: the
alerts firing, critical first, cut with "+N more" to the width. Rendered from the engine's
`glance` (taken under the session's lock), so nothing here touches the world.

The budget spent shows as a burn bar, full at BURN_FULL percent of the 30-day budget (the highest
step that raises a toast), and once the page is acknowledged the next status update is counted
down against the targets the scorecard grades: the first within FIRST_UPDATE minutes of the
acknowledgement, then one at least every UPDATE_GAP minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from oncall.scoring.temperament import FIRST_UPDATE, UPDATE_GAP
from oncall.sim.impact import describe, unmeasured

if TYPE_CHECKING:
    from oncall.session import Session

SEVERITY_TAG = {"critical": "CRIT", "warning": "WARN", "ticket": "TICK"}
BUDGET_STEPS = (1.0, 2.0, 5.0, 10.0)
"""Error-budget shares (percent of the 30-day budget) whose crossing raises a toast; 2, 5 and 10
are the SRE workbook's burn-rate alert levels."""


BURN_FULL = 10.0
"""Percent of the 30-day error budget at which the incident's burn bar is full."""


def look(session: Session) -> dict[str, Any]:
    """The engine's glance, with the status updates posted so far (for the countdown)."""
    state = session.glance()
    state["updates_at"] = list(session.game.record.facts.updates_at)
    return state


def burn_bar(pct: float, cells: int = 10, full: float = BURN_FULL) -> str:
    """The share of `full` spent as a bar of `cells`: █ spent, ░ left."""
    filled = min(cells, round(cells * max(0.0, pct) / full))
    if pct > 0 and filled == 0:
        filled = 1  # any burn shows
    return "█" * filled + "░" * (cells - filled)


def update_due(state: dict[str, Any]) -> int | None:
    """Minutes until the next status update is due (negative: overdue): the first FIRST_UPDATE
    minutes after the acknowledgement, then UPDATE_GAP after the last. None before the
    acknowledgement and once the incident is resolved."""
    acked = state.get("acked_at")
    if acked is None or state.get("phase") != "active":
        return None
    ups = [t for t in state.get("updates_at", []) if t >= acked]
    due = (max(ups) + UPDATE_GAP) if ups else int(acked) + FIRST_UPDATE
    return int(due - int(state["now"]))


def update_text(state: dict[str, Any], short_form: bool = False) -> str:
    due = update_due(state)
    if due is None:
        return ""
    if short_form:
        return f"update {due}m" if due >= 0 else f"update LATE {-due}m"
    return f"update due in {due} min" if due >= 0 else f"update overdue {-due} min"


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
        return self.head(width), alerts_line(s.get("firing", []), width)

    def head(self, width: int) -> str:
        """Line one at its fullest that fits: every fact in words, then short words, then the
        short words without the request counts, then cut."""
        s = self.state
        imp = s.get("impact") or {}
        requests = "requests_affected" in imp or not imp
        pct = float(imp.get("budget_consumed_pct" if requests else "quality_budget_consumed_pct",
                            0))
        label = "budget" if requests else "quality budget"
        unlabelled = bool(imp) and unmeasured(imp)
        short_counts = ""
        if requests:
            aff, failed = short(imp.get("requests_affected", 0)), \
                short(imp.get("requests_failed", 0))
            counts, wide_counts = f"{aff} affected, {failed} failed", \
                f"{aff} req affected, {failed} failed"
        elif unlabelled:
            # labels not in yet: what the platform can see is the shift of the predictions
            shift, labelled = imp["prediction_shift_pct"], imp["labelled_pct"]
            counts = f"pred {shift:+.0f}%, {labelled:g}% labelled"
            short_counts = f"pred {shift:+.0f}%"
            wide_counts = f"predictions {shift:+.0f}% off training, {labelled:g}% labelled"
        else:
            out = f"{imp.get('minutes_outside_quality_slo', 0):.0f}"
            counts, wide_counts = f"quality SLO {out}m out", f"quality SLO {out} min out"
        # with no labels yet the quality budget says nothing: the shift is the figure shown
        budget = "" if unlabelled else f"{label} {burn_bar(pct)} {pct:g}%"
        budget5 = "" if unlabelled else f"{label} {burn_bar(pct, 5)} {pct:g}%"
        sev = f"SEV-{s['severity']}" if s.get("severity") else "SEV ?"
        since = int(s["now"]) - int(s["page_at"])
        busy = "  working…" if self.busy else ""
        parts = [s["clock"], s["phase"].upper(), sev, f"paged {since} min ago", ack_text(s),
                 update_text(s), wide_counts, budget, f"{s.get('obs', 0)} obs"]
        ack = ack_text(s).replace(" min", "m").replace("acked in", "acked")
        lead = " ".join(p for p in (s["clock"], s["phase"].upper(), sev, f"+{since}m", ack) if p)
        upd = update_text(s, short_form=True)
        tries = [
            "  ".join(p for p in parts if p),
            " │ ".join(p for p in (lead, upd, budget, counts) if p),
            " │ ".join(p for p in (lead, upd, budget5, counts) if p),
            " │ ".join(p for p in (lead, upd, budget5 or short_counts) if p),
        ]
        head = next((t for t in tries if len(t + busy) <= width), tries[-1]) + busy
        return head if len(head) <= width else head[: width - 1] + "…"

    def _render_text(self) -> None:
        width = max(20, self.size.width or 78)
        self.update("\n".join(self.text_lines(width)))
