"""The one-page numbers sheet interviewers ask for, across every saved incident.

Medians rather than means for times, because one incident left open all night would otherwise
speak for the whole career; every figure says how many incidents it was computed over.
"""

from __future__ import annotations

from statistics import median

from oncall.scoring.text import num
from oncall.store.saves import IncidentSave
from oncall.story.facts import cites_drift, minutes_to_mitigate, plural


def _median(values: list[int]) -> str:
    return f"{num(round(median(values), 1))} min" if values else "n/a"


def numbers_sheet(saves: list[IncidentSave]) -> str:
    lines = ["# Numbers sheet", ""]
    if not saves:
        return "\n".join([*lines, "No incidents saved yet.", ""])
    records = [s.record for s in saves]
    n = len(records)
    cats: dict[str, int] = {}
    for r in records:
        cats[r.answers.category] = cats.get(r.answers.category, 0) + 1
    acks = [r.facts.acked_at - r.facts.page_at for r in records if r.facts.acked_at is not None]
    mitig = [m for r in records if (m := minutes_to_mitigate(r)) is not None]
    drift = sum(1 for r in records if cites_drift(r))
    ivs = [iv for r in records for iv in r.facts.interventions]
    rollbacks = [iv for iv in ivs if iv.kind == "rollback"]
    worked = sum(1 for iv in rollbacks if iv.effect == "fixes")
    escalations = [iv for iv in ivs if iv.kind == "escalate"]
    teams = sorted({str(iv.command.get("team")) for iv in escalations if iv.command.get("team")})
    costly = [r for r in records if r.facts.extra_cost_per_hour > 0]
    spend = sum(r.facts.extra_cost_per_hour for r in costly)
    scores = [s.scorecard.percent for s in saves]
    mean_score = sum(scores) / len(scores)

    cat_text = ", ".join(f"{k} {v}" for k, v in sorted(cats.items()))
    rows = [
        ("Incidents handled", f"{n} ({cat_text})"),
        ("Median time to acknowledge", f"{_median(acks)} ({len(acks)} of {n} acknowledged)"),
        ("Median time to mitigate", f"{_median(mitig)} ({len(mitig)} of {n} mitigated by me)"),
        ("Drift catches", f"{drift} (diagnoses citing drift evidence)"),
        ("Rollbacks", f"{len(rollbacks)} ({worked} fixed the fault)"),
        ("Escalations", f"{len(escalations)}" + (f" to {', '.join(teams)}" if teams else "")),
        ("Cost decisions", f"{plural(len(costly), 'incident')} with extra spend"
         + (f" (${num(spend)} an hour in all)" if costly else "")),
        ("Mean score", f"{mean_score:.1f}% over {plural(n, 'incident')}"),
    ]
    lines += ["| measure | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines += ["", "## Incidents", "",
              "| saved | scenario | fault | my diagnosis | ack | mitigated | score |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in saves:
        r, f = s.record, s.record.facts
        dx = f.diagnosis or {}
        mine = str(dx.get("cause")) if dx else "none"
        ack = f"{f.acked_at - f.page_at} min" if f.acked_at is not None else "never"
        m = minutes_to_mitigate(r)
        mit = f"{m} min" if m is not None else ("handed over" if f.handed_over else "no")
        lines.append(f"| {s.saved_at[:10]} | {r.scenario} | {r.answers.cause} | {mine} | {ack} "
                     f"| {mit} | {s.scorecard.percent:.1f}% |")
    return "\n".join([*lines, ""])
