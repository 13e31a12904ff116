"""Alertmanager between the rules and the pager: one page per service, inhibition, silences that
expire, re-notification and escalation of pages nobody acknowledges."""

from __future__ import annotations

from oncall.sim.alertmanager import ACK_WINDOW_MIN, RENOTIFY_MIN, Alertmanager, inhibited
from oncall.sim.alerts import Episode


def ep(rule: str, model: str, fired: int, ended: int | None = None) -> Episode:
    return Episode(rule, model, fired - 5, fired, ended, 1.0, 2.0, 2.0)


def kinds(events: list[dict[str, object]]) -> list[str]:
    return [str(e["kind"]) for e in events]


def test_related_alerts_group_into_one_page_per_service() -> None:
    am = Alertmanager()
    ev = am.step(0, 10, [ep("ModelHigh5xxRatio", "fraud-scorer", 8),
                         ep("ModelPredictionMeanShift", "fraud-scorer", 9),
                         ep("ModelHigh5xxRatio", "search-ranker", 9)])
    assert kinds(ev).count("page") == 2
    page = am.page_for("fraud-scorer")
    assert page is not None and page.alerts == ["ModelHigh5xxRatio", "ModelPredictionMeanShift"]


def test_critical_alerts_and_crash_loops_inhibit_their_symptoms() -> None:
    active = [ep("PodCrashLooping", "m", 5), ep("ModelHigh5xxRatio", "m", 6),
              ep("ModelHighP99Latency", "m", 6), ep("ModelHighP99Latency", "other", 6)]
    muted = inhibited(active)
    assert ("ModelHigh5xxRatio", "m") in muted and ("ModelHighP99Latency", "m") in muted
    assert ("ModelHighP99Latency", "other") not in muted
    am = Alertmanager()
    am.step(0, 10, active)
    page = am.page_for("m")
    assert page is not None and page.alerts == ["PodCrashLooping"]
    assert set(page.inhibited) == {"ModelHigh5xxRatio", "ModelHighP99Latency"}


def test_unacknowledged_pages_renotify_then_escalate_and_an_ack_stops_both() -> None:
    am = Alertmanager()
    alert = [ep("ModelHigh5xxRatio", "m", 10)]
    am.step(0, 11, alert)
    later = am.step(11, 11 + 2 * RENOTIFY_MIN, alert)
    assert kinds(later).count("renotify") == 2
    assert "escalation" in kinds(later) and am.pages["p1"].escalated_at == 11 + ACK_WINDOW_MIN
    am.ack(am.pages["p1"], 18)
    assert am.step(18, 40, alert) == []


def test_a_silence_mutes_until_it_expires_then_the_alert_pages_again() -> None:
    am = Alertmanager()
    flapping = [ep("ModelHighP99Latency", "m", 10)]
    am.step(0, 11, flapping)
    am.ack(am.pages["p1"], 12)
    am.silence("ModelHighP99Latency", "m", 12, 30)
    assert am.step(12, 40, flapping) == []
    again = am.step(40, 45, flapping)
    assert "silence_expired" in kinds(again) and "repage" in kinds(again)


def test_tickets_never_page() -> None:
    am = Alertmanager()
    assert am.step(0, 10, [ep("CertificateExpiringSoon", "m", -5000)]) == []


def test_a_wait_with_a_page_unacknowledged_ends_when_it_is_sent_again() -> None:
    """The pager rings again for a page nobody acknowledged, so a long wait stops at the next
    re-send instead of sleeping through it; once acknowledged, the wait runs its length."""
    from oncall.game.shift import Shift

    s = Shift(9)  # its first page, left alone, would let a wait run the whole 30 minutes
    while not s.am.pages:
        s.do({"do": "wait", "minutes": 30})
    page = next(iter(s.am.pages.values()))
    assert page.acked_at is None
    start = s.now
    obs = s.do({"do": "wait", "minutes": 30})
    assert s.now == page.notified[-2] + RENOTIFY_MIN <= start + RENOTIFY_MIN, obs.text
    assert obs.text.endswith("The pager rang again: a page is still unacknowledged."), obs.text
    s.do({"do": "ack", "page": page.id})
    start = s.now
    s.do({"do": "wait", "minutes": 2})
    assert s.now == start + 2


def test_a_page_shows_as_a_page_never_as_the_noise_or_incident_it_turns_out_to_be() -> None:
    """Whether a page is a real incident or noise is for the player to find out: `take` and
    `queue` show it as a page, urgent by its severity, in their text and their data (a
    certificate ticket, which no pager sends, shows as a ticket)."""
    import json

    from oncall.game.shift import Shift

    s = Shift(9)
    while not s.am.pages:
        s.do({"do": "wait", "minutes": 30})
    item = next(it for it in s.record.facts.items if it.page is not None)
    assert item.kind in ("noise", "incident")  # the record's key knows
    taken = s.do({"do": "take", "item": item.id})
    assert taken.data["kind"] == "page"
    assert item.kind not in json.dumps(taken.data) + taken.text
    queue = s.do({"do": "queue"})
    [row] = [r for r in queue.data["queue"] if r["id"] == item.id]
    assert row["kind"] == "page" and item.kind not in json.dumps(row)
    [line] = [ln for ln in queue.text.splitlines() if ln.strip().startswith(item.id)]
    assert f" {item.kind} " not in line and " page " in line


def test_a_ticket_alert_shows_as_a_ticket_not_as_the_keys_noise() -> None:
    from oncall.game.shift import Shift

    # The certificate ticket waiting at the start of every night: "noise" is the record's class
    # for it (nothing to do tonight), which is for the player to judge.
    s = Shift(77)
    queue = s.do({"do": "queue"})
    [row] = [r for r in queue.data["queue"] if r["title"].startswith("ticket: ")]
    assert row["kind"] == "ticket"
    [line] = [ln for ln in queue.text.splitlines() if ln.strip().startswith(row["id"])]
    assert " ticket " in line and "noise" not in line
    assert s.do({"do": "take", "item": row["id"]}).data["kind"] == "ticket"


def test_a_wait_says_what_woke_you() -> None:
    """A request that ends a wait early is told as a request: every early end said 'The pager
    woke you.', of a colleague's feature request that no pager sends."""
    from oncall.game.shift import Shift

    s = Shift(4040, length=240)
    obs = s.do({"do": "wait", "minutes": 30})
    assert s.now == 20 and obs.text.endswith("A request came in."), obs.text
    assert [e["kind"] for e in obs.events if e["t"] == s.now] == ["message", "request"]
    assert not s.am.pages


def test_an_alert_in_its_group_wait_pages_at_the_step_that_reaches_it_never_before() -> None:
    """A step to 01:43 with an alert firing at 01:43 said a page at 01:44: the page waits for
    the step that reaches its minute, and is said there, at that minute."""
    am = Alertmanager()
    alert = [ep("ModelHigh5xxRatio", "m", 103)]
    assert am.step(100, 103, alert) == [] and not am.pages
    ev = am.step(103, 110, alert)
    assert [(e["kind"], e["t"]) for e in ev][:1] == [("page", 104)]
    assert all(int(str(e["t"])) <= 110 for e in ev)
