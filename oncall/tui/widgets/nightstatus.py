"""The night shift's pressure in two lines, and its queue: read from the shift's own state.

Line one: the simulated clock and the time left on the shift, the pages waiting for an
acknowledgement with their countdown (red past the target), and when the next status update is
due. Line two: the error budget as a burn bar for the worst model, what the night has spent,
the models burning and the money committed to scale-ups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

if TYPE_CHECKING:
    from oncall.session import ShiftSession

ACK_TARGET = 5
FIRST_UPDATE = 15
"""Minutes after an acknowledgement by which the first status update is due."""
UPDATE_EVERY = {1: 30, 2: 30}
"""Minutes between status updates while a page is open, by declared severity (the shift's
scorecard asks one every 30 min at SEV-1 and SEV-2, or none declared; every 60 below)."""
UPDATE_EVERY_LOW = 60
BAR = 20


def view_of(session: ShiftSession) -> dict[str, Any]:
    """What the screen shows besides the log, read from the shift (no command, no record)."""
    shift = session.shift
    f = shift.record.facts
    items = {it.id: it for it in f.items}
    open_pages = [p for p in f.pages if p.acked_at is not None and p.item in items
                  and items[p.item].done_at is None]
    return {
        "now": shift.now,
        "clock": shift.start().clock if not shift.record.entries else
        shift.record.entries[-1].observation.clock,
        "budget": shift.budget(),
        "queue": shift.queue_view(),
        "unacked": [(p.id, p.opened_at, p.severity) for p in f.pages if p.acked_at is None],
        "open_since": min((p.acked_at for p in open_pages if p.acked_at is not None),
                          default=None),
        "updates": list(shift.game.record.facts.updates_at),
        "severity": shift.game.record.facts.severity,
        "talks": [f"{cv.id} {cv.person} ({cv.role}, {cv.model})" for cv in f.conversations
                  if cv.closed_at is None and cv.reopen_at is None],
        "ended": shift.ended,
        "ends": f.end,
    }


def _mins(n: int) -> str:
    return f"{n // 60}h{n % 60:02d}" if n >= 60 else f"{n} min"


def update_due(view: dict[str, Any]) -> int | None:
    """Minutes until the next status update is due (negative: overdue), while a page is open."""
    since = view.get("open_since")
    if since is None:
        return None
    later = [t for t in view["updates"] if t >= since]
    every = UPDATE_EVERY.get(view.get("severity") or 2, UPDATE_EVERY_LOW)
    due = (max(later) + every) if later else since + FIRST_UPDATE
    return int(due - view["now"])


def overdue(view: dict[str, Any]) -> bool:
    return any(view["now"] - at > ACK_TARGET for _, at, _ in view.get("unacked", []))


def status_lines(view: dict[str, Any], width: int) -> tuple[str, str]:
    from oncall.sim.clock import hhmm

    left = int(view["ends"]) - int(view["now"])
    parts = [f"{view['clock']}", f"shift ends {hhmm(view['ends'])[-5:]} ({_mins(max(0, left))})"
             if not view["ended"] else "shift over"]
    for page, at, sev in view.get("unacked", []):
        age = int(view["now"]) - int(at)
        ack = f"ACK in {ACK_TARGET - age} min" if age <= ACK_TARGET else \
            f"ACK OVERDUE {age - ACK_TARGET} min"
        parts.append(f"PAGE {page} {sev}, {ack}")
    due = update_due(view)
    if due is not None:
        parts.append(f"update due in {due} min" if due >= 0 else f"update overdue {-due} min")
    head = "  │  ".join(parts)
    if len(head) > width:
        head = head.replace("  │  ", " │ ").replace("shift ends", "ends")
    b = view["budget"]
    worst = b["models"][0]["model"] if b["models"] else "no model yet"
    spent = 100.0 - float(b["left_pct"])
    burning = f" · burning: {', '.join(b['burning'])}" if b["burning"] else ""
    money = f"scale-ups ${b['scale_up_usd']:,.2f}"
    tries = []
    for cells in (BAR, BAR // 2):  # the whole line, then a shorter bar, then fewer words
        filled = round(cells * min(100.0, spent) / 100)
        bar = "█" * filled + "░" * (cells - filled)
        tries += [f"budget {worst} {bar} {b['left_pct']:g}% left · tonight "
                  f"{b['night_pct']:g}%{burning} · {money}",
                  f"budget {worst} {bar} {b['left_pct']:g}% left · tonight "
                  f"{b['night_pct']:g}%{burning}"]
    budget = next((t for t in tries if len(t) <= width), tries[-1])
    cut = [line if len(line) <= width else line[: width - 1] + "…" for line in (head, budget)]
    return cut[0], cut[1]


def queue_text(view: dict[str, Any]) -> str:
    from oncall.sim.clock import hhmm

    lines = ["Queue (take ID)"]
    items = sorted(view["queue"], key=lambda it: (it["done_at"] is not None, it["priority"],
                                                  it["arrives_at"]))
    for it in items:
        state = it["outcome"] or ("taken" if it["taken_at"] is not None else "waiting")
        due = hhmm(it["deadline"])  # `04:30` tonight; another day by its date (`Mar 28`)
        lines.append(f"{it['id']} P{it['priority']} {it['title']} (by "
                     f"{due.rsplit(' ', 1)[0] if ' ' in due else due}; {state})")
    if view["talks"]:
        lines += ["", "Waiting on your answer"] + [f"  {t}" for t in view["talks"]]
    return "\n".join(lines)


class NightStatus(Static):
    """Two lines, fitted to the width on every render; red while a page waits past its
    acknowledgement target."""

    DEFAULT_CSS = "NightStatus { height: 2; }"

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(text, markup=False, **kwargs)
        self.view: dict[str, Any] = {}
        self.working = False

    def show(self, view: dict[str, Any]) -> None:
        self.view = view
        self.set_class(overdue(view), "overdue")
        self.set_class(bool(view.get("unacked")), "firing")
        self._render_text()

    def busy(self, on: bool) -> None:
        self.working = on
        self._render_text()

    def on_resize(self) -> None:
        self._render_text()

    def _render_text(self) -> None:
        if not self.view:
            return
        width = max(20, (self.size.width or 80) - 2)
        head, budget = status_lines(self.view, width - (10 if self.working else 0))
        self.update(f"{head}{'  working…' if self.working else ''}\n{budget}")
