"""Runbooks in the prometheus-operator layout: the title is the alert; Meaning, Impact,
Diagnosis (PromQL to paste into Prometheus, kubectl and CLI steps), Mitigation, Escalation."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncall.sim.fleet import Model

NAMESPACE = "ml-serving"
"""The Kubernetes namespace the serving pods run in."""

STEPS: dict[str, tuple[str, ...]] = {
    "feature_ratio": (
        "Which feature moved, and by what factor (a constant 10, 100 or 1000 is a unit change):\n"
        "   ```promql\n"
        '   avg_over_time(model_feature_mean{{model="{model}"}}[15m])\n'
        '     / on (model, feature) feature_mean:training{{model="{model}"}}\n'
        "   ```",
        "When it started, against the producer's releases:\n"
        "   ```promql\n"
        '   model_feature_mean{{model="{model}"}}[2h]\n'
        "   ```",
        "Whether the model changed (it should not have):\n"
        "   ```sh\n"
        "   kubectl -n {ns} rollout history deployment/{model}\n"
        "   ```",
    ),
    "feature_nulls": (
        "Which features arrive empty, and since when:\n"
        "   ```promql\n"
        '   topk(5, avg_over_time(model_feature_null_ratio{{model="{model}"}}[10m]))\n'
        "   ```",
        "The feature pipeline's last runs and their errors:\n"
        "   ```sh\n"
        "   kubectl -n feature-pipelines get jobs --sort-by=.status.startTime | tail\n"
        "   kubectl -n {ns} logs deployment/{model} --since=1h | grep -i 'missing\\|null'\n"
        "   ```",
    ),
    "prediction": (
        "How far the mean score moved, against training:\n"
        "   ```promql\n"
        '   avg_over_time(model_prediction_mean{{model="{model}"}}[15m])\n'
        '     / on (model) model_prediction_mean:training{{model="{model}"}}\n'
        "   ```",
        "Inputs first: a feature whose mean jumped explains a shift with an unchanged model:\n"
        "   ```promql\n"
        '   abs(avg_over_time(model_feature_mean{{model="{model}"}}[15m])\n'
        '     - on (model, feature) feature_mean:training{{model="{model}"}})\n'
        '     / on (model, feature) feature_stddev:training{{model="{model}"}}\n'
        "   ```",
        "Then the model: a new image or config at the onset points at a release:\n"
        "   ```sh\n"
        "   kubectl -n {ns} rollout history deployment/{model}\n"
        "   kubectl -n {ns} get deployment/{model} -o jsonpath='{{.spec.template.spec"
        ".containers[0].image}}'\n"
        "   ```",
    ),
    "canary": (
        "Split the error ratio by revision; a canary far above stable is the release:\n"
        "   ```promql\n"
        '   sum by (revision) (rate(model_requests_total{{model="{model}",code=~"5.."}}[5m]))\n'
        '     / sum by (revision) (rate(model_requests_total{{model="{model}"}}[5m]))\n'
        "   ```",
        "Which version is on the canary, since when, at what weight:\n"
        "   ```sh\n"
        "   kubectl -n {ns} get pods -l app={model} -L revision\n"
        "   kubectl -n {ns} describe rollout {model}\n"
        "   ```",
    ),
    "gpu": (
        "Framebuffer use per pod:\n"
        "   ```promql\n"
        '   max by (pod) (DCGM_FI_DEV_FB_USED{{model="{model}"}}\n'
        '     / (DCGM_FI_DEV_FB_USED{{model="{model}"}} + DCGM_FI_DEV_FB_FREE'
        '{{model="{model}"}}))\n'
        "   ```",
        "Crashes and their reason (CUDA out of memory, batch size):\n"
        "   ```sh\n"
        "   kubectl -n {ns} get pods -l app={model}\n"
        "   kubectl -n {ns} logs -l app={model} --previous --tail=50 | grep -i 'out of memory'\n"
        "   kubectl -n {ns} rollout history deployment/{model}\n"
        "   ```",
    ),
    "errors": (
        "The error ratio over the SLO windows:\n"
        "   ```promql\n"
        '   slo:errors_per_request:ratio_rate30m{{model="{model}"}}\n'
        '   slo:errors_per_request:ratio_rate6h{{model="{model}"}}\n'
        "   ```",
        "Whether one pod or all of them fail, and what they log:\n"
        "   ```promql\n"
        '   sum by (pod) (rate(model_requests_total{{model="{model}",code=~"5.."}}[15m]))\n'
        "   ```\n"
        "   ```sh\n"
        "   kubectl -n {ns} logs -l app={model} --since=30m | grep -i error | tail -50\n"
        "   ```",
    ),
    "memory": (
        "Working set against the limit, per pod, over hours (a leak climbs steadily):\n"
        "   ```promql\n"
        '   container_memory_working_set_bytes{{container="{model}"}}\n'
        '     / on (pod, container) kube_pod_container_resource_limits'
        '{{container="{model}",resource="memory"}}\n'
        "   ```",
        "OOM kills and the release they started with:\n"
        "   ```sh\n"
        "   kubectl -n {ns} get pods -l app={model} -o custom-columns="
        "NAME:.metadata.name,RESTARTS:.status.containerStatuses[0].restartCount,"
        "REASON:.status.containerStatuses[0].lastState.terminated.reason\n"
        "   kubectl -n {ns} rollout history deployment/{model}\n"
        "   ```",
    ),
    "scrape": (
        "Which targets are down:\n"
        "   ```promql\n"
        '   up{{job="model-serving",model="{model}"}} == 0\n'
        "   ```",
        "Whether the pods serve while the scrape fails:\n"
        "   ```sh\n"
        "   kubectl -n {ns} get pods -l app={model} -o wide\n"
        "   kubectl -n {ns} get networkpolicy,servicemonitor\n"
        "   ```",
    ),
    "categories": (
        "Which categorical feature carries unseen values:\n"
        "   ```promql\n"
        '   avg_over_time(model_feature_unseen_category_ratio{{model="{model}"}}[15m])\n'
        "   ```",
        "The values themselves, from the serving log:\n"
        "   ```sh\n"
        "   kubectl -n {ns} logs deployment/{model} --since=1h | grep -i 'unseen category'\n"
        "   ```",
    ),
    "freshness": (
        "Age of each feature, in minutes:\n"
        "   ```promql\n"
        '   (time() - feature_store_last_materialized_timestamp_seconds{{model="{model}"}}) / 60\n'
        "   ```",
        "The materialisation job:\n"
        "   ```sh\n"
        "   kubectl -n feature-store get cronjobs,jobs | grep -i materiali\n"
        "   ```",
    ),
    "labels": (
        "Labels joined now against last week:\n"
        "   ```promql\n"
        '   sum(rate(model_labels_joined_total{{model="{model}"}}[15m]))\n'
        '     / sum(rate(model_labels_joined_total{{model="{model}"}}[15m] offset 1w))\n'
        "   ```",
        "The label join job:\n"
        "   ```sh\n"
        "   kubectl -n label-pipelines get jobs --sort-by=.status.startTime | tail\n"
        "   ```",
    ),
    "quality": (
        "Quality against training, and how many labels it rests on:\n"
        "   ```promql\n"
        '   avg_over_time(model_quality_f1{{model="{model}"}}[30m])\n'
        '     / on (model) model_quality_f1:training{{model="{model}"}}\n'
        '   sum(rate(model_labels_joined_total{{model="{model}"}}[30m]))\n'
        "   ```",
        "Inputs and predictions: steady inputs with falling quality mean concept drift:\n"
        "   ```promql\n"
        '   avg_over_time(model_prediction_mean{{model="{model}"}}[30m])\n'
        "   ```",
        "A new version at the start points at the model:\n"
        "   ```sh\n"
        "   kubectl -n {ns} rollout history deployment/{model}\n"
        "   ```",
    ),
    "node": (
        "Which node stopped, and what ran on it:\n"
        "   ```sh\n"
        "   kubectl get nodes\n"
        "   kubectl describe node NODE | sed -n '/Conditions/,/Events/p'\n"
        "   kubectl -n {ns} get pods -l app={model} -o wide\n"
        "   ```",
        "Capacity left for the pods to reschedule:\n"
        "   ```sh\n"
        "   kubectl -n {ns} get pods -l app={model} --field-selector=status.phase=Pending\n"
        "   kubectl get events -n {ns} --sort-by=.lastTimestamp | tail -20\n"
        "   ```",
    ),
    "rollout": (
        "The rollout in flight and its pods:\n"
        "   ```sh\n"
        "   kubectl -n {ns} rollout status deployment/{model} --timeout=10s\n"
        "   kubectl -n {ns} get pods -l app={model}\n"
        "   kubectl -n {ns} describe pod POD | sed -n '/Init Containers/,/Events/p'\n"
        "   ```",
        "Capacity still serving:\n"
        "   ```promql\n"
        '   count(up{{job="model-serving",model="{model}"}} == 1)\n'
        "   ```",
    ),
}
"""Diagnosis steps by what the alert is about, filled with the model and the namespace."""


def render(alert: str, model: Model, expr: str, sections: dict[str, str],
           steps: tuple[str, ...]) -> str:
    """A runbook for `alert` on `model`; `sections` holds Meaning, Impact, Mitigation and
    Escalation text, `steps` the keys of its diagnosis steps."""
    diag = [s.format(model=model.name, ns=NAMESPACE) for key in steps for s in STEPS[key]]
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(diag, 1))
    return (f"# {alert}\n\n"
            f"## Meaning\n\n{sections['meaning']}\n\n"
            f"```promql\n{expr}\n```\n\n"
            f"## Impact\n\n{sections['impact']}\n\n"
            f"## Diagnosis\n\n{numbered}\n\n"
            f"## Mitigation\n\n{sections['mitigation']}\n\n"
            f"## Escalation\n\n{sections['escalation']} Owning team: {model.team}.\n")
