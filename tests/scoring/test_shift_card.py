"""A fair shift card: deferring a request is a decision about priorities, not passivity, and the
order finding quotes the minute a request was really worked, not the minute it was put off."""

from __future__ import annotations

from oncall.game.shift import Shift
from oncall.scoring.shift import score_shift


def _night_with_request() -> tuple[Shift, str]:
    for seed in range(30):
        s = Shift(seed, difficulty="easy")
        for it in s.record.facts.items:
            if it.kind in ("deploy", "canary"):
                return s, it.id
    raise AssertionError("no night with a release request in 30 seeds")


def test_a_deferred_request_is_a_decision_and_is_quoted_when_worked() -> None:
    s, item = _night_with_request()
    it = next(x for x in s.record.facts.items if x.id == item)
    while not it.arrived:
        s.do({"do": "wait", "minutes": 10})
    deferred = s.do({"do": "defer", "about": item, "minutes": 30})
    assert deferred.ok, deferred.text
    s.do({"do": "wait", "minutes": 30})
    taken = s.do({"do": "take", "item": item})
    assert taken.ok and taken.t > deferred.t
    card = score_shift(s.record)
    temperament = card.section("temperament")
    passivity = next(f for f in temperament.findings if f.name == "passivity")
    assert not any("deferred" in m.what for m in passivity.moments), passivity.moments
    order = next(f for f in card.section("prioritisation").findings if f.name == "order")
    put_off = it.taken_at  # the record marks the request taken when it was first answered
    assert put_off is not None and put_off < taken.t
    assert all(m.t >= taken.t - taken.cost for m in order.moments if item in m.what), \
        order.moments


def test_rolling_back_a_promoted_release_that_pages_is_not_noise_chasing() -> None:
    """Promoted past a failing gate, a release pages on its own model; the rollback that takes it
    back out is tending to the night's own change, not a move on a noisy model."""
    from oncall.game.shift import Shift
    from oncall.game.shiftrecord import queue_kind
    from oncall.scoring.shift import score_shift

    for seed in range(30):
        s = Shift(seed, difficulty="easy")
        bad = next((it for it in s.record.facts.items
                    if s.record.key.gates.get(it.id)), None)
        if bad is not None:
            break
    else:
        raise AssertionError("no night with a real regression at its gate in 30 seeds")
    while not bad.arrived:
        s.do({"do": "wait", "minutes": 10})
    s.do({"do": "take", "item": bad.id})
    s.do({"do": "agree", "about": bad.id})
    paged = None
    promoted_at = s.now
    while paged is None and s.now < promoted_at + 120:  # a page sent again ends a wait early
        s.do({"do": "wait", "minutes": 10})
        paged = next((it for it in s.record.facts.items
                      if it.page and it.model == bad.model), None)
    assert paged is not None, "the promoted regression pages within two hours"
    s.do({"do": "rollback", "model": bad.model})
    held = [c.id for c in s.record.facts.conversations if c.model == bad.model
            and c.held is not None and c.closed_at is None]
    if held:
        s.do({"do": "overrule", "about": held[-1]})
    s.do({"do": "end"})
    card = score_shift(s.record)
    rest = next(f for sec in card.sections for f in sec.findings if f.name == "rest")
    assert "0 rollback(s) or hotfix(es) on noisy models" in rest.text, rest.text
    # The rollback costs no rest: all rest lacks is the noise this night left unsettled.
    assert not any(m.entry is not None for m in rest.moments), rest.moments
    noise = [it for it in s.record.facts.items if it.arrived
             and queue_kind(s.record, it) == "noise"]
    unsettled = [m for m in rest.moments if "left unsettled" in m.what]
    assert rest.points == round(rest.max * (1 - len(unsettled) / len(noise)), 1), rest.text
