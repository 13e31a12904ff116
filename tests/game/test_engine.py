"""The engine's one door: costs, consequences, errors and the record."""

from __future__ import annotations

import pytest

from oncall.content import loader
from oncall.game.engine import Game


def game(sid: str = "fraud-1", seed: int = 1) -> Game:
    return Game(loader.scenario(sid), seed)


def test_every_command_costs_its_minutes_and_gets_a_citable_id() -> None:
    g = game()
    start = g.now
    a = g.do({"do": "ack"})
    d = g.do({"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean"})
    assert (a.id, d.id) == ("obs-1", "obs-2")
    assert g.now == start + 1 + 2
    assert d.data["threshold"] and len(d.data["values"]) == 120
    assert len(g.record.entries) == 2


def test_unknown_command_is_an_error_that_lists_valid_commands_and_costs_nothing() -> None:
    g = game()
    start = g.now
    obs = g.do({"do": "reboot-everything"})
    assert not obs.ok and "unknown command 'reboot-everything'" in (obs.error or "")
    assert "ack" in (obs.valid or []) and g.now == start
    bad = g.do({"do": "drift", "model": "fraud-scorer", "window": "long"})
    assert "drift: window" in (bad.error or "")
    typo = g.do({"do": "logs", "model": "fraud-scorrer"})
    assert "unknown model 'fraud-scorrer'" in (typo.error or "") and g.now == start
    nodo = g.do({"cmd": "ack"})
    assert not nodo.ok and 'no "do"' in (nodo.error or "") and "'cmd'" in (nodo.error or "")
    assert g.do({"do": "ack"}).ok, "the session goes on after errors"


def test_resolve_is_refused_while_the_fault_is_live() -> None:
    g = game()
    g.do({"do": "ack"})
    obs = g.do({"do": "resolve"})
    assert not obs.ok and g.phase == "active"


def test_wrong_intervention_changes_nothing_and_right_one_recovers() -> None:
    g = game()
    g.do({"do": "ack"})
    wrong = g.do({"do": "rollback", "model": "fraud-scorer"})
    assert g.record.facts.interventions[-1].effect == "none" and wrong.ok
    g.do({"do": "wait", "minutes": 10})
    _, pred = g.world.series("fraud-scorer", "pred_mean", g.now - 3, g.now)
    assert pred.mean() < g.world.stats("fraud-scorer").pred_mean / 3
    g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"})
    g.do({"do": "wait", "minutes": 20})
    _, pred = g.world.series("fraud-scorer", "pred_mean", g.now - 3, g.now)
    assert pred.mean() == pytest.approx(g.world.stats("fraud-scorer").pred_mean, rel=0.15)
    assert g.record.facts.mitigated_at is not None
    assert g.do({"do": "resolve"}).ok and g.phase == "resolved"


def test_rollback_appears_in_the_deploy_history() -> None:
    g = game("search-1")
    g.do({"do": "ack"})
    g.do({"do": "rollback", "model": "search-ranker"})
    last = g.world.deploys("search-ranker")["deploys"][-1]
    assert last["promoted_by"] == "you (on-call)" and last["config"]["batch_size"] == 32


def test_escalation_answers_after_a_delay_and_then_fixes() -> None:
    g = game()
    g.do({"do": "ack"})
    sent = g.do({"do": "escalate", "team": "data-engineering", "message": "revert v13"})
    assert sent.data["waiting_on"] == "data-engineering"
    assert g.record.facts.mitigated_at is None
    arrived = g.do({"do": "wait", "minutes": 20})
    assert any(e["kind"] == "message" and e["by"] == "data-engineering" for e in arrived.events)
    assert g.record.facts.mitigated_at is not None


def test_unacknowledged_page_escalates_to_the_secondary() -> None:
    g = game()
    obs = g.do({"do": "wait", "minutes": 7})
    assert any(e["kind"] == "escalation" for e in obs.events)
    assert g.record.facts.paged_unacked_escalated


def test_diagnosis_must_cite_real_observations() -> None:
    g = game()
    bad = g.do({"do": "diagnose", "category": "data", "cause": "D4", "evidence": ["obs-99"]})
    assert not bad.ok and "obs-99" in (bad.error or "")


def test_signals_only_mark_observations_that_show_the_fault() -> None:
    g = game()
    healthy = g.do({"do": "drift", "model": "fraud-scorer", "feature": "merchant_risk"})
    shifted = g.do({"do": "drift", "model": "fraud-scorer", "feature": "txn_amount_cents"})
    assert not healthy.data["drifted"] and healthy.signals == []
    assert shifted.data["drifted"] and "drift:txn_amount_cents" in shifted.signals


def test_postmortem_writes_artifacts_and_replays_monitors() -> None:
    sc = loader.scenario("fraud-1")
    g = Game(sc, 1)
    for cmd in sc.playbook.right:
        obs = g.do(cmd)
    f = g.record.facts
    kinds = {a.kind for a in f.artifacts}
    assert kinds == {"monitor", "test", "runbook"}
    rule_file = next(a for a in f.artifacts if a.kind == "monitor")
    assert rule_file.content.startswith("groups:") and "expr:" in rule_file.content
    rep = f.replays[0]
    assert rep.lead_minutes is not None and rep.lead_minutes > 0
    assert obs.kind == "postmortem" and g.ended and g.record.ended


def test_drift_on_all_features_corrects_for_many_tests_and_finds_the_shifted_one() -> None:
    g = game()
    obs = g.do({"do": "drift", "model": "fraud-scorer", "feature": "all"})
    assert obs.data["drifted_columns"] == ["txn_amount_cents"]
    n = len(obs.data["results"])
    assert n == len(g.world.model("fraud-scorer").features)
    # Benjamini-Hochberg's step-up threshold lies between alpha / n and alpha.
    corrected = [r["threshold"] for r in obs.data["results"] if r["p_value"] is not None]
    assert all(0.05 / n - 1e-12 <= t < 0.05 for t in corrected)
    assert "drift:txn_amount_cents" in obs.signals


def test_an_impossible_request_costs_no_time_and_no_observation_id() -> None:
    g = game()
    first = g.do({"do": "logs", "model": "fraud-scorer"})
    t = g.now
    for bad in ({"do": "drift", "model": "fraud-scorer", "feature": "prediction", "test": "chi2"},
                {"do": "drift", "model": "fraud-scorer", "feature": "country", "test": "ks"},
                {"do": "drift", "model": "fraud-scorer", "feature": "no_such_feature"},
                {"do": "dashboard", "model": "fraud-scorer", "metric": "no_such_metric"}):
        obs = g.do(bad)
        assert not obs.ok and obs.id is None and g.now == t, obs.text
        assert "valid:" in obs.text or "available:" in obs.text
    nxt = g.do({"do": "deploys", "model": "fraud-scorer"})
    assert int(nxt.id.split("-")[1]) == int(first.id.split("-")[1]) + 1


@pytest.mark.parametrize(("command", "field"), [
    ({"do": "hotfix", "model": "fraud-scorer", "fix": "reboot_everything"}, "fix"),
    ({"do": "escalate", "team": "nobody", "message": "help"}, "team"),
    ({"do": "diagnose", "category": "data", "cause": "Z9", "evidence": []}, "cause"),
    ({"do": "diagnose", "category": "data", "cause": "D4", "evidence": ["obs-99"]}, "evidence"),
    ({"do": "rollback", "model": "fraud-scorer", "to": "v999"}, "to"),
    ({"do": "drift", "model": "fraud-scorer", "feature": "no_such_column"}, "feature"),
    ({"do": "dashboard", "model": "no-such-model", "metric": "p99_ms"}, "model"),
])
def test_a_rejected_command_costs_no_time_and_no_observation_id(
        command: dict[str, object], field: str) -> None:
    g = game()
    g.do({"do": "ack"})
    first = g.do({"do": "deploys", "model": "fraud-scorer"})
    start = g.now
    bad = g.do(command)
    assert not bad.ok and bad.id is None and f": {field}: " in (bad.error or "")
    assert g.now == start, f"{command['do']} with a bad {field} moved the clock"
    after = g.do({"do": "logs", "model": "fraud-scorer"})
    assert (first.id, after.id) == ("obs-2", "obs-3")


def test_a_ticket_typed_model_first_says_how_it_reads_and_what_fires_there() -> None:
    g = game()
    g.do({"do": "ack"})
    noise = next(e for e in g.world.firing() if e.model != g.world.fault.model)
    start = g.now
    swapped = g.do({"do": "ticket", "alert": noise.model, "model": "certificate"})
    assert not swapped.ok and g.now == start
    assert "the alert comes first" in (swapped.error or "")
    said = swapped.error or ""
    assert f"firing on {noise.model}: " in said and noise.rule in said
    right = g.do({"do": "ticket", "alert": noise.rule, "model": noise.model})
    assert right.ok and g.record.facts.tickets[-1]["alert"] == noise.rule


@pytest.mark.parametrize(("alert", "model"), [("ModelHighP99Latency", "churn-model"),
                                                ("GPUMemoryNearFull", "address-matcher")])
def test_a_ticket_for_an_alert_that_did_not_fire_on_the_model_is_refused(
        alert: str, model: str) -> None:
    """fraud-3's p99 blip on churn-model cleared at 01:27, before the page at 01:54, so the run
    never showed it; a GPU alert cannot fire on a CPU model. A ticket for either followed up
    nothing, yet was filed (and a story told of it): it is refused, free, saying why and what
    fires."""
    g = game("fraud-3", 7)
    g.do({"do": "ack"})
    start = g.now
    bad = g.do({"do": "ticket", "alert": alert, "model": model, "note": "look later"})
    assert not bad.ok and bad.id is None and g.now == start
    said = bad.error or ""
    assert said.startswith(f"ticket: alert: {alert} has not fired on {model} since 01:54")
    assert "firing now: ModelHigh5xxRatio on fraud-scorer" in said
    assert g.record.facts.tickets == []


def test_the_ticket_help_says_a_ticket_needs_an_alert_that_fired_on_the_model() -> None:
    """The help said a ticket is "for an alert that does not need action tonight", but one for
    an alert that has not fired on the model is refused: the help says so."""
    said = game("fraud-3", 7).do({"do": "help", "topic": "ticket"}).text
    assert "fired on the model" in said and "refused for one that has not fired there" in said


def test_an_alert_that_fired_during_the_run_can_be_ticketed_after_it_cleared() -> None:
    g = game("fraud-3", 7)
    for cmd in [{"do": "ack"}, {"do": "logs", "model": "fraud-scorer", "level": "WARN"},
                {"do": "hotfix", "model": "fraud-scorer", "fix": "fallback_cached_features"},
                {"do": "wait", "minutes": 20}]:
        g.do(cmd)
    assert ("ModelHigh5xxRatio", "fraud-scorer") not in {(e.rule, e.model)
                                                         for e in g.world.firing()}
    late = g.do({"do": "ticket", "alert": "ModelHigh5xxRatio", "model": "fraud-scorer"})
    assert late.ok, late.error


@pytest.mark.parametrize("sid", ["address-1", "feed-1", "moderation-1"])
def test_the_infra_view_names_every_pod_in_trouble_and_counts_the_rest(sid: str) -> None:
    g = game(sid, 7)
    g.do({"do": "ack"})
    model = g.world.fault.model
    obs = g.do({"do": "infra", "model": model})
    pods = obs.data["pods"]
    named = [p for p in pods if p["name"] in obs.text]
    assert all(p in named for p in pods if p["status"] != "Running")
    hidden = len(pods) - len(named)
    assert (f"and {hidden} more pod" in obs.text) == (hidden > 0)


@pytest.mark.parametrize("sid", ["feed-1", "fraud-5", "churn-2"])
def test_every_pod_the_logs_quote_is_one_the_infra_view_lists(sid: str) -> None:
    """One world: a canary's or a shadow's pods write their own lines, so the infra view lists
    them beside the stable ones; after a rollback they are gone, and the lines they wrote keep
    the pod that wrote them."""
    g = game(sid, 7)
    g.do({"do": "ack"})
    model = g.world.fault.model

    def listed() -> set[str]:
        data = g.do({"do": "infra", "model": model}).data
        return {p["name"] for p in data["pods"]} | {
            p["name"] for r in data["revisions"] for p in r["pods"]}

    def lines() -> list[tuple[float, str, str]]:
        return [(ln["t"], ln["pod"], ln["message"])
                for ln in g.do({"do": "logs", "model": model}).data["lines"]]

    extra = g.do({"do": "infra", "model": model}).data["revisions"]
    assert extra, f"{sid} runs a canary or a shadow revision"
    before = lines()
    assert {pod for _, pod, _ in before} <= listed()
    if extra[0]["role"] == "canary":
        assert {pod for _, pod, _ in before} & {p["name"] for p in extra[0]["pods"]}
    g.do({"do": "rollback", "model": model})
    assert not g.do({"do": "infra", "model": model}).data["revisions"]
    kept = lines()
    still = [ln for ln in before if ln[0] >= kept[0][0]]
    assert still, "the window still holds lines written before the rollback"
    assert all(ln in kept for ln in still), "a line keeps the pod that wrote it"
    by_rev = g.do({"do": "dashboard", "model": model, "metric": "error_rate", "by": "revision"})
    assert "no canary revision is serving" in by_rev.text


@pytest.mark.parametrize("sid", ["ads-3", "moderation-1", "search-2", "search-4", "fraud-1"])
def test_the_pods_writing_now_are_pods_the_infra_view_lists(sid: str) -> None:
    """A lowered replica ceiling, a lost node or a held gang leaves fewer pods or Pending ones:
    the lines of the last minutes come only from pods the infra view lists, and none from a pod
    that runs no container."""
    g = game(sid, 7)
    g.do({"do": "ack"})
    model = g.world.fault.model
    data = g.do({"do": "infra", "model": model}).data
    running = {p["name"] for p in data["pods"] if p["status"] not in ("Pending", "Evicted")}
    running |= {p["name"] for r in data["revisions"] for p in r["pods"]}
    recent = {ln.pod for ln in g.world.logs(model, g.now - 5, g.now)}
    assert recent and recent <= running, sorted(recent - running)


def test_a_move_on_a_model_the_fault_is_not_on_reports_that_model_not_the_fault() -> None:
    """ads-3's fault is on ad-ctr: a rollback or hotfix of another model answers with what that
    model now runs, never the fault's own "no change" message about ad-ctr."""
    from oncall.content import loader
    from oncall.game.engine import Game

    g = Game(loader.scenario("ads-3"), 1)
    g.do({"do": "ack"})
    other = next(m for m in g.world.fleet.names() if m != "ad-ctr")
    back = g.do({"do": "rollback", "model": other})
    live = g.world.model(other).live_deploy(g.world.now)
    assert back.text == (f"Rolled back {other}: r{live.revision} ({live.model_version}) now "
                         "serves all its traffic.")
    fixed = g.do({"do": "hotfix", "model": other, "fix": "restart_pods"})
    assert fixed.text.startswith(f"Applied restart_pods on {other} (r{live.revision}")
    assert "ad-ctr" not in back.text + fixed.text


def test_drift_on_a_feature_going_missing_says_so_and_prints_no_nan() -> None:
    """A renamed field arrives missing: the drift tests drop missing rows and pass, so both the
    one-feature test and the table of every feature say how the missing share moved; the mean
    is of the values there are (never `nan`), and a feature centred on zero is compared in
    training standard deviations, not as a ratio of two means near zero."""
    from oncall.game import generator

    sc = generator.generate(1, "normal")
    assert sc.fault.kind == "field_renamed"
    g = Game(sc, 1)
    g.do({"do": "ack"})
    g.do({"do": "wait", "minutes": 20})
    model, feature = sc.fault.model, sc.fault.params["feature"]
    table = g.do({"do": "drift", "model": model, "feature": "all"})
    assert f"! {feature}: missing share changed from 0.0% to" in table.text
    one = g.do({"do": "drift", "model": model, "feature": feature})
    assert "nan" not in one.text and "missing share changed" in one.text
    means = one.data["means"]
    assert means["ratio"] is None and "training sd)" in one.text
    assert means["current"] is not None and means["current"] == means["current"]


def test_a_config_key_a_revision_lacked_reads_unset_in_the_deploy_diff() -> None:
    from oncall.game import generator

    sc = generator.generate(3, "normal")  # a config profile set where none was
    g = Game(sc, 3)
    g.do({"do": "ack"})
    text = g.do({"do": "deploys", "model": sc.fault.model}).text
    assert "config_profile (unset)->" in text and "None" not in text


def test_a_prediction_mean_that_falls_to_zero_shows_the_drop() -> None:
    """fraud-1's amounts arrive 100x: the fraud score's mean falls from about 0.03 to 0.0000. A
    fall to zero is the largest step a ratio can measure, so the look shows the drop."""
    g = Game(loader.scenario("fraud-1"), 7)
    g.do({"do": "ack"})
    look = g.do({"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean"})
    assert "min 0.0000" in look.text
    assert "prediction-drop" in look.signals


def test_help_says_each_arguments_type_in_words_a_player_can_use() -> None:
    """`help`'s data lists each argument's type: an optional choice is its choices ("one of:
    revision", never the typing name "Optional"), an optional number says it may be left out."""
    g = game()
    commands = {c["do"]: c["args"] for c in g.do({"do": "help"}).data["commands"]}
    assert commands["dashboard"]["by"]["type"] == "one of: revision"
    assert commands["logs"]["level"]["type"] == "one of: DEBUG, INFO, WARN, ERROR"
    types = [a["type"] for args in commands.values() for a in args.values()]
    assert types and not [t for t in types if "Optional" in t or "Literal" in t or "typing" in t]


def test_pipelines_says_each_features_null_rate_and_over_what_window() -> None:
    """fraud-1's pipelines: each feature's null rate is the world's null-rate series over the
    last 15 minutes, named by feature and window (it said "max null rate 44.64%", a figure
    with neither, beside a page of 0.64 and logs of 60%)."""
    import re

    g = game()
    g.do({"do": "ack"})
    obs = g.do({"do": "pipelines", "model": "fraud-scorer"})
    world = g.world
    parts = obs.text.split("null rate over the last 15 min:")[1:]
    assert len(parts) == len(obs.data["pipelines"])
    said = [m for part in parts for m in re.findall(r"(\w+) (\d+\.\d\d)%", part.split("\n")[0])]
    assert len(said) == sum(len(p["features"]) for p in obs.data["pipelines"])
    for feature, pct in said:
        _, v = world.series("fraud-scorer", f"feature_null_rate:{feature}", world.now - 15,
                            world.now)
        assert float(pct) == round(float(v.mean()) * 100, 2), feature


def test_the_fleet_header_tells_traffic_now_from_the_days_average() -> None:
    """At 02:09 the fleet serves about 400 requests a second; its 500 is a day's average. The
    header said '500 req/s mean traffic, at 02:09' above rows summing to 405."""
    from oncall.content import loader
    from oncall.game.engine import Game

    g = Game(loader.scenario("fraud-1"), 7)
    g.do({"do": "ack"})
    obs = g.do({"do": "fleet"})
    head = obs.text.splitlines()[0]
    now = sum(r["rps"] for r in obs.data["models"])
    assert f"{now:.0f} req/s now" in head, head
    assert "500 req/s on a day's average" in head and now < 480


def test_an_alert_that_cleared_during_a_wait_is_said_at_the_minute_it_cleared() -> None:
    """credit-3, seed 42227: the config revert at 02:04 clears the 5xx alert at 02:12; a
    20-minute wait said every alert 'resolved' at 02:28, the minute the wait ended."""
    from oncall.content import loader
    from oncall.game.engine import Game

    g = Game(loader.scenario("credit-3"), 42227)
    for cmd in [{"do": "ack"}, {"do": "deploys", "model": "credit-limit"},
                {"do": "hotfix", "model": "credit-limit", "fix": "revert_config"}]:
        g.do(cmd)
    before = g.now
    waited = g.do({"do": "wait", "minutes": 20})
    cleared = {(e["rule"], e["t"]) for e in waited.events if e["kind"] == "resolved_alert"}
    episodes = {(e.rule, e.ended_at) for e in g.world.episodes(before - 360, g.now + 1,
                                                               models=["credit-limit"])
                if e.ended_at is not None and before < e.ended_at <= g.now}
    assert cleared and cleared == episodes
    assert all(t < g.now for _, t in cleared)


def test_a_filtered_look_at_the_logs_says_what_the_window_holds_in_all() -> None:
    """`logs m --level ERROR` on a model that writes only warnings said '0 lines (0 ERROR,
    0 WARN, 0 INFO)': a quiet log, to a player who then never looked at the warnings."""
    from oncall.game import tools

    g = game("fraud-1", 7)
    g.do({"do": "ack"})
    g.do({"do": "wait", "minutes": 20})
    model = g.world.fault.model
    whole, _ = tools.logs(g.world, model, None, 30, None)
    counts = whole.splitlines()[0].split(" lines (")[1].split(")")[0]
    total = int(whole.splitlines()[0].split(": ")[1].split(" lines")[0])
    assert "0 ERROR" in counts and " 0 WARN" not in counts, whole
    errors, data = tools.logs(g.world, model, "ERROR", 30, None)
    assert data["total"] == 0 and errors.splitlines() == [
        f"{model} logs, last 30 min: 0 lines at ERROR (of {total} in all: {counts})"]
    warned, data = tools.logs(g.world, model, "WARN", 30, "feature-store")
    head = warned.splitlines()[0]
    assert head.startswith(f"{model} logs, last 30 min: {data['total']} line"), head
    assert f"at WARN or above and matching 'feature-store' (of {total} in all: {counts})" \
        in head, head
    assert all("feature-store" in ln["message"] and ln["level"] in ("WARN", "ERROR")
               for ln in data["lines"]) and data["lines"]


def test_every_list_an_argument_points_to_is_one_help_shows() -> None:
    """'fix: required (one of the platform's fixes (see help: fixes))' pointed to a help that
    took no argument: a headless player had no way to list the fixes, teams or causes."""
    import re

    from oncall.game import commands as c

    g = game("fraud-1", 7)
    pointed = {m for v in c.VERBS for d in [c.describe(v)] for a in d["args"].values()
               for m in re.findall(r"see help (\w+)", a.get("about", ""))}
    assert {"fixes", "teams", "causes"} <= pointed
    clock = g.now
    for topic in sorted(pointed | set(c.HELP_LISTS)):
        obs = g.do({"do": "help", "topic": topic})
        assert obs.ok and obs.text, topic
    assert g.now == clock  # help costs nothing
    fixes = g.do({"do": "help", "topic": "fixes"}).text.splitlines()
    assert [ln.split()[0] for ln in fixes] == list(c.FIXES)
    usage = g.do({"do": "help", "topic": "hotfix"}).text.splitlines()
    assert usage[0] == "hotfix model fix [incident]  (5 min)"
    assert any(ln.split()[:2] == ["fix", "required"] and "see help fixes" in ln for ln in usage)
    assert any(ln.split()[:2] == ["model", "required"] and "see help models" in ln
               for ln in usage)
    bad = g.do({"do": "help", "topic": "fixs"})
    assert not bad.ok and "unknown topic 'fixs'" in bad.text and "fixes" in bad.text
    assert g.do({"do": "help"}).text.splitlines()[-1].startswith("help TOPIC for more:")
