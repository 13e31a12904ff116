"""The one-page numbers sheet interviewers ask for, across every saved incident.

Medians rather than means for times, because one incident left open all night would otherwise
speak for the whole career; every figure says how many incidents it was computed over.
"""

from __future__ import annotations

import json
from statistics import median

from oncall.game.record import Record
from oncall.scoring.text import num
from oncall.store.saves import IncidentSave
from oncall.story.facts import cites_drift, minutes_to_mitigate, mitigating, plural


def _median(values: list[int]) -> str:
    return f"{num(round(median(values), 1))} min" if values else "n/a"


def run_key(record: Record) -> str:
    """What makes two saves one run: the same night (scenario, seed, difficulty) played with
    the same commands. A run saved twice is counted once."""
    return json.dumps([record.scenario, record.seed, record.difficulty,
                       [e.command for e in record.entries]], sort_keys=True)


def distinct(saves: list[IncidentSave]) -> list[IncidentSave]:
    """One save per run, the last saved kept, in the order of the saves."""
    last = {run_key(s.record): i for i, s in enumerate(saves)}
    return [s for i, s in enumerate(saves) if last[run_key(s.record)] == i]


def mitigated_by(record: Record) -> str:
    """Who stopped the fault: `me`, `owners` (a team I escalated to), `secondary` (handed
    over), `itself` (it stopped with no move of mine), or `no` (still running)."""
    f = record.facts
    if f.handed_over:
        return "secondary"
    if f.mitigated_at is None:
        return "no"
    iv = mitigating(record)
    if iv is None:
        return "itself"
    return "owners" if iv.kind == "escalate" else "me"


def numbers_sheet(saves: list[IncidentSave]) -> str:
    lines = ["# Numbers sheet", ""]
    if not saves:
        return "\n".join([*lines, "No incidents saved yet.", ""])
    given = len(saves)
    saves = distinct(saves)
    records = [s.record for s in saves]
    n = len(records)
    cats: dict[str, int] = {}
    for r in records:
        cats[r.answers.category] = cats.get(r.answers.category, 0) + 1
    acks = [r.facts.acked_at - r.facts.page_at for r in records if r.facts.acked_at is not None]
    mine = [r for r in records if mitigated_by(r) == "me"]
    mitig = [m for r in mine if (m := minutes_to_mitigate(r)) is not None]
    who = {k: sum(1 for r in records if mitigated_by(r) == k)
           for k in ("me", "owners", "secondary", "itself", "no")}
    detect = [r.facts.page_at - r.facts.onset_at for r in records]
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
        ("Incidents handled", f"{n} ({cat_text})"
         + (f"; {given - n} re-saved run(s) counted once" if given > n else "")),
        ("Models on call for", f"{max(r.facts.fleet_models for r in records)} production "
         f"models, up to {num(round(max(r.facts.fleet_rps for r in records)))} requests a "
         "second"),
        ("Median time to detect", f"{_median(detect)} from the fault's onset to the page"),
        ("Median time to acknowledge", f"{_median(acks)} ({len(acks)} of {n} acknowledged)"),
        ("Median time to mitigate", f"{_median(mitig)} ({len(mitig)} of {n} mitigated by me)"),
        ("Who stopped the fault", f"me {who['me']}, the owners I escalated to "
         f"{who['owners']}, the secondary on-call {who['secondary']}, stopped by itself "
         f"{who['itself']}, still running {who['no']}"),
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
        my_dx = str(dx.get("cause")) if dx else "none"
        ack = f"{f.acked_at - f.page_at} min" if f.acked_at is not None else "never"
        m = minutes_to_mitigate(r)
        by = mitigated_by(r)
        mit = {"me": f"{m} min", "owners": f"{m} min, by the owners", "secondary":
               "handed over", "itself": "stopped by itself", "no": "no"}[by]
        lines.append(f"| {s.saved_at[:10]} | {r.scenario} | {r.answers.cause} | {my_dx} | {ack} "
                     f"| {mit} | {s.scorecard.percent:.1f}% |")
    return "\n".join([*lines, ""])
