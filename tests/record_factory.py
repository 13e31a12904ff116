"""Records for tests, built the way the engine builds them: commands, observations and facts.

`RunBuilder` keeps the clock, the observation ids and the facts consistent, so a test only says
what the player did. `d4_play` and `m1_play` script whole runs with switches for the mistakes the
rubric must catch.
"""

from __future__ import annotations

from typing import Any, Literal

from oncall.game.commands import INVESTIGATIONS
from oncall.game.record import (
    ActionItem,
    AlertFact,
    AnswerKey,
    Artifact,
    Entry,
    Facts,
    Intervened,
    Lessons,
    Observation,
    Postmortem,
    Record,
    Replay,
)
from oncall.sim.clock import hhmm

PAGE_AT = 127  # 02:07
Effect = Literal["fixes", "partial", "none", "worse"]


def alert(rule: str, model: str, threshold: float, value: float, unit: str, fired_at: int,
          severity: str = "critical") -> AlertFact:
    return AlertFact(rule=rule, model=model, severity=severity, expr=f"{rule}{{model={model}}}",
                     threshold=threshold, value=value, unit=unit, fired_at=fired_at,
                     runbook=f"runbooks/{rule}.md", summary=f"{rule} on {model}")


class RunBuilder:
    """Plays commands against a fake clock: each costs minutes and leaves an observation."""

    def __init__(self, target: str, page_alerts: list[AlertFact], *, page_at: int = PAGE_AT,
                 noise: list[AlertFact] | None = None) -> None:
        self.t = page_at
        self.entries: list[Entry] = []
        self.signals_seen = 0
        self.facts = Facts(fleet_models=14, fleet_rps=500.0, target_model=target,
                           onset_at=page_at - 16, page_at=page_at, page_alerts=page_alerts,
                           noise_alerts=noise or [])

    def wait(self, minutes: int) -> None:
        self.t += minutes

    def do(self, command: dict[str, Any], *, cost: int = 1, text: str = "",
           signals: tuple[str, ...] = (), data: dict[str, Any] | None = None,
           events: list[dict[str, Any]] | None = None) -> Observation:
        self.t += cost
        verb = str(command["do"])
        oid = f"obs-{len(self.entries) + 1}"  # as the engine numbers them: every entry counts
        if verb in INVESTIGATIONS and signals:
            self.signals_seen += 1
        obs = Observation(id=oid, kind=verb, t=self.t, clock=hhmm(self.t), cost=cost,
                          text=text or f"{verb} result", data=data or {},
                          signals=list(signals), events=events or [])
        self.entries.append(Entry(command=command, observation=obs))
        return obs

    # -- actions that set facts ---------------------------------------------------------------
    def ack(self) -> None:
        self.do({"do": "ack"}, cost=1)
        self.facts.acked_at = self.t

    def severity(self, level: int) -> None:
        self.do({"do": "severity", "level": level}, cost=1)
        self.facts.severity, self.facts.severity_at = level, self.t

    def update(self, message: str = "Investigating fraud scores; next update 30m.") -> None:
        self.do({"do": "update", "message": message}, cost=1)
        self.facts.updates_at.append(self.t)

    def ticket(self, rule: str, model: str) -> None:
        self.do({"do": "ticket", "alert": rule, "model": model}, cost=1)
        self.facts.tickets.append({"alert": rule, "model": model, "t": self.t})

    def diagnose(self, category: str, cause: str, evidence: list[str]) -> None:
        self.do({"do": "diagnose", "category": category, "cause": cause, "evidence": evidence},
                cost=2)
        self.facts.diagnosis = {"category": category, "cause": cause, "evidence": evidence}
        self.facts.diagnosis_at = self.t
        self.facts.diagnoses += 1

    def intervene(self, command: dict[str, Any], effect: Effect, message: str, *,
                  delay: int = 0, cost: int = 3, cost_per_hour: float = 0.0) -> None:
        t = self.t
        events = [{"t": t + delay, "by": command.get("team", "you"), "message": message}]
        self.do(command, cost=cost, text=message if not delay else "Sent.", events=events)
        self.facts.interventions.append(Intervened(
            t=t, kind=command["do"], command=command, effect=effect, effective_at=t + delay,
            message=message, evidence_before=self.signals_seen))
        self.facts.extra_cost_per_hour += cost_per_hour
        if effect == "fixes" and self.facts.mitigated_at is None:
            self.facts.mitigated_at = t + delay

    def resolve(self) -> None:
        self.do({"do": "resolve"}, cost=1)
        self.facts.resolved_at = self.t

    def record(self, answers: AnswerKey, *, scenario: str, title: str) -> Record:
        return Record(seed=7, scenario=scenario, title=title, difficulty="normal",
                      answers=answers, entries=list(self.entries), facts=self.facts, ended=True)


# -- D4: unit change upstream on fraud-scorer -------------------------------------------------

D4_ALERT = "ModelPredictionMeanShift"
D4_IMPACT = {"requests_affected": 12437.0, "requests_failed": 0.0, "budget_consumed_pct": 3.2,
             "minutes": 26.0}


def d4_answers() -> AnswerKey:
    return AnswerKey(
        category="data", cause="D4", cause_name="unit change upstream",
        explanation="payments-events v13 emits txn amounts in dollars instead of cents",
        signal_alert=D4_ALERT,
        evidence=["drift:txn_amount_cents", "ratio:txn_amount_cents",
                  "upstream-change:payments-events"],
        right=[
            {"kind": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion",
             "why": "restores cents at ingestion while the producer reverts"},
            {"kind": "escalate", "team": "data-engineering",
             "why": "the producer owns the change and can revert it"},
        ],
        wrong=[
            {"kind": "rollback", "model": "fraud-scorer",
             "why": "the older model reads the same dollars just as wrongly"},
            {"kind": "hotfix", "fix": "raise_threshold",
             "why": "hides the symptom and lets fraud through"},
        ],
        severity=2, escalate_to="data-engineering", remediations=["D1", "Mon1", "Mon2"],
    )


def d4_postmortem(**overrides: Any) -> Postmortem:
    fields: dict[str, Any] = {
        "summary": "fraud-scorer under-scored transactions for 26 minutes after an upstream "
                   "unit change.",
        "impact": "12,437 requests scored on amounts in dollars; 3.2% of the monthly error "
                  "budget consumed.",
        "root_cause": "payments-events v13 emitted txn_amount_cents in dollars; the model "
                      "read them as cents.",
        "trigger": "The payments-events schema v13 deploy at 01:50.",
        "detection": "ModelPredictionMeanShift fired at 02:07 when the mean prediction moved "
                     "more than 0.5 from its training baseline.",
        "resolution": "Applied a x100 conversion at ingestion; data-engineering reverted the "
                      "producer to v12.",
        "action_items": [
            ActionItem(item="Value-range check on txn_amount_cents", type="detect",
                       owner="risk-ml", tracking="RISK-101"),
            ActionItem(item="Data contract test for payments-events", type="prevent",
                       owner="data-engineering", tracking="DE-55"),
        ],
        "lessons": Lessons(went_well="Drift lab pointed at the feature within minutes.",
                           went_wrong="No data contract between producer and model.",
                           lucky="Fraud volume was low at night."),
        "caught_earlier": "A value-range monitor on txn_amount_cents (Mon2) would have fired "
                          "at 01:51.",
        "remediations": ["Mon2", "D1"],
    }
    fields.update(overrides)
    return Postmortem(**fields)


def d4_replays(lead: int | None = 16, false_alarms: int = 1) -> list[Replay]:
    return [Replay(remediation="Mon2", rule="FeatureValueRange", model="fraud-scorer",
                   expr="feature_mean:txn_amount_cents out of training range",
                   fired_at=None if lead is None else PAGE_AT - lead, lead_minutes=lead,
                   false_alarms_week=false_alarms)]


def d4_play(*, ack_after: int = 2, first_move: Literal["right", "wrong", "none"] = "right",
            diagnose: bool = True, wrong_cause: bool = False, mitigate: bool = True,
            handed_over: bool = False, postmortem: Postmortem | bool | None = True,
            replays: list[Replay] | None = None, severity: int | None = 2,
            updates: bool = True, ticket_noise: bool = True, owners_push_back: bool = False,
            extra_moves: int = 0) -> Record:
    """A D4 run; every switch at its default is the run a seasoned on-call would play."""
    noise = [alert("CertificateExpiringSoon", "search-ranker", 21, 12.4, "days", PAGE_AT,
                   severity="ticket")]
    b = RunBuilder("fraud-scorer", [alert(D4_ALERT, "fraud-scorer", 0.5, 0.71,
                                          "relative change", PAGE_AT)], noise=noise)
    b.wait(ack_after - 1)
    b.ack()
    if severity is not None:
        b.severity(severity)
    b.do({"do": "runbook", "alert": D4_ALERT}, text="ModelPredictionMeanShift runbook: check "
         "inputs for drift before touching the model.")
    b.do({"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean"}, cost=2,
         text="pred_mean fell from 0.035 to 0.012 at 01:53 and stayed there.",
         signals=("prediction-drop",))
    drift = b.do({"do": "drift", "model": "fraud-scorer", "feature": "txn_amount_cents",
                  "test": "psi"}, cost=3,
                 text="PSI 4.81 on txn_amount_cents (threshold 0.25): drifted; current mean is "
                      "0.0100 of the reference mean.", signals=("drift:txn_amount_cents",))
    if updates:
        b.update()
    pipes = b.do({"do": "pipelines", "model": "fraud-scorer"}, cost=2,
                 text="payments-events schema v12 -> v13 at 01:50: monetary fields in dollars.",
                 signals=("upstream-change:payments-events",),
                 data={"changes": [{"source": "payments-events", "by": "Dana Whitfield"}]})
    if ticket_noise:
        b.ticket("CertificateExpiringSoon", "search-ranker")
    if owners_push_back:
        b.intervene({"do": "escalate", "team": "model-owners",
                     "message": "fraud-scorer scores collapsed; model change?"}, "none",
                    "Priya Raman (fraud-scorer owner): no model change in weeks; inputs look "
                    "off, ask data engineering.", delay=10)
    if diagnose:
        b.diagnose("data", "D2" if wrong_cause else "D4", [str(drift.id), str(pipes.id)])
    if first_move == "wrong":
        b.intervene({"do": "rollback", "model": "fraud-scorer"}, "none",
                    "Rolled back fraud-scorer; the older version scores dollars just as wrongly.")
    for _ in range(extra_moves):
        b.intervene({"do": "hotfix", "model": "fraud-scorer", "fix": "restart_pods"}, "none",
                    "Pods restarted; scores unchanged.")
    if first_move != "none" and mitigate:
        b.intervene({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"},
                    "fixes", "Deployed a x100 conversion on txn_amount_cents at ingestion.")
        b.intervene({"do": "escalate", "team": "data-engineering",
                     "message": "payments-events v13 sends dollars; please revert"}, "fixes",
                    "data-engineering: confirmed, the producer rolled back to v12.", delay=14)
    b.wait(6)
    if updates:
        b.update("Mitigated: conversion deployed, producer reverting. Monitoring.")
    if handed_over:
        b.wait(30)
        b.facts.handed_over = True
    elif mitigate and first_move != "none":
        b.resolve()
    b.facts.impact = dict(D4_IMPACT)
    if postmortem is True:
        postmortem = d4_postmortem()
    if isinstance(postmortem, Postmortem):
        b.do({"do": "postmortem"}, cost=10)
        b.facts.postmortem = postmortem
        b.facts.replays = d4_replays() if replays is None else replays
        b.facts.artifacts = [Artifact(remediation="Mon2", kind="monitor",
                                      path="rules/fraud-scorer-mon2.yaml", content="groups: []")]
    return b.record(d4_answers(), scenario="d4-unit-change", title="Fraud scores in dollars")


# -- M1: bad canary on recsys-ranker, fixed by a rollback --------------------------------------

def m1_answers() -> AnswerKey:
    return AnswerKey(
        category="model", cause="M1", cause_name="bad canary version",
        explanation="v8 canary expects a feature the store does not serve",
        signal_alert="ErrorBudgetBurnFast",
        evidence=["canary-split", "canary-errors", "canary-promotion"],
        right=[{"kind": "rollback", "model": "recsys-ranker", "why": "canary to 0%"},
               {"kind": "hotfix", "model": "recsys-ranker", "fix": "pause_canary", "why": ""}],
        wrong=[{"kind": "hotfix", "fix": "scale_up", "why": "more pods fail the same way"}],
        severity=3, escalate_to="model-owners", remediations=["In4", "In6", "Mon7"],
    )


def m1_play() -> Record:
    b = RunBuilder("recsys-ranker", [alert("ErrorBudgetBurnFast", "recsys-ranker", 14.4, 31.0,
                                           "x budget", PAGE_AT)])
    b.wait(2)
    b.ack()
    b.severity(3)
    split = b.do({"do": "dashboard", "model": "recsys-ranker", "metric": "error_rate",
                  "by": "revision"}, cost=2, text="error_rate 8.1% on v8 (canary), 0.2% on v7.",
                 signals=("canary-split", "error-rate-up"))
    b.update("Canary v8 of recsys-ranker failing; rolling back.")
    b.diagnose("model", "M1", [str(split.id)])
    b.intervene({"do": "rollback", "model": "recsys-ranker"}, "fixes",
                "Canary v8 set to 0%; all traffic back on v7.")
    b.intervene({"do": "escalate", "team": "model-owners", "message": "v8 canary rolled back"},
                "fixes", "model-owners: confirmed, v8 expects a feature not served yet.",
                delay=22)
    b.wait(22)  # their answer is read before the incident is resolved
    b.resolve()
    b.facts.impact = {"requests_affected": 2210.0, "requests_failed": 180.0,
                      "budget_consumed_pct": 6.5, "minutes": 9.0}
    return b.record(m1_answers(), scenario="m1-bad-canary", title="A canary that fails")
