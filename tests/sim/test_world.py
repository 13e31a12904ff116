"""The simulated world: seeded, consistent, and each fault leaves its catalogued evidence."""

from __future__ import annotations

import numpy as np
import pytest

from oncall.content import loader
from oncall.game.engine import world_spec
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.world import World


def world(sid: str, seed: int = 3) -> World:
    sc = loader.scenario(sid)
    return World(seed, world_spec(sc, sc.difficulty))


def test_fleet_has_fourteen_models_and_about_500_rps() -> None:
    w = world("fraud-1")
    assert len(w.fleet.models) == 14
    assert 450 <= w.fleet.total_rps <= 550
    assert {m.hardware for m in w.fleet.models.values()} == {"gpu", "cpu"}
    owners = [m.owner for m in w.fleet.models.values()]
    assert len(set(owners)) > 10, "owners come from the seeded Faker"


def test_same_seed_same_world_other_seed_other_fleet() -> None:
    a, b, c = world("fraud-1", 5), world("fraud-1", 5), \
        world("fraud-1", 6)
    assert a.fleet.names() == b.fleet.names()
    t0, t1 = a.page_at - 600, a.page_at
    for metric in ("rps", "latency_p99_ms", "pred_mean"):
        assert np.array_equal(a.series("fraud-scorer", metric, t0, t1)[1],
                              b.series("fraud-scorer", metric, t0, t1)[1])
    assert [m.owner for m in a.fleet.models.values()] != [m.owner for m in c.fleet.models.values()]


def test_series_do_not_depend_on_query_order() -> None:
    a, b = world("feed-1"), world("feed-1")
    a.series("recsys-ranker", "error_rate", -3000, 0)
    whole = a.series("recsys-ranker", "error_rate", -100, 100)[1]
    part = b.series("recsys-ranker", "error_rate", 0, 100)[1]
    assert np.array_equal(whole[100:], part)


def test_24h_of_telemetry_is_available_for_every_model() -> None:
    w = world("search-1")
    for name in w.fleet.names():
        t, v = w.series(name, "latency_p99_ms", w.now - 1440, w.now)
        assert len(t) == 1440 and np.all(v > 0)


def test_unit_change_scales_the_feature_by_exactly_the_factor() -> None:
    w = world("fraud-1")
    rows, scores = w.rows("fraud-scorer", w.fault.onset + 5, w.now)
    before, before_scores = w.rows("fraud-scorer", w.fault.onset - 60, w.fault.onset - 1)
    ratio = np.median(rows.features["txn_amount_cents"]) / np.median(
        before.features["txn_amount_cents"])
    assert 0.007 < ratio < 0.014
    assert scores.mean() < before_scores.mean() / 3, "predictions collapse"
    _t, err = w.series("fraud-scorer", "error_rate", w.fault.onset, w.now)
    assert err.max() < 0.01, "errors stay flat for a data fault"
    change = w.pipelines("fraud-scorer")["pipelines"][-1]["changelog"][0]
    assert change["schema_to"] == change["schema_from"] + 1
    assert f"payments-events v{change['schema_to']}:" in change["change"], \
        "the changelog text names the schema version the world reports"


def test_bad_canary_fails_on_its_revision_only() -> None:
    w = world("feed-1")
    _, canary = w.series("recsys-ranker", "error_rate", w.now - 20, w.now, revision="canary")
    _, stable = w.series("recsys-ranker", "error_rate", w.now - 20, w.now, revision="stable")
    assert canary.mean() > 0.05 and stable.mean() < 0.002
    deploys = w.deploys("recsys-ranker")["deploys"]
    assert deploys[-1]["canary_pct"] == 25


def test_gpu_oom_leaves_logs_config_diff_and_crashloop() -> None:
    w = world("search-1")
    logs = w.logs("search-ranker", w.now - 10, w.now)
    assert any("CUDA out of memory" in ln.message for ln in logs)
    d = w.deploys("search-ranker")["deploys"]
    assert d[-2]["config"]["batch_size"] == 32 and d[-1]["config"]["batch_size"] == 128
    pods = w.infra("search-ranker")["pods"]
    assert any(p["status"] == "CrashLoopBackOff" for p in pods)


@pytest.mark.parametrize("sid", ["fraud-1", "feed-1", "search-1"])
def test_the_signal_alert_pages_around_two_am(sid: str) -> None:
    w = world(sid)
    sc = loader.scenario(sid)
    assert 100 <= w.page_at <= 140
    firing = {(e.rule, e.model) for e in w.firing()}
    assert (sc.answers.signal_alert, sc.fault.model) in firing
    assert RULES_BY_NAME[sc.answers.signal_alert].severity == "critical"


def test_alert_rules_are_quiet_on_a_healthy_week() -> None:
    """No fault-free model should page during the week before the incident."""
    w = world("search-1")
    others = [m for m in w.fleet.names() if m not in ("search-ranker", "spam-filter")]
    pages = [e for e in w.episodes(w.page_at - 7 * 1440, w.fault.onset, models=others)
             if RULES_BY_NAME[e.rule].severity == "critical"]
    assert pages == []


def test_fault_text_is_read_from_the_world_not_written_for_one_scenario() -> None:
    """With batch_size 96 the logs, the deploy history and infra all say 96, and the OOM line
    reports the capacity of the card the model really runs on."""
    from oncall.content.kinds import fault_kinds
    from oncall.sim.faults import GPU_CAPACITY_GIB
    from oncall.sim.world import IncidentSpec, World, WorldSpec

    spec = WorldSpec(incidents=(IncidentSpec(fault_kinds()["gpu_oom"], "search-ranker", 112,
                                             {"batch_size": 96}),))
    w = World(5, spec)
    w.now += 10
    lines = [ln.message for ln in w.logs("search-ranker", w.now - 30, w.now)
             if "CUDA out of memory" in ln.message]
    assert lines and all(ln.endswith("batch_size=96") for ln in lines)
    gpu = w.model("search-ranker").gpu_type
    assert f"{GPU_CAPACITY_GIB[gpu]:.2f} GiB total capacity" in lines[0]
    notes = [d.note for d in w.model("search-ranker").deploys]
    assert "config only: batch_size 32 -> 96 to raise throughput" in notes
    states = {p["last_state"] for p in w.infra("search-ranker")["pods"]}
    assert any("batch_size=96" in s for s in states)


def test_pod_names_are_unique_across_the_fleet_and_change_on_a_rollout() -> None:
    from oncall.sim.faults import pod_names

    w = world("search-1")
    names = [p for m in w.fleet.names() for p in pod_names(w, m, w.model(m).replicas)]
    stems = {"-".join(p.split("-")[-2:-1]) for p in names}
    assert len(set(names)) == len(names)
    assert len(stems) == len(w.fleet.names()), "one template hash per model"
    before = pod_names(w, "search-ranker", 3)
    live = w.model("search-ranker").live_deploy(w.now)
    after = pod_names(w, "search-ranker", 3, revision=live.revision + 1)
    assert not set(before) & set(after)


def test_input_validation_logs_report_the_real_training_range() -> None:
    w = world("fraud-1")
    ref = w.stats("fraud-scorer").reference["txn_amount_cents"]
    p01, p99 = np.quantile(ref, [0.01, 0.99])
    warn = [ln.message for ln in w.logs("fraud-scorer", w.now - 30, w.now)
            if "input validation: txn_amount_cents" in ln.message]
    assert warn and f"({p01:.4g}..{p99:.4g})" in warn[-1]
    healthy = [ln for ln in w.logs("fraud-scorer", w.fault.onset - 120, w.fault.onset)
               if "input validation" in ln.message]
    assert healthy == [], "a healthy window raises no validation warnings"


def test_one_version_story_for_a_producer_release_its_pin_and_its_revert() -> None:
    # fraud-1: the producer's release, the schema a pin names, the version the data engineer
    # reverts to and the pipeline's own schema afterwards are the same numbers.
    from oncall.game.engine import Game

    g = Game(loader.scenario("fraud-1"), 11)
    g.do({"do": "ack"})
    before = next(p for p in g.world.pipelines("fraud-scorer")["pipelines"]
                  if p["source"] == "payments-events")
    new = before["schema_version"]
    assert before["changelog"][0]["change"].startswith(f"payments-events v{new}:")
    pin = g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "pin_feature_version"})
    assert f"Schema v{new - 1} pinned" in pin.text
    g.do({"do": "escalate", "team": "data-engineering", "message": "please revert"})
    said = g.do({"do": "wait", "minutes": 20}).events
    assert any(f"rolled back to v{new - 1}" in e.get("text", "") for e in said)
    after = next(p for p in g.world.pipelines("fraud-scorer")["pipelines"]
                 if p["source"] == "payments-events")
    assert after["schema_version"] == new - 1
    assert after["changelog"][0]["change"] == f"payments-events v{new - 1}: reverted v{new}"
    assert after["changelog"][0]["by"] == "data-engineering"


def test_a_fresh_world_is_the_world_as_built_whatever_was_done_to_this_one() -> None:
    from oncall.sim.faults import Intervention

    played = world("fraud-1")
    played.apply(Intervention("hotfix", model="fraud-scorer", fix="apply_unit_conversion"))
    played.advance(60)
    fresh, built = played.fresh(), world("fraud-1")
    assert fresh.page_at == built.page_at and fresh.now == built.now
    assert not fresh.fault.course.events[len(built.fault.course.events):]
    assert [(e.rule, e.model, e.fired_at) for e in fresh.firing()] == \
        [(e.rule, e.model, e.fired_at) for e in built.firing()]
    t0, t1 = built.page_at - 120, built.page_at + 180
    for model in ("fraud-scorer", *built.fleet.names()[:3]):
        for metric in ("rps", "pred_mean", "error_rate"):
            assert np.array_equal(fresh.series(model, metric, t0, t1)[1],
                                  built.series(model, metric, t0, t1)[1]), (model, metric)
    assert not np.array_equal(played.series("fraud-scorer", "pred_mean", t0, t1)[1],
                              fresh.series("fraud-scorer", "pred_mean", t0, t1)[1])
    assert fresh.stats("fraud-scorer") is played.stats("fraud-scorer")  # shared, not refitted
    # what the fault does at full intensity is measured once, and is what a new world measures
    assert fresh.fault.derived(fresh) is played.fault.derived(played)
    assert fresh.fault.derived(fresh) == built.fault.derived(built) != {}
    assert [(m.name, m.owner, m.versions, m.deploys) for m in fresh.fleet.models.values()] == \
        [(m.name, m.owner, m.versions, m.deploys) for m in built.fleet.models.values()]
    scorer = fresh.model("fraud-scorer")
    assert scorer is not played.model("fraud-scorer")
    assert scorer.deploys is not played.model("fraud-scorer").deploys


@pytest.mark.parametrize("sid", ["fraud-1", "fraud-5", "address-1", "spam-2"])
def test_a_minute_writes_the_same_lines_whichever_window_shows_it(sid: str) -> None:
    """One world: the log is a function of the minute, not of the window a reader asks for,
    and a rollout renames the pods from then on, never the lines written before it."""
    from oncall.content import loader
    from oncall.game.engine import Game

    g = Game(loader.scenario(sid), 7)
    g.do({"do": "ack"})
    model = g.world.fault.model

    def seen(t0: int, t1: int) -> set[tuple[float, str, str, str]]:
        return {(ln.t, ln.level, ln.pod, ln.message) for ln in g.world.logs(model, t0, t1)}

    now = g.now
    wide = seen(now - 120, now)
    for t0, t1 in ((now - 61, now), (now - 97, now - 13), (now - 33, now - 2)):
        part = seen(t0, t1)
        assert part, (t0, t1)
        inside = {x for x in wide if t0 + 5 <= x[0] < t1 - 5}
        assert inside <= part, sorted(inside - part)[:3]
    g.do({"do": "rollback", "model": model})
    g.do({"do": "wait", "minutes": 10})
    assert seen(now - 120, now) == wide


def test_a_cluster_event_stays_listed_for_an_hour_after_it_happened() -> None:
    """pricing-3's batch job comes and goes within half an hour: a look at the node after it
    finished still lists when it was scheduled and when it completed, as `kubectl get events`
    would, and an hour later neither."""
    w = world("pricing-3", 1)
    inc = next(iter(w.incidents.values()))
    during = w.infra("price-optimizer", inc.onset + 10)
    reasons = [e["reason"] for e in during["events"]]
    assert reasons == ["Scheduled"]
    assert any("feature-backfill" in str(n.get("note", "")) for n in during["nodes"])
    after = w.infra("price-optimizer", inc.onset + 40)
    assert not any(n.get("note") for n in after["nodes"]), "the job has left the node"
    assert [e["reason"] for e in after["events"]] == ["Scheduled", "Completed"]
    assert [e["at"] for e in after["events"]] == [e["at"] for e in during["events"]] + [
        after["events"][1]["at"]]
    assert w.infra("price-optimizer", inc.onset + 90)["events"] == []


def test_a_past_look_at_a_scaled_out_model_names_the_pods_of_its_revision_then() -> None:
    """ads-3's autoscaler runs at its ceiling; after a rollback renames the pods, the infra view
    of a minute before it still lists that minute's pods, the autoscaler's extra ones included,
    all of one revision."""
    from oncall.game.engine import Game

    sc = loader.scenario("ads-3")
    g = Game(sc, 1)
    model = sc.fault.model
    g.do({"do": "ack"})
    then = g.world.now
    before = [p["name"] for p in g.world.infra(model)["pods"]]
    assert len(before) > g.world.model(model).replicas, "the autoscaler added pods"
    g.do({"do": "rollback", "model": model})
    g.do({"do": "wait", "minutes": 5})
    assert [p["name"] for p in g.world.infra(model, then)["pods"]] == before
    assert len({name.rsplit("-", 2)[1] for name in before}) == 1
    assert not set(before) & {p["name"] for p in g.world.infra(model)["pods"]}


def test_an_autoscaler_that_scales_up_lists_the_pods_it_asked_for_and_says_its_size() -> None:
    """search-4's half-scheduled training gang holds the GPUs: the autoscaler adds two replicas
    that no node can place. The infra view lists them Pending beside the running ones, its HPA
    line and its rescale event say the same size, and no log line comes from a pod never
    placed."""
    w = world("search-4", 1)
    inc = next(iter(w.incidents.values()))
    model = inc.model
    usual = w.infra(model, inc.onset - 30)
    during = w.infra(model, inc.onset + 20)
    assert len(during["pods"]) == during["hpa"]["replicas"] == len(usual["pods"]) + 2
    pending = {p["name"] for p in during["pods"] if p["status"] == "Pending"}
    assert len(pending) == 2 and pending.isdisjoint({p["name"] for p in usual["pods"]})
    rescale = next(e for e in during["events"] if e["reason"] == "SuccessfulRescale")
    assert rescale["message"].startswith(f"New size: {during['hpa']['replicas']};")
    lines = w.logs(model, inc.onset, inc.onset + 30)
    assert lines and not {line.pod for line in lines} & pending


def test_a_line_stamped_with_its_own_time_is_stamped_with_the_second_it_was_written() -> None:
    """eta-1's expired certificate: each TLS error says the current time, which is later than
    the expiry it quotes (never 'current time 01:50:00 is after 01:50:00') and is the minute
    the line is listed at."""
    import re

    from oncall.sim.clock import hhmm

    w = world("eta-1", 3)
    inc = next(iter(w.incidents.values()))
    lines = [ln for ln in w.logs(inc.model, inc.onset, inc.onset + 10) if "x509" in ln.message]
    assert lines
    for line in lines:
        now, expiry = re.findall(r"\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)Z", line.message)
        assert now > expiry and now[:5] == hhmm(int(line.t)), line.message


@pytest.mark.parametrize(("fix", "listed"), [
    ("scale_up", "34 pods (34 Running, 0 not), HPA 34/34"),
    ("raise_max_replicas", "34 pods (34 Running, 0 not), HPA 34/41")])
def test_capacity_a_working_hotfix_added_stays_in_the_infra_view(fix: str, listed: str) -> None:
    """ads-3's autoscaler is stuck at its ceiling of 27: a scale-up or a raised ceiling fixes
    it and is billed by the hour, so the infra view after it lists the replicas the autoscaler
    wanted (a quarter more than the 27 it ran: the raised ceiling lets it add them, as the fix
    says), never the 9 of a quiet night."""
    from oncall.game.engine import Game

    sc = loader.scenario("ads-3")
    g = Game(sc, 7)
    g.do({"do": "ack"})
    model = sc.fault.model
    assert "HPA 27/27" in g.do({"do": "infra", "model": model}).text
    assert g.do({"do": "hotfix", "model": model, "fix": fix}).ok
    for _ in range(2):
        g.do({"do": "wait", "minutes": 20})
        assert listed in g.do({"do": "infra", "model": model}).text


def test_replicas_asked_for_where_no_card_is_free_join_the_pending_ones() -> None:
    """search-4's training gang holds the GPUs: a scale-up "joins the Pending ones", so the
    infra view lists the new replicas Pending too; once the gang is evicted they all run."""
    from oncall.game.engine import Game

    sc = loader.scenario("search-4")
    g = Game(sc, 3)
    g.do({"do": "ack"})
    model = sc.fault.model
    before = g.do({"do": "infra", "model": model}).data
    pending = sum(p["status"] == "Pending" for p in before["pods"])
    g.do({"do": "hotfix", "model": model, "fix": "scale_up"})
    g.do({"do": "wait", "minutes": 5})
    after = g.do({"do": "infra", "model": model}).data
    added = len(after["pods"]) - len(before["pods"])
    assert added > 0 and after["hpa"]["replicas"] == len(after["pods"])
    assert sum(p["status"] == "Pending" for p in after["pods"]) == pending + added
    g.do({"do": "escalate", "team": "infra-sre", "model": model,
          "message": "train/retrain-ddp holds idle GPUs on the serving pool; evict it"})
    g.do({"do": "wait", "minutes": 30})
    healed = g.do({"do": "infra", "model": model}).data
    assert len(healed["pods"]) == len(after["pods"])
    assert all(p["status"] == "Running" for p in healed["pods"])
