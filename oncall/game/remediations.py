"""The remediation catalogue: what a postmortem can add, the artifact each one writes, and the
counterfactual replay of proposed monitors over the seeded week before the page.

Ids follow the ML Test Score (Breck et al., 2017) where one applies, so the postmortem speaks the
language interviewers know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

import yaml

from oncall.game.record import Artifact, Replay
from oncall.sim.alerts import Rule, prometheus_rules
from oncall.sim.clock import WEEK
from oncall.sim.telemetry import feature_mean

if TYPE_CHECKING:
    from oncall.sim.catalogue import FeatureSpec
    from oncall.sim.fleet import Model
    from oncall.sim.world import World


@dataclass(frozen=True, slots=True)
class Remediation:
    id: str
    kind: Literal["monitor", "test", "runbook"]
    title: str
    ml_test_score: str
    rules: Callable[[Model], list[Rule]] | None = None
    test_body: str = ""
    runbook_body: str = ""


def _training_mean(spec: FeatureSpec, world: World, model: Model) -> float:
    return feature_mean(spec)


def _feature_mean_rules(m: Model) -> list[Rule]:
    out = []
    for f in m.features:
        if f.kind != "continuous" or f.dist != "lognormal":
            continue  # a ratio to the training mean only means something for positive values
        out.append(Rule(
            f"FeatureMeanShift_{f.name}", f"feature_mean:{f.name}", ">", 5, "critical",
            f"{{model}} feature {f.name} mean moved more than 50% from training",
            f'abs(avg_over_time(feature_mean{{{{model="{{model}}",feature="{f.name}"}}}}[5m]) / '
            f'feature_mean:training{{{{model="{{model}}",feature="{f.name}"}}}} - 1) '
            '> {threshold}',
            "relative change", lambda m: 0.5, window=5, kind="relative",
            reference=partial(_training_mean, f)))
    return out


def _null_rules(m: Model) -> list[Rule]:
    return [Rule(f"FeatureNullRateHigh_{f.name}", f"feature_null_rate:{f.name}", ">", 10,
                 "critical", f"{{model}} feature {f.name} null rate above 5%",
                 f'avg_over_time(feature_null_ratio{{{{model="{{model}}",feature="{f.name}"}}}}'
                 '[10m]) > {threshold}', "ratio", lambda m: 0.05, window=10)
            for f in m.features]


def _prediction_rules(m: Model) -> list[Rule]:
    return [Rule("PredictionMeanShiftEarly", "pred_mean", ">", 5, "critical",
                 "{model} mean prediction moved more than 30% from training",
                 'abs(avg_over_time(model_prediction_mean{{model="{model}"}}[5m]) / '
                 'model_prediction_mean:training{{model="{model}"}} - 1) > {threshold}',
                 "relative change", lambda m: 0.3, window=5, kind="relative")]


def _canary_rules(m: Model) -> list[Rule]:
    return [Rule("CanaryErrorRatioHigh", "error_rate", ">", 3, "critical",
                 "{model} canary revision fails more than 2% of its requests",
                 'sum(rate(model_requests_total{{model="{model}",revision="canary",code=~"5.."}}'
                 '[5m])) / sum(rate(model_requests_total{{model="{model}",revision="canary"}}'
                 '[5m])) > {threshold}', "ratio", lambda m: 0.02, window=3, revision="canary")]


def _gpu_rules(m: Model) -> list[Rule]:
    if m.hardware != "gpu":
        return []
    return [Rule("GPUMemoryHeadroomLow", "gpu_mem_frac", ">", 2, "critical",
                 "{model} GPU memory above 90% for 2 minutes",
                 'max(DCGM_FI_DEV_FB_USED{{model="{model}"}} / (DCGM_FI_DEV_FB_USED'
                 '{{model="{model}"}} + DCGM_FI_DEV_FB_FREE{{model="{model}"}})) > {threshold}',
                 "ratio", lambda m: 0.9)]


def _slow_burn_rules(m: Model) -> list[Rule]:
    return [Rule("ErrorBudgetBurnSlow", "error_rate", ">", 0, "warning",
                 "{model} burning its error budget 6x too fast over 6h and 30m",
                 '(slo:errors_per_request:ratio_rate6h{{model="{model}"}} > (6 * 0.001)) and '
                 '(slo:errors_per_request:ratio_rate30m{{model="{model}"}} > (6 * 0.001))',
                 "x budget", lambda m: 6.0, kind="burn", burn_windows=(360, 30))]


def _memory_rules(m: Model) -> list[Rule]:
    return [Rule("ContainerMemoryHeadroomLow", "mem_frac", ">", 10, "warning",
                 "{model} containers above 85% of their memory limit for 10 minutes",
                 'max(container_memory_working_set_bytes{{container="{model}"}} / '
                 'kube_pod_container_resource_limits{{container="{model}",resource="memory"}}) '
                 '> {threshold}', "ratio", lambda m: 0.85)]


def _category_rules(m: Model) -> list[Rule]:
    return [Rule(f"FeatureUnseenCategories_{f.name}", f"feature_unseen_rate:{f.name}", ">", 3,
                 "critical", f"{{model}} feature {f.name} has values never seen in training in "
                 "more than 2% of requests",
                 f'avg_over_time(model_feature_unseen_category_ratio{{{{model="{{model}}",'
                 f'feature="{f.name}"}}}}[5m]) > {{threshold}}', "ratio", lambda m: 0.02,
                 window=5)
            for f in m.features if f.kind == "categorical"]


def _freshness_rules(m: Model) -> list[Rule]:
    return [Rule(f"FeatureFreshness_{f.name}", f"feature_age_min:{f.name}", ">", 2, "critical",
                 f"{{model}} feature {f.name} not materialised for over 20 minutes",
                 f'(time() - feature_store_last_materialized_timestamp_seconds{{{{model='
                 f'"{{model}}",feature="{f.name}"}}}}) / 60 > {{threshold}}', "minutes",
                 lambda m: 20)
            for f in m.features]


def _label_volume_rules(m: Model) -> list[Rule]:
    return [Rule("LabelVolumeLow", "label_volume_ratio", "<", 3, "critical",
                 "{model} receives under half its usual labels",
                 'sum(rate(model_labels_joined_total{{model="{model}"}}[5m])) / '
                 'sum(rate(model_labels_joined_total{{model="{model}"}}[5m] offset 1w)) '
                 '< {threshold}', "ratio", lambda m: 0.5, window=5)]


def _quality_trend_rules(m: Model) -> list[Rule]:
    if m.archetype.model_type != "classifier":
        return []
    return [Rule("ModelQualityTrend", "f1", ">", 5, "warning",
                 "{model} F1 on arrived labels 20% off its training value over 30 minutes",
                 'abs(avg_over_time(model_quality_f1{{model="{model}"}}[30m]) / '
                 'model_quality_f1:training{{model="{model}"}} - 1) > {threshold}',
                 "relative change", lambda m: 0.2, window=30, kind="relative",
                 reference=lambda w, m: w.stats(m.name).quality)]


def _scrape_rules(m: Model) -> list[Rule]:
    return [Rule("ServingTargetAbsent", "up", "<", 1, "critical",
                 "a serving target of {model} has not been scraped for 2 minutes",
                 'absent(up{{job="model-serving",model="{model}"}} == 1)', "targets up",
                 lambda m: 1)]


def _canary_spans(model: Model, t0: int, t1: int) -> list[tuple[int, int]]:
    """The parts of [t0, t1) in which a canary revision serves a slice of the model's traffic:
    from each canary deploy to the deploy after it."""
    deploys = sorted(model.deploys, key=lambda d: d.at)
    spans = []
    for i, d in enumerate(deploys):
        if d.canary_pct in (0, 100):
            continue
        lo, hi = max(d.at, t0), min(deploys[i + 1].at if i + 1 < len(deploys) else t1, t1)
        if lo < hi:
            spans.append((lo, hi))
    return spans


def replay_spans(rule: Rule, model: Model, t0: int, t1: int) -> list[tuple[int, int]]:
    """Where in [t0, t1) a rule can show anything on the model: nowhere if it does not apply to
    the model; only while a canary serves if it reads the canary revision; otherwise throughout."""
    if not rule.applies(model):
        return []
    return _canary_spans(model, t0, t1) if rule.revision == "canary" else [(t0, t1)]


CATALOGUE: tuple[Remediation, ...] = (
    Remediation("mon-feature-range", "monitor", "alert on feature means leaving their training "
                "range (catches unit changes and broken producers)", "Mon2",
                rules=_feature_mean_rules),
    Remediation("mon-null-rate", "monitor", "alert on feature null rates over 5%", "Mon2",
                rules=_null_rules),
    Remediation("mon-prediction-shift", "monitor", "alert earlier on prediction mean moving 30% "
                "from training", "Mon7", rules=_prediction_rules),
    Remediation("mon-canary-errors", "monitor", "alert on the canary revision's own error ratio",
                "In6", rules=_canary_rules),
    Remediation("mon-gpu-headroom", "monitor", "alert when GPU memory passes 90%", "Mon6",
                rules=_gpu_rules),
    Remediation("mon-burn-slow", "monitor", "add the 6h/30m slow-burn budget alert", "Mon7",
                rules=_slow_burn_rules),
    Remediation("test-feature-schema", "test", "a feature schema test: types, units and value "
                "ranges checked on every producer release (data contract)", "D1", test_body="""
def test_{model_id}_feature_ranges(latest_batch, training_profile):
    \"\"\"Values and units must stay within the training profile (a data contract).\"\"\"
    for feature, profile in training_profile.items():
        values = latest_batch[feature]
        assert values.notna().mean() >= 0.99, f"{{feature}}: too many nulls"
        p01, p99 = values.quantile([0.01, 0.99])
        assert p01 >= profile.p01 / 10 and p99 <= profile.p99 * 10, (
            f"{{feature}}: range {{p01}}..{{p99}} outside training {{profile.p01}}..{{profile.p99}}"
            " (a unit change?)")
"""),
    Remediation("test-canary-gate", "test", "a canary gate: the new version's error ratio and "
                "score distribution are compared with stable before any traffic shift", "In6",
                test_body="""
def test_{model_id}_canary_gate(canary_metrics, stable_metrics):
    \"\"\"Promotion stops when the canary fails more, or scores differently, than stable.\"\"\"
    assert canary_metrics.error_ratio <= max(2 * stable_metrics.error_ratio, 0.002)
    assert abs(canary_metrics.score_mean / stable_metrics.score_mean - 1) < 0.2
    assert canary_metrics.missing_features == []
"""),
    Remediation("test-serving-load", "test", "a load test of every serving config change at peak "
                "traffic on the production GPU type", "Mon6", test_body="""
def test_{model_id}_config_fits_gpu(serving_config, load_test):
    \"\"\"A config change must survive peak load on the production GPU without OOM.\"\"\"
    result = load_test(serving_config, rps="peak", duration_s=600)
    assert result.oom_events == 0
    assert result.gpu_mem_peak_frac < 0.9
    assert result.p99_ms <= serving_config.latency_slo_ms
"""),
    Remediation("test-golden-set", "test", "golden-set predictions checked for every new model "
                "artifact before serving", "In4", test_body="""
def test_{model_id}_golden_set(candidate_model, golden_set):
    \"\"\"A new artifact must reproduce the golden predictions within tolerance.\"\"\"
    scores = candidate_model.predict(golden_set.features)
    assert abs(scores - golden_set.expected).max() < 0.05
"""),
    Remediation("runbook-input-shift", "runbook", "a runbook for prediction shifts: check feature "
                "ranges and upstream changelogs before touching the model", "Mon1",
                runbook_body="""## Meaning
Predictions moved while the model did not change: an input probably did.

## Impact
Decisions made on wrong inputs; errors and latency stay flat, so nothing else pages.

## Diagnosis
1. `deploys`: confirm no model or config change near the onset.
2. `drift` on each continuous feature against training; look for a constant ratio (10^n).
3. `pipelines`: find the upstream change at the onset.

## Mitigation
Pin the producer's previous schema or convert the unit at ingestion; page data engineering to
revert. Do not roll back or retrain the model.
"""),
    Remediation("runbook-revision-split", "runbook", "a runbook for canary regressions: split by "
                "revision, pause the canary first, debug later", "In7", runbook_body="""## Meaning
A new revision on a canary slice behaves worse than stable.

## Impact
The canary share of requests fails or is scored wrongly; the error budget burns.

## Diagnosis
1. `dashboard ... by=revision` on error_rate and pred_mean.
2. `deploys`: which version is on canary, since when, promoted by whom.

## Mitigation
Set the canary to 0% (pause_canary) or roll back, then tell the owners with the evidence.
"""),
    Remediation("runbook-crashloop-config", "runbook", "a runbook for crash loops: read the "
                "last config diff before adding capacity", "Mon6", runbook_body="""## Meaning
Model workers run out of GPU memory and crash-loop.

## Impact
Capacity drops, 5xx and p99 rise; every new replica crashes the same way.

## Diagnosis
1. `logs --level ERROR` for CUDA out of memory and the batch size.
2. `deploys`: a config-only change (batch size, max tokens) near the onset.
3. `infra`: CrashLoopBackOff pods, GPU framebuffer near 100%.

## Mitigation
Revert the config (or lower the batch size). Raising host memory or adding replicas does not help.
"""),
    Remediation("mon-memory-headroom", "monitor", "alert when a container's memory working set "
                "passes 85% of its limit", "Mon6", rules=_memory_rules),
    Remediation("test-soak", "test", "a soak test of every serving release: memory must level "
                "off under hours of steady load", "Mon6", test_body="""
def test_{model_id}_memory_levels_off(release, soak_test):
    \"\"\"A release must not grow its memory working set under steady load (a leak).\"\"\"
    result = soak_test(release, rps="median", duration_h=4)
    first, last = result.working_set_gib[0], result.working_set_gib[-1]
    assert last <= first * 1.1, f"working set grew from {{first}} to {{last}} GiB"
    assert result.oom_kills == 0
"""),
    Remediation("test-dependency-fallback", "test", "a test that serving falls back to cached "
                "features when a dependency is slow or down", "In3", test_body="""
def test_{model_id}_serves_cached_features_when_the_store_is_slow(client, fake_store):
    \"\"\"A slow feature store must trip the circuit to the cache, not fail the request.\"\"\"
    fake_store.delay_ms = 10 * client.timeout_ms
    response = client.score(sample_request())
    assert response.status == 200
    assert response.feature_source == "cache"
"""),
    Remediation("runbook-node-loss", "runbook", "a runbook for a lost node: cordon, drain, "
                "check the spare capacity, then tell the platform team", "In7",
                runbook_body="""## Meaning
A node stopped reporting Ready; the pods on it stop serving and their replacements may not fit.

## Impact
Capacity drops by the node's share: latency and errors rise until the pods run elsewhere.

## Diagnosis
1. `infra`: which node is NotReady, its condition, and the pods on it.
2. `deploys`: confirm nothing changed on the model (this is not a release problem).

## Mitigation
Cordon and drain the node so its pods reschedule on healthy capacity; page infra-sre to replace
the hardware. Rolling back the model does nothing for a dead node.
"""),
    Remediation("mon-scrape-health", "monitor", "alert within 2 minutes when any serving "
                "target is missing from Prometheus (monitoring of the monitoring)", "Mon6",
                rules=_scrape_rules),
    Remediation("runbook-stalled-rollout", "runbook", "a runbook for stalled rollouts: undo the "
                "rollout before touching the pods that still serve", "In7",
                runbook_body="""## Meaning
A rolling update stopped halfway: new pods do not become ready, old ones were already removed.

## Impact
Capacity drops by the share the rollout took down; the remaining pods shed load.

## Diagnosis
1. `infra`: new pods in Init, Pending or CrashLoopBackOff, and why (a dependency, a config).
2. `deploys`: the rollout in flight and what it changed.

## Mitigation
Undo the rollout (roll back) so the pods that still serve are kept; never restart them while a
dependency they load from is down. Then tell the owner of the dependency.
"""),
    Remediation("runbook-alert-tuning", "runbook", "a runbook for alerts that page without a "
                "fault: what makes them tickets, and how to tune their windows", "Mon7",
                runbook_body="""## Meaning
An alert paged and cleared on its own, with no change behind it and nothing to fix.

## Impact
None for users; a woken on-call and less trust in the pager.

## Diagnosis
1. `dashboard` the alert's metric over a few hours: a blip, a flap or a slow trend?
2. `deploys` and `infra`: did anything on the model change? Is a neighbour on the same node busy?

## Mitigation
Do not roll back or hotfix. Ticket the alert for tuning (a longer `for`, a burn-rate window, a
ticket severity for slow trends) and note what was checked.
"""),
    Remediation("mon-category-coverage", "monitor", "alert when a categorical feature carries "
                "values never seen in training in over 2% of requests", "Mon2",
                rules=_category_rules),
    Remediation("mon-feature-freshness", "monitor", "alert when a feature has not been "
                "materialised for 20 minutes", "Mon4", rules=_freshness_rules),
    Remediation("mon-label-volume", "monitor", "alert when a model receives under half its "
                "usual labels (the label pipeline stopped or lags)", "Mon7",
                rules=_label_volume_rules),
    Remediation("mon-quality-trend", "monitor", "a warning when F1 on arrived labels drifts 20% "
                "from training over 30 minutes", "Mon7", rules=_quality_trend_rules),
    Remediation("test-serving-skew", "test", "a skew test: a logged sample of serving features "
                "recomputed by the training pipeline must match before a version is promoted",
                "Mon3", test_body="""
def test_{model_id}_training_serving_skew(serving_sample, training_pipeline):
    \"\"\"The serving transform and the training pipeline compute the same feature values.\"\"\"
    recomputed = training_pipeline.features(serving_sample.raw_events)
    for feature in serving_sample.features.columns:
        served, offline = serving_sample.features[feature], recomputed[feature]
        assert (abs(served - offline) <= 1e-6 * (1 + abs(offline))).mean() >= 0.999, (
            f"{{feature}}: serving and training disagree (timezone, unit or default?)")
"""),
    Remediation("runbook-quality-labels", "runbook", "a runbook for quality alerts: read label "
                "coverage and inputs before touching the model", "Mon7", runbook_body="""## Meaning
A quality metric computed on arrived labels moved: the model, the world or the labels changed.

## Impact
Depends on which: wrong decisions if the model or the world changed, none if only the labels did.

## Diagnosis
1. `labels MODEL window=30`: label coverage near 0% means the label pipeline stopped.
2. `drift MODEL all` and `dashboard MODEL pred_mean`: steady inputs and predictions with falling
   quality mean the input-to-outcome relation changed (concept drift).
3. `deploys MODEL`: a version or config at the start points at the model.

## Mitigation
Broken labels: escalate to data engineering and ticket the alert; leave the model alone. Concept
drift: the model owners retrain behind a validation gate; a guardrail meanwhile. A bad version:
roll back.
"""),
)
BY_ID: dict[str, Remediation] = {r.id: r for r in CATALOGUE}


def artifact(rem: Remediation, model: Model) -> Artifact:
    """The real file a remediation produces: a Prometheus rule file, a pytest file or a runbook."""
    model_id = model.name.replace("-", "_")
    if rem.kind == "monitor" and rem.rules is not None:
        content = yaml.safe_dump(prometheus_rules(tuple(rem.rules(model)), model,
                                                  f"{model.name}-{rem.id}"), sort_keys=False)
        return Artifact(remediation=rem.id, kind="monitor",
                        path=f"monitoring/{model.name}-{rem.id}.rules.yml", content=content)
    if rem.kind == "test":
        content = f'"""{rem.title} ({rem.ml_test_score}) for {model.name}."""\n' + \
            rem.test_body.format(model_id=model_id)
        return Artifact(remediation=rem.id, kind="test", path=f"tests/test_{model_id}_"
                        f"{rem.id.removeprefix('test-').replace('-', '_')}.py", content=content)
    return Artifact(remediation=rem.id, kind="runbook", path=f"runbooks/{model.name}-{rem.id}.md",
                    content=f"# {model.name}: {rem.title}\n\n{rem.runbook_body}")


def replay(rem: Remediation, world: World) -> Replay | None:
    """Run a proposed monitor over the week before the page on the faulty model.

    Episodes that fire before the fault's onset are false alarms. Each rule is replayed only
    where it can show something (`replay_spans`); a monitor none of whose rules can (a canary
    rule on a model that ran no canary in the span) has no replay: None, as for a test or a
    runbook, rather than a rule credited with what the whole model's metric did."""
    if rem.rules is None:
        return None
    model = world.model(world.fault.model)
    start, end = world.page_at - WEEK, world.page_at + 60
    onset = world.fault.onset - world.fault.lead
    first: tuple[int, Rule] | None = None
    false_alarms = 0
    replayed: list[Rule] = []
    for rule in rem.rules(model):
        spans = replay_spans(rule, model, start, end)
        if spans:
            replayed.append(rule)
        for lo, hi in spans:
            for ep in rule.episodes(world, model, lo, hi):
                if ep.fired_at < onset:
                    false_alarms += 1
                elif first is None or ep.fired_at < first[0]:
                    first = (ep.fired_at, rule)
    if not replayed:
        return None
    rule = first[1] if first else replayed[0]
    return Replay(remediation=rem.id, rule=rule.name, model=model.name,
                  expr=rule.expression(model), fired_at=first[0] if first else None,
                  lead_minutes=(world.page_at - first[0]) if first else None,
                  false_alarms_week=false_alarms)
