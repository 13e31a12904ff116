"""A release manager's request has consequences either way: promoting ships the version into the
model's deploy history (and a real regression into its error budget); holding it keeps the
budget and costs the team its release; letting the deadline pass is recorded as such."""

from __future__ import annotations

from oncall.game.shift import Shift
from oncall.scoring.shift import score_shift


def _night_with_failing_metric_gate() -> tuple[Shift, str]:
    for seed in range(30):
        s = Shift(seed, difficulty="easy")
        for it in s.record.facts.items:
            checks = it.report.get("checks", [])
            if any("candidate" in c and not c["passed"] for c in checks):
                return s, it.id
    raise AssertionError("no night with a failing metric gate in 30 seeds")


def _arrive(s: Shift, item: str) -> None:
    while not next(it for it in s.record.facts.items if it.id == item).arrived:
        s.do({"do": "wait", "minutes": 10})


def test_promoting_past_a_failing_metric_gate_ships_a_regression() -> None:
    s, item = _night_with_failing_metric_gate()
    _arrive(s, item)
    it = next(x for x in s.record.facts.items if x.id == item)
    s.do({"do": "take", "item": item})
    obs = s.do({"do": "agree", "about": item})
    assert obs.data["effect"] == "promote"
    assert s.world.model(it.model).live_deploy(s.now).model_version == it.report["version"]
    assert s.record.facts.regressions and s.record.facts.regressions[0]["model"] == it.model
    before = next(r for r in s.budget()["models"] if r["model"] == it.model)
    for _ in range(6):
        s.do({"do": "wait", "minutes": 10})
    after = next(r for r in s.budget()["models"] if r["model"] == it.model)
    assert after["night_pct"] > before["night_pct"]
    assert after["burn_1h"] > 1 > before["burn_1h"]  # now spending faster than the SLO allows


def test_holding_with_the_gate_report_keeps_the_version_out() -> None:
    s, item = _night_with_failing_metric_gate()
    _arrive(s, item)
    it = next(x for x in s.record.facts.items if x.id == item)
    report = s.do({"do": "take", "item": item})
    obs = s.do({"do": "reply", "about": item, "evidence": [str(report.id)]})
    assert obs.data["effect"] == "hold"
    assert s.world.model(it.model).live_deploy(s.now).model_version != it.report["version"]
    assert not s.record.facts.regressions and it.outcome == "held"
    card = score_shift(s.record)
    data = next(f for f in card.section("collaboration").findings if f.name == "data")
    assert data.points == data.max


def test_a_deferred_request_that_misses_its_deadline_is_recorded() -> None:
    s, item = _night_with_failing_metric_gate()
    _arrive(s, item)
    it = next(x for x in s.record.facts.items if x.id == item)
    s.do({"do": "defer", "about": item, "minutes": 240})
    while s.now <= it.deadline:
        s.do({"do": "wait", "minutes": 30})
    assert it.outcome == "missed"
    card = score_shift(s.record)
    passivity = next(f for f in card.section("temperament").findings if f.name == "passivity")
    assert any("missed its deadline" in m.what for m in passivity.moments)


def test_building_a_feature_at_night_writes_a_real_rule_file_and_costs_the_time() -> None:
    import yaml

    from oncall.game.shift import BUILD_MIN

    s = Shift(2)
    it = next(x for x in s.record.facts.items if x.kind == "feature")
    _arrive(s, it.id)
    start = s.now
    obs = s.do({"do": "agree", "about": it.id})
    assert obs.data["effect"] == "build" and s.now - start >= BUILD_MIN
    built = s.record.facts.built[0]
    doc = yaml.safe_load(built["artifact"]["content"])
    rules = doc["groups"][0]["rules"]
    assert rules and all(r["labels"]["model"] == it.model for r in rules if "alert" in r)
    assert it.outcome == "built" and built["artifact"]["path"] in obs.text
