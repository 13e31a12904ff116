"""STAR stories quote the run's own numbers and never claim what did not happen."""

from __future__ import annotations

import re

from record_factory import D4_IMPACT, PAGE_AT, d4_play, m1_play

from oncall.game.record import Intervened, Observation, Record
from oncall.scoring import score
from oncall.store.saves import IncidentSave
from oncall.story import star_story
from oncall.story.facts import gist


def story(record: Record) -> str:
    return star_story(IncidentSave(record=record, scorecard=score(record),
                                   saved_at="2026-03-18T09:30:00+00:00"))


def section(text: str, title: str) -> str:
    match = re.search(rf"## {title}\n\n(.*?)(?=\n## |\Z)", text, re.S)
    assert match, f"no {title} section"
    return match.group(1)


def test_the_story_has_the_star_sections_in_order_in_the_first_person() -> None:
    text = story(d4_play())
    heads = re.findall(r"^## (\w+)", text, re.M)
    assert heads[:5] == ["Situation", "Task", "Action", "Result", "Learning"]
    assert "I was the ML-platform engineer" in text
    assert " we " not in text.lower()


def test_the_story_quotes_the_runs_numbers() -> None:
    record = d4_play()
    text = story(record)
    situation = section(text, "Situation")
    assert "14 production models" in situation and "500 requests per second" in situation
    assert "At 02:07 I was paged by `ModelPredictionMeanShift`" in situation
    assert "0.71 against a threshold of 0.5" in situation
    assert record.facts.mitigated_at is not None
    minutes = record.facts.mitigated_at - PAGE_AT
    result = section(text, "Result")
    assert f"{minutes} minutes after the page" in result
    assert "12,437 requests were affected" in result
    assert f"{D4_IMPACT['budget_consumed_pct']}% of the error budget" in result
    action = section(text, "Action")
    assert "PSI 4.81 on txn_amount_cents" in action  # the cited evidence, shortened
    assert "payments-events schema v12 -> v13" in action
    assert "apply_unit_conversion" in action
    learning = section(text, "Learning")
    assert "would have fired 16 minutes before the page, with 1 false alarm" in learning
    assert "rules/fraud-scorer-mon2.yaml" in learning


def test_no_mitigation_is_never_claimed() -> None:
    text = story(d4_play(first_move="none"))
    assert "not mitigated" in section(text, "Result")
    assert "mitigated at" not in text
    assert "it worked" not in text
    assert "I resolved" not in text
    assert "I made no intervention" in text


def test_a_handed_over_incident_says_so() -> None:
    text = story(d4_play(mitigate=False, handed_over=True))
    result = section(text, "Result")
    assert "the secondary on-call took the incident over" in result
    assert "The fault was mitigated" not in result


def test_missing_diagnosis_severity_and_postmortem_are_not_invented() -> None:
    text = story(d4_play(diagnose=False, severity=None, postmortem=None, updates=False))
    assert "I never stated a diagnosis" in text
    assert "diagnosed a" not in text
    assert "SEV-" not in text
    assert "I did not write a postmortem" in text
    assert "would have fired" not in text and "Afterwards I added" not in text
    assert "I posted no status update" in text


def test_a_wrong_diagnosis_is_owned_up_to() -> None:
    text = story(d4_play(wrong_cause=True))
    assert "D2 (upstream schema change)" in text
    assert "That diagnosis was wrong: the cause was D4" in text


def test_a_rollback_that_worked_answers_the_trade_off_question() -> None:
    text = story(m1_play())
    trade = section(text, "Other questions this incident answers")
    assert "### A reliability-versus-velocity trade-off" in trade
    assert "At 02:16 I rolled back recsys-ranker instead of debugging the change live" in trade
    assert "trade-off" not in story(d4_play())  # a live hotfix is not that story


def test_live_fixes_before_the_rollback_are_not_hidden_in_the_trade_off() -> None:
    record = m1_play()
    first = record.facts.interventions[0]
    record.facts.interventions.insert(0, Intervened(
        t=first.t - 5, kind="hotfix",
        command={"do": "hotfix", "model": "recsys-ranker", "fix": "scale_up"}, effect="none",
        effective_at=first.t - 5, message="New replicas fail the same way.", evidence_before=1))
    trade = section(story(record), "Other questions this incident answers")
    assert "I first applied the hotfix `scale_up` to recsys-ranker" in trade
    assert "instead of debugging" not in trade


def test_model_owner_pushback_answers_the_disagreement_question() -> None:
    text = story(d4_play(owners_push_back=True))
    assert "### A disagreement with an ML team" in text
    assert "“fraud-scorer owner: no model change in weeks; inputs look off" in text
    assert "Priya Raman" not in text  # stories name roles, not people
    assert "disagreement" not in story(d4_play())


def test_evidence_is_told_by_its_telling_line_without_names_or_sparklines() -> None:
    obs = Observation(id="obs-4", kind="deploys", t=130, clock="02:10", signals=[
        "canary-promotion"], text="recsys-ranker (owner Ana Ruiz, team personalization)\n"
        "  r4 Feb 25 16:59 v11 canary 100% by Anthony Harris  (promoted after canary)\n"
        "  r5 01:22 v12 canary 25% by deploy-bot for Ana Ruiz  (auto-promote after 6h)\n"
        "  errors ▁▁▂█ now 0.08")
    assert gist(obs) == ("recsys-ranker (team personalization) — r5 01:22 v12 canary 25% "
                         "(auto-promote after 6h)")


def test_an_answer_after_the_fault_stopped_does_not_claim_the_fix() -> None:
    text = story(m1_play())
    assert "escalated to model-owners" in text
    assert "by then the fault was already mitigated" in text


def test_ticketed_noise_answers_how_i_prioritised() -> None:
    text = story(d4_play())
    assert "### How I prioritised" in text
    assert "I ticketed `CertificateExpiringSoon` on search-ranker" in text


def test_a_ticket_that_fired_weeks_ago_is_neither_the_page_nor_dated_tonight() -> None:
    from oncall.content import loader
    from oncall.game.engine import Game
    from oncall.sim.clock import DAY

    sc = loader.scenario("eta-1")
    g = Game(sc, 11)
    for cmd in sc.playbook.right:
        g.do(cmd)
    alerts = {a.rule: a for a in g.record.facts.page_alerts}
    assert g.record.facts.page_alerts[0].severity == "critical"
    cert = alerts["CertificateExpiringSoon"]
    assert cert.fired_at < g.record.facts.onset_at - 20 * DAY, "it had been firing for weeks"
    text = story(g.record)
    assert "paged by `ErrorBudgetBurnFast`" in text
    assert "paged by `CertificateExpiringSoon`" not in text


def test_a_page_that_cleared_by_itself_says_so() -> None:
    """pricing-3 is a control: the batch job ends and the service level comes back on its own.
    The result says when, and claims no mitigation."""
    from played import right_play

    from oncall.sim.clock import hhmm

    record = right_play("pricing-3")
    back = record.facts.impact["recovered_at"]
    result = section(story(record), "Result")
    assert f"It cleared by itself at {hhmm(int(back))}" in result
    assert "not mitigated" not in result and "mitigated at" not in result
