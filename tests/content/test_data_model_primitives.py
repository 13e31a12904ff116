"""The primitives the data and model incidents are built from tell one story across tools:
label effects reach the labels tool and the quality series alike, a stopped job's feature age
grows minute by minute, and a value never seen in training shows in its own series, the drift
test and the validator's log."""

from __future__ import annotations

import re

import numpy as np
import pytest

from oncall.content import loader
from oncall.game.engine import Game


def _game(sid: str, seed: int = 7) -> Game:
    g = Game(loader.scenario(sid), seed)
    g.do({"do": "ack"})
    return g


def test_missing_labels_empty_the_labels_tool_and_zero_the_quality_series() -> None:
    g = _game("ads-2")
    w, inc = g.world, g.world.fault
    g.do({"do": "wait", "minutes": 10})
    recent = g.do({"do": "labels", "model": "ad-ctr", "window": 30})
    assert "label coverage 0%" in recent.text
    assert recent.data["value"] is None or recent.data["value"] == 0
    _, f1 = w.series("ad-ctr", "f1", w.now - 5, w.now)
    assert f1.max() < 0.1 * w.stats("ad-ctr").quality
    _, volume = w.series("ad-ctr", "label_volume_ratio", w.now - 5, w.now)
    assert volume.max() < 0.1
    _, before = w.series("ad-ctr", "label_volume_ratio", inc.onset - 60, inc.onset - 5)
    assert before.min() > 0.8
    # Predictions and inputs do not move: nobody was served badly.
    _, pred = w.series("ad-ctr", "pred_mean", inc.onset - 60, w.now)
    assert pred.max() / pred.min() < 1.3


def test_missing_labels_arrive_again_after_a_fix() -> None:
    g = _game("ads-2")
    assert g.do({"do": "escalate", "team": "data-engineering", "message": "join"}).ok
    for _ in range(3):
        g.do({"do": "wait", "minutes": 30})
    recent = g.do({"do": "labels", "model": "ad-ctr", "window": 30})
    assert "label coverage 0%" not in recent.text
    assert g.world.recovered()


def test_concept_drift_lowers_realised_quality_but_not_the_estimate_or_the_inputs() -> None:
    g = _game("spam-2")
    obs = g.do({"do": "labels", "model": "spam-filter"})
    training = obs.data["training"]
    assert obs.data["value"] < 0.85 * training
    est = obs.data["estimate"]
    assert est["band_low"] <= est["f1"] <= est["band_high"]
    drift = g.do({"do": "drift", "model": "spam-filter", "feature": "all"})
    assert drift.data["drifted_columns"] == []


def test_rescored_labels_agree_with_the_model_on_an_attack() -> None:
    sc = loader.scenario("fraud-2")
    g = Game(sc, 7)
    w = g.world
    t0 = w.fault.onset + 30
    rows, scores = w.rows("fraud-scorer", t0, t0 + 30)
    # The attack raises both the scores and the real positive rate, by about as much (its small
    # amounts, which the scorer reads as less risky, hold the rise to between 2x and 3x).
    assert abs(float(np.mean(rows.label)) - float(np.mean(scores))) < 0.05
    assert float(np.mean(rows.label)) > 2 * w.stats("fraud-scorer").pred_mean


def test_a_stopped_job_ages_its_features_a_minute_per_minute_until_restarted() -> None:
    g = _game("feed-2")
    w, onset = g.world, g.world.fault.onset
    t, age = w.series("recsys-ranker", "feature_age_min:user_activity_7d", onset + 30, onset + 90)
    assert np.allclose(np.diff(age), np.diff(t)), "a minute older every minute, no healthy cycle"
    # Every feature the stopped job materialises ages alike (device_type as well), and the
    # pipelines view says that age: one figure for the tool and the monitor's series.
    _, device = w.series("recsys-ranker", "feature_age_min:device_type", onset + 30, onset + 90)
    assert np.array_equal(device, age)
    view = {p["source"]: p for p in w.pipelines("recsys-ranker")["pipelines"]}["clickstream"]
    _, now_age = w.series("recsys-ranker", "feature_age_min:user_activity_7d", w.now, w.now + 1)
    assert view["freshness_min"] == round(float(now_age[0])) > 60 and not view["last_run_ok"]
    _, other = w.series("recsys-ranker", "feature_age_min:item_popularity", onset + 30,
                        onset + 90)
    assert other.max() <= 5
    assert g.do({"do": "hotfix", "model": "recsys-ranker", "fix": "restart_pipeline"}).ok
    g.do({"do": "wait", "minutes": 15})
    _, after = w.series("recsys-ranker", "feature_age_min:user_activity_7d", w.now - 3, w.now)
    assert after.max() <= 5
    view = {p["source"]: p for p in w.pipelines("recsys-ranker")["pipelines"]}["clickstream"]
    assert view["freshness_min"] <= 5 and view["last_run_ok"], "restarted: fresh again"


def test_a_failed_run_a_kind_records_ages_the_series_a_freshness_monitor_reads() -> None:
    """credit-2's partner outage records a failed bureau-feed ingest run (`freshness_min: 0`)
    and no age effect of its own: the pipelines view said "fresh 24 min ago" while the age
    series a freshness monitor replays stayed at its healthy 1-5 minutes."""
    g = _game("credit-2")
    w = g.world
    view = {p["source"]: p for p in w.pipelines("credit-limit")["pipelines"]}["bureau-feed"]
    _, age = w.series("credit-limit", "feature_age_min:utilisation", w.now, w.now + 1)
    assert view["freshness_min"] == round(float(age[0])) > 5 and not view["last_run_ok"]


def test_an_unseen_category_shows_in_its_series_the_drift_test_and_the_validator() -> None:
    g = _game("address-2")
    w = g.world
    _, unseen = w.series("address-matcher", "feature_unseen_rate:country", w.now - 5, w.now)
    assert 0.25 < unseen.mean() < 0.35
    rows, _ = w.rows("address-matcher", w.now - 8, w.now)
    assert 0.2 < float(np.mean(rows.features["country"] == "MX")) < 0.4
    drift = g.do({"do": "drift", "model": "address-matcher", "feature": "country"})
    assert drift.data["drifted"] and "MX" in drift.text
    logs = g.do({"do": "logs", "model": "address-matcher", "level": "WARN"})
    assert "never seen in training (MX)" in logs.text


def test_a_vocabulary_change_renames_every_known_category_until_pinned() -> None:
    g = _game("fraud-6")
    w = g.world
    rows, _ = w.rows("fraud-scorer", w.now - 8, w.now)
    served = set(rows.features["country"].tolist())
    assert served <= {"USA", "GBR", "DEU", "FRA", "BRA", "IND"} and "USA" in served
    _, unseen = w.series("fraud-scorer", "feature_unseen_rate:country", w.now - 5, w.now)
    assert unseen.min() > 0.95
    _, before = w.series("fraud-scorer", "feature_unseen_rate:country", w.fault.onset - 30,
                         w.fault.onset - 1)
    assert before.max() < 0.01
    # The producer's release sits at the minute the scenario's parameter puts it.
    changes = w.fault.pipeline_changes("fraud-scorer", w.now)
    assert [c["at"] - w.fault.onset for c in changes] == [-4]
    # A categorical feature keeps its kind: the renamed values are text, and mapping them all to
    # the fallback bucket does not help, while pinning the old schema does.
    assert g.do({"do": "hotfix", "model": "fraud-scorer",
                 "fix": "map_unseen_categories"}).ok
    g.do({"do": "wait", "minutes": 10})
    _, still = w.series("fraud-scorer", "feature_unseen_rate:country", w.now - 3, w.now)
    assert still.min() > 0.95
    assert g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "pin_feature_version"}).ok
    g.do({"do": "wait", "minutes": 10})
    rows, _ = w.rows("fraud-scorer", w.now - 3, w.now)
    assert set(rows.features["country"].tolist()) <= {"US", "GB", "DE", "FR", "BR", "IN"}


def test_a_config_value_from_a_parameter_shows_its_value_in_the_deploy() -> None:
    g = _game("credit-3")
    deploys = g.do({"do": "deploys", "model": "credit-limit"})
    assert "params." not in deploys.text
    # the kind templates the new limit; the old one is the revision's own value, never "None"
    assert re.search(r"cpu_limit_m \d+->500\b", deploys.text), deploys.text


def test_pods_follow_the_autoscaler_at_its_ceiling() -> None:
    g = _game("ads-3")
    infra = g.world.infra("ad-ctr")
    assert infra["hpa"]["at_max"]
    assert len(infra["pods"]) == infra["hpa"]["replicas"] == infra["hpa"]["max_replicas"]
    names = [p["name"] for p in infra["pods"]]
    assert len(set(names)) == len(names)


def test_config_values_are_literal_parameter_template_or_relative_to_the_old_one() -> None:
    from oncall.sim.faultdef import Relative, resolve_config

    params = {"ceiling": 4, "topic": "payments.v2", "factor": 0.5}

    def fill(text: str) -> str:
        return text.replace("{params.topic}", params["topic"])

    assert resolve_config("params.ceiling", 12, params, fill) == 4
    assert resolve_config("{params.topic}-dlq", "old-dlq", params, fill) == "payments.v2-dlq"
    assert resolve_config(Relative(times="params.factor"), 12, params, fill) == 6
    assert resolve_config(Relative(add=-100), 250, params, fill) == 150
    assert isinstance(resolve_config(Relative(times=0.33), 12, params, fill), int)
    with pytest.raises(ValueError, match="needs a number"):
        resolve_config(Relative(add=1), "mps", params, fill)


def test_a_few_labels_are_counted_not_rounded_to_none() -> None:
    from oncall.game.tools import _coverage_text

    assert _coverage_text(5, 2423) == "5 of 2,423 rows (0.2%)"
    assert _coverage_text(0, 2423) == "0% of 2,423 rows"
    assert _coverage_text(9117, 12317) == "74% of 12,317 rows"
