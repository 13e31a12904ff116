"""The interview rehearsal judges an answer against the record, and says why it marks it down."""

from __future__ import annotations

import io
import json
from pathlib import Path

from oncall_cli import run_oncall
from played import right_play

from oncall.content import loader
from oncall.story.interview import Session, follow_ups, judge, run_headless
from oncall.story.spoken import spoken


def strong(sid: str, question: str) -> str:
    s = spoken(right_play(sid), question)
    assert s is not None
    return s.text


def reasons(sid: str, question: str, answer: str) -> tuple[int, str]:
    v = judge(answer, right_play(sid), question)
    return v.score, " | ".join(d.reason for d in v.deductions)


def test_a_strong_answer_from_the_record_scores_high() -> None:
    for sid, q in (("fraud-4", "tradeoff"), ("fraud-1", "incident"), ("credit-2",
                                                                       "prioritisation")):
        v = judge(strong(sid, q), right_play(sid), q)
        assert v.score >= 90, (sid, v.text())
        assert v.fact_check and all(v.star.values())


def test_one_wrong_number_loses_points_and_says_which() -> None:
    good = strong("fraud-4", "tradeoff")
    base, _ = reasons("fraud-4", "tradeoff", good)
    f = right_play("fraud-4").facts
    assert f.mitigated_at is not None
    minutes = f.mitigated_at - f.page_at
    bad = good.replace(f"{minutes} minutes after the page", f"{minutes + 17} minutes after the "
                       "page")
    assert bad != good
    score, why = reasons("fraud-4", "tradeoff", bad)
    assert score < base and f"wrong figure '{minutes + 17}'" in why


def test_we_for_everything_loses_points_for_ownership() -> None:
    good = strong("fraud-1", "incident")
    we = (" " + good).replace(" I ", " we ").replace(" my ", " our ").replace(" I'", " we'")
    score, why = reasons("fraud-1", "incident", we)
    assert score < reasons("fraud-1", "incident", good)[0]
    assert '"we" for everything' in why


def test_a_tradeoff_without_its_cost_loses_points() -> None:
    good = strong("fraud-4", "tradeoff")
    cut = "\n".join(s for s in good.split("\n") if "gave up" not in s)
    cut = " ".join(s for s in cut.split(". ") if "gave up" not in s and "both" not in s
                   and "waited" not in s)
    score, why = reasons("fraud-4", "tradeoff", cut)
    assert score < reasons("fraud-4", "tradeoff", good)[0]
    assert "the tradeoff's cost is left out" in why
    both = good.replace("I chose reliability", "We did both, no trade-off really. I chose "
                        "reliability")
    assert '"we did both"' in reasons("fraud-4", "tradeoff", both)[1]


def test_blame_and_a_passive_hand_off_lose_points() -> None:
    good = strong("fraud-1", "incident")
    blamed = good + " Honestly it was their fault: the data team were careless."
    assert "blame" in reasons("fraud-1", "incident", blamed)[1]
    passive = good + " After that the incident was handed off and I went back to sleep."
    assert "passive hand-off" in reasons("fraud-1", "incident", passive)[1]


def test_claiming_the_teams_fix_is_ownership_lost() -> None:
    claim = strong("fraud-1", "incident") + " I fixed the upstream release myself."
    assert "claims the upstream fix as your own" in reasons("fraud-1", "incident", claim)[1]


def test_an_answer_about_a_different_night_fails_the_fact_check() -> None:
    other = strong("fraud-4", "incident")
    v = judge(other, right_play("credit-2"), "incident")
    assert not v.fact_check
    assert any("another night" in d.reason or "wrong figure" in d.reason for d in v.deductions)
    assert v.score < 70


def test_follow_ups_come_from_the_record_and_are_judged() -> None:
    record = right_play("fraud-4")
    asked = [f.asked for f in follow_ups(record, "tradeoff")]
    assert asked[0] == "What did you give up by taking the change back?"
    s = Session(record, "tradeoff")
    s.answer(strong("fraud-4", "tradeoff"))
    ok = s.answer("I gave up the owners' new version for the night; it waited until they "
                  "found the bad artifact.")
    empty = Session(record, "tradeoff")
    empty.answer(strong("fraud-4", "tradeoff"))
    vague = empty.answer("It went fine.")
    assert ok.score > vague.score and "does not say what was given up" in \
        " ".join(d.reason for d in vague.deductions)


def test_headless_protocol_asks_judges_and_follows_up() -> None:
    record = right_play("fraud-4")
    lines = [json.dumps({"answer": strong("fraud-4", "tradeoff")}), "not json",
             json.dumps({"answer": "I gave up their release for the night."}),
             json.dumps({"answer": "I would alert on the prediction mean after a promotion."})]
    out = io.StringIO()
    assert run_headless(record, "tradeoff", lines, out) == 0
    msgs = [json.loads(x) for x in out.getvalue().splitlines()]
    assert msgs[0]["ask"].startswith("Tell me about a time")
    assert msgs[1]["verdict"]["score"] >= 90
    assert "stdin line 2" in msgs[3]["error"]
    assert msgs[-1]["done"] is True and 0 < msgs[-1]["score"] <= 100


def test_the_cli_runs_the_rehearsal_on_a_save(tmp_path: Path) -> None:
    from oncall import headless

    sc = loader.scenario("fraud-4")
    headless.run(sc, 7, None, io.StringIO("\n".join(json.dumps(c) for c in sc.playbook.right)),
                 io.StringIO(), home=tmp_path)
    answer = json.dumps({"answer": strong("fraud-4", "incident")})
    done = run_oncall(["--home", str(tmp_path), "interview", "--headless"],
                      input=answer + "\n", timeout=60)
    assert done.returncode == 0, done.stderr
    msgs = [json.loads(x) for x in done.stdout.splitlines()]
    assert msgs[1]["verdict"]["fact_check"] is True
    bad = run_oncall(["--home", str(tmp_path), "interview", "--question", "disagreement",
                      "--headless"], input="", timeout=60)
    assert bad.returncode == 2 and "does not answer 'disagreement'" in bad.stderr


TELLS = {
    "wrong number": (lambda t, f: t.replace(f"{f.mitigated_at - f.page_at} minutes after the page",
                                            f"{f.mitigated_at - f.page_at + 17} minutes after "
                                            "the page"), "wrong figure"),
    "we for everything": (lambda t, f: (" " + t).replace(" I ", " we ").replace(" my ", " our ")
                          .replace(" I'", " we'"), '"we" for everything'),
    "we did both": (lambda t, f: t.replace("I chose reliability", "Honestly we did both, so "
                                           "I chose reliability"), '"we did both"'),
    "blame": (lambda t, f: t + " Really it was their fault, the owners were careless.", "blame"),
}


def test_each_tell_costs_points_against_the_same_answer_and_says_why() -> None:
    record = right_play("fraud-4")
    good = strong("fraud-4", "tradeoff")
    base = judge(good, record, "tradeoff")
    assert base.score >= 90 and base.fact_check, base.text()
    for name, (spoil, reason) in TELLS.items():
        bad = spoil(good, record.facts)
        assert bad != good, name
        v = judge(bad, record, "tradeoff")
        why = " | ".join(d.reason for d in v.deductions)
        assert v.score < base.score and reason in why, (name, why)


def test_denying_both_sides_is_no_tell() -> None:
    record = right_play("fraud-4")
    good = strong("fraud-4", "tradeoff")
    assert "I did not get both" in good
    assert '"we did both"' not in " ".join(d.reason for d in judge(good, record,
                                                                    "tradeoff").deductions)


def test_small_figures_are_held_to_the_record_too() -> None:
    record = right_play("fraud-1")
    f = record.facts
    good = strong("fraud-1", "incident")
    assert f.acked_at is not None and f.acked_at - f.page_at <= 1
    n = len(f.updates_at)
    assert f"{n} status updates" in good
    for wrong, said in ((good.replace(f"{n} status updates", f"{n + 3} status updates"),
                         f"{n + 3} status updates"),
                        (good + " I had rolled nothing back 11 minutes into it.",
                         "11 minutes")):
        v = judge(wrong, record, "incident")
        assert any(x.said == said and x.verdict == "wrong" for x in v.figures), v.text()
        assert not v.fact_check
    assert judge(good, record, "incident").fact_check


def test_star_parts_are_found_whatever_the_verbs() -> None:
    record = right_play("fraud-1")
    answer = ("Last night in production our fraud model's scores moved. My priority was to "
              "protect the customers. I quarantined the new feed and I compared the inputs. "
              "As a result the scores came back.")
    v = judge(answer, record, "incident")
    assert all(v.star.values()), v.star
    flat = "The model was wrong. Things happened. Someone did something."
    assert not any(judge(flat, record, "incident").star.values())


INVENTED = ("I rolled the model back to v12 first, and that fixed it within 5 minutes; the error "
            "budget burned 12%. ")


def test_a_figure_is_held_to_the_quantity_its_sentence_ties_it_to() -> None:
    record = right_play("fraud-1")
    f = record.facts
    assert f.mitigated_at is not None and f.mitigated_at - f.page_at > 5
    assert "budget_consumed_pct" not in f.impact, "a silent fault spends no error budget"
    good = strong("fraud-1", "incident")
    bad = good.replace("By 2:28", INVENTED + "By 2:28")
    assert bad != good
    v = judge(bad, record, "incident")
    said = {x.said: x for x in v.figures}
    assert said["12%"].verdict == "wrong" and "0%" in said["12%"].note, v.text()
    assert said["within 5 minutes"].verdict == "wrong", v.text()
    assert f"{f.mitigated_at - f.page_at} minutes" in said["within 5 minutes"].note
    assert not v.fact_check and "Fact check: passes" not in v.text()
    assert "every figure true to the record" not in v.praise


def test_a_budget_figure_is_true_only_of_the_budget_spent() -> None:
    record = right_play("fraud-3")
    spent = record.facts.impact["budget_consumed_pct"]
    good = strong("fraud-3", "incident")
    v = judge(good + f" The error budget burned {spent}%.", record, "incident")
    assert next(x for x in v.figures if x.said == f"{spent}%").verdict == "true", v.text()
    v = judge(good + f" The error budget burned {spent + 9:g}%.", record, "incident")
    assert next(x for x in v.figures if x.said == f"{spent + 9:g}%").verdict == "wrong"


def test_a_false_claim_fails_the_fact_check_and_loses_the_praise() -> None:
    record = right_play("fraud-1")
    good = strong("fraud-1", "incident")
    v = judge(good.replace("By 2:28", "I rolled the model back first. By 2:28"), record,
              "incident")
    assert "claims a rollback the record does not hold" in [d.reason for d in v.deductions]
    assert not v.fact_check and "every figure true to the record" not in v.praise


def test_a_claim_about_people_needs_a_contact_with_that_team() -> None:
    record = right_play("fraud-1")
    teams = {iv.command.get("team") for iv in record.facts.interventions
             if iv.kind == "escalate"}
    assert teams == {"data-engineering"}
    good = strong("fraud-1", "incident")
    v = judge(good + " The model owners disagreed with me, and I convinced them with the drift "
              "data.", record, "incident")
    assert not v.fact_check and any("no contact" in d.reason and "model owners" in d.reason
                                    for d in v.deductions), v.text()
    ok = judge(good + " The data engineering team agreed to revert the release.", record,
               "incident")
    assert not any("no contact" in d.reason for d in ok.deductions), ok.text()


def test_a_figure_the_sentence_ties_to_nothing_is_unverified_not_true() -> None:
    record = right_play("fraud-1")
    good = strong("fraud-1", "incident")
    v = judge(good + " I had the dashboard open within 9 minutes.", record, "incident")
    fig = next(x for x in v.figures if x.said == "within 9 minutes")
    assert fig.verdict == "unverified" and "not found in the record" in fig.note
    assert "every figure true to the record" not in v.praise
