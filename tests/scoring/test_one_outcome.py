"""One outcome, any verb: on a control, a ticket and an escalation that asks for working-hours
follow-up are the same decision, and causes that describe one failure from two sides (N2 and I4
on a noisy neighbour) are accepted alternatives, so the same judgement scores within 3 points
whichever verb and cause carry it."""

from __future__ import annotations

from typing import Any

from worlds import fresh_game

from oncall.scoring import score

SID = "pricing-3"
MODEL = "price-optimizer"
ALERT = "ModelHigh5xxRatio"
NOTE = "nightly backfill without CPU limits shares a node with pricing; add CPU limits"


def play(cause: str, verb: str) -> float:
    g = fresh_game(SID, 7)

    def do(**cmd: Any) -> Any:
        obs = g.do(cmd)
        assert obs.ok, (cmd, obs.text)
        return obs

    do(do="ack")
    do(do="severity", level=4)
    do(do="runbook", alert=ALERT)
    do(do="update", message=f"SEV-4: {MODEL} timeouts; checking before touching anything.")
    seen = [do(do="infra", model=MODEL).id, do(do="logs", model=MODEL, level="WARN").id]
    do(do="deploys", model=MODEL)
    do(do="diagnose", category="infra", cause=cause, evidence=seen)
    if verb == "ticket":
        do(do="ticket", alert=ALERT, model=MODEL, note=NOTE)
    else:
        do(do="escalate", team="infra-sre", model=MODEL,
           message=f"Not urgent: {NOTE}. Please follow up in working hours.")
    do(do="update", message="A batch job on a shared node starved pricing; it is finishing. "
       "Followed up on the missing CPU limits; no rollback.")
    do(do="wait", minutes=6)
    do(do="dashboard", model=MODEL, metric="error_rate", window=60)
    do(do="resolve")
    do(do="postmortem",
       summary="A nightly backfill job without a CPU limit shared a node with price-optimizer "
               "and starved it; it cleared when the job finished.",
       impact="Part of the pricing requests timed out while the job ran.",
       root_cause="Batch pods without CPU limits were scheduled onto the node that serves "
                  "price-optimizer and saturated its CPU.",
       trigger="The nightly feature backfill started at about 01:56 on a shared node.",
       detection=f"{ALERT} paged when the 5xx ratio passed 0.05.",
       resolution="It cleared by itself when the job finished; the CPU limits were ticketed.",
       action_items=[{"item": f"Alert on CPU saturation of the node serving {MODEL}",
                      "type": "detect", "owner": "infra-sre"},
                     {"item": "Add CPU limits to batch jobs on serving nodes", "type": "prevent",
                      "owner": "infra-sre"}],
       lessons={"went_well": "We looked at the node before touching the model.",
                "went_wrong": "A batch job without limits was allowed onto a serving node.",
                "lucky": "The job finished within twenty minutes."},
       caught_earlier="The runbook-alert-tuning change would have kept this a ticket.",
       remediations=["runbook-alert-tuning", "mon-burn-slow"])
    return score(g.record).total


def test_the_same_judgement_scores_alike_whichever_verb_and_cause_carry_it() -> None:
    totals = {(cause, verb): play(cause, verb) for cause in ("N2", "I4")
              for verb in ("ticket", "escalate")}
    assert max(totals.values()) - min(totals.values()) <= 3, totals
    assert min(totals.values()) >= 70, totals
