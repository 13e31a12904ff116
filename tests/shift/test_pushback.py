"""Every answer to a colleague's push back is reachable and changes the night: what happens in
the world (the rollback goes ahead, waits or is called off; trust changes) and the card."""

from __future__ import annotations

import pytest
from shift_helpers import incident_page, look, night_with_rollback_fix

from oncall.game.shift import Shift
from oncall.scoring.shift import score_shift


def _held_rollback() -> tuple[Shift, str, str, list[str]]:
    s = night_with_rollback_fix()
    page = incident_page(s)
    model = page["model"]
    seen = look(s, model)
    ids = [o.id for o in seen if o.id]
    held = s.do({"do": "rollback", "model": model})
    assert held.kind == "held", held.text
    assert "Can you show me it is the cause?" in held.text
    return s, model, held.data["conversation"], ids


def _rolled_back(s: Shift, model: str) -> bool:
    return any(d.note.startswith("rollback") for d in s.world.model(model).deploys)


def _settle(s: Shift) -> None:
    for _ in range(6):
        s.do({"do": "wait", "minutes": 10})


def _finding(s: Shift, section: str, name: str) -> float:
    card = score_shift(s.record)
    return next(f.points for f in card.section(section).findings if f.name == name)


def test_reply_with_data_convinces_and_the_rollback_goes_ahead() -> None:
    s, model, conv, ids = _held_rollback()
    obs = s.do({"do": "reply", "about": conv, "evidence": ids})
    assert obs.data["effect"] == "proceed"
    assert _rolled_back(s, model)
    person = obs.data["by"]
    assert s.record.facts.trust[person] == 1
    # The owner names what was shown, in words, and never an observation id.
    assert "obs-" not in obs.text and obs.text.split(":", 1)[0] == person, obs.text
    assert any(w in obs.text for w in ("the logs", "the deploy history", "the infra view",
                                       "chart", "the drift test", "the pipeline view")), obs.text
    _settle(s)
    item = next(it for it in s.record.facts.items if it.kind == "incident")
    assert item.outcome == "mitigated"
    data = next(f for f in score_shift(s.record).section("collaboration").findings
                if f.name == "data")
    assert any(m.what.startswith(f"{conv}: convinced") for m in data.moments), data.moments
    # The colleagues who wrote meanwhile and were never answered are not settled with data.
    talks = s.record.facts.conversations
    assert data.points == round(15 * 1 / len(talks), 1), (data.text, len(talks))
    # Trust earned with data: the next rollback on that model goes ahead without a debate.
    again = s.do({"do": "rollback", "model": model})
    assert again.kind == "rollback"


def test_reply_without_data_does_not_convince() -> None:
    s, model, conv, _ = _held_rollback()
    obs = s.do({"do": "reply", "about": conv, "evidence": []})
    assert obs.data["convinced"] is False
    assert not _rolled_back(s, model)
    assert any(cv.closed_at is None for cv in s.record.facts.conversations if cv.id == conv)


def test_agree_calls_the_rollback_off_and_the_incident_burns() -> None:
    s, model, conv, _ = _held_rollback()
    obs = s.do({"do": "agree", "about": conv})
    assert obs.data["effect"] == "drop"
    _settle(s)
    assert not _rolled_back(s, model)
    item = next(it for it in s.record.facts.items if it.kind == "incident")
    assert item.done_at is None
    card = score_shift(s.record)
    passivity = next(f for f in card.section("temperament").findings if f.name == "passivity")
    assert any("gave up the rollback" in m.what for m in passivity.moments)
    assert passivity.points < passivity.max


def test_overrule_rolls_back_but_costs_trust_and_the_card() -> None:
    s, model, conv, ids = _held_rollback()
    obs = s.do({"do": "overrule", "about": conv})
    assert obs.data["effect"] == "proceed"
    assert _rolled_back(s, model)
    person = obs.data["by"]
    assert s.record.facts.trust[person] == -1
    assert _finding(s, "collaboration", "overrule") == 10
    # The rollback is the right call, made after looks that showed the fault: the data line
    # credits it as it would a reply (the same judgement whatever verb carries it); pulling
    # rank is what the overrule line and the owner's trust pay for.
    talks = s.record.facts.conversations
    assert _finding(s, "collaboration", "data") == round(15 / len(talks), 1)
    # A second plain rollback would deploy what runs now: nothing of the owner's to defend.
    assert s.do({"do": "rollback", "model": model}).kind != "held"
    # Overruled once, the owner no longer listens to data.
    older = next(d for d in s.world.model(model).deploys
                 if d.model_version != s.world.model(model).live_deploy(s.now).model_version)
    held = s.do({"do": "rollback", "model": model, "to": older.model_version})
    assert held.kind == "held"
    again = s.do({"do": "reply", "about": held.data["conversation"], "evidence": ids})
    assert again.data["convinced"] is False


@pytest.mark.parametrize("minutes", [20])
def test_defer_holds_the_rollback_and_the_owner_comes_back(minutes: int) -> None:
    s, model, conv, ids = _held_rollback()
    s.do({"do": "defer", "about": conv, "minutes": minutes})
    assert not _rolled_back(s, model)
    start = s.now
    reminders: list[dict[str, object]] = []
    while not reminders and s.now < start + minutes + 10:
        obs = s.do({"do": "wait", "minutes": 30})
        reminders = [e for e in obs.events if e.get("conversation") == conv]
    assert reminders and "put off" in str(reminders[0]["text"])
    assert s.now == start + minutes  # the wait ended when the owner came back
    assert not _rolled_back(s, model)
    card = score_shift(s.record)
    passivity = next(f for f in card.section("temperament").findings if f.name == "passivity")
    assert any("deferred" in m.what for m in passivity.moments)
    # Once back, it can be settled.
    done = s.do({"do": "reply", "about": conv, "evidence": ids})
    assert done.data["effect"] == "proceed" and _rolled_back(s, model)


def test_an_owner_defending_a_config_change_names_a_key_it_set_as_unset_before() -> None:
    """Night 2's timeout cut also set a config profile where there was none: the owner who
    holds the rollback names the change as the deploy history does, '(unset)->...'."""
    from shift_players import played

    rec = played("calm", 2)
    held = [e.observation.text for e in rec.entries if "config change (" in e.observation.text]
    assert held and all("None" not in text for text in held)
    assert any("config_profile (unset)->" in text for text in held)


def test_the_queue_says_a_resolved_incident_is_resolved() -> None:
    """A page whose incident was mitigated and then resolved still read '(mitigated)' in the
    queue, as if it were open."""
    s, _model, conv, ids = _held_rollback()
    s.do({"do": "reply", "about": conv, "evidence": ids})
    _settle(s)
    page = next(it for it in s.record.facts.items if it.kind == "incident")
    row = next(ln for ln in s.do({"do": "queue"}).text.splitlines()
               if ln.strip().startswith(f"{page.id} ") or f"page {page.page}:" in ln)
    assert row.endswith("; mitigated)"), row
    assert s.do({"do": "resolve", "incident": page.page}).ok
    row = next(ln for ln in s.do({"do": "queue"}).text.splitlines() if f"page {page.page}:" in ln)
    assert row.endswith("; mitigated, resolved)"), row
