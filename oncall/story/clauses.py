"""Plain-speech pieces the spoken stories are built from: what each kind of evidence showed, what
each tool is called aloud, what each hotfix did, figures rounded the way people say them.

Every clause is a full clause ("the null rate of utilisation had jumped to 100%" is not one: a
clause here never carries a figure the record may not hold), so it reads after "showed that".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from oncall.scoring.text import and_list
from oncall.sim.catalogue import ARCHETYPES_BY_NAME, FAULTS_BY_ID, FIXES
from oncall.sim.clock import DAY, date_of, hhmm
from oncall.sim.clock import mins as mins  # a span said aloud; the engine says spans too

SIGNAL_CLAUSES: dict[str, str] = {
    "log": "the service was logging \u201c{arg}\u201d",
    "event": "the cluster had recorded \u201c{arg}\u201d events",
    "concentration": "impressions were piling onto a few items",
    "cpu-limit-config": "a config-only deploy had lowered the CPU limit just before it started",
    "cpu-moderate": "CPU use on the node looked moderate",
    "debug-flood": "every pod was writing a debug line for each request",
    "disk-filling": "a node's disk had filled to over 90%",
    "disk-pressure": "the kubelet was reporting DiskPressure on a nearly full node",
    "gang-holding": "a half-scheduled training job was holding GPUs it was not using",
    "gpu-pinned": "the GPUs were fully busy",
    "log-level-config": "a config-only deploy had set the log level to DEBUG about an hour before",
    "pods-evicted": "the pods on that node had been evicted for lack of ephemeral storage",
    "gpu-saturated": "the GPUs were saturated",
    "latency-up": "the p99 latency had climbed",
    "next-stage-scheduled": "the next stage of the rollout would take it to every request",
    "nightly-retrain": (
        "a version retrained on its own logged clicks had been promoted just before it started"),
    "no-exploration": "no randomised items were being served",
    "pods-throttled": "the pods were hitting their CPU quota",
    "prediction-moved": "the model's predictions had drifted away from training",
    "queue-wait": "batches were waiting longer than they took to compute",
    "scores-moved": "the average score had moved well away from its usual level",
    "scores-up": "the new version's scores were climbing",
    "served-differs": "the decisions served were not the live model's own",
    "shadow-config": "a config-only deploy had changed where the shadow wrote its results",
    "shadow-upserts": "the shadow model was writing into the live table",
    "shared-cards": "several deployments were sharing each GPU",
    "sharing-config": "a config-only deploy had moved the model onto shared GPUs",
    "stage-advanced": (
        "the rollout had moved to its next stage on a timer while its sign-off was still pending"),
    "canary-timeouts": "the timeouts came from the new version's pods",
    "throttled-periods": "most of the CPU quota periods were throttled",
    "throttled-share": "the containers were throttled in most of their CPU quota periods",
    "timeout-config": "a config-only deploy had cut the request timeout just before it started",
    "timeouts-504": "requests were failing because they ran past the timeout",
    "latency-capped": "the p99 latency had dropped to the new timeout, because the slow "
                      "requests were being cut off rather than served",
    "alias-moved": "the registry alias had moved to another artifact just before it started",
    "batch-neighbour": "a batch job was sharing the node with our pods",
    "bulk-import": "the data source had run a bulk import",
    "cache-misses": "requests that missed the cache were timing out",
    "calibration-refit": "a calibration refit had been promoted just before it started",
    "canary-errors": "the errors came from the canary's pods",
    "canary-promotion": "a canary revision was being rolled out",
    "canary-split": "the canary behaved differently from stable when split by revision",
    "cert-expired": "the serving certificate had expired",
    "challenger-split": "the challenger priced far above the champion when split by revision",
    "client-disconnects": "the errors were clients hanging up, not the model failing",
    "cold-start": "new pods took minutes to become ready",
    "config-batch-size": "a config-only deploy had raised the batch size",
    "config-memory-limit": "a config-only deploy had cut the memory limit",
    "cpu-saturated": "the CPU was saturated",
    "crashloop": "half the pods were crash-looping",
    "cuda-oom": "the GPU was running out of memory",
    "decline-reasons": "the decisions named the feature behind the high scores",
    "defaults-served": "the feature from the store had collapsed onto its default value",
    "drift": "the {arg} feature had drifted away from what the model was trained on",
    "drift-slight": "the {arg} feature had drifted, if only slightly, from what the model was "
                    "trained on",
    "level": "the average {arg} had stepped up several times over",
    "empty-join": "the label join was finding nothing",
    "encoder-oov": "the encoder was seeing a value it had no column for",
    "error-rate-up": "the error rate had gone up",
    "errors-elevated": "the error rate sat well above its usual level",
    "errors-everywhere": "most requests were failing",
    "errors-up": "the error rate had gone up",
    "estimate-gap": "the label-free estimate looked fine while the real quality fell",
    "experiment-weight": "a deploy had given the challenger far more traffic than planned",
    "expiry-countdown": "the certificate was counting down to expiry",
    "gpu-mem-full": "GPU memory was full",
    "hpa-at-max": "the autoscaler was capped at its ceiling",
    "image-bump": "an image-only rollout had started when the trouble began",
    "image-patch": "an image patch had gone out, though it turned out to be harmless",
    "input-validation-missing": "the input validator was flagging missing values",
    "input-validation-range": "the validator was seeing values far beyond the training range",
    "input-validation-unseen": "the validator was seeing values never seen in training",
    "input-validation-warnings": "the input validator was raising warnings",
    "inputs-stable": "none of the input features had drifted",
    "job-failed": "a run of the {arg} pipeline had failed",
    "label-coverage-zero": "almost none of the recent predictions had a label",
    "launch": "the {arg} producer had extended a category for a launch",
    "memory-at-limit": "memory was sitting near its limit",
    "memory-climb": "memory had been climbing for hours",
    "model-unchanged": "the model itself had not changed",
    "nan-logs": "the serving wrapper was logging errors on bad outputs",
    "nan-outputs": "the model was returning NaN predictions",
    "new-version": "a new model version had been promoted just before it started",
    "no-deploy": "nothing had been deployed to the model",
    "no-scrape": "the pods were not being scraped",
    "node-not-ready": "one node had gone not-ready",
    "null-spike": "the {arg} feature had suddenly gone missing",
    "oom-at-load": "new pods were dying while loading their weights",
    "oom-killed": "pods were being killed at their memory limit",
    "p99-step": "tail latency had stepped up when it started",
    "partner-5xx": "lookups to the partner were failing upstream",
    "pipeline-failing": "the {arg} pipeline's last run had failed",
    "pipelines-unchanged": "no data producer had changed anything",
    "pods-healthy": "every pod was healthy, with no restarts",
    "pods-pending": "the node's pods could not be rescheduled",
    "pods-starved": "our pods on that node were starved of CPU",
    "prediction-drift": "the predictions themselves had drifted",
    "prediction-drop": "the predictions had dropped",
    "prediction-shift": "the average score had jumped",
    "predictions-steady": "the predictions were not moving",
    "quality-collapse": "quality on the labels that had arrived had collapsed",
    "quality-drop": "quality was falling as labels for the new requests came in",
    "queue-full": "requests were being shed with every replica busy",
    "ratio": "the served {arg} values had stepped at the deploy",
    "release-image": "a serving image had been released hours before",
    "reliability-gap": "the predicted and observed rates had parted while the ranking held",
    "restarts": "the pods were restarting",
    "rollout-in-flight": "a rollout had started when the trouble began",
    "rollout-stalled": "the rollout had stalled halfway",
    "router-weight": "the router was sending traffic with the wrong weights",
    "schema-rename": "the {arg} producer had renamed a field in its schema",
    "scrape-blocked": "a network policy was blocking the metrics scraper",
    "short-burst": "it was a short burst that went away as fast as it came",
    "sigkill": "workers were being killed at the memory limit",
    "signature-warning": "the model was warning about its input signature",
    "stale": "the {arg} feature had stopped updating",
    "starved-logs": "requests were waiting for a CPU longer than they were computing",
    "store-timeout": "fetching the model weights was timing out",
    "store-timeouts": "reads from the online feature store were timing out",
    "stuck-in-init": "new pods were stuck starting up",
    "target-down": "none of the model's targets was being scraped",
    "timezone-path": "the transform took a different code path for serving timestamps",
    "tls-errors": "connections were failing their TLS handshake",
    "tokenizer-default": "a library upgrade had changed a preprocessing default",
    "topic-moved": "the outcome events had moved to another topic",
    "traffic-surge": "traffic was well above its usual level",
    "ttl-default": "the feature store was serving default values",
    "unmapped-field": "the feature store was seeing a field name it did not map",
    "unreachable": "requests to replicas on the lost node were timing out",
    "unseen-rate": "more and more requests carried a {arg} value never seen in training",
    "upstream-change": "the {arg} producer had shipped a release",
    "upstream-upgrade": "the upstream {arg} model had been upgraded",
    "version-mismatch": "the serving code and the model version did not match",
    "xid-79": "a GPU had fallen off the bus",
}
"""Signal kind (the part of a signal id before `:`) -> what it showed, as a clause."""

FIX_WORDS: dict[str, str] = {
    "apply_unit_conversion": "put a unit conversion in at ingestion",
    "clean_node_disk": "freed disk space on the node",
    "clip_outputs": "clipped the model's outputs",
    "cordon_drain_node": "cordoned and drained the bad node",
    "fallback_cached_features": "fell back to the last good cached features",
    "lower_batch_size": "lowered the batch size",
    "map_unseen_categories": "mapped the unseen categories",
    "pause_canary": "paused the canary",
    "pin_feature_version": "pinned the previous feature version",
    "raise_client_timeout": "raised the client timeout",
    "raise_max_replicas": "raised the replica ceiling",
    "raise_memory_limit": "raised the memory limit",
    "raise_threshold": "raised the alert threshold",
    "remap_field": "remapped the renamed field",
    "restart_pipeline": "restarted the pipeline",
    "restart_pods": "restarted the pods",
    "restore_log_level": "set the log level back",
    "restore_metrics_scrape": "restored the metrics scrape",
    "retrain_on_recent_data": "retrained on recent data",
    "revert_config": "reverted the config change",
    "rotate_certificate": "rotated the certificate",
    "scale_up": "scaled the model up",
}

TEAM_WORDS: dict[str, str] = {"model-owners": "the model's owners"}

RULE_WORDS: dict[str, str] = {
    "ErrorBudgetBurnFast": "a fast error-budget burn alert",
    "ModelHigh5xxRatio": "a server-error alert",
    "ModelHighP99Latency": "a tail-latency warning",
    "GPUMemoryNearFull": "a GPU-memory warning",
    "PodCrashLooping": "a crash-looping alert",
    "ModelPredictionMeanShift": "a prediction-shift alert",
    "FeatureNullRateHigh": "a missing-feature alert",
    "ModelNaNPredictions": "a NaN-predictions alert",
    "CertificateExpiringSoon": "a certificate-expiry warning",
    "FeatureUnseenCategories": "an unseen-categories alert",
    "FeatureFreshnessStale": "a stale-feature alert",
    "ModelQualityDrop": "a quality-drop alert",
    "ModelScrapeTargetDown": "a metrics-scrape alert",
}
"""Alert rules as an engineer says them aloud; a rule not listed is spelled out from its name."""
RULE_MEANING: dict[str, str] = {
    "ErrorBudgetBurnFast": "the model was failing requests fast enough to spend a month's error "
                           "budget in about two days",
    "ModelHigh5xxRatio": "more than one request in twenty was failing with a server error",
    "ModelHighP99Latency": "the slowest requests were taking longer than the latency objective",
    "GPUMemoryNearFull": "the memory on the model's GPUs was almost full",
    "PodCrashLooping": "the model's containers kept restarting",
    "ModelPredictionMeanShift": "the average prediction had moved more than half away from "
                                "where it sat in training",
    "FeatureNullRateHigh": "a feature was missing in more than one request in five",
    "ModelNaNPredictions": "the model was returning predictions that were not numbers",
    "CertificateExpiringSoon": "the serving certificate would expire within three weeks",
    "FeatureUnseenCategories": "more than one request in ten carried a category the model "
                               "never saw in training",
    "FeatureFreshnessStale": "a feature the model reads had not been refreshed for longer than "
                             "its limit",
    "ModelQualityDrop": "the model's quality on the labels that had come back had fallen by "
                        "more than half",
    "ModelScrapeTargetDown": "no metrics could be collected from the model's pods, so its "
                             "dashboards and alerts were blind",
}
"""What each alert rule means for the model, in plain words (true of the rule, whatever the
night)."""
ACRONYMS = {"ml": "ML", "sre": "SRE", "gpu": "GPU", "ai": "AI"}


def words(text: str) -> int:
    return len(text.split())


MOVE_NOUNS = {"rollback": "rollback", "hotfix": "hotfix", "escalate": "escalation"}


def a_or_an(word: str) -> str:
    """The word with its indefinite article: "an infra", "a data", "a model"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def move_noun(verb: object) -> str:
    """A move as a noun, as people say it: `my escalation`, never `my escalate`."""
    return MOVE_NOUNS.get(str(verb), str(verb))


def team(name: str) -> str:
    """`growth-ml` said aloud: `the growth ML team`."""
    said = " ".join(ACRONYMS.get(w, w) for w in name.split("-"))
    return TEAM_WORDS.get(name, f"the {said} team")


def signal_clause(signal: str, abouts: Mapping[str, str] | None = None) -> str:
    """What a signal showed; for one with no sentence here, its kind's own `about` (a kind that
    exists only as data), said after "showed" without a "that" (see `needs_that`)."""
    kind = signal.partition(":")[0]
    clause = SIGNAL_CLAUSES.get(kind)
    if clause is None:
        about = (abouts or {}).get(kind)
        if about:
            return about[:1].lower() + about[1:] if not about[1:2].isupper() else about
        return f"there was evidence of {kind.replace('-', ' ')}"
    return clause.format(arg=_line_said(signal, abouts))


def signal_clauses(signals: list[str], abouts: Mapping[str, str] | None = None) -> str:
    """Several signals said in one breath: two lines of one kind share their clause ("the
    cluster had recorded “A” and “B” events"), never "the cluster had recorded ... and the
    cluster had recorded ..."."""
    kinds = {s.partition(":")[0] for s in signals}
    if len(signals) == 2 and len(kinds) == 1 and (kind := kinds.pop()) in ("log", "event"):
        return SIGNAL_CLAUSES[kind].format(arg="\u201d and \u201c".join(
            _line_said(s, abouts) for s in signals))
    return and_list([signal_clause(s, abouts) for s in signals])


def _line_said(signal: str, abouts: Mapping[str, str] | None) -> str:
    """The words a signal's clause quotes: a line the fault writes as its kind quotes it (in its
    `about`), else the words of its id."""
    found = re.search(r"\u201c(.+)\u201d", (abouts or {}).get(signal, ""))
    arg = signal.partition(":")[2]
    return found.group(1) if found else (arg.replace("_", " ").replace("-", " ") or "input")


def needs_that(signals: list[str], abouts: Mapping[str, str] | None = None) -> bool:
    """Whether "showed that" fits every clause: a kind's `about` may be a noun phrase ("TLS
    handshake errors"), which reads after "showed" alone."""
    return all(s.partition(":")[0] in SIGNAL_CLAUSES or not (abouts or {}).get(
        s.partition(":")[0]) for s in signals)


def fix_words(fix: str) -> str:
    """What a hotfix did; for one with no words here, the fix registry's `about` (a fix a
    content folder added), said as "applied a fix to ..."."""
    if fix in FIX_WORDS:
        return FIX_WORDS[fix]
    about = re.sub(r"\s*\([^)]*\)", "", FIXES.get(fix, "")).strip().rstrip(".")
    return f"applied a fix to {about}" if about else f"applied a {fix.replace('_', ' ')} fix"


def fault_words(cause: str) -> str:
    """A catalogue cause told without its code: `an upstream unit change`."""
    info = FAULTS_BY_ID.get(cause)
    if info is None:
        return "a cause I could not name"
    name = info.name.split(": ", 1)[-1]
    name = re.sub(r"\s*\([^)]*\)", "", name).replace(" / ", " or ").replace("/", "-")
    return name


def model_words(model: str) -> str:
    """`our card-fraud classification model`, never naming the same thing twice."""
    arch = ARCHETYPES_BY_NAME.get(model)
    if arch is None:
        return model
    task = arch.task
    noun = task if task.endswith(" model") else f"{task} model"  # never "graph model model"
    if model.replace("-", " ") in task.replace("-", " "):
        return f"our {noun}"
    return f"{model}, our {noun}"


def rule_words(rule: str) -> str:
    """`ModelPredictionMeanShift` said aloud: `a prediction-shift alert`."""
    if rule in RULE_WORDS:
        return RULE_WORDS[rule]
    tokens = re.findall(r"NaN|[A-Z]+(?=[A-Z][a-z])|[A-Z][a-z]+|[A-Z]+|[a-z]+|\d+[a-z]*", rule)
    spaced = " ".join(t if t == "NaN" or (len(t) > 1 and t.isupper()) else t.lower()
                      for t in tokens)
    return f"{'an' if spaced[:1] in 'aeiou' else 'a'} {spaced} alert"


def sig(n: float, digits: int = 2) -> float:
    if n == 0:
        return 0.0
    from math import floor, log10

    return round(n, -floor(log10(abs(n))) + digits - 1)


def about(n: float) -> str:
    """A count as people say it: `49`, `about 130,000`, `about 2.9`."""
    if float(n).is_integer() and abs(n) < 100:
        return f"{int(n)}"
    r = sig(n)
    text = f"{r:,.0f}" if abs(r) >= 10 else f"{r:g}"
    return text if r == n else f"about {text}"


def clock_said(t: int) -> str:
    """A minute said the first time a story names one, with the part of the day it falls in:
    `2:12 in the morning`, `00:58, not long before one in the morning,` (a clause, so it reads
    inside a sentence), `midnight`."""
    said = clock(t)
    h, m = divmod(t % (24 * 60), 60)
    if said == "midnight" or h >= 12:
        return said
    if h == 0:
        return f"{said}, just after midnight," if m < 30 else \
            f"{said}, not long before one in the morning,"
    return f"{said} in the morning"


def clock_on(t: int) -> str:
    """A minute said aloud with its day when it is not the night's own (`Wednesday at 17:00`
    for a feature request's deadline a working day later): `by 17:00` alone, told of a night,
    names that afternoon."""
    return clock(t) if 0 <= t < DAY else f"{date_of(t):%A} at {clock(t)}"


def clock(t: int) -> str:
    """A simulated minute said aloud: `2:07`."""
    if t % (24 * 60) == 0:
        return "midnight"
    h, m = hhmm(t).split()[-1].split(":")
    return f"{int(h)}:{m}" if int(h) else f"{h}:{m}"
