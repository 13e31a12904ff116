"""The one-page numbers sheet interviewers ask for, across every saved incident and night shift.

One row per incident (a saved incident, or an incident of a saved night), and a summary that is
added up from those rows and nothing else, so each summary figure can be checked against the rows
and each row against its own record. Medians rather than means for times, because one incident
left open all night would otherwise speak for the whole career; every figure says how many
incidents it was computed over.

A silent fault (one no request counter sees) has no failed requests and spends no error budget;
its row and the summary show the quality budget it spent instead, never "0% of the budget".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING

from oncall.game.record import Intervened, Record
from oncall.scoring.text import num
from oncall.sim.catalogue import ARCHETYPES_BY_NAME
from oncall.store.saves import IncidentSave
from oncall.story.facts import (
    cites_drift,
    is_revert,
    minutes_to_mitigate,
    mitigating,
    plural,
    silent_fault,
)

if TYPE_CHECKING:
    from oncall.game.shiftrecord import ShiftRecord
    from oncall.store.shifts import ShiftSave

TAKEN_BACK = ("rollback", "pause_canary", "revert_config", "pin_feature_version")
"""Moves that take a team's release back: a model version, a canary, a config, a feature."""


def _median(values: Sequence[float]) -> str:
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


def shift_key(rec: ShiftRecord) -> str:
    return json.dumps([rec.seed, rec.length, rec.difficulty,
                       [e.command for e in rec.entries]], sort_keys=True)


def distinct_shifts(shifts: Sequence[ShiftSave]) -> list[ShiftSave]:
    last = {shift_key(s.record): i for i, s in enumerate(shifts)}
    return [s for i, s in enumerate(shifts) if last[shift_key(s.record)] == i]


def mitigated_by(record: Record) -> str:
    """Who stopped the fault: `me`, `owners` (a team I escalated to), `secondary` (handed
    over), `itself` (it stopped with no move of mine), or `no` (still running)."""
    f = record.facts
    if f.handed_over:
        return "secondary"
    if f.mitigated_at is None:
        return "itself" if "recovered_at" in f.impact else "no"
    iv = mitigating(record)
    if iv is None:
        return "itself"
    return "owners" if iv.kind == "escalate" else "me"


@dataclass
class Row:
    """One incident as the sheet tells it."""

    saved: str
    scenario: str
    category: str
    fault: str
    diagnosis: str
    ack: int | None
    by: str
    minutes: int | None
    impact: dict[str, float]
    score: str
    record: Record
    shift: ShiftRecord | None = None
    detect: int | None = None
    drift: bool = False
    moves: list[Intervened] = field(default_factory=list)
    cost_per_hour: float = 0.0
    silent: bool = False
    """A fault no request counter sees (`silent_fault`), resolved or not."""

    @property
    def mitigated(self) -> str:
        m = self.minutes
        return {"me": f"{m} min", "owners": f"{m} min, by the owners",
                "secondary": "handed over", "itself": "stopped by itself", "no": "no"}[self.by]

    @property
    def impact_text(self) -> str:
        return impact_text(self.impact, self.silent)

    def line(self) -> str:
        ack = f"{self.ack} min" if self.ack is not None else "never"
        return (f"| {self.saved} | {self.scenario} | {self.fault} | {self.diagnosis} | {ack} "
                f"| {self.mitigated} | {self.impact_text} | {self.score} |")


def quality_measured(imp: dict[str, float]) -> bool:
    return "minutes_outside_quality_slo" in imp or "quality_budget_consumed_pct" in imp


def impact_text(imp: dict[str, float], silent: bool = False) -> str:
    """A row's impact: counted requests and error budget, or for a silent fault the minutes
    outside the quality SLO and the quality budget (a silent fault never resolved is not
    measured, and spends no error budget)."""
    if "requests_affected" in imp:
        return (f"{num(imp['requests_affected'])} requests, "
                f"{num(imp.get('budget_consumed_pct', 0))}% error budget")
    if "night_budget_pct" in imp:
        return f"{num(imp['night_budget_pct'])}% error budget over the night"
    if quality_measured(imp):
        return (f"silent: {num(imp.get('minutes_outside_quality_slo', 0))} min outside the "
                f"quality SLO, {num(imp.get('quality_budget_consumed_pct', 0))}% quality budget")
    return "not measured (a silent fault, never resolved)" if silent else \
        "not measured (never resolved)"


def incident_row(save: IncidentSave) -> Row:
    r, f = save.record, save.record.facts
    dx = f.diagnosis or {}
    return Row(saved=save.saved_at[:10], scenario=r.scenario, category=r.answers.category,
               fault=r.answers.cause, diagnosis=str(dx.get("cause")) if dx else "none",
               ack=f.acked_at - f.page_at if f.acked_at is not None else None,
               by=mitigated_by(r), minutes=minutes_to_mitigate(r), impact=dict(f.impact),
               score=f"{save.scorecard.percent:.1f}%", record=r,
               detect=f.page_at - f.onset_at, drift=cites_drift(r),
               moves=list(f.interventions), cost_per_hour=f.extra_cost_per_hour,
               silent=silent_fault(r.scenario, f.target_model) or quality_measured(f.impact))


def shift_rows(save: ShiftSave) -> list[Row]:
    """The incidents of a saved night, each with its own facts (`shiftfacts`)."""
    from oncall.story.shiftfacts import incidents

    rec = save.record
    g = rec.game.facts
    keys = {k.id: k for k in rec.key.incidents}
    facts = {i.id: i for i in g.incidents}
    out = []
    for inc in incidents(rec):
        it = inc.item
        key = keys.get(str(it.incident))
        fact = facts.get(str(it.incident))
        imp = dict(fact.impact) if fact is not None else (
            dict(g.impact) if it.incident == "main" and not g.incidents else {})
        night = next((b for b in rec.facts.budget.get("models", []) if b["model"] == it.model),
                     None)
        silent = (key is not None and silent_fault(key.scenario, it.model)) or \
            quality_measured(imp)
        if not imp and night is not None and not silent:  # a silent fault spends no error budget
            imp = {"night_budget_pct": float(night["night_pct"])}
        fix = inc.fixer
        if it.outcome == "mitigated":
            by = "owners" if fix is not None and fix.kind == "escalate" else \
                "me" if fix is not None else "itself"
        else:
            by = "secondary" if it.outcome == "handed over" else "no"
        drift = any(e.command.get("do") == "drift" and e.observation.signals for e in inc.looks)
        out.append(Row(
            saved=save.saved_at[:10], scenario=f"{key.scenario if key else it.model} (night)",
            category=key.category if key else "unknown", fault=key.cause if key else "unknown",
            diagnosis=str(inc.diagnosis.get("cause")) if inc.diagnosis else "none",
            ack=inc.acked_at - inc.opened_at if inc.acked_at is not None else None, by=by,
            minutes=it.done_at - inc.opened_at if it.done_at is not None else None,
            impact=imp, score=f"{100 * save.card.total / save.card.max:.1f}% (night)",
            record=rec.game, shift=rec,
            detect=fact.page_at - fact.onset_at if fact is not None else None, drift=drift,
            moves=list(inc.moves), cost_per_hour=sum(iv.cost_usd_per_hour for iv in inc.moves),
            silent=silent))
    return out


def total(impacts: Sequence[dict[str, float]], key: str) -> float:
    """A figure added up over incidents, rounded as the rows print it."""
    return round(sum(i.get(key, 0) for i in impacts), 2)


def _end(record: Record) -> int:
    return max((e.observation.t for e in record.entries), default=record.facts.page_at)


def replica_hours(rows: Sequence[Row]) -> dict[str, float]:
    """Extra replicas a scale-up left running, in hours to the end of its night, by hardware
    (`gpu`, `cpu`), and what they cost (`usd`)."""
    out = {"gpu": 0.0, "cpu": 0.0, "usd": 0.0}
    for row in rows:
        end = (row.shift.facts.ended_at or row.shift.facts.end) if row.shift else \
            _end(row.record)
        for iv in row.moves:
            if iv.cost_usd_per_hour <= 0:
                continue
            hours = max(0, end - iv.effective_at) / 60
            arch = ARCHETYPES_BY_NAME.get(str(iv.command.get("model", "")))
            out["gpu" if arch is not None and arch.hardware == "gpu" else "cpu"] += hours
            out["usd"] += hours * iv.cost_usd_per_hour
    return {k: round(v, 1 if k != "usd" else 2) for k, v in out.items()}


def summary(rows: Sequence[Row], given: int, shifts: Sequence[ShiftSave] = (),
            scores: Sequence[float] = ()) -> list[tuple[str, str]]:
    """The sheet's summary, added up from its rows."""
    n = len(rows)
    cats: dict[str, int] = {}
    for r in rows:
        cats[r.category] = cats.get(r.category, 0) + 1
    acks = [r.ack for r in rows if r.ack is not None]
    mine = [r.minutes for r in rows if r.by == "me" and r.minutes is not None]
    who = {k: sum(1 for r in rows if r.by == k) for k in ("me", "owners", "secondary", "itself",
                                                           "no")}
    detect = [r.detect for r in rows if r.detect is not None]
    counted = [r.impact for r in rows if "requests_affected" in r.impact]
    silent = [r for r in rows if r.silent]
    quiet = [r.impact for r in silent if quality_measured(r.impact)]
    unmeasured_quiet = len(silent) - len(quiet)
    spent = counted + [{"budget_consumed_pct": r.impact["night_budget_pct"]} for r in rows
                       if "night_budget_pct" in r.impact]
    unmeasured = sum(1 for r in rows if r.impact_text.startswith("not measured"))
    ivs = [iv for r in rows for iv in r.moves]
    rollbacks = [iv for iv in ivs if iv.kind == "rollback" and not iv.deployed_nothing]
    refused = [iv for iv in ivs if iv.deployed_nothing]
    back = [iv for iv in ivs if iv.effect in ("fixes", "partial") and is_revert(iv)
            and (iv.kind == "rollback" or iv.command.get("fix") in TAKEN_BACK)]
    escalations = [iv for iv in ivs if iv.kind == "escalate"]
    teams = sorted({str(iv.command.get("team")) for iv in escalations if iv.command.get("team")})
    costly = [r for r in rows if r.cost_per_hour > 0]
    spend = sum(r.cost_per_hour for r in costly)
    hours = replica_hours(rows)
    records = [r.record for r in rows]
    cat_text = ", ".join(f"{k} {v}" for k, v in sorted(cats.items()))
    from_nights = sum(1 for r in rows if r.shift is not None)
    out = [
        ("Incidents handled", f"{n} ({cat_text})"
         + (f"; {from_nights} of them on night shifts" if from_nights else "")
         + (f"; {given} re-saved run(s) counted once" if given else "")),
        ("Models on call for", f"{max(r.facts.fleet_models for r in records)} production "
         f"models, up to {num(round(max(r.facts.fleet_rps for r in records)))} requests a "
         "second"),
        ("Median time to detect", f"{_median(detect)} from the fault's onset to the page"
         f" (over {len(detect)})"),
        ("Median time to acknowledge", f"{_median(acks)} ({len(acks)} of {n} acknowledged)"),
        ("Median time to mitigate", f"{_median(mine)} ({len(mine)} of {n} mitigated by me)"),
        ("Who stopped the fault", f"me {who['me']}, the owners I escalated to "
         f"{who['owners']}, the secondary on-call {who['secondary']}, stopped by itself "
         f"{who['itself']}, still running {who['no']}"),
        ("Requests affected", f"{num(total(counted, 'requests_affected'))}, "
         f"{num(total(counted, 'requests_failed'))} of them failed "
         f"(over {plural(len(counted), 'incident')} with counted requests)" if counted else
         "none counted: no incident here was resolved with its requests counted"),
        ("Error budget spent", f"{num(total(spent, 'budget_consumed_pct'))}% of the models' "
         f"monthly error budgets (over {plural(len(spent), 'incident')})"),
        ("Quality budget spent (silent faults)",
         f"{num(total(quiet, 'quality_budget_consumed_pct'))}% of the quality budget, "
         f"{num(total(quiet, 'minutes_outside_quality_slo'))} min outside the quality SLO "
         f"(over {plural(len(quiet), 'silent fault')})"
         + (f"; {unmeasured_quiet} more never resolved, so not measured" if unmeasured_quiet
            else "") if quiet else
         f"not measured: {plural(len(silent), 'silent fault')}, none resolved" if silent else
         "no silent fault among these incidents"),
        ("Impact not measured", f"{plural(unmeasured, 'incident')} never resolved, so never "
         "counted"),
        ("Drift catches", f"{sum(1 for r in rows if r.drift)} (diagnoses or looks citing "
         "drift evidence)"),
        ("Rollbacks", f"{len(rollbacks)} ({sum(1 for iv in rollbacks if iv.effect == 'fixes')} "
         "fixed the fault)" + (
             f"; {len(refused)} more refused, deploying nothing: "
             + ("it" if len(refused) == 1 else "each") + " asked for a revision an earlier "
             "rollback had taken out" if refused else "")),
        ("Releases taken back", f"{len(back)} (model versions, canaries, configs or feature "
         "versions that stopped or eased a fault)"),
        ("Escalations", f"{len(escalations)}" + (f" to {', '.join(teams)}" if teams else "")),
        ("Cost decisions", f"{plural(len(costly), 'incident')} with extra spend"
         + (f" (${num(spend)} an hour in all)" if costly else "")),
        ("Extra replica hours", f"{num(hours['gpu'])} GPU and {num(hours['cpu'])} CPU hours "
         f"from scale-ups, ${num(hours['usd'])} in all"),
    ]
    if shifts:
        recs = [s.record for s in shifts]
        reqs = [it for r in recs for it in r.facts.items if it.kind in ("deploy", "canary")
                and it.arrived]
        done = {k: sum(1 for it in reqs if it.outcome == k) for k in ("promoted", "held",
                                                                       "missed")}
        done["open"] = len(reqs) - sum(done.values())
        out += [
            ("Night shifts worked", f"{len(recs)} ({num(sum(r.length for r in recs) / 60)} "
             "hours on call)"),
            ("Deploys and canaries handled", f"{len(reqs)} at night: {done['promoted']} "
             f"promoted, {done['held']} held, {done['missed']} left past their deadline, "
             f"{done['open']} still open when the night ended"),
        ]
    if scores:
        out.append(("Mean score", f"{sum(scores) / len(scores):.1f}% over "
                    f"{plural(len(scores), 'incident')}"))
    return out


def numbers_sheet(saves: list[IncidentSave], shifts: Sequence[ShiftSave] = ()) -> str:
    lines = ["# Numbers sheet", ""]
    if not saves and not shifts:
        return "\n".join([*lines, "No incidents saved yet.", ""])
    kept = distinct(saves)
    nights = distinct_shifts(shifts)
    rows = [incident_row(s) for s in kept] + [r for s in nights for r in shift_rows(s)]
    if not rows:
        return "\n".join([*lines, "No incidents saved yet: the saved nights paged for none.",
                          ""])
    resaved = len(saves) - len(kept) + len(shifts) - len(nights)
    lines += ["| measure | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in summary(
        rows, resaved, nights, [s.scorecard.percent for s in kept])]
    lines += ["", "## Incidents", "",
              "| saved | scenario | fault | my diagnosis | ack | mitigated | impact | score |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [r.line() for r in rows]
    return "\n".join([*lines, ""])
