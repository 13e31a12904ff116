"""The scorecard judges what the player claimed with what they saw, credits outcomes, needs a
decision before it rewards calm or restraint, and says only what the record holds.

Each test plays real commands through the engine; none builds a card by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.record import Record
from oncall.scoring import score
from oncall.scoring.text import blame_hits
from oncall.session import Session
from oncall.store.saves import IncidentSave
from oncall.story.factcheck import check
from oncall.story.star import star_story

SEARCH = "search-ranker"


def play(sid: str, cmds: list[dict[str, Any]], seed: int = 7) -> Record:
    g = Game(loader.scenario(sid), seed)
    g.page()
    for c in cmds:
        obs = g.do(c)
        assert obs.ok or c.get("do") == "resolve", f"{c}: {obs.text}"
    return g.record


def lines(record: Record, section: str) -> str:
    return " ".join(score(record).section(section).feedback)


def part(record: Record, section: str, key: str) -> float:
    from oncall.scoring.alert import score_alert
    from oncall.scoring.awareness import score_awareness
    from oncall.scoring.diagnosis import score_diagnosis
    from oncall.scoring.intervention import score_intervention
    from oncall.scoring.postmortem import score_postmortem
    from oncall.scoring.run import Run
    from oncall.scoring.temperament import score_temperament

    fn = {"alert": score_alert, "diagnosis": score_diagnosis,
          "intervention": score_intervention, "postmortem": score_postmortem,
          "self_awareness": score_awareness, "temperament": score_temperament}[section]
    return fn(Run(record)).part(key).points


def obs_id(record: Record, verb: str) -> str:
    return next(str(e.observation.id) for e in record.entries if e.command.get("do") == verb
                and e.observation.ok)


# -- evidence is judged against the cause the player named ----------------------------------------
def test_evidence_for_a_gpu_oom_does_not_prove_a_schema_change() -> None:
    base = [{"do": "ack"}, {"do": "logs", "model": SEARCH, "level": "ERROR"},
            {"do": "deploys", "model": SEARCH}]
    probe = play("search-1", base)
    cited = [obs_id(probe, "logs"), obs_id(probe, "deploys")]
    right = play("search-1", [*base, {"do": "diagnose", "category": "infra", "cause": "I1",
                                      "evidence": cited}])
    wrong = play("search-1", [*base, {"do": "diagnose", "category": "data", "cause": "D2",
                                      "evidence": cited}])
    assert part(right, "diagnosis", "evidence") == 4
    assert part(wrong, "diagnosis", "evidence") == 0
    assert "shows evidence of D2" in lines(wrong, "diagnosis")


def test_padding_the_citations_costs_in_proportion() -> None:
    base = [{"do": "ack"}, {"do": "fleet"}, {"do": "fleet"}, {"do": "fleet"},
            {"do": "logs", "model": SEARCH, "level": "ERROR"}, {"do": "deploys", "model": SEARCH}]
    probe = play("search-1", base)
    good = [obs_id(probe, "logs"), obs_id(probe, "deploys")]
    padding = [str(e.observation.id) for e in probe.entries if e.command["do"] == "fleet"]
    tight = play("search-1", [*base, {"do": "diagnose", "category": "infra", "cause": "I1",
                                      "evidence": good}])
    padded = play("search-1", [*base, {"do": "diagnose", "category": "infra", "cause": "I1",
                                       "evidence": good + padding}])
    assert part(tight, "diagnosis", "evidence") == 4
    assert part(padded, "diagnosis", "evidence") == pytest.approx(4 * 2 / 5)
    assert "3 of 5 citations show nothing of it" in lines(padded, "diagnosis")


def test_an_accepted_alternative_cause_earns_part_of_the_cause_points() -> None:
    base = [{"do": "ack"}, {"do": "deploys", "model": SEARCH}]
    alt = play("search-1", [*base, {"do": "diagnose", "category": "infra", "cause": "I9",
                                    "evidence": []}])
    other = play("search-1", [*base, {"do": "diagnose", "category": "infra", "cause": "I2",
                                      "evidence": []}])
    assert part(alt, "diagnosis", "cause") == 3
    assert part(other, "diagnosis", "cause") == 0
    assert "defensible" in lines(alt, "diagnosis")


# -- outcomes, not key lists ----------------------------------------------------------------------
def test_an_escalation_that_mitigated_earns_first_move_credit() -> None:
    looked = [{"do": "ack"}, {"do": "logs", "model": SEARCH, "level": "ERROR"}]
    said = {"do": "escalate", "team": "model-owners", "model": SEARCH,
            "message": "search-ranker returns 5xx since the deploy; the logs show it failing."}
    rec = play("search-1", [*looked, said, {"do": "wait", "minutes": 30}])
    assert rec.facts.interventions[0].effect == "fixes"
    assert part(rec, "intervention", "first") == 4  # a rollback of your own would have done
    assert part(rec, "intervention", "mitigated") == 4
    # A bare escalation asks the team to start from nothing: it is not a move made on evidence.
    bare = play("search-1", [*looked, {**said, "message": "help"}, {"do": "wait", "minutes": 30}])
    assert part(bare, "intervention", "first") == 0
    assert "hands the team a page, not a finding" in lines(bare, "intervention")


def test_a_blind_guess_earns_nothing_even_when_it_works() -> None:
    """As a diagnosis named before any look: the same rollback after a look earns it all."""
    guess = play("search-1", [{"do": "ack"}, {"do": "rollback", "model": SEARCH}])
    looked = play("search-1", [{"do": "ack"}, {"do": "logs", "model": SEARCH, "level": "ERROR"},
                               {"do": "rollback", "model": SEARCH}])
    assert guess.facts.interventions[0].effect == "fixes"
    for key in ("first", "mitigated", "time"):
        assert part(guess, "intervention", key) == 0
    assert part(looked, "intervention", "first") == 8
    assert "a guess earns nothing, right or wrong" in lines(guess, "intervention")
    assert "through the team" not in lines(guess, "intervention")


# -- a decision before credit ---------------------------------------------------------------------
PAPERWORK = [{"do": "ack"}, {"do": "severity", "level": 2},
             {"do": "update", "message": "SEV-2 on search-ranker, investigating."},
             {"do": "ticket", "alert": "CertificateExpiringSoon", "model": "spam-filter"}]


def test_doing_nothing_earns_no_calm_restraint_or_noise_points() -> None:
    rec = play("search-1", PAPERWORK)
    assert part(rec, "alert", "noise") == 0
    assert part(rec, "temperament", "thrash") == 0
    assert part(rec, "intervention", "harm") == 0
    assert "Kept every" not in lines(rec, "alert")
    assert "no thrashing" not in lines(rec, "temperament")


def test_two_fixes_with_nothing_between_are_not_called_evidence_led() -> None:
    rec = play("fraud-1", [{"do": "ack"}, {"do": "drift", "model": "fraud-scorer",
                                            "feature": "all"},
                           {"do": "hotfix", "model": "fraud-scorer", "fix": "revert_config"},
                           {"do": "hotfix", "model": "fraud-scorer",
                            "fix": "apply_unit_conversion"}])
    text = lines(rec, "temperament")
    assert "Each new move followed new evidence" not in text


# -- good play is not penalised -------------------------------------------------------------------
def test_saying_it_was_no_ones_fault_is_blameless() -> None:
    assert blame_hits("This was no one's fault: the system allowed it.") == []
    assert blame_hits("It was nobody’s fault.") == []
    assert blame_hits("It was Dana's fault.") == ["'s fault"]


def test_a_fault_of_a_system_is_a_technical_fault_not_blame() -> None:
    assert blame_hits("No fault of the model: a noisy neighbour on a shared node.") == []
    assert blame_hits("A fault of the feature pipeline, not of the model.") == []
    assert blame_hits("It was the fault of the on-call engineer.") == ["fault of"]
    assert blame_hits("The outage was the fault of Dana.") == ["fault of"]


def test_infra_and_deploys_count_as_looking_at_the_signal() -> None:
    rec = play("search-1", [{"do": "ack"}, {"do": "infra", "model": SEARCH},
                            {"do": "deploys", "model": SEARCH},
                            {"do": "rollback", "model": SEARCH}])
    assert part(rec, "alert", "look") == 4
    assert "Looked at the signal first: infra search-ranker" in lines(rec, "alert")


@pytest.mark.parametrize(("sid", "alert", "threshold"), [("address-1", "ModelHigh5xxRatio", "0.05"),
                                                         ("address-1", "PodCrashLooping", "3"),
                                                         ("search-1", "PodCrashLooping", "3")])
def test_detection_may_name_any_alert_that_paged(sid: str, alert: str, threshold: str) -> None:
    sc = loader.scenario(sid)
    cmds = [dict(c) for c in sc.playbook.right]
    cmds[-1]["detection"] = f"{alert} fired above {threshold}."
    rec = play(sid, cmds)
    assert alert in {a.rule for a in rec.facts.page_alerts}
    assert part(rec, "alert", "detection") == 2


def test_full_self_awareness_is_reachable_when_the_page_follows_the_onset_closely() -> None:
    from oncall.scoring.awareness import full_lead
    from oncall.scoring.run import Run

    sc = loader.scenario("search-1")
    cmds = [dict(c) for c in sc.playbook.right]
    # monitors alone: a test that catches the fault at its release earns the full lead anyway
    cmds[-1]["remediations"] = [r for r in cmds[-1]["remediations"] if r.startswith("mon-")]
    # and detect items alone: a prevent item describing a test proposes that test
    cmds[-1]["action_items"] = [a for a in cmds[-1]["action_items"] if a["type"] == "detect"]
    rec = play("search-1", cmds)
    assert all(r.startswith("mon-") for r in rec.facts.postmortem.remediations)  # type: ignore[union-attr]
    possible = rec.facts.page_at - rec.facts.onset_at
    assert possible < 15
    assert full_lead(Run(rec)) == possible - 1
    best = max(r.lead_minutes or 0 for r in rec.facts.replays)
    assert part(rec, "self_awareness", "lead") == pytest.approx(5 * min(1, best / (possible - 1)))


def test_a_monitor_that_cannot_replay_is_not_reported_as_none_proposed() -> None:
    rec = play("fraud-1", [{"do": "ack"},
                           {"do": "hotfix", "model": "fraud-scorer",
                            "fix": "apply_unit_conversion"},
                           {"do": "wait", "minutes": 15}, {"do": "resolve"},
                           {"do": "postmortem", "summary": "x",
                            "remediations": ["mon-gpu-headroom"]}])
    text = lines(rec, "self_awareness")
    assert "No monitoring proposed" not in text
    assert "mon-gpu-headroom" in text


# -- every ending gets a card ---------------------------------------------------------------------
def test_a_player_who_never_acknowledges_gets_a_card_that_says_so() -> None:
    s = Session(loader.scenario("search-1"), 7, None, save=False)
    s.page()
    for _ in range(7):
        s.do({"do": "wait", "minutes": 30})
    obs = s.do({"do": "abandon", "reason": "asleep"})
    assert s.card is not None and s.ended
    assert "never acknowledged" in s.card.ending
    assert "secondary on-call took the incident over" in s.card.ending
    assert obs.text.startswith("Abandoned. Score 0/100.")


# -- true sentences -------------------------------------------------------------------------------
def test_mitigating_before_the_diagnosis_names_the_real_times() -> None:
    rec = play("search-1", [{"do": "ack"}, {"do": "logs", "model": SEARCH, "level": "ERROR"},
                            {"do": "escalate", "team": "model-owners", "model": SEARCH},
                            {"do": "diagnose", "category": "infra", "cause": "I1",
                             "evidence": ["obs-2"]},
                            {"do": "wait", "minutes": 30}])
    text = lines(rec, "intervention")
    iv = rec.facts.interventions[0]
    assert iv.effective_at > rec.facts.diagnosis_at > iv.t  # type: ignore[operator]
    assert "before the diagnosis at" in text and "it took effect at" in text
    assert check(text, rec) == []


def story(record: Record) -> str:
    return star_story(IncidentSave(record=record, scorecard=score(record),
                                   saved_at="2026-01-01T00:00:00"))


def test_the_story_says_when_the_page_came_not_when_a_warning_fired() -> None:
    sc = loader.scenario("search-1")
    rec = play("search-1", [dict(c) for c in sc.playbook.right])
    text = story(rec)
    from oncall.sim.clock import hhmm

    assert f"At {hhmm(rec.facts.page_at)} I was paged" in text
    assert check(text, rec) == []


def test_the_story_never_hands_the_fix_forward_to_a_team_that_changed_nothing() -> None:
    rec = play("search-1", [{"do": "ack"}, {"do": "logs", "model": SEARCH, "level": "ERROR"},
                            {"do": "rollback", "model": SEARCH},
                            {"do": "escalate", "team": "infra-sre", "model": SEARCH},
                            {"do": "wait", "minutes": 20}])
    assert rec.facts.interventions[1].effect != "fixes"
    assert "handed the fix-forward to infra-sre" not in story(rec)


def test_a_rollback_without_looking_is_not_told_as_a_choice_over_debugging() -> None:
    blind = play("search-1", [{"do": "ack"}, {"do": "rollback", "model": SEARCH},
                              {"do": "wait", "minutes": 10}])
    assert "instead of debugging the change live" not in story(blind)
    assert "before looking at anything" in story(blind)


def test_a_second_rollback_is_not_told_as_the_first_return_to_a_known_state() -> None:
    rec = play("fraud-1", [{"do": "ack"}, {"do": "drift", "model": "fraud-scorer",
                                            "feature": "all"},
                           {"do": "rollback", "model": "fraud-scorer"},
                           {"do": "hotfix", "model": "fraud-scorer",
                            "fix": "apply_unit_conversion"},
                           {"do": "wait", "minutes": 15}])
    assert "did I go back to a known state" not in story(rec)


@pytest.mark.parametrize("text", [
    "I acknowledged the page at 04:44.", "12,000 requests were affected.",
    "I escalated to security.", "obs-99 showed it.", "I declared SEV-1."])
def test_the_fact_checker_catches_what_the_record_does_not_hold(text: str) -> None:
    rec = play("search-1", [{"do": "ack"}, {"do": "severity", "level": 2},
                            {"do": "logs", "model": SEARCH, "level": "ERROR"}])
    assert check(text, rec) != []


def test_the_impact_point_is_for_a_measured_harm_not_a_clock_reading() -> None:
    """search-4's wrong play writes no impact: the feedback lists the measured harms by their
    names, and neither the minute the service came back nor the model's label delay is one of
    them (quoting either would have earned the point)."""
    from worlds import scripted_play

    card = scripted_play("search-4", "wrong")[-1]["scorecard"]
    [line] = [f for s in card["sections"] for f in s["feedback"]
              if f.startswith("Impact states none")]
    assert "requests affected" in line and "minutes of impact from the page" in line
    assert "recovered_at" not in line and "label_delay" not in line


# -- overlapping causes: a config-only deploy is also a bad deploy config --------------------------
def _right_with_cause(sid: str, cause: str) -> Record:
    cmds = [dict(c) for c in loader.scenario(sid).playbook.right]
    for c in cmds:
        if c["do"] == "diagnose":
            c["cause"] = cause
    return play(sid, [c for c in cmds if c["do"] not in ("resolve", "postmortem")])


@pytest.mark.parametrize(("sid", "truth", "diff"), [("credit-3", "I4", "obs-5 (cpu-limit-config)"),
                                                    ("eta-2", "I12", "obs-7 (log-level-config)")])
def test_a_bad_deploy_config_is_a_defensible_reading_of_a_config_only_deploy(
        sid: str, truth: str, diff: str) -> None:
    """credit-3 (a config-only deploy cut the CPU limit) and eta-2 (one set the log level to
    DEBUG) judged I9 flatly wrong: its evidence "none", the deploy diff included, and the revert
    "aimed at I9" for half. I9 is the change seen from the deploy: part of the cause, the diff
    its evidence, and its own fix no wrong aim."""
    alt, right = _right_with_cause(sid, "I9"), _right_with_cause(sid, truth)
    assert part(alt, "diagnosis", "cause") == 3
    assert "defensible" in lines(alt, "diagnosis")
    assert part(alt, "diagnosis", "evidence") == part(right, "diagnosis", "evidence") == 4
    assert f"Cited evidence of I9: {diff}" in lines(alt, "diagnosis")
    assert part(alt, "intervention", "first") == part(right, "intervention", "first")
    assert "aimed at" not in lines(alt, "intervention")
    assert score(alt).total >= score(right).total - 6


def test_a_kind_set_off_by_a_config_only_deploy_implies_the_bad_deploy_config() -> None:
    """A hand-written kind need not key I9 by hand: one whose deploy changes config only (no
    image, no version) gets it at half credit; a kind with another onset, or I9 itself, not."""
    from oncall.content.kinds import fault_kinds
    from oncall.game.engine import _alternatives
    from oncall.scoring.diagnosis import alternative
    from oncall.scoring.run import Run

    bare = fault_kinds()["cpu_quota_cut"].model_copy(update={"alternatives": []})
    assert [(a.cause, a.credit) for a in bare.implied_alternatives()] == [("I9", 0.5)]
    assert "limits" not in bare.implied_alternatives()[0].why  # says only what the kind has
    assert "cpu_limit_m" in bare.implied_alternatives()[0].why
    assert fault_kinds()["cpu_quota_cut"].implied_alternatives() == []  # keyed by hand
    assert fault_kinds()["unit_change"].implied_alternatives() == []
    assert fault_kinds()["memory_leak"].implied_alternatives() == []  # an image-only deploy
    assert fault_kinds()["timeout_cut"].implied_alternatives() == []  # I9 itself
    keyed = _alternatives(loader.scenario("credit-3"), bare)
    assert [(a["cause"], a["credit"], a.get("implied")) for a in keyed] == [("I9", 0.5, True)]
    # an overlap the scoring knows by name keeps its own credit over an implied one
    rec = play("credit-3", [{"do": "ack"}])
    rec.answers.cause, rec.answers.alternatives = "I5", keyed
    found = alternative(Run(rec), "I9")
    assert found is not None and found["credit"] == 0.8


def test_a_stated_figure_is_quoted_as_written_with_its_clock_times() -> None:
    """A clock reading is not a figure, but the quote keeps it: the card once quoted "at at
    9.05% against a 5% threshold" of a detection that said "paged at 01:40 at 9.05%"."""
    import re

    from oncall.scoring.text import stated_figures

    text = ("ModelHigh5xxRatio paged at 01:40 at 9.05% against a 5% threshold, seven minutes "
            "after the autoscaler hit its limit.")
    found = dict(stated_figures(text, re.compile("threshold")))
    assert found[5.0] == "at 01:40 at 9.05% against a 5% threshold, seven minutes after the"
    assert 1.4 not in found and 40.0 not in found  # 01:40 is a time, not a figure
