"""Models are what they say: each type is judged by its own metric, with the label delay of its
domain and hyperparameters of its family."""

from __future__ import annotations

import numpy as np
import pytest

from oncall.content import loader
from oncall.detect.quality import mean_absolute_error, ndcg_at_k, recall_at_k
from oncall.game.engine import Game
from oncall.sim.catalogue import ARCHETYPES_BY_NAME


def test_ndcg_is_one_for_a_perfect_ranking_and_lower_for_a_reversed_one() -> None:
    rel = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0] * 3, dtype=float)
    perfect = rel + np.linspace(0, 0.1, len(rel))
    assert ndcg_at_k(perfect, rel, group_size=10, k=10) == pytest.approx(1.0)
    reversed_ = -perfect
    assert ndcg_at_k(reversed_, rel, group_size=10, k=10) < 0.5
    assert ndcg_at_k(perfect, np.zeros(30), group_size=10) is None


def test_recall_at_k_and_mae_on_known_values() -> None:
    scores = np.arange(50, dtype=float)
    relevant = np.zeros(50, dtype=bool)
    relevant[[49, 48, 0]] = True
    assert recall_at_k(scores, relevant, group_size=50, k=10) == pytest.approx(2 / 3)
    assert mean_absolute_error(np.array([1.0, 2.0, np.nan]), np.array([2.0, 2.0, 5.0])) == 0.5


@pytest.mark.parametrize(("model", "metric"), [("fraud-scorer", "F1"),
                                               ("recsys-ranker", "NDCG@10"),
                                               ("eta-predictor", "MAE")])
def test_the_labels_tool_reports_the_models_own_metric(model: str, metric: str) -> None:
    sid = {"fraud-scorer": "fraud-1", "recsys-ranker": "feed-1",
           "eta-predictor": "eta-1"}[model]
    g = Game(loader.scenario(sid), 7)
    g.do({"do": "ack"})
    obs = g.do({"do": "labels", "model": model})
    assert obs.ok and obs.data["metric_name"] == metric
    assert f"{metric} on arrived labels" in obs.text
    versions = g.do({"do": "deploys", "model": model}).data["versions"]
    assert all(ARCHETYPES_BY_NAME[model].quality_metric in v["eval"] for v in versions)


def test_fraud_labels_are_chargebacks_that_take_days_so_few_arrive_overnight() -> None:
    g = Game(loader.scenario("fraud-1"), 7)
    g.do({"do": "ack"})
    obs = g.do({"do": "labels", "model": "fraud-scorer"})
    assert obs.data["arrived"]["label_coverage"] < 0.1
    assert obs.data["estimate"] is not None, "a label-free estimate is what the night offers"


def test_a_broken_canary_lowers_its_rankers_ndcg_once_labels_arrive() -> None:
    g = Game(loader.scenario("feed-1"), 7)
    g.do({"do": "ack"})
    canary = g.do({"do": "labels", "model": "recsys-ranker", "window": 60}).data
    assert canary["value"] < canary["training"]


def test_hyperparameters_belong_to_the_models_family() -> None:
    g = Game(loader.scenario("feed-1"), 7)
    hp = {name: g.world.model(name).versions[0].hyperparameters for name in g.world.fleet.names()}
    assert "embedding_dim" in hp["recsys-ranker"]
    assert all("n_estimators" in h for n, h in hp.items()
               if ARCHETYPES_BY_NAME[n].family == "gbdt")
