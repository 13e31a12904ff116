"""The rubric on hand-built records: each rule moves points and says so in the feedback."""

from __future__ import annotations

import re

from record_factory import d4_play, d4_postmortem, d4_replays, m1_play

from oncall.game.record import ActionItem, Intervened, Lessons, Replay
from oncall.scoring import Scorecard, score
from oncall.scoring.postmortem import score_postmortem
from oncall.scoring.run import Run


def section(card: Scorecard, name: str) -> tuple[float, str]:
    s = card.section(name)
    return s.points, " ".join(s.feedback)


def test_sections_come_in_order_with_their_maxima() -> None:
    card = score(d4_play())
    assert [(s.name, s.max) for s in card.sections] == [
        ("alert", 15), ("diagnosis", 20), ("intervention", 25), ("postmortem", 15),
        ("self_awareness", 10), ("temperament", 15)]
    assert card.max == 100
    assert [i.name for i in card.interview] == [
        "platform_thinking", "production_track_record", "system_design_judgement",
        "collaboration", "temperament"]


def test_a_perfect_run_scores_at_least_90() -> None:
    card = score(d4_play())
    assert card.total >= 90, [(s.name, s.points, s.feedback) for s in card.sections]
    assert card.percent == card.total


def test_points_are_rounded_to_one_decimal_and_within_bounds() -> None:
    for record in (d4_play(), d4_play(ack_after=7), d4_play(first_move="wrong", extra_moves=3),
                   d4_play(postmortem=None), m1_play()):
        card = score(record)
        for s in card.sections:
            assert 0 <= s.points <= s.max
            assert s.points == round(s.points, 1)
        assert card.total == round(sum(s.points for s in card.sections), 1)
        assert all(0 <= i.percent <= 100 and i.sentence for i in card.interview)


def test_wrong_first_move_loses_intervention_points_and_names_the_move_and_why() -> None:
    right = score(d4_play())
    wrong = score(d4_play(first_move="wrong"))
    pts, text = section(wrong, "intervention")
    assert pts <= section(right, "intervention")[0] - 8
    assert "rollback fraud-scorer" in text
    assert "reads the same dollars just as wrongly" in text


def test_no_diagnosis_scores_zero_and_says_what_the_answer_was() -> None:
    pts, text = section(score(d4_play(diagnose=False)), "diagnosis")
    assert pts == 0
    assert "No diagnosis" in text and "D4" in text


def test_wrong_cause_loses_the_cause_and_most_of_the_time_points() -> None:
    right = score(d4_play()).section("diagnosis").points
    pts, text = section(score(d4_play(wrong_cause=True)), "diagnosis")
    assert pts <= right - 6 - 1.5
    assert "D2" in text and "wrong" in text


def test_cited_evidence_must_really_show_the_cause() -> None:
    record = d4_play()
    assert record.facts.diagnosis is not None
    runbook = next(e.observation.id for e in record.entries if e.command["do"] == "runbook")
    record.facts.diagnosis["evidence"] = [runbook, "obs-99"]
    pts, text = section(score(record), "diagnosis")
    assert pts <= score(d4_play()).section("diagnosis").points - 5
    assert "obs-99 not found" in text
    assert "drift:txn_amount_cents" in text  # says which evidence would have shown it


def test_changing_the_diagnosis_many_times_costs_a_little() -> None:
    record = d4_play()
    record.facts.diagnoses = 4
    pts, text = section(score(record), "diagnosis")
    assert pts == score(d4_play()).section("diagnosis").points - 1
    assert "Changed the diagnosis 3 times" in text


def test_late_ack_loses_temperament_points_with_the_run_numbers() -> None:
    prompt = score(d4_play(ack_after=2)).section("temperament").points
    late_pts, late_text = section(score(d4_play(ack_after=8)), "temperament")
    very_pts, _ = section(score(d4_play(ack_after=12)), "temperament")
    assert prompt > late_pts > very_pts
    assert re.search(r"Acknowledged at 02:15, 8 min after the page \(target 5\)", late_text)


def test_page_escalating_unacknowledged_costs_points() -> None:
    record = d4_play()
    record.facts.paged_unacked_escalated = True
    pts, text = section(score(record), "temperament")
    assert pts == score(d4_play()).section("temperament").points - 1
    assert "secondary" in text


def test_blame_words_are_flagged_and_blameless_is_not() -> None:
    clean = score(d4_play(postmortem=d4_postmortem(
        lessons=Lessons(went_well="A blameless review found the gap quickly.",
                        went_wrong="No data contract between producer and model.",
                        lucky="Fraud volume was low at night."))))
    assert section(clean, "postmortem")[1].count("Not blameless") == 0
    blamed = score(d4_play(postmortem=d4_postmortem(
        root_cause="It was the fault of the payments team, who were careless with units.")))
    pts, text = section(blamed, "postmortem")
    assert pts <= section(clean, "postmortem")[0] - 2
    assert '"fault of"' in text and '"careless"' in text


def test_people_named_in_the_run_are_flagged_in_the_postmortem() -> None:
    # Dana Whitfield deployed the upstream change (pipelines observation data, key "by").
    card = score(d4_play(postmortem=d4_postmortem(
        trigger="Dana Whitfield released payments-events v13 at 01:50.")))
    assert "Dana Whitfield" in section(card, "postmortem")[1]


def test_postmortem_stub_sections_and_ownerless_actions_cost_points() -> None:
    pm = d4_postmortem(trigger="TBD", lessons=d4_postmortem().lessons.model_copy(
        update={"lucky": ""}), action_items=[
        ActionItem(item="Look into alerts", type="investigate", owner="")])
    pts, text = section(score(d4_play(postmortem=pm)), "postmortem")
    assert pts <= 15 - 1 - 4 + 0.5
    assert "trigger" in text and "where we got lucky" in text
    assert "no detect item" in text


def test_no_postmortem_scores_zero_and_the_alert_detection_part_says_why() -> None:
    card = score(d4_play(postmortem=None))
    assert card.section("postmortem").points == 0
    assert card.section("self_awareness").points == 0
    assert "detection never named ModelPredictionMeanShift" in section(card, "alert")[1]


def test_detection_must_name_the_alert_and_its_threshold() -> None:
    vague = d4_postmortem(detection="An alert fired on the fraud model around two.")
    pts, text = section(score(d4_play(postmortem=vague)), "alert")
    assert pts == 13
    assert "names none of the alerts that paged (ModelPredictionMeanShift)" in text
    percent = d4_postmortem(detection="ModelPredictionMeanShift fired: the mean moved over 50%.")
    assert score(d4_play(postmortem=percent)).section("alert").points == 15


def test_detection_credits_a_threshold_only_when_stated_as_one() -> None:
    """A number anywhere in the detection earned the threshold point when it matched: now the
    threshold counts when the text says it is one (near the alert's name or a word such as
    "passed" or "threshold"), a run of bare numbers earns none, and the card quotes the words
    it matched."""
    def detection(text: str) -> tuple[float, str]:
        card = score(d4_play(postmortem=d4_postmortem(detection=text)))
        return card.section("alert").points, card.section("alert").feedback[-1]

    pts, line = detection("ModelPredictionMeanShift paged for fraud-scorer. The mean moved "
                          "0.1, 0.2, 0.3, 0.4, 0.5, 0.6.")
    assert pts == 14
    assert 'lists numbers without what they are ("0.1, 0.2, 0.3, 0.4, 0.5, 0.6")' in line
    pts, line = detection("ModelPredictionMeanShift paged for fraud-scorer. The record of the "
                          "night, for one, says 0.5 at one point.")
    assert pts == 14
    assert "quotes 0.5, but not as its threshold" in line
    pts, line = detection("ModelPredictionMeanShift paged when the mean prediction moved more "
                          "than 0.5 from training.")
    assert pts == 15
    assert 'states its threshold 0.5 relative change: "mean prediction moved more than 0.5' in line
    pts, line = detection("The 0.5 threshold of ModelPredictionMeanShift was crossed.")
    assert pts == 15
    # the value the page showed, stated as one, is said as what it is: not the threshold
    pts, line = detection("ModelPredictionMeanShift paged with a value of 0.71 on fraud-scorer.")
    assert pts == 14
    assert 'the value the page showed (0.71: "paged with a value of 0.71 on fraud-scorer")' \
        in line and "but not its threshold 0.5 relative change" in line


def test_a_detection_that_lists_every_alert_names_none() -> None:
    """Naming every alert rule earned the naming point, as the one that paged was among them:
    three or more alerts that were not firing at the page make the detection a list, which names
    none."""
    stuffed = d4_postmortem(detection="ModelPredictionMeanShift passed 0.5; so might have "
                            "ModelHigh5xxRatio, PodCrashLooping, GPUMemoryNearFull and "
                            "NodeDiskUsageHigh.")
    card = score(d4_play(postmortem=stuffed))
    assert card.section("alert").points == 13
    assert ("Detection names 4 alerts that were not firing at the page (GPUMemoryNearFull, "
            "ModelHigh5xxRatio, NodeDiskUsageHigh, ...)") in card.section("alert").feedback[-1]


def test_intervening_on_a_model_that_is_not_the_target_is_noise_chasing() -> None:
    record = d4_play()
    record.facts.interventions.insert(0, Intervened(
        t=140, kind="rollback", command={"do": "rollback", "model": "search-ranker"},
        effect="none", effective_at=140, message="Nothing changed.", evidence_before=1))
    pts, text = section(score(record), "alert")
    assert pts == 9.5  # half the moves kept on the target (3.5 of 7), less 2 for the chase
    assert "rollback search-ranker at 02:20" in text
    assert "Each costs 2 points" in text


def test_chasing_noise_costs_past_its_own_rule_and_more_than_doing_nothing() -> None:
    """Three rollbacks of healthy models cost 6: past the 7 of the rule, into the look and the
    triage; and in temperament, 1 each from the section, and the calm."""
    record = d4_play()
    for t, model in ((140, "search-ranker"), (141, "spam-filter"), (142, "ad-ctr")):
        record.facts.interventions.insert(0, Intervened(
            t=t, kind="rollback", command={"do": "rollback", "model": model}, effect="none",
            effective_at=t, message="Nothing changed.", evidence_before=1))
    chased = score(record)
    calm = score(d4_play()).section("temperament").points
    pts, text = section(chased, "alert")
    assert pts == round(15 - 7 - (6 - 7 / 4), 1)  # a quarter on target, less 3 chases
    assert "past this rule if need be" in text
    assert section(chased, "temperament")[0] == calm - 3 - 2  # and flailing is not calm
    assert "Changed models with no fault tonight" in section(chased, "temperament")[1]
    assert "calm is staying on the incident" in section(chased, "temperament")[1]


def test_the_acknowledgement_is_credited_once() -> None:
    """Acknowledging late costs temperament's timing, not the alert section as well."""
    late = score(d4_play(ack_after=9))
    assert late.section("alert").points == score(d4_play()).section("alert").points
    assert late.section("temperament").points < score(d4_play()).section("temperament").points


def test_a_severity_declared_late_earns_half() -> None:
    record = d4_play()
    assert record.facts.acked_at is not None
    record.facts.severity_at = record.facts.acked_at + 16
    pts, text = section(score(record), "temperament")
    assert pts == score(d4_play()).section("temperament").points - 1.5
    assert "16 min after the acknowledgement (target 15), so it earns half" in text


def test_noise_alerts_should_be_ticketed() -> None:
    pts, text = section(score(d4_play(ticket_noise=False)), "alert")
    assert pts == 13
    assert "not ticketed: CertificateExpiringSoon on search-ranker" in text


def test_never_mitigated_and_handed_over_lose_mitigation_points() -> None:
    none_pts, none_text = section(score(d4_play(first_move="none")), "intervention")
    assert none_pts == 0 and "no intervention" in none_text.lower()
    handed = score(d4_play(mitigate=False, handed_over=True))
    assert "secondary on-call" in section(handed, "intervention")[1]


def test_thrashing_without_new_evidence_costs_temperament() -> None:
    # Three blind restarts: the second and third follow a move that did nothing, with no new
    # evidence; the right fix after them is not thrashing.
    pts, text = section(score(d4_play(extra_moves=3)), "temperament")
    assert pts == score(d4_play()).section("temperament").points - 2
    assert "Thrashing" in text and "restart_pods" in text


def test_replay_lead_scales_and_false_alarms_cost() -> None:
    full = score(d4_play(replays=d4_replays(lead=16, false_alarms=1)))
    short = score(d4_play(replays=d4_replays(lead=5, false_alarms=1)))
    noisy = score(d4_play(replays=d4_replays(lead=16, false_alarms=9)))
    never = score(d4_play(replays=d4_replays(lead=None)))
    pts = {k: c.section("self_awareness").points for k, c in
           (("full", full), ("short", short), ("noisy", noisy), ("never", never))}
    assert pts["full"] == 10
    assert pts["full"] > pts["short"] > pts["never"]
    assert pts["noisy"] == 8
    assert "5 min before the page" in section(short, "self_awareness")[1]


def test_no_monitor_proposed_names_the_monitoring_to_propose() -> None:
    pts, text = section(score(d4_play(replays=[])), "self_awareness")
    assert pts == 3
    assert "monitoring that fits: Mon1, Mon2" in text


def test_severity_one_level_too_high_beats_one_level_too_low() -> None:
    exact = score(d4_play(severity=2)).section("temperament").points
    higher = score(d4_play(severity=1)).section("temperament").points
    lower = score(d4_play(severity=3)).section("temperament").points
    missing = score(d4_play(severity=None)).section("temperament").points
    assert exact > higher > lower > missing


def test_silence_costs_the_status_update_points() -> None:
    pts, text = section(score(d4_play(updates=False)), "temperament")
    assert pts == 15 - 3
    assert "no status update" in text


def test_long_gaps_between_updates_cost_cadence() -> None:
    record = d4_play()
    record.facts.updates_at = [record.facts.updates_at[0]]
    assert record.facts.resolved_at is not None
    record.facts.resolved_at = record.facts.updates_at[0] + 45
    pts, text = section(score(record), "temperament")
    assert pts == 15 - 1.5
    assert "45 min without an update" in text


def test_escalating_to_three_teams_or_before_looking_costs() -> None:
    record = d4_play()
    for i, team in enumerate(("model-owners", "infra-sre", "security")):
        record.facts.interventions.insert(i, Intervened(
            t=record.facts.page_at + 2, kind="escalate",
            command={"do": "escalate", "team": team}, effect="none",
            effective_at=record.facts.page_at + 14, message="Not us.", evidence_before=0))
    pts, text = section(score(record), "temperament")
    assert pts <= 15 - 1.5
    assert "Paged 4 teams" in text and "before any observation showed the fault" in text


def test_never_telling_the_owning_team_costs_escalation_points() -> None:
    record = d4_play()
    record.facts.interventions = [i for i in record.facts.interventions if i.kind != "escalate"]
    pts, text = section(score(record), "temperament")
    assert pts == 15 - 1.5
    assert "Never told data-engineering" in text


def test_mitigating_long_after_the_diagnosis_loses_the_mitigate_first_credit() -> None:
    record = d4_play()
    assert record.facts.diagnosis_at is not None
    fix = record.facts.interventions[0]
    record.facts.interventions = [fix.model_copy(update={"t": record.facts.diagnosis_at + 25})]
    pts, text = section(score(record), "intervention")
    assert pts == 25 - 2
    assert "25 min after the diagnosis" in text


def test_interview_view_reflects_the_run() -> None:
    good = {i.name: i for i in score(d4_play()).interview}
    bad = {i.name: i for i in score(d4_play(first_move="wrong", postmortem=None)).interview}
    assert good["platform_thinking"].percent > bad["platform_thinking"].percent
    assert good["system_design_judgement"].percent > bad["system_design_judgement"].percent
    assert "16 min before the page" in good["platform_thinking"].sentence
    assert "tempting wrong move rollback fraud-scorer" in bad["system_design_judgement"].sentence
    assert "data-engineering" in good["collaboration"].sentence


def test_impact_must_quote_a_measured_figure_and_a_stray_zero_does_not_count() -> None:
    zero = d4_postmortem(impact="0 requests failed; scores were wrong for a while.")
    pts, text = section(score(d4_play(postmortem=zero)), "postmortem")
    assert pts == 14
    assert "states none of the measured figures as what it measures (requests affected " \
        "12,437" in text
    rounded = d4_postmortem(impact="About 12,400 requests were scored on dollar amounts.")
    assert score(d4_play(postmortem=rounded)).section("postmortem").points == 15


def test_harmful_moves_cost_past_the_harm_rule() -> None:
    """Four restarts that did nothing cost 8: the harm rule holds 4, the other 4 come out of
    the rest of the section, so they cost more than the mitigation time they also lost."""
    two = score(d4_play(extra_moves=2)).section("intervention")
    four = score(d4_play(extra_moves=4))
    pts, text = section(four, "intervention")
    assert two.points - pts >= 4 + 2  # 4 past the rule, and the later mitigation
    assert "They cost more than this rule's 4 points: the rest comes out" in text
    assert "They cost more" not in " ".join(two.feedback)


def test_a_monitor_that_fired_before_the_page_fits_whatever_the_key_lists() -> None:
    """The postmortem counts a proposed monitor whose replay fired early as fitting, as
    self-awareness does; one that never fired stays unfit."""
    early = [Replay(remediation="mon-early", rule="EarlyRule", model="fraud-scorer", expr="x",
                    fired_at=100, lead_minutes=20, false_alarms_week=0)]
    late = [early[0].model_copy(update={"fired_at": None, "lead_minutes": None})]
    pm = d4_postmortem(remediations=["Mon2", "D1", "mon-early"])
    fired = section(score(d4_play(postmortem=pm, replays=early)), "postmortem")[1]
    silent = section(score(d4_play(postmortem=pm, replays=late)), "postmortem")[1]
    assert "Remediations that fit: Mon2, D1, mon-early;" in fired
    assert "not for this fault: mon-early" in silent


def test_two_rules_that_charge_one_missing_decision_say_it_once() -> None:
    from oncall.scoring.tally import Tally

    t = Tally("temperament")
    line = "Held back, but not as a decision: no ticket was filed."
    t.add("ack", 3, 3, "Acknowledged in time.")
    t.add("severity", 3, 3, "")
    t.add("updates", 3, 3, "")
    t.add("thrash", 0, 2, line)
    t.add("calm", 2, 2, "")
    t.add("team", 0, 2, line)
    section = t.section()
    assert section.feedback.count(line) == 1
    assert section.points == 11


def test_a_terse_detection_is_credited_for_the_alert_and_told_it_is_not_written_up() -> None:
    """A detection of the alert's name and threshold alone names the right alert (the alert
    section credits it) but is no sentence: the postmortem section says so in those words, not
    that it is missing, and tells an empty section and a placeholder apart."""
    pm = d4_postmortem(detection="ModelPredictionMeanShift > 0.5", trigger="TBD")
    card = score(d4_play(postmortem=pm))
    _, alert_text = section(card, "alert")
    _, pm_text = section(card, "postmortem")
    assert "names none of the alerts" not in alert_text
    assert "not written as a sentence: detection" in pm_text
    assert "missing: trigger" in pm_text


def test_a_resolution_naming_the_fix_in_the_singular_says_what_ended_it() -> None:
    """ads-3 ended when the replica ceiling was raised (raise_max_replicas): "I raised the
    replica ceiling" says so as surely as "replicas" does."""
    from oncall.content import loader
    from oncall.game.engine import Game

    g = Game(loader.scenario("ads-3"), 7)
    g.do({"do": "ack"})
    g.do({"do": "hotfix", "model": "ad-ctr", "fix": "raise_max_replicas"})
    g.do({"do": "wait", "minutes": 20})
    g.do({"do": "resolve"})
    g.do({"do": "postmortem", "summary": "Ad clicks failed at the autoscaler's ceiling.",
          "resolution": "I raised the replica ceiling and the new pods loaded their weights."})
    _, text = section(score(g.record), "postmortem")
    assert "does not say what ended it" not in text


def test_an_action_item_is_about_the_incident_in_any_inflection() -> None:
    """'Alert on GPU Xid errors and NotReady GPU nodes' was judged not about a lost GPU node
    (the run knows 'node', the item says 'nodes'), and lost its detect point; the same item in
    the singular earned it. One judgement scores the same whatever form carries it."""
    def card(detect: str) -> tuple[float, str]:
        return section(score(d4_play(postmortem=d4_postmortem(action_items=[
            ActionItem(item=detect, type="detect", owner="risk-ml"),
            ActionItem(item="Data contract test for payments-events", type="prevent",
                       owner="data-engineering")]))), "postmortem")

    one, said = card("Alert when an input leaves its training unit")
    many, said_many = card("Alert when inputs leave their training units")
    assert one == many and "2 about this incident" in said and "2 about this incident" in \
        said_many, (said, said_many)
    off, said_off = card("Alert when the weather service is slow")
    assert off < many and "1 about this incident" in said_off, said_off


SILENT_IMPACT = {"label_coverage_pct": 99.4, "label_delay_min": 4320.0, "labelled_pct": 0.2,
                 "minutes": 29.0, "minutes_outside_quality_slo": 0.0,
                 "prediction_shift_pct": -100.0, "quality_budget_consumed_pct": 0.0}
"""fraud-1's impact at its postmortem (seed 7): a silent fault, measured by its predictions."""


def _impact(text: str, impact: dict[str, float] | None = None) -> tuple[float, str]:
    record = d4_play(postmortem=d4_postmortem(impact=text))
    if impact is not None:
        record.facts.impact = dict(impact)
    part = score_postmortem(Run(record)).part("impact")
    return part.points, part.line


def test_impact_credit_needs_an_impact_figure_stated_as_what_it_measures() -> None:
    """fraud-1's impact quoted no measured figure ("amounts 100x too small") and the card said
    it quoted the measured label coverage: a number near a figure is not an impact figure, and
    label coverage measures what quality can be read on, not the harm."""
    pts, line = _impact("Every fraud-scorer request between the onset and the fix was scored "
                        "on amounts 100x too small; the impact figures are in the incident "
                        "record.", SILENT_IMPACT)
    assert pts == 0
    assert "label coverage" not in line and "99.4" not in line
    pts, line = _impact("Labels joined at 99.4% of the usual rate all night.", SILENT_IMPACT)
    assert pts == 0
    # a bare number matching a measured figure says nothing of what it measures
    assert _impact("The incident record says 12,437; see there.")[0] == 0
    # the same figure stated as what it counts earns the point, and the card quotes it
    pts, line = _impact("12,437 requests were scored on dollar amounts.")
    assert pts == 1
    assert 'requests affected (12,437): "12,437 requests were scored' in line
    pts, line = _impact("The mean prediction sat 100% below training.", SILENT_IMPACT)
    assert pts == 1 and "prediction shift (%) (-100)" in line
    assert _impact("For 26 minutes fraud scores were wrong.")[0] == 1
    assert _impact("3.2% of the monthly error budget was spent.")[0] == 1
    # a clock time is not a duration: 02:26 is not 26 minutes
    assert _impact("Scores were wrong from 02:00 to 02:26 for every request.")[0] == 0


def test_a_run_of_bare_numbers_in_the_impact_costs_not_pays() -> None:
    """Appending a list of numbers earned the point when one of them was near a figure; now a
    list earns nothing, even beside a figure stated properly."""
    pts, line = _impact("Scores were wrong; numbers: 97, 98, 99, 100, 101.", SILENT_IMPACT)
    assert pts == 0 and "lists numbers without what they measure" in line
    pts, _ = _impact("12,437 requests were scored on dollars. 12000, 12400, 12437, 13000.")
    assert pts == 0
