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
    promoted_at = s.now
    while s.now < promoted_at + 60:  # an hour on (a page sent again ends a wait early)
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
    conv = next(cv for cv in s.record.facts.conversations if cv.item == item)
    assert any(m.what.startswith(f"{conv.id}: convinced") for m in data.moments), data.moments
    # Settled with data, as the other colleagues who wrote (never answered here) were not.
    assert data.points == round(15 / len(s.record.facts.conversations), 1), data.text


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


def _night_with(kind: str) -> tuple[Shift, str]:
    for seed in range(30):
        s = Shift(seed)
        found = next((it.id for it in s.record.facts.items if it.kind == kind), None)
        if found is not None:
            return s, found
    raise AssertionError(f"no night with a {kind} request in 30 seeds")


def test_a_canary_request_is_a_canary_every_tool_sees() -> None:
    """The canary the release manager asks to promote serves its share from before the request:
    the deploy history, the infra view and the dashboard split by revision show it, and the gate
    report's figures are that revision's own over the minutes it has served."""
    import numpy as np

    s, item = _night_with("canary")
    _arrive(s, item)
    it = next(x for x in s.record.facts.items if x.id == item)
    version, pct = it.report["version"], it.report["canary_pct"]
    taken = s.do({"do": "take", "item": item})
    assert "candidate" not in taken.data and "suite_passed" not in str(taken.data), \
        "the candidate's drawn ratios and the gate's truth are the world's, not the screen's"
    assert taken.data["checks"] == it.report["checks"]
    deploy = s.world.model(it.model).canary_deploy(s.now)
    assert deploy is not None and deploy.model_version == version and deploy.canary_pct == pct
    assert f"{version} canary {pct}%" in s.do({"do": "deploys", "model": it.model}).text
    infra = s.do({"do": "infra", "model": it.model})
    assert f"canary r{deploy.revision} ({version}, {pct}% of traffic)" in infra.text
    dash = s.do({"do": "dashboard", "model": it.model, "metric": "error_rate",
                 "by": "revision"})
    assert f"{version} (canary {pct}%)" in dash.text
    t0, t1 = deploy.at, it.arrives_at
    for check, metric in ((it.report["checks"][0], "error_rate"),
                          (it.report["checks"][1], "latency_p99_ms")):
        _, stable = s.world.series(it.model, metric, t0, t1, "stable")
        _, canary = s.world.series(it.model, metric, t0, t1, "canary")
        assert check["stable"] == round(float(np.mean(stable)), 5 if metric == "error_rate"
                                        else None)
        assert check["candidate"] == round(float(np.mean(canary)), 5 if metric == "error_rate"
                                           else None)
        assert check["passed"] == (check["candidate"] <= float(check["bound"].split()[2][:-1])
                                   * check["stable"] + 1e-9)


def test_a_rollback_of_a_promoted_release_takes_its_regression_back_out() -> None:
    """Promoted past a failing gate, the candidate's error ratio is the model's own; a rollback
    (an owner may push back: overruled) puts the earlier version back and the series with it,
    and the answer says what now runs, not another model's fault."""
    import numpy as np

    s, item = _night_with_failing_metric_gate()
    _arrive(s, item)
    it = next(x for x in s.record.facts.items if x.id == item)
    s.do({"do": "take", "item": item})
    s.do({"do": "agree", "about": item})
    promoted = s.now
    s.do({"do": "wait", "minutes": 20})
    _, during = s.world.series(it.model, "error_rate", promoted, s.now)
    _, before = s.world.series(it.model, "error_rate", promoted - 20, promoted)
    assert np.mean(during) > 2 * np.mean(before)
    obs = s.do({"do": "rollback", "model": it.model})
    held = [c.id for c in s.record.facts.conversations if c.model == it.model
            and c.held is not None and c.closed_at is None]
    if held:
        obs = s.do({"do": "overrule", "about": held[-1]})
    assert f"Rolled back {it.model}:" in obs.text
    assert it.report["version"] not in obs.text.split("Rolled back", 1)[1]
    back = s.now
    s.do({"do": "wait", "minutes": 20})
    _, after = s.world.series(it.model, "error_rate", back, s.now)
    assert np.mean(after) < 1.5 * np.mean(before)


def test_holding_a_canary_takes_it_down() -> None:
    """Held at its gate with the report, a canary stops serving: the deploy history says when it
    was taken down, the split dashboard shows one revision, and its errors leave the model's."""
    import numpy as np

    for seed in range(40):
        s = Shift(seed)
        it = next((x for x in s.record.facts.items if x.kind == "canary"
                   and s.record.key.gates.get(x.id)), None)
        if it is not None:
            break
    else:
        raise AssertionError("no night with a failing canary gate in 40 seeds")
    _arrive(s, it.id)
    report = s.do({"do": "take", "item": it.id})
    obs = s.do({"do": "reply", "about": it.id, "evidence": [str(report.id)]})
    assert obs.data["effect"] == "hold"
    assert f"canary {it.report['version']} is taken down" in obs.text
    held = s.now
    m = s.world.model(it.model)
    assert m.canary_deploy(held) is None
    deploys = s.do({"do": "deploys", "model": it.model}).text
    assert f"{it.report['version']} canary 10%, taken down" in deploys
    dash = s.do({"do": "dashboard", "model": it.model, "metric": "error_rate",
                 "by": "revision"})
    assert "no canary revision is serving" in dash.text
    s.do({"do": "wait", "minutes": 20})
    _, before = s.world.series(it.model, "error_rate", held - 20, held)
    _, after = s.world.series(it.model, "error_rate", held + 1, s.now)
    stable = s.world.series(it.model, "error_rate", held + 1, s.now, "stable")[1]
    assert np.allclose(after, stable)
    assert np.mean(after) < np.mean(before)
