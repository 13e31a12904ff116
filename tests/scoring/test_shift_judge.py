"""The night's judge scores decisions, not absences: a release shipped past a gate that caught a
real regression costs, and the page it causes is not noise, whichever verb mutes it (the
play-test of seed 2: agreeing to q3, a canary at about 7x stable's errors the night's key gates,
then silencing its page, scored above holding it); a night without a decision earns nothing, and
every line of its card is true of its record (one left at 00:00 was told "Kept to the incident
while it burned" and scored 79/230, or 220/230 abandoned)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from oncall.game.shift import Shift
from oncall.game.shiftrecord import queue_kind
from oncall.scoring.shift import PASSIVE_COST, Finding, ShiftCard, score_shift

SEED, ITEM = 2, "q3"

# One worker builds the night once for every test here (module fixtures).
pytestmark = pytest.mark.xdist_group("shift-judge")


def _settle(s: Shift, until: Callable[[Shift], bool] = lambda s: False) -> None:
    """Work the night as a careful on-call would until `until` holds or the night ends: each
    page acknowledged; on an incident's, a severity, two looks, the right move and an update;
    each release request read and decided as its gate deserves, a feature request put off to
    working hours, a noise page silenced. (The key picks the moves: the test drives the night,
    the judge is what it tests.)"""
    keys = {k.model: k for k in s.record.key.incidents}
    while not s.ended and not until(s):
        f = s.record.facts
        page = next((p for p in f.pages if p.acked_at is None), None)
        if page is not None:
            assert s.do({"do": "ack", "page": page.id}).ok
            item = next(it for it in f.items if it.id == page.item)
            if item.kind == "incident":
                right = keys[item.model].right[0]
                s.do({"do": "severity", "level": keys[item.model].severity})
                s.do({"do": "deploys", "model": item.model})
                s.do({"do": "logs", "model": item.model, "level": "ERROR"})
                move = {k: v for k, v in right.items() if k in ("fix", "team")}
                done = s.do({"do": right["kind"], "model": item.model, **move,
                             **({"message": "please take it"} if "team" in move else {})})
                assert done.ok and done.kind != "held", done.text
                s.do({"do": "update", "message": f"{page.id}: mitigating {item.model}"})
            elif queue_kind(s.record, item) == "noise":
                s.do({"do": "silence", "alert": "*", "model": item.model, "minutes": 120})
            continue
        talk = next((cv for cv in f.conversations if cv.closed_at is None
                     and cv.reopen_at is None and cv.item), None)
        if talk is not None:
            item = next(it for it in f.items if it.id == talk.item)
            if item.kind == "feature":
                s.do({"do": "defer", "about": item.id})
            else:
                report = s.do({"do": "take", "item": item.id})
                s.do({"do": "reply", "about": item.id, "evidence": [str(report.id)]}
                     if s.record.key.gates.get(item.id) else {"do": "agree", "about": item.id})
            continue
        s.do({"do": "wait", "minutes": 30})


def _arrived(item: str) -> Callable[[Shift], bool]:
    return lambda s: any(it.id == item and it.arrived for it in s.record.facts.items)


@pytest.fixture(scope="module")
def night() -> Shift:
    """Seed 2 as built, before any command (the plays below start from copies of it)."""
    return Shift(SEED)


@pytest.fixture(scope="module")
def taken(night: Shift) -> tuple[Shift, str]:
    """Seed 2 worked with care up to the canary request q3, its gate report read."""
    s = copy.deepcopy(night)
    assert s.record.key.gates.get(ITEM) is True, "the night's key gates q3 as a real regression"
    _settle(s, _arrived(ITEM))
    report = s.do({"do": "take", "item": ITEM})
    assert report.ok and report.data["failed"], report.text
    return s, str(report.id)


def _shipped(taken: tuple[Shift, str]) -> tuple[Shift, dict[str, Any]]:
    """q3 agreed to, then its page waited for and acknowledged."""
    s = copy.deepcopy(taken[0])
    assert s.do({"do": "agree", "about": ITEM}).data["effect"] == "promote"
    model = next(x.model for x in s.record.facts.items if x.id == ITEM)
    _settle(s, lambda s: any(p.model == model for p in s.record.facts.pages))
    page = next(p for p in s.record.facts.pages if p.model == model)
    assert s.do({"do": "ack", "page": page.id}).ok
    return s, page.model_dump()


def _finding(card: ShiftCard, name: str) -> Finding:
    return next(f for sec in card.sections for f in sec.findings if f.name == name)


@pytest.fixture(scope="module")
def cards(worked: dict[str, Shift]) -> dict[str, ShiftCard]:
    return {name: score_shift(s.record) for name, s in worked.items()}


@pytest.fixture(scope="module")
def worked(taken: tuple[Shift, str]) -> dict[str, Shift]:
    """The same night played three ways from q3 on, then worked with care to its end: held with
    the gate report; shipped and its page silenced; shipped and its page ticketed."""
    held = copy.deepcopy(taken[0])
    assert held.do({"do": "reply", "about": ITEM, "evidence": [taken[1]]}).data["effect"] \
        == "hold"
    silenced, page = _shipped(taken)
    ticketed = copy.deepcopy(silenced)
    assert silenced.do({"do": "silence", "alert": "*", "model": page["model"],
                        "minutes": 120}).ok
    filed = ticketed.do({"do": "ticket", "alert": page["alerts"][0], "model": page["model"]})
    assert filed.ok, filed.text
    out = {}
    for name, s in (("held", held), ("silenced", silenced), ("ticketed", ticketed)):
        _settle(s)
        out[name] = s
    return out


def test_a_shipped_regression_and_its_muted_page_cost_what_holding_does_not(
        cards: dict[str, ShiftCard]) -> None:
    held = _finding(cards["held"], "passivity")
    assert not any("real regression" in m.what or "not noise" in m.what for m in held.moments)
    assert _finding(cards["held"], "releases").points == 10
    for way in ("silenced", "ticketed"):
        passivity = _finding(cards[way], "passivity")
        releases = _finding(cards[way], "releases")
        shipped = [m for m in releases.moments if "past a gate that showed a real regression"
                   in m.what]
        muted = [m for m in passivity.moments if "a real page's cause" in m.what]
        assert len(shipped) == 1 and ITEM in shipped[0].what and shipped[0].entry is not None
        assert len(muted) == 1 and muted[0].entry is not None, passivity.moments
        assert "real regression" in releases.text and "silenced or ticketed" in passivity.text
        # Two wrong decisions: the muted page a passive act's cost, the shipped release its own
        # line's 10, on top of whatever else both share.
        assert passivity.points == max(0, held.points - PASSIVE_COST), (way, passivity)
        assert releases.points == 0, releases
        assert cards[way].total < cards["held"].total, (way, cards[way].total)
    # The same judgement scores the same whatever verb carries it.
    assert cards["silenced"].total == cards["ticketed"].total


def test_the_regression_page_is_not_noise_settled(cards: dict[str, ShiftCard]) -> None:
    """Muted or filed, the shipped release's page is not counted as noise handled: rest reads
    the same as on the night it never paged."""
    held = _finding(cards["held"], "rest")
    for way in ("silenced", "ticketed"):
        rest = _finding(cards[way], "rest")
        assert (rest.points, rest.text) == (held.points, held.text), way


def test_muting_an_open_incident_is_a_passive_act(night: Shift) -> None:
    """The night's incident pages and burns: a silence on its model mutes a real page, and
    settles no noise."""
    s = copy.deepcopy(night)
    while not any(it.kind == "incident" for it in s.record.facts.items):
        s.do({"do": "wait", "minutes": 30})
    burning = next(it for it in s.record.facts.items if it.kind == "incident")
    assert s.do({"do": "ack", "page": burning.page}).ok
    assert s.do({"do": "silence", "alert": "*", "model": burning.model, "minutes": 60}).ok
    card = score_shift(s.record)
    passivity = _finding(card, "passivity")
    assert any(f"{burning.id}, an incident still open" in m.what for m in passivity.moments), \
        passivity.moments
    assert _finding(card, "rest").text.startswith("Noise: 0 of "), _finding(card, "rest").text


@pytest.fixture(scope="module")
def idle(night: Shift) -> dict[str, ShiftCard]:
    """The night left alone three ways: off the pager at 00:00 (`end`), waited through to its
    end, abandoned at 00:00."""
    out = {}
    for way in ("end", "wait", "abandon"):
        s = copy.deepcopy(night)
        while not s.ended:
            s.do({"do": "wait", "minutes": 30} if way == "wait" else {"do": way})
        out[way] = score_shift(s.record)
    return out


def test_a_night_without_a_decision_earns_nothing(idle: dict[str, ShiftCard]) -> None:
    for way, card in idle.items():
        earned = [(f.name, f.points, f.text) for sec in card.sections for f in sec.findings
                  if f.points]
        assert not earned and card.total == 0, (way, earned)


def test_every_line_of_a_night_left_alone_is_true(idle: dict[str, ShiftCard]) -> None:
    said = {way: {f.name: f.text for sec in card.sections for f in sec.findings}
            for way, card in idle.items()}
    for way in ("end", "wait"):  # the night ran on: its pages, requests and colleagues came
        text = said[way]
        assert "Kept to" not in text["focus"] and "No work of yours on p1" in text["focus"]
        assert "never acknowledged" in text["passivity"] and "never answered" in \
            text["passivity"] and "Settled" not in text["passivity"]
        # Only what happened is named: nobody escalated, deferred or gave anything up.
        assert not any(w in text["passivity"] for w in ("escalat", "defer", "given up"))
        assert "never answered" in text["data"] and "came up" not in text["data"]
        assert text["overrule"].startswith("Answered none of the")
        assert "0 of" in text["rest"] and "No rollback, hotfix or escalation" in text["thrash"]
    assert idle["end"].ending.startswith("Went off the pager at 00:00, 360 min before")
    assert "after you went off the pager" in said["end"]["ack"]
    assert idle["wait"].ending == "On the pager for the whole shift, 00:00 to 06:00."
    # Abandoned at once: nothing came, and the card says it stopped there, not that it was quiet.
    assert idle["abandon"].ending.startswith("Abandoned at 00:00, 360 min before")
    for name in ("ack", "severity", "updates", "escalation", "focus", "order", "deadlines",
                 "data", "overrule"):
        assert "before the night was abandoned at 00:00" in said["abandon"][name], name
    assert "No decision recorded" in said["abandon"]["passivity"]


def test_the_right_call_made_with_data_scores_whatever_verb_carries_it(
        cards: dict[str, ShiftCard]) -> None:
    """Seed 2 worked with care: q2's gate a false alarm, promoted (`agree`, the one verb that
    promotes) after reading its report; q3 held with its report cited (`reply`); the feature
    request q4 put off to working hours (`defer`). Three right calls, each made with data: the
    finding once credited only the reply (5 of 15). Shipping q3 instead is the wrong call and
    earns nothing, however the rest was argued."""
    data = _finding(cards["held"], "data")
    said = [m.what for m in data.moments]
    assert data.points == data.max and len(said) == 3, data
    assert any("(agree, " in w and "promoted q2, its gate a false alarm" in w for w in said)
    assert any("(defer, " in w and "put q4 off to working hours" in w for w in said)
    assert any(": convinced " in w and f"held {ITEM}, its gate a real regression" in w
               for w in said), said
    shipped = _finding(cards["silenced"], "data")
    assert any(f"promoted {ITEM} past a gate" in m.what
               and "not the right call" in m.what for m in shipped.moments), shipped.moments
    assert shipped.points == round(data.max * (len(data.moments) - 1) / len(data.moments), 1)


def test_the_career_sheet_counts_what_the_data_line_credits(worked: dict[str, Shift],
                                                            cards: dict[str, ShiftCard]) -> None:
    """One judgement: the career sheet once counted only replies that convinced (1 on the held
    night, whose card credits three right calls made with data)."""
    from oncall.store.shifts import ShiftSave
    from oncall.story.career import career_sheet

    counted = {}
    for name in ("held", "silenced"):
        data = _finding(cards[name], "data")
        credited = sum(": not the right call" not in m.what and "without data" not in m.what
                       for m in data.moments)
        save = ShiftSave(record=worked[name].record, card=cards[name],
                         saved_at="2026-03-19T07:00:00+00:00")
        line = next(ln for ln in career_sheet([save]).splitlines()
                    if ln.startswith("- Conversations with colleagues"))
        assert line.endswith(f"settled by the right call made with data: {credited}"), line
        counted[name] = credited
    assert counted == {"held": 3, "silenced": 2}


@pytest.fixture(scope="module")
def left(night: Shift) -> dict[str, ShiftCard]:
    """Seed 2 left alone until q3 came (its incident's page never acknowledged, q2 let pass),
    q3's gate report read and q3 decided two ways, then off the pager: passivity sits at its
    floor of 0 either way."""
    s = copy.deepcopy(night)
    while not _arrived(ITEM)(s):
        s.do({"do": "wait", "minutes": 30})
    report = s.do({"do": "take", "item": ITEM})
    out = {}
    for way, cmd in (("held", {"do": "reply", "about": ITEM, "evidence": [str(report.id)]}),
                     ("shipped", {"do": "agree", "about": ITEM})):
        play = copy.deepcopy(s)
        assert play.do(cmd).ok and play.do({"do": "end"}).ok
        out[way] = score_shift(play.record)
    return out


def test_a_shipped_regression_costs_its_own_line_below_passivitys_floor(
        left: dict[str, ShiftCard]) -> None:
    """At 0 passivity a shipped regression once cost nothing more there (the data line's share
    was all that told the two nights apart): now its own line costs 10."""
    assert [_finding(left[w], "passivity").points for w in ("held", "shipped")] == [0, 0]
    held, shipped = _finding(left["held"], "releases"), _finding(left["shipped"], "releases")
    assert (held.points, shipped.points) == (10, 0), (held, shipped)
    assert len(shipped.moments) == 1 and ITEM in shipped.moments[0].what
    assert shipped.moments[0].entry is not None
    # Beside the line, the wrong call earns no data share, and the release's page is one more
    # deadline the night let pass.
    data = _finding(left["held"], "data").points - _finding(left["shipped"], "data").points
    assert data > 0 and left["held"].total - left["shipped"].total >= 10 + data


def test_a_page_left_unacknowledged_as_the_night_stops_earns_nothing(night: Shift) -> None:
    """Abandoned at the minute the incident paged: its acknowledgement was not yet due, so it
    is neither met nor missed (the ack line once gave it its full share, 10 of 10, for a page
    never acknowledged)."""
    s = copy.deepcopy(night)
    while not s.record.facts.pages:
        s.do({"do": "wait", "minutes": 30})
    assert s.do({"do": "abandon"}).ok
    card = score_shift(s.record)
    ack = _finding(card, "ack")
    assert ack.points == 0 and "not yet due" in ack.text, ack
    assert _finding(card, "deadlines").text.startswith("Nothing was due"), card
    assert card.total == 0, card
