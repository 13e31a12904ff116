"""A remediation described in words in an action item is proposed as if its id were typed: the
postmortem reads each item against the catalogue, says how it read it, and the reading is
generated, replayed and scored like a listed id (same fit rules, same share that fits)."""

from __future__ import annotations

from typing import Any

from worlds import fresh_game

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.record import Record
from oncall.scoring import score
from oncall.scoring.awareness import score_awareness
from oncall.scoring.postmortem import score_postmortem
from oncall.scoring.run import Run
from oncall.session import Session, replay

SID = "feed-1"  # a bad canary: its answer key lists mon-canary-errors
CANARY = "Alert on the canary revision's own error ratio"


def play(items: list[dict[str, str]], remediations: list[str]) -> Game:
    """feed-1 played by its playbook, with these action items and listed remediations."""
    g = fresh_game(SID, 7)
    for cmd in loader.scenario(SID).playbook.right:
        if cmd["do"] == "postmortem":
            cmd = {**cmd, "action_items": items, "remediations": remediations}
        obs = g.do(cmd)
        assert obs.ok, (cmd["do"], obs.text)
    return g


def item(text: str, type_: str = "detect") -> dict[str, Any]:
    return {"item": text, "type": type_, "owner": "personalization"}


def points(g: Game) -> tuple[float, float, float]:
    run = Run(g.record)
    return (score_postmortem(run).part("remediations").points,
            score_postmortem(run).part("actions").points, score_awareness(run).section().points)


def test_the_canary_monitor_in_words_scores_as_its_id() -> None:
    assert "mon-canary-errors" in loader.scenario(SID).answers.remediations
    typed = play([item("Share the timeline with the owners")], ["mon-canary-errors"])
    words = play([item(CANARY)], [])
    neither = play([item("Share the timeline with the owners")], [])

    pm = words.record.facts.postmortem
    assert pm is not None
    assert pm.action_items[0].remediation == "mon-canary-errors"
    assert pm.remediations == ["mon-canary-errors"]
    assert [r.remediation for r in words.record.facts.replays] == ["mon-canary-errors"]
    assert any(a.remediation == "mon-canary-errors" and a.kind == "monitor"
               for a in words.record.facts.artifacts)
    text = words.record.entries[-1].observation.text
    assert "action item 1 reads as mon-canary-errors: alert on the canary revision's own " \
           "error ratio" in text

    rem_typed, _, aware_typed = points(typed)
    rem_words, _, aware_words = points(words)
    rem_none, _, aware_none = points(neither)
    assert rem_words == rem_typed > rem_none == 0
    assert aware_words == aware_typed > aware_none
    # The card says which item the remediation was read from; a typed id needs no such note.
    said = [f for s in score(words.record).sections for f in s.feedback
            if f.startswith("Remediations that fit")]
    assert said and "mon-canary-errors (action item 1)" in said[0]
    assert not any("(action item" in f for s in score(typed.record).sections
                   for f in s.feedback)


def test_a_typed_id_and_its_sentence_propose_it_once() -> None:
    g = play([item(CANARY)], ["mon-canary-errors"])
    pm = g.record.facts.postmortem
    assert pm is not None and pm.remediations == ["mon-canary-errors"]
    assert len(g.record.facts.replays) == 1


def test_every_monitor_in_words_costs_as_every_id_does() -> None:
    from oncall.game.remediations import BY_ID

    titles = [item(BY_ID[r].title) for r in BY_ID if r.startswith("mon-")]
    listed = play([item(CANARY)], [r for r in BY_ID if r.startswith("mon-")])
    described = play(titles, [])
    pm = described.record.facts.postmortem
    assert pm is not None
    assert sorted(pm.remediations) == sorted(r for r in BY_ID if r.startswith("mon-"))
    assert points(described)[0] == points(listed)[0] < points(play([item(CANARY)], []))[0]


def test_an_item_read_as_an_unfit_remediation_is_not_about_this_incident() -> None:
    # a node disk monitor watches nothing this canary broke: proposed, not credited, and the
    # item that asks for it is not about this incident
    fit = play([item(CANARY), item("Runbook: split by revision, pause the canary first",
                                   "mitigate")], [])
    unfit = play([item(CANARY), item("Warn when node disk fills up")], [])
    pm = unfit.record.facts.postmortem
    assert pm is not None and pm.action_items[1].remediation == "mon-node-disk"
    assert "mon-node-disk" not in unfit.record.answers.remediations
    assert points(unfit)[1] < points(fit)[1]
    assert points(unfit)[0] < points(fit)[0]


def test_an_item_may_name_its_remediation_and_a_wrong_one_is_refused() -> None:
    g = play([{**item("Share the timeline with the owners"),
               "remediation": "mon-canary-errors"}], [])
    pm = g.record.facts.postmortem
    assert pm is not None and pm.remediations == ["mon-canary-errors"]
    g = fresh_game(SID, 7)
    for cmd in loader.scenario(SID).playbook.right:
        if cmd["do"] == "postmortem":
            cmd = {**cmd, "action_items": [{**item(CANARY), "remediation": "mon-canary"}]}
            obs = g.do(cmd)
            assert not obs.ok
            assert obs.error is not None and \
                "action_items[1].remediation: unknown remediation 'mon-canary'; valid: " \
                in obs.error
            break
        g.do(cmd)


def test_a_saved_record_replays_to_the_same_record_and_card() -> None:
    sc = loader.scenario(SID)
    played = Session(sc, 7, save=False, record_limit=None)
    for cmd in sc.playbook.right:
        if cmd["do"] == "postmortem":
            cmd = {**cmd, "remediations": [], "action_items": [
                item(CANARY), item("Soak test each release so memory levels off", "prevent")]}
        assert played.do(cmd).ok
    pm = played.record.facts.postmortem
    assert pm is not None and [a.remediation for a in pm.action_items] == \
        ["mon-canary-errors", "test-soak"]
    saved = Record.model_validate_json(played.record.model_dump_json())
    again, card = replay(saved, sc)
    assert again.model_dump() == played.record.model_dump()
    assert card is not None and played.card is not None
    assert card.model_dump() == played.card.model_dump()


def test_what_would_have_caught_it_earlier_may_describe_the_monitor_in_words() -> None:
    def concrete(earlier: str, remediations: list[str]) -> float:
        g = fresh_game(SID, 7)
        for cmd in loader.scenario(SID).playbook.right:
            if cmd["do"] == "postmortem":
                cmd = {**cmd, "caught_earlier": earlier, "remediations": remediations,
                       "action_items": [item("Share the timeline with the owners")]}
            assert g.do(cmd).ok
        return score_awareness(Run(g.record)).part("concrete").points

    words = "Paging on the canary's own 5xx share against stable would have caught it in minutes."
    assert concrete(words, ["mon-canary-errors"]) == 1.5
    # the same words with the monitor not proposed back nothing
    assert concrete(words, ["runbook-revision-split"]) == 0
    # and words that describe no monitor back nothing
    assert concrete("Better monitoring would have caught it sooner.", ["mon-canary-errors"]) == 0


def test_a_claim_in_words_names_the_proposal_it_describes_among_several() -> None:
    """fraud-1 proposes a feature-range monitor and a feature-schema contract test (both fit).
    A claim that describes one of them in words, beside the incident's own words (the feature,
    the minutes), names it; "a monitor" is read as the monitor, "a contract test" as the test;
    a claim about a remediation not proposed, or a word in common, backs nothing."""
    proposed = ["mon-feature-range", "test-feature-schema", "runbook-input-shift"]

    def backed(earlier: str) -> str:
        g = fresh_game("fraud-1", 7)
        for cmd in loader.scenario("fraud-1").playbook.right:
            if cmd["do"] == "postmortem":
                cmd = {**cmd, "caught_earlier": earlier, "remediations": proposed}
            assert g.do(cmd).ok
        return " ".join(score_awareness(Run(g.record)).section().feedback)

    monitor = backed("A feature-range monitor on txn_amount_cents would have fired minutes "
                     "after the producer release.")
    assert "names mon-feature-range" in monitor
    test = backed("A contract test on the feature schema in the producer's CI would have "
                  "stopped the release.")
    assert "names test-feature-schema" in test
    for nothing in ("A latency alert would have caught it.",
                    "Looking at the features sooner would have helped us."):
        assert "names no proposed monitor or test" in backed(nothing), nothing
