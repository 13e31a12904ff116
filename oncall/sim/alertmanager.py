"""Alertmanager between the alert rules and the pager: grouping, inhibition, silences,
re-notification of unacknowledged pages and escalation to the secondary on-call.

The rules (oncall.sim.alerts) say what fires; this decides what wakes someone. Alerts are grouped
by service (the model label), as `group_by: [alertname, cluster, service]` would put one
service's alerts into one notification. A firing critical alert inhibits warnings with the same
model label, and an alert that explains the others (a scrape target down, pods crash-looping, as
a node-down alert mutes the pods' symptoms on that node) inhibits its listed symptoms. Ticket
alerts never page. An unacknowledged page is re-sent every RENOTIFY_MIN minutes and goes to the
secondary after ACK_WINDOW_MIN. A silence mutes matching alerts until its expiry; an alert still
firing when the silence expires notifies again.

Everything is evaluated from the world's alert episodes at the simulated minutes the game asks
about, so the same night always notifies the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oncall.sim.alerts import RULES_BY_NAME, Episode

ACK_WINDOW_MIN = 5
RENOTIFY_MIN = 3
GROUP_WAIT_MIN = 1
"""Alertmanager's group_wait (30 s) rounded up to the simulated minute."""

INHIBITS: dict[str, tuple[str, ...]] = {
    "ModelScrapeTargetDown": ("*",),
    "PodCrashLooping": ("ModelHigh5xxRatio", "ModelHighP99Latency", "ErrorBudgetBurnFast"),
}
"""Source alert -> the alerts it mutes on the same model (besides critical muting warnings);
`*`: every other alert."""


@dataclass(slots=True)
class Silence:
    id: str
    rule: str
    model: str
    starts_at: int
    ends_at: int
    expired_noted: bool = False

    def matches(self, rule: str, model: str, t: int) -> bool:
        return (self.starts_at <= t < self.ends_at and self.model == model
                and self.rule in (rule, "*"))


@dataclass(slots=True)
class Page:
    """One notification group: a service's alerts, as the pager shows them."""

    id: str
    model: str
    severity: str
    opened_at: int
    alerts: list[str] = field(default_factory=list)
    notified: list[int] = field(default_factory=list)
    acked_at: int | None = None
    escalated_at: int | None = None
    inhibited: list[str] = field(default_factory=list)


def inhibited(active: list[Episode]) -> set[tuple[str, str]]:
    """The (rule, model) pairs muted by another alert firing on the same model."""
    out: set[tuple[str, str]] = set()
    by_model: dict[str, list[str]] = {}
    for e in active:
        by_model.setdefault(e.model, []).append(e.rule)
    for model, rules in by_model.items():
        critical = any(RULES_BY_NAME[r].severity == "critical" for r in rules)
        for r in rules:
            if critical and RULES_BY_NAME[r].severity == "warning":
                out.add((r, model))
            for src in rules:
                if src != r and ({r, "*"} & set(INHIBITS.get(src, ()))):
                    out.add((r, model))
    return out


class Alertmanager:
    """Pages built from firing alerts; `step` is called each time the simulated clock moves."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.silences: list[Silence] = []
        self._by_model: dict[str, str] = {}
        self._live: set[tuple[str, str]] = set()

    def page_for(self, model: str) -> Page | None:
        pid = self._by_model.get(model)
        return self.pages[pid] if pid else None

    def silence(self, rule: str, model: str, now: int, minutes: int) -> Silence:
        s = Silence(f"s{len(self.silences) + 1}", rule, model, now, now + minutes)
        self.silences.append(s)
        self._live = {k for k in self._live if not s.matches(k[0], k[1], now)}
        return s

    def silenced(self, rule: str, model: str, t: int) -> bool:
        return any(s.matches(rule, model, t) for s in self.silences)

    def ack(self, page: Page, now: int) -> None:
        page.acked_at = now

    def step(self, before: int, now: int, episodes: list[Episode]) -> list[dict[str, object]]:
        """What the pager did in (before, now]: new pages, re-notifications, escalations,
        expired silences, each at a minute of that span (none later than `now`). `episodes`:
        the alert episodes that fired by `now` (one that fired and cleared within the span
        still paged)."""
        active = [e for e in episodes if e.fired_at <= now
                  and (e.ended_at is None or e.ended_at > before)]
        events: list[dict[str, object]] = []
        for s in self.silences:
            if not s.expired_noted and before < s.ends_at <= now:
                s.expired_noted = True
                events.append({"t": s.ends_at, "kind": "silence_expired", "silence": s.id,
                               "text": f"silence {s.id} on {s.rule} {s.model} expired"})
        muted = inhibited(active)
        live: set[tuple[str, str]] = set()
        for e in sorted(active, key=lambda e: (e.fired_at, e.rule, e.model)):
            key = (e.rule, e.model)
            rule = RULES_BY_NAME[e.rule]
            firing_now = e.ended_at is None or e.ended_at > now
            # Still firing: muted if a silence covers it now (an expired one no longer does);
            # fired and cleared within the span: muted if a silence covered its firing.
            when = now if firing_now else max(e.fired_at, before + 1)
            if (rule.severity == "ticket" and not rule.pages) or \
                    self.silenced(e.rule, e.model, when):
                continue
            if key in muted:
                page = self.page_for(e.model)
                if page is not None and e.rule not in page.inhibited:
                    page.inhibited.append(e.rule)
                continue
            if firing_now:
                live.add(key)
            if key in self._live:
                continue
            due = e.fired_at + GROUP_WAIT_MIN
            if due > now:
                # Still in its group wait: it notifies at the step that reaches `due`, never
                # in an answer that stops before it.
                live.discard(key)
                continue
            at = due if due > before else now
            page = self.page_for(e.model)
            if page is None:
                page = Page(f"p{len(self.pages) + 1}", e.model, rule.severity, at)
                self.pages[page.id] = page
                self._by_model[e.model] = page.id
                page.notified.append(at)
                events.append({"t": at, "kind": "page", "page": page.id, "model": e.model,
                               "rule": e.rule, "severity": rule.severity,
                               "text": f"PAGE {page.id}: {e.rule} on {e.model} ({rule.severity})"})
            elif e.rule not in page.alerts:
                if rule.severity == "critical":
                    page.severity = "critical"
                events.append({"t": at, "kind": "grouped", "page": page.id, "model": e.model,
                               "rule": e.rule, "text": f"{e.rule} on {e.model} joined page "
                                                      f"{page.id}"})
            else:
                events.append({"t": at, "kind": "repage", "page": page.id, "model": e.model,
                               "rule": e.rule, "text": f"{e.rule} on {e.model} fires again: "
                                                      f"page {page.id} notified again"})
            if e.rule not in page.alerts:
                page.alerts.append(e.rule)
        self._live = live
        for page in self.pages.values():
            if page.acked_at is not None:
                continue
            t = page.notified[-1] + RENOTIFY_MIN
            while t <= now:
                page.notified.append(t)
                events.append({"t": t, "kind": "renotify", "page": page.id,
                               "text": f"page {page.id} ({page.model}) still unacknowledged: "
                                       "sent again"})
                t += RENOTIFY_MIN
            due = page.opened_at + ACK_WINDOW_MIN
            if page.escalated_at is None and due <= now:
                page.escalated_at = due
                events.append({"t": due, "kind": "escalation", "page": page.id,
                               "text": f"page {page.id} ({page.model}) unacknowledged for "
                                       f"{ACK_WINDOW_MIN} minutes: escalated to the secondary "
                                       "on-call"})
        events.sort(key=lambda ev: (int(ev["t"]), str(ev["kind"])))  # type: ignore[call-overload]
        return events
