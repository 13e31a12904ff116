"""Error budgets: the arithmetic of SLOs, burn rates and multi-window alerts, checked against the
world's own telemetry, and the budget shown without asking."""

from __future__ import annotations

import numpy as np
from shift_helpers import incident_page

from oncall.game.shift import Shift
from oncall.sim import budget as bd


def test_burn_rate_is_the_error_ratio_over_the_slo_allowance() -> None:
    s = Shift(3)
    w = s.world
    model = w.fleet.names()[0]
    _, rps = w.series(model, "rps", 0, 60)
    _, err = w.series(model, "error_rate", 0, 60)
    expected = float(np.sum(rps * err) / np.sum(rps)) / (1 - w.model(model).slo)
    assert abs(bd.burn_rate(w, model, 60, 60) - expected) < 1e-9
    total = w.model(model).rps * 60 * 30 * 24 * 60 * (1 - w.model(model).slo)
    assert abs(bd.budget_requests(w, model) - total) < 1e-6


def test_a_shipped_regression_burns_budget() -> None:
    """A candidate promoted at minute 30 with 100x the error ratio: the world's own error series
    carries it, so the budget burns from then on and the fast burn alert would page."""
    from oncall.sim.fleet import Deploy

    s = Shift(3)
    w = s.world
    model = w.fleet.names()[0]
    base = bd.model_budget(w, model, 0, 90)
    w.add_noise("candidate_release", model, {"version": "v99", "at": 20, "canary_pct": 0,
                                             "error_ratio": 100.0, "p99_ratio": 1.0,
                                             "by": "a release manager"})
    m = w.model(model)
    live = m.live_deploy(30)
    m.deploys.append(Deploy(revision=len(m.deploys) + 1, model_version="v99",
                            config=dict(live.config), image=live.image, canary_pct=100,
                            promoted_by="you (on-call)", at=30))
    worse = bd.model_budget(w, model, 0, 90)
    assert worse["night_pct"] > base["night_pct"] and worse["left_pct"] < base["left_pct"]
    assert any(a["windows"] == "1h/5m" for a in worse["alerts"])
    assert not base["alerts"]
    _, err = w.series(model, "error_rate", 0, 60)
    assert err[40] > 10 * err[20]


def test_the_incident_burns_its_model_budget_in_view_without_asking() -> None:
    s = Shift(8, difficulty="easy")
    page = incident_page(s)
    quiet = next(r for r in s.budget()["models"] if r["model"] == page["model"])
    for _ in range(6):
        obs = s.do({"do": "wait", "minutes": 10})
    row = next(r for r in s.budget()["models"] if r["model"] == page["model"])
    assert row["night_pct"] > quiet["night_pct"]
    status = s.do({"do": "status"})
    assert status.data["budget"]["models"]
    assert "error budget: worst" in status.text
    assert obs.ok
    # The incident game exposes the same figures for a status bar.
    g = s.game.budget(start=0)
    assert g["models"][0]["model"] in {i.model for i in s.world.incidents.values()}
    assert g["night_pct"] > 0


def test_the_budget_names_no_model_before_something_arrives_about_it() -> None:
    s = Shift(8, difficulty="easy")
    hidden = {i.model for i in s.world.incidents.values()}
    opening = s.start().data["budget"]["models"]
    assert opening and not {r["model"] for r in opening} & hidden
    page = incident_page(s)
    assert page["model"] in {r["model"] for r in s.budget()["models"]}


def test_budget_saved_is_the_unfixed_night_minus_the_real_one() -> None:
    from shift_players import Calm

    s = Calm(Shift(2, difficulty="easy")).play()
    saved = s.record.facts.budget["saved_pct"]
    inc = s.world.fault
    assert inc.course.fixed_at() is not None and saved[inc.model] > 1
    events = list(inc.course.events)
    again = bd.budget_saved(s.world, 0, s.now)
    assert inc.course.events == events  # the counterfactual leaves the world as it was
    assert again.mitigation[inc.model] == saved[inc.model]
    assert s.record.facts.budget["secondary_saved_pct"] == {}  # the player fixed it


def test_the_status_claims_a_page_only_where_an_alert_rule_watches_the_windows() -> None:
    """Seed 31: price-optimizer's 504s are fixed at 01:19; at 01:28 its 6h/30m and 3d/6h
    windows still burn past their factors. The fleet has no rule on them (only the fast burn,
    ErrorBudgetBurnFast), so the status says no alert watches them, never "(page)" beside a
    pager that did not ring."""
    from oncall.sim.alerts import RULES_BY_NAME

    assert [w.rule for w in bd.BURN_WINDOWS if w.rule] == ["ErrorBudgetBurnFast"]
    assert all(w.rule in RULES_BY_NAME for w in bd.BURN_WINDOWS if w.rule)
    s = Shift(31, length=240)
    script = [{"do": "take", "item": "q1"}, *[{"do": "wait", "minutes": 30}] * 4,
              {"do": "ack", "page": "p1"},
              *[{"do": look, "model": "price-optimizer"} for look in ("logs", "deploys", "infra")],
              {"do": "hotfix", "model": "price-optimizer", "fix": "revert_config"},
              {"do": "wait", "minutes": 15}]
    for cmd in script:
        assert s.do(cmd).ok, cmd
    text = s.do({"do": "status"}).text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("price-optimizer:"))
    assert "6h/30m burn" in line and "(page)" not in line, line
    assert "a page line no alert here watches" in line
    assert not any(e.rule.startswith("ErrorBudgetBurnSlow") for e in s.world.firing())


def test_hours_off_the_pager_say_each_page_sent_again_once_with_its_count() -> None:
    """Seed 31 ended at 01:31: p2 pages at 01:33 and is sent again every 3 minutes until
    04:00. The end's answer says so once, with how many times and the last, not 49 lines."""
    from oncall.sim.alertmanager import RENOTIFY_MIN

    s = Shift(31, length=240)
    for cmd in [{"do": "take", "item": "q1"}, *[{"do": "wait", "minutes": 30}] * 4,
                {"do": "ack", "page": "p1"}, {"do": "wait", "minutes": 25}]:
        assert s.do(cmd).ok, cmd
    end = s.do({"do": "end"})
    again = [e for e in end.events if e["kind"] == "renotify"]
    assert [e["page"] for e in again] == sorted({e["page"] for e in again})  # one per page
    for e in again:
        assert e["times"] == (e["until"] - e["t"]) // RENOTIFY_MIN + 1 > 1
        more = "once more" if e["times"] == 2 else f"{e['times'] - 1} times more"
        assert f"then {more}, the last at" in e["text"]


def test_a_held_canary_is_said_to_be_taken_down_as_the_world_takes_it_down() -> None:
    """Seed 31's lead-scorer canary v13 (5x stable's errors) held by a reply with its gate
    report: the release manager's words and the world agree (it said "stays at 10%" above
    "is taken down")."""
    s = Shift(31, length=240)
    for cmd in [*[{"do": "wait", "minutes": 30}] * 3, {"do": "take", "item": "q2"}]:
        assert s.do(cmd).ok, cmd
    report = s.record.entries[-1].observation.id
    said = s.do({"do": "reply", "about": "c1", "message": "5x the errors of stable; not tonight",
                 "evidence": [report]})
    assert said.ok and "taken down" in said.text.lower() and "stays at" not in said.text, said
    assert s.world.model("lead-scorer").canary_deploy(s.now) is None
