"""A team asked to look before anything has paged finds nothing: an escalation naming no model
told a night's hidden cause an hour before its page, and one that landed before the fault began
stopped it before it happened (the night then said nothing of the kind had come)."""

from __future__ import annotations

from typing import Any

from oncall.game.shift import Shift


def _pages(s: Shift) -> list[dict[str, Any]]:
    return list(s.do({"do": "status"}).data["pages"])


def test_an_escalation_before_any_page_finds_nothing_and_the_fault_still_comes() -> None:
    s = Shift(1)
    s.do({"do": "wait", "minutes": 30})
    assert not _pages(s)
    sent = s.do({"do": "escalate", "team": "feature-store", "message": "anything?"})
    assert sent.ok, sent.text
    answered = [ev for _ in range(3) for ev in s.do({"do": "wait", "minutes": 10}).events]
    said = " ".join(str(ev.get("text", "")) for ev in answered)
    assert "nothing they own needs changing" in said, said
    main = s.world.fault
    assert "compacting" not in said and main.model not in said
    assert main.course.fixed_at() is None
    while not _pages(s) and not s.ended:
        s.do({"do": "wait", "minutes": 30})
    assert any(p["model"] == main.model for p in _pages(s)), "the fault never paged"


def test_a_named_escalation_landing_before_the_onset_meets_nothing() -> None:
    s = Shift(1)
    main = s.world.fault
    assert s.world.now + 30 < main.onset - main.lead
    s.do({"do": "escalate", "team": "feature-store", "model": main.model,
          "message": "check the online store"})
    answered = [ev for _ in range(3) for ev in s.do({"do": "wait", "minutes": 10}).events]
    said = " ".join(str(ev.get("text", "")) for ev in answered)
    assert f"looked at {main.model}" in said and "nothing they own" in said, said
    assert main.course.fixed_at() is None
    while not _pages(s) and not s.ended:
        s.do({"do": "wait", "minutes": 30})
    assert any(p["model"] == main.model for p in _pages(s)), "the fault never paged"
