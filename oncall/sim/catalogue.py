"""Static domain data: the fault catalogue and the model archetypes a fleet is drawn from.

The fault catalogue is the list a player diagnoses against (REFERENCE.md), so it holds every
fault, including those no scenario simulates yet: a short list would give the answer away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple, TypeVar, overload

from oncall.sim import registry
from oncall.sim.registry import Category, CauseDef, FixDef, ModelType, TeamDef

__all__ = ["Category", "FaultInfo", "ModelType"]
V = TypeVar("V")
FaultInfo = CauseDef
"""An entry of the fault catalogue (`registries/causes.yaml`)."""


class RegistryView(Mapping[str, V]):
    """A registry's entries by id, read from the registry files when first asked for (and again
    after a content folder is added): a constant to its callers, data underneath."""

    def __init__(self, pick: Callable[[], Mapping[str, V]]) -> None:
        self._pick = pick

    def __getitem__(self, key: str) -> V:
        return self._pick()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pick())

    def __len__(self) -> int:
        return len(self._pick())

    def __contains__(self, key: object) -> bool:
        return key in self._pick()


class RegistryList(Sequence[V]):
    """A registry's entries in file order, read as `RegistryView` reads them."""

    def __init__(self, pick: Callable[[], Sequence[V]]) -> None:
        self._pick = pick

    @overload
    def __getitem__(self, i: int) -> V: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[V]: ...
    def __getitem__(self, i: int | slice) -> V | Sequence[V]:
        return self._pick()[i]

    def __len__(self) -> int:
        return len(self._pick())

    def __iter__(self) -> Iterator[V]:
        return iter(self._pick())


def _causes() -> dict[str, CauseDef]:
    return registry.entries("cause")  # type: ignore[no-any-return]


def _about(what: str) -> dict[str, str]:
    entries: dict[str, FixDef | TeamDef] = registry.entries(what)
    return registry.derived(f"{what}:about", lambda: {k: e.about for k, e in entries.items()})


FAULTS: Sequence[CauseDef] = RegistryList(lambda: list(_causes().values()))
"""The fault catalogue the player diagnoses against (REFERENCE.md): every fault, including those
no scenario simulates yet, since a short list would give the answer away."""
FAULTS_BY_ID: Mapping[str, CauseDef] = RegistryView(_causes)


class FeatureSpec(NamedTuple):
    """A model input. Continuous features are log-normal or normal; the weight is the
    coefficient of the standardised feature in the model's scoring function."""

    name: str
    kind: Literal["continuous", "categorical"]
    source: str
    unit: str = ""
    dist: Literal["lognormal", "normal"] = "normal"
    loc: float = 0.0
    scale: float = 1.0
    categories: tuple[str, ...] = ()
    probs: tuple[float, ...] = ()
    weight: float = 0.0
    cat_weights: tuple[float, ...] = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> FeatureSpec:
        """Itself: frozen, and made of strings, numbers and tuples of them."""
        return self


class Archetype(NamedTuple):
    name: str
    task: str
    team: str
    hardware: Literal["gpu", "cpu"]
    traffic: float
    p50_ms: float
    p99_ms: float
    base_rate: float
    features: tuple[FeatureSpec, ...] = ()
    label_lag_min: int = 60
    model_type: ModelType = "classifier"
    family: str = "gbdt"
    """The model family, which decides the hyperparameters the registry shows."""
    label_source: str = ""
    """What the ground truth is and why it takes `label_lag_min` to arrive."""
    target_unit: str = ""
    target_base: float = 0.0
    target_span: float = 1.0
    """Regressors: the served value is target_base + target_span x score, in target_unit."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Archetype:
        """Itself: frozen and made of strings, numbers and feature specs, so a copy of a world
        shares its models' archetypes, as `world._copy_model` does (a world's copy copied each
        archetype field by field: most of the objects a copy made), and a copied world's models
        find the statistics kept for their archetype (`telemetry._kept`)."""
        return self

    @property
    def quality_metric(self) -> str:
        return QUALITY_METRICS[self.model_type][0]

    @property
    def quality_name(self) -> str:
        return QUALITY_METRICS[self.model_type][1]


QUALITY_METRICS: dict[str, tuple[str, str, bool]] = {
    "classifier": ("f1", "F1", True),
    "ranker": ("ndcg_at_10", "NDCG@10", True),
    "regressor": ("mae", "MAE", False),
    "embedder": ("recall_at_10", "recall@10", True),
}
"""Each model type's quality metric: series name, display name, and whether higher is better."""


def _cont(name: str, source: str, unit: str, dist: Literal["lognormal", "normal"], loc: float,
          scale: float, weight: float) -> FeatureSpec:
    return FeatureSpec(name, "continuous", source, unit, dist, loc, scale, weight=weight)


def _cat(name: str, source: str, cats: tuple[str, ...], probs: tuple[float, ...],
         weights: tuple[float, ...]) -> FeatureSpec:
    return FeatureSpec(name, "categorical", source, categories=cats, probs=probs,
                       cat_weights=weights)


_COUNTRY = ("US", "GB", "DE", "FR", "BR", "IN")
_COUNTRY_P = (0.46, 0.14, 0.12, 0.1, 0.1, 0.08)
_DEVICE = ("ios", "android", "web")
_DEVICE_P = (0.38, 0.34, 0.28)

ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("fraud-scorer", "card-fraud classification", "risk-ml", "cpu", 1.6, 18, 60, 0.035, (
        _cont("txn_amount_cents", "payments-events", "cents", "lognormal", 8.3, 1.1, 1.6),
        _cont("merchant_risk", "merchant-profile", "", "normal", 0.0, 1.0, 0.8),
        _cont("account_age_days", "accounts-cdc", "days", "lognormal", 5.5, 1.0, -0.7),
        _cont("txn_velocity_1h", "payments-events", "count", "lognormal", 0.6, 0.7, 0.9),
        _cat("country", "payments-events", _COUNTRY, _COUNTRY_P, (0, 0.2, 0.1, 0.1, 0.6, 0.5)),
        _cat("device_type", "clickstream", _DEVICE, _DEVICE_P, (0, 0.1, 0.4)),
    ), label_lag_min=45),
    Archetype("search-ranker", "search result ranking", "search-relevance", "gpu", 2.2, 22, 85,
              0.12, (
        _cont("query_length", "search-logs", "tokens", "lognormal", 1.2, 0.5, 0.3),
        _cont("doc_ctr_7d", "search-logs", "", "normal", 0.0, 1.0, 1.2),
        _cont("embedding_sim", "embedding-service", "", "normal", 0.0, 1.0, 1.5),
        _cat("locale", "search-logs", ("en", "es", "de", "fr", "pt"),
             (0.6, 0.15, 0.1, 0.08, 0.07), (0, 0.1, 0.1, 0.1, 0.2)),
    ), label_lag_min=30),
    Archetype("recsys-ranker", "home-feed recommendations", "personalization", "gpu", 2.6, 35, 120,
              0.08, (
        _cont("user_activity_7d", "clickstream", "events", "lognormal", 2.5, 0.9, 0.9),
        _cont("item_popularity", "item-catalog", "", "normal", 0.0, 1.0, 1.1),
        _cont("dwell_time_ms", "clickstream", "ms", "lognormal", 8.0, 0.8, 0.6),
        _cat("device_type", "clickstream", _DEVICE, _DEVICE_P, (0, 0.2, -0.1)),
    ), label_lag_min=20),
    Archetype("eta-predictor", "delivery ETA regression", "logistics-ml", "cpu", 1.3, 12, 40, 0.5, (
        _cont("distance_km", "routing-events", "km", "lognormal", 1.4, 0.6, 1.4),
        _cont("courier_load", "dispatch-state", "orders", "normal", 0.0, 1.0, 0.7),
        _cat("city", "dispatch-state", ("nyc", "sf", "chi", "sea"), (0.4, 0.25, 0.2, 0.15),
             (0.2, 0.1, 0, 0)),
    ), label_lag_min=50),
    Archetype("churn-model", "subscription churn propensity", "growth-ml", "cpu", 0.4, 25, 70,
              0.06, (
        _cont("days_since_login", "accounts-cdc", "days", "lognormal", 1.8, 1.0, 1.2),
        _cont("monthly_spend_cents", "billing-events", "cents", "lognormal", 7.5, 0.9, -0.6),
        _cat("plan", "billing-events", ("free", "basic", "pro"), (0.5, 0.35, 0.15), (0.5, 0, -0.4)),
    )),
    Archetype("ad-ctr", "ad click-through prediction", "ads-ml", "gpu", 3.0, 15, 55, 0.025, (
        _cont("ad_quality", "ads-catalog", "", "normal", 0.0, 1.0, 1.3),
        _cont("user_ctr_30d", "clickstream", "", "normal", 0.0, 1.0, 1.0),
        _cat("placement", "ads-serving", ("feed", "sidebar", "search"), (0.5, 0.2, 0.3),
             (0.3, -0.4, 0.5)),
    ), label_lag_min=15),
    Archetype("credit-limit", "credit-limit risk", "risk-ml", "cpu", 0.3, 30, 90, 0.1, (
        _cont("income_cents", "applications", "cents", "lognormal", 15.0, 0.6, -0.8),
        _cont("utilisation", "bureau-feed", "", "normal", 0.0, 1.0, 1.1),
        _cat("employment", "applications", ("salaried", "self", "none"), (0.7, 0.2, 0.1),
             (0, 0.3, 0.9)),
    ), label_lag_min=90),
    Archetype("support-router", "support-ticket intent routing", "cx-ml", "gpu", 0.5, 40, 140,
              0.2, (
        _cont("ticket_length", "support-inbox", "tokens", "lognormal", 4.0, 0.7, 0.4),
        _cont("sentiment", "nlp-enrichment", "", "normal", 0.0, 1.0, -0.9),
        _cat("channel", "support-inbox", ("email", "chat", "phone"), (0.5, 0.4, 0.1),
             (0, 0.2, 0.6)),
    )),
    Archetype("price-optimizer", "dynamic pricing", "pricing-ml", "cpu", 1.0, 20, 65, 0.3, (
        _cont("demand_index", "marketplace-metrics", "", "normal", 0.0, 1.0, 1.2),
        _cont("supply_index", "marketplace-metrics", "", "normal", 0.0, 1.0, -1.0),
        _cat("region", "marketplace-metrics", ("north", "south", "east", "west"),
             (0.3, 0.25, 0.25, 0.2), (0.1, 0, 0.2, 0)),
    ), label_lag_min=40),
    Archetype("image-moderation", "image policy classification", "trust-safety-ml", "gpu", 0.8,
              60, 210, 0.04, (
        _cont("nsfw_score_v2", "vision-embeddings", "", "normal", 0.0, 1.0, 1.8),
        _cont("uploader_reports_30d", "trust-signals", "count", "lognormal", 0.3, 0.8, 0.7),
        _cat("upload_source", "uploads", ("app", "web", "api"), (0.6, 0.3, 0.1), (0, 0.1, 0.7)),
    )),
    Archetype("query-embedder", "query embedding service", "search-relevance", "gpu", 2.0, 9, 30,
              0.5, (
        _cont("query_length", "search-logs", "tokens", "lognormal", 1.2, 0.5, 0.4),
        _cat("locale", "search-logs", ("en", "es", "de"), (0.7, 0.2, 0.1), (0, 0.1, 0.1)),
    )),
    Archetype("spam-filter", "message spam classification", "trust-safety-ml", "cpu", 1.2, 8, 28,
              0.07, (
        _cont("links_count", "messaging", "count", "lognormal", 0.2, 0.8, 1.1),
        _cont("sender_age_days", "accounts-cdc", "days", "lognormal", 5.0, 1.2, -1.0),
        _cat("client", "messaging", ("ios", "android", "web"), _DEVICE_P, (0, 0.1, 0.5)),
    ), label_lag_min=30),
    Archetype("demand-forecast", "hourly demand forecast", "logistics-ml", "cpu", 0.2, 45, 150,
              0.5, (
        _cont("orders_last_hour", "orders-stream", "orders", "lognormal", 5.0, 0.5, 1.3),
        _cont("temperature_c", "weather-feed", "C", "normal", 14.0, 7.0, 0.3),
        _cat("weekday", "orders-stream", ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
             (0.14, 0.14, 0.14, 0.14, 0.15, 0.15, 0.14), (0, 0, 0, 0, 0.2, 0.4, 0.3)),
    )),
    Archetype("address-matcher", "address entity matching", "logistics-ml", "cpu", 0.6, 14, 45,
              0.9, (
        _cont("edit_distance", "geo-normaliser", "chars", "lognormal", 1.0, 0.6, -1.5),
        _cat("country", "geo-normaliser", _COUNTRY, _COUNTRY_P, (0, 0.1, 0.1, 0.1, 0.3, 0.4)),
    )),
    Archetype("voice-intent", "voice assistant intent", "assistant-ml", "gpu", 0.7, 70, 230, 0.3, (
        _cont("asr_confidence", "asr-service", "", "normal", 0.0, 1.0, 1.0),
        _cont("utterance_ms", "asr-service", "ms", "lognormal", 7.6, 0.4, 0.2),
        _cat("locale", "asr-service", ("en", "es", "de"), (0.7, 0.2, 0.1), (0, 0.1, 0.1)),
    )),
    Archetype("eta-dispatch-gnn", "courier dispatch graph model", "logistics-ml", "gpu", 0.9, 50,
              180, 0.4, (
        _cont("open_orders", "dispatch-state", "orders", "lognormal", 3.0, 0.6, 0.8),
        _cont("courier_density", "dispatch-state", "", "normal", 0.0, 1.0, -0.9),
        _cat("city", "dispatch-state", ("nyc", "sf", "chi", "sea"), (0.4, 0.25, 0.2, 0.15),
             (0.2, 0.1, 0, 0)),
    )),
    Archetype("review-toxicity", "review toxicity classifier", "trust-safety-ml", "gpu", 0.4, 33,
              110, 0.05, (
        _cont("review_length", "reviews", "tokens", "lognormal", 3.5, 0.8, 0.2),
        _cont("author_flags", "trust-signals", "count", "lognormal", 0.1, 0.9, 1.2),
        _cat("language", "reviews", ("en", "es", "pt"), (0.75, 0.15, 0.1), (0, 0.1, 0.1)),
    )),
    Archetype("lead-scorer", "B2B lead scoring", "growth-ml", "cpu", 0.15, 28, 80, 0.15, (
        _cont("company_size", "crm-sync", "employees", "lognormal", 4.0, 1.5, 0.8),
        _cont("site_visits_14d", "clickstream", "visits", "lognormal", 1.0, 0.9, 1.0),
        _cat("industry", "crm-sync", ("retail", "saas", "finance", "health"),
             (0.3, 0.3, 0.25, 0.15), (0, 0.4, 0.2, 0.1)),
    )),
)
_H = 60
_D = 24 * _H
_SERVING: dict[str, dict[str, object]] = {
    # name: model type, family, label delay (minutes) and where the labels come from
    "fraud-scorer": dict(label_lag_min=3 * _D, label_source="chargebacks, days to weeks after "
                         "the transaction"),
    "search-ranker": dict(model_type="ranker", family="transformer", label_lag_min=30,
                          label_source="clicks on the result page"),
    "recsys-ranker": dict(model_type="ranker", family="two_tower", label_lag_min=20,
                          label_source="engagement with the feed"),
    "eta-predictor": dict(model_type="regressor", label_lag_min=50, target_unit="min",
                          target_base=12.0, target_span=40.0,
                          label_source="the delivery's actual arrival time"),
    "churn-model": dict(label_lag_min=30 * _D, label_source="cancellations at the end of the "
                        "billing month"),
    "ad-ctr": dict(family="deep_ctr", label_lag_min=15, label_source="clicks on the ad"),
    "credit-limit": dict(label_lag_min=60 * _D, label_source="repayment or default, months "
                         "later"),
    "support-router": dict(family="transformer", label_lag_min=4 * _H,
                           label_source="agents re-routing tickets"),
    "price-optimizer": dict(model_type="regressor", label_lag_min=40, target_unit="% uplift",
                            target_base=-10.0, target_span=30.0,
                            label_source="the price that converted"),
    "image-moderation": dict(family="vision_transformer", label_lag_min=12 * _H,
                             label_source="human review of a sample"),
    "query-embedder": dict(model_type="embedder", family="dual_encoder", label_lag_min=30,
                           label_source="clicked results among the retrieved candidates"),
    "spam-filter": dict(label_lag_min=30, label_source="user spam reports"),
    "demand-forecast": dict(model_type="regressor", label_lag_min=_H, target_unit="orders/h",
                            target_base=20.0, target_span=200.0,
                            label_source="the orders of the hour forecast"),
    "address-matcher": dict(label_lag_min=_D, label_source="delivery confirmations"),
    "voice-intent": dict(family="transformer", label_lag_min=5,
                         label_source="the user's correction or follow-up"),
    "eta-dispatch-gnn": dict(model_type="regressor", family="gnn", label_lag_min=50,
                             target_unit="min", target_base=5.0, target_span=30.0,
                             label_source="the courier's actual pickup time"),
    "review-toxicity": dict(family="transformer", label_lag_min=6 * _H,
                            label_source="moderator decisions"),
    "lead-scorer": dict(label_lag_min=30 * _D, label_source="deals closed in the CRM"),
}
ARCHETYPES = tuple(a._replace(**_SERVING.get(a.name, {})) for a in ARCHETYPES)  # type: ignore[arg-type]
ARCHETYPES_BY_NAME: dict[str, Archetype] = {a.name: a for a in ARCHETYPES}

TEAMS: Mapping[str, str] = RegistryView(lambda: _about("team"))
"""The teams a player can page or hand an incident to (`registries/teams.yaml`)."""

FIXES: Mapping[str, str] = RegistryView(lambda: _about("fix"))
"""The hotfixes the platform offers (`registries/fixes.yaml`); scenarios and fault definitions
may name only these."""


TOOL_WORDS: dict[str, str] = {
    "fleet": "the fleet overview", "dashboard": "the dashboard", "logs": "the logs",
    "deploys": "the deploy history", "pipelines": "the pipeline history",
    "infra": "the infrastructure view", "drift": "the drift report",
    "labels": "the label report", "runbook": "the runbook",
}
"""Each look as people name it: in a story ("the deploy history showed ...") and in a
colleague's answer to the observations cited to them."""
