"""Career numbers across night shifts: the interview guide's "pull your numbers" list, from the
player's shift saves, with the trend of each scoring section.

Every figure says how many shifts or items it was computed over; times are medians so that one
page left ringing all night does not speak for the whole career.
"""

from __future__ import annotations

from statistics import median

from oncall.game.commands import INVESTIGATIONS
from oncall.game.shiftrecord import IncidentKey, ShiftRecord
from oncall.scoring.shift import settled_with_data
from oncall.store.shifts import ShiftSave
from oncall.story.facts import silent_fault

HIGH_RISK = ("rollback", "hotfix")


def _median(values: list[int]) -> str:
    return f"{median(values):g} min (over {len(values)})" if values else "n/a"


def _silent(key: IncidentKey) -> bool:
    """The incident's fault is one no request counter sees, by the numbers sheet's own test
    (`silent_fault`), so the two sheets never disagree about which faults were silent."""
    return silent_fault(key.scenario, key.model)


def _touched(rec: ShiftRecord) -> set[str]:
    return {str(e.command["model"]) for e in rec.entries if e.observation.ok
            and e.command.get("model") and (e.command.get("do") in INVESTIGATIONS
                                            or e.command.get("do") in HIGH_RISK)}


def career_sheet(saves: list[ShiftSave]) -> str:
    lines = ["# Night shifts: career numbers", ""]
    if not saves:
        return "\n".join([*lines, "No night shift saved yet (`oncall shift`).", ""])
    recs = [s.record for s in saves]
    incidents = [it for r in recs for it in r.facts.items if it.kind == "incident"]
    mitigated = [it for it in incidents if it.outcome == "mitigated"]
    acks = [p.acked_at - p.opened_at for r in recs for p in r.facts.pages
            if p.acked_at is not None]
    unacked = sum(1 for r in recs for p in r.facts.pages if p.acked_at is None)
    ttm = [(it.done_at or 0) - it.arrives_at for it in mitigated]
    models = set().union(*(_touched(r) for r in recs))
    drift = sum(1 for r in recs for e in r.entries if e.command.get("do") == "drift"
                and e.observation.signals)
    requests = [it for r in recs for it in r.facts.items
                if it.kind in ("deploy", "canary", "feature")]
    decided = {k: sum(1 for it in requests if it.outcome == k)
               for k in ("promoted", "held", "ticketed", "built", "missed")}
    spend = sum(float(r.facts.budget.get("scale_up_usd", 0.0)) for r in recs)
    scaleups = sum(1 for r in recs for iv in r.game.facts.interventions
                   if iv.cost_usd_per_hour > 0)
    quiet = {(id(r), k.model) for r in recs for k in r.key.incidents if _silent(k)}
    budget = [float(row["night_pct"]) for r in recs for row in r.facts.budget.get("models", [])
              if row["model"] in {k.model for k in r.key.incidents}
              and (id(r), row["model"]) not in quiet]
    saved = [float(v) for r in recs for m, v in r.facts.budget.get("saved_pct", {}).items()
             if (id(r), m) not in quiet]
    talks = [cv for r in recs for cv in r.facts.conversations if cv.said]
    with_data = sum(len(settled_with_data(r)) for r in recs)
    lines += [
        f"- Shifts worked: {len(recs)} ({sum(r.length for r in recs) // 60} hours on call)",
        f"- Incidents handled: {len(incidents)}, of which {len(mitigated)} mitigated on my "
        "watch",
        f"- Models touched: {len(models)}",
        f"- Drift catches (a drift test that showed the fault): {drift}",
        f"- Time to acknowledge, median: {_median(acks)}; pages never acknowledged: {unacked}",
        f"- Time to mitigate, median: {_median(ttm)}",
        f"- Error budget spent by incidents: {sum(budget):g}% in total over {len(budget)} "
        "incident model-nights"
        + (f"; {len(quiet)} silent fault(s) left out: they fail no request, so they spend "
           "and save no error budget, only quality" if quiet else ""),
        "- Error budget saved by mitigating (against the faults running unfixed to the end "
        "of the shift): " + (f"{sum(saved):g}% in total over {len(saved)} incident model-nights"
                             if saved else "none to count")
        + (f"; the {len(quiet)} silent fault(s) left out" if quiet else ""),
        f"- Requests decided: {decided['promoted']} promoted, {decided['held']} held, "
        f"{decided['ticketed']} ticketed, {decided['built']} built at night, "
        f"{decided['missed']} left past their deadline",
        f"- Cost decisions: {scaleups} scale-up(s), ${spend:,.2f} spent on them",
        f"- Conversations with colleagues: {len(talks)}, settled by the right call made with "
        f"data: {with_data}",
        "",
        "## Trend per section",
        "",
        "| section | first | last | mean | trend |",
        "| --- | --- | --- | --- | --- |",
    ]
    names = [s.name for s in saves[0].card.sections]
    for name in names:
        pts = [s.card.section(name).points for s in saves]
        top = saves[0].card.section(name).max
        k = max(1, min(3, len(pts) // 2))
        delta = sum(pts[-k:]) / k - sum(pts[:k]) / k
        trend = "n/a (one shift)" if len(pts) < 2 else f"{delta:+.1f}"
        lines.append(f"| {saves[0].card.section(name).title} | {pts[0]:g}/{top} | "
                     f"{pts[-1]:g}/{top} | {sum(pts) / len(pts):.1f} | {trend} |")
    lines.append("")
    return "\n".join(lines)
