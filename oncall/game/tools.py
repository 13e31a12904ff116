"""The investigation tools: each turns the world at the current minute into text and data.

Text is what a terminal shows (the headless protocol and the war-room log); data is the same
result structured, for charts and tables and for checking what an observation really shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from oncall.content import loader
from oncall.sim import telemetry as tm
from oncall.sim.alerts import RULES, RULES_BY_NAME
from oncall.sim.clock import delay_text, hhmm
from oncall.sim.faultdef import LOG_LEVELS
from oncall.sim.faults import LogLine
from oncall.sim.quantile import quantiles
from oncall.sim.world import World

SPARK = "▁▂▃▄▅▆▇█"


class ToolError(ValueError):
    """A tool asked for something that does not exist (a model, a metric, a feature)."""


def check_model(world: World, model: str) -> None:
    if model not in world.fleet.models:
        raise ToolError(f"unknown model {model!r}; the fleet has {', '.join(world.fleet.names())}")


def precheck(world: World, cmd: Any) -> None:
    """Refuse a request that cannot be answered before any simulated time is spent on it."""
    from oncall.detect.stattests import KINDS as KINDS_BY_TEST

    verb = cmd.do
    incident = getattr(cmd, "incident", None)
    if incident is not None and incident not in world.incidents:
        raise ToolError(f"incident: unknown incident {incident!r}; valid: "
                        f"{', '.join(world.incidents)}")
    model: str | None = getattr(cmd, "model", None)
    if model is None:
        if verb in ("runbook", "ticket") and cmd.alert not in RULES_BY_NAME:
            raise ToolError(f"alert: unknown alert {cmd.alert!r}; valid: "
                            f"{', '.join(RULES_BY_NAME)}")
        return
    check_model(world, model)
    if verb == "dashboard":
        allowed = tm.metrics_of(world.model(model))
        if cmd.metric not in allowed:
            raise ToolError(f"metric: unknown metric {cmd.metric!r} for {model}; available: "
                            f"{', '.join(allowed)}")
    elif verb == "drift":
        m = world.model(model)
        names = [f.name for f in m.features]
        if cmd.feature not in (*names, "prediction", "all"):
            raise ToolError(f"feature: unknown feature {cmd.feature!r} for {model}; valid: "
                            f"{', '.join(names)}, prediction, all")
        if cmd.test != "auto" and cmd.feature != "all":
            kind = "continuous" if cmd.feature == "prediction" else m.feature(cmd.feature).kind
            fits = [t for t, ks in KINDS_BY_TEST.items() if kind in ks]
            if kind not in KINDS_BY_TEST.get(cmd.test, ()):
                raise ToolError(f"test: {cmd.test} does not apply to {cmd.feature}, a {kind} "
                                f"column; valid: auto, {', '.join(fits)}")
    elif verb == "ticket" and cmd.alert not in RULES_BY_NAME:
        raise ToolError(f"alert: unknown alert {cmd.alert!r}; valid: {', '.join(RULES_BY_NAME)}")


def sparkline(values: np.ndarray, width: int = 48) -> str:
    if len(values) == 0:
        return ""
    chunks = np.array_split(values, min(width, len(values)))
    means = np.array([c.mean() for c in chunks])
    lo, hi = float(means.min()), float(means.max())
    if hi - lo < 1e-12:
        return SPARK[0] * len(means)
    idx = ((means - lo) / (hi - lo) * (len(SPARK) - 1)).round().astype(int)
    return "".join(SPARK[i] for i in idx)


def fmt(v: float) -> str:
    if v != v:
        return "nan"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 0.1:
        return f"{v:.3f}"
    return f"{v:.4f}"


def threshold_of(world: World, model: str, metric: str) -> tuple[str | None, list[float]]:
    """The paging rule drawn on a metric's chart, as (rule name, threshold lines)."""
    m = world.model(model)
    for rule in RULES:
        family = rule.metric.endswith(":*") and metric.startswith(rule.metric[:-1])
        if (rule.metric != metric and not family) or not rule.applies(m) or rule.kind == "burn":
            continue
        thr = rule.threshold(m)
        if rule.kind == "relative":
            ref = rule.training_value(world, m)
            return rule.name, [ref * (1 - thr), ref * (1 + thr)]
        if rule.kind == "increase":
            continue
        return rule.name, [thr]
    if metric == "error_rate":
        return "ErrorBudgetBurnFast", [14.4 * (1 - m.slo)]
    return None, []


def dashboard(world: World, model: str, metric: str, window: int, by: str | None
              ) -> tuple[str, dict[str, Any]]:
    check_model(world, model)
    allowed = tm.metrics_of(world.model(model))
    if metric not in allowed:
        raise ToolError(f"unknown metric {metric!r} for {model}; available: {', '.join(allowed)}")
    t0 = world.now - window
    t, v = world.series(model, metric, t0, world.now)
    rule, lines = threshold_of(world, model, metric)
    data: dict[str, Any] = {
        "model": model, "metric": metric, "unit": tm.UNITS.get(metric.split(":")[0], ""),
        "window": [t0, world.now], "t": t.tolist(), "values": [round(float(x), 6) for x in v],
        "threshold": lines, "rule": rule, "series": {},
    }
    lines_txt = [f"{model} {metric} over the last {window} min ({hhmm(t0)}–{hhmm(world.now)})",
                 f"  {sparkline(v)}",
                 f"  start {fmt(v[0])}  min {fmt(v.min())}  max {fmt(v.max())}  now {fmt(v[-1])}"]
    if rule:
        lines_txt.append(f"  threshold ({rule}): {' / '.join(fmt(x) for x in lines)}")
    if by == "revision":
        c = world.model(model).canary_deploy(world.now)
        stable = world.model(model).live_deploy(world.now)
        revs = {f"{stable.model_version} (stable)": "stable"}
        if c is not None:
            revs[f"{c.model_version} (canary {c.canary_pct}%)"] = "canary"
        for label, rev in revs.items():
            _, rv = world.series(model, metric, t0, world.now, revision=rev)
            data["series"][label] = [round(float(x), 6) for x in rv]
            lines_txt.append(f"  {label:<22} {sparkline(rv, 30)}  now {fmt(rv[-1])}")
        if c is None:
            lines_txt.append("  no canary revision is serving: one revision only")
    return "\n".join(lines_txt), data


def logs(world: World, model: str, level: str | None, window: int, grep: str | None
         ) -> tuple[str, dict[str, Any]]:
    check_model(world, model)
    order = {lv: i for i, lv in enumerate(LOG_LEVELS)}
    floor = order[level] if level else 0
    every = world.logs(model, world.now - window, world.now)
    lines = [ln for ln in every
             if order[ln.level] >= floor and (not grep or grep.lower() in ln.message.lower())]
    shown = lines[-40:]
    data = {"model": model, "total": len(lines), "lines": [
        {"t": round(ln.t, 2), "level": ln.level, "pod": ln.pod, "message": ln.message}
        for ln in shown]}
    if level or grep:
        # A filtered look says what it kept and what the window holds in all, so '0 lines'
        # at ERROR never reads as a quiet log when the model writes warnings.
        kept = " and ".join(([f"at {level}" + (" or above" if level != "ERROR" else "")]
                             if level else []) + ([f"matching {grep!r}"] if grep else []))
        found = f"{len(lines)} line{'' if len(lines) == 1 else 's'} {kept} " \
            f"(of {len(every)} in all: {_by_level(every)})"
    else:
        found = f"{len(lines)} lines ({_by_level(lines)})"
    head = (f"{model} logs, last {window} min: {found}"
            + (f", showing the last {min(len(shown), 12)}" if len(lines) > 12 else ""))
    body = [f"  {hhmm(ln.t)} {ln.level:<5} {ln.pod}: {ln.message}" for ln in shown[-12:]]
    return "\n".join([head, *body]), data


def _by_level(lines: Sequence[LogLine]) -> str:
    """'2 ERROR, 14 WARN, 6 INFO', with DEBUG only when there is some."""
    counts = Counter(ln.level for ln in lines)
    return ", ".join(f"{counts[lv]} {lv}" for lv in reversed(LOG_LEVELS)
                     if lv != "DEBUG" or counts[lv])


def deploys(world: World, model: str) -> tuple[str, dict[str, Any]]:
    check_model(world, model)
    data = world.deploys(model)
    out = [f"{model} (owner {data['owner']}, team {data['team']})", "  registry:"]
    for v in data["versions"][-4:]:
        scores = "  ".join(f"{world.model(model).archetype.quality_name if k != 'auc' else 'AUC'}"
                           f" {val}" for k, val in v["eval"].items())
        out.append(f"    {v['version']}  data {v['training_data']}  {scores}  "
                   f"registered {hhmm(v['registered_at'])} by {v['registered_by']}")
    out.append("  deploys:")
    prev: dict[str, Any] | None = None
    for d in data["deploys"][-4:]:
        diff = ""
        if prev is not None:
            changed = {k: (prev["config"].get(k), val) for k, val in d["config"].items()
                       if prev["config"].get(k) != val}
            if changed:
                diff = "  config " + ", ".join(f"{k} {setting_text(a)}->{setting_text(b)}"
                                               for k, (a, b) in changed.items())
        serving = "shadow (mirrored traffic, serves none)" if d.get("shadow") else \
            f"canary {d['canary_pct']}%"
        if d.get("ended_at") is not None:
            serving += f", taken down {hhmm(d['ended_at'])}"
        out.append(f"    r{d['revision']} {hhmm(d['at'])} {d['model_version']} {serving} "
                   f"by {d['promoted_by']}{diff}  ({d['note']})")
        if not d.get("shadow"):
            prev = d
    return "\n".join(out), data


def pipelines(world: World, model: str) -> tuple[str, dict[str, Any]]:
    check_model(world, model)
    data = world.pipelines(model)
    out = [f"feature pipelines feeding {model}:"]
    for p in data["pipelines"]:
        nulls = sorted(p["null_rate"].items(), key=lambda kv: -kv[1])
        said = ", ".join(f"{f} {rate:.2%}" for f, rate in nulls[:3])
        if len(nulls) > 3:
            said += f", {len(nulls) - 3} more under {nulls[3][1]:.2%}"
        out.append(f"  {p['source']}: schema v{p['schema_version']}, fresh {p['freshness_min']} "
                   f"min ago; null rate over the last 15 min: {said or 'no features'}")
        for c in sorted(p["changelog"], key=lambda c: -c["at"])[:2]:
            out.append(f"    change {hhmm(c['at'])} by {c['by']}: {c['change']}")
    return "\n".join(out), data


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


SHOWN_PODS = 6
"""Pods the infra view lists by name: those not Running first, then Running ones."""


def infra(world: World, model: str) -> tuple[str, dict[str, Any]]:
    check_model(world, model)
    data = world.infra(model)
    pods = data["pods"]
    bad = [p for p in pods if p["status"] != "Running"]
    out = [f"{model} on {data['hardware'].upper()}: {_count(len(data['nodes']), 'node')}, "
           f"{_count(len(pods), 'pod')} "
           f"({len(pods) - len(bad)} Running, {len(bad)} not), HPA {data['hpa']['replicas']}/"
           f"{data['hpa']['max_replicas']}, certificate {data['certificate']['days_left']} days"]
    shown = sorted(pods, key=lambda p: p["status"] == "Running")[:SHOWN_PODS]  # trouble first
    for p in shown:
        out.append(f"  {p['name']} {p['status']} restarts={p['restarts']} {p['last_state']}")
    if len(pods) > len(shown):
        hidden_bad = len(bad) - sum(p["status"] != "Running" for p in shown)
        hidden = len(pods) - len(shown)
        out.append(f"  and {_count(hidden, 'more pod')}: {hidden - hidden_bad} Running"
                   + (f", {hidden_bad} not" if hidden_bad else ""))
    for r in data.get("revisions", []):
        share = f"{r['traffic_pct']}% of traffic" if r["role"] == "canary" else \
            "mirrored traffic, serves none"
        down = sum(p["status"] != "Running" for p in r["pods"])
        out.append(f"  {r['role']} r{r['revision']} ({r['model_version']}, {share}): "
                   f"{_count(len(r['pods']), 'pod')}, {down} not Running")
        out += [f"    {p['name']} {p['status']} restarts={p['restarts']} {p['last_state']}"
                for p in r["pods"]]
    for n in data["nodes"]:
        extra = "" if n.get("ready", True) else " NotReady"
        extra += f" ({n['condition']})" if n.get("condition") else ""
        extra += f"; {n['note']}" if n.get("note") else ""
        disk = f" disk {n['disk_used']}" if n.get("disk_used") else ""
        if n.get("gpu"):
            out.append(f"  {n['name']} {n['gpu']} framebuffer {n['gpu_mem_used']}{disk}{extra}")
        else:
            out.append(f"  {n['name']}{disk}{extra}")
    for e in data["events"]:
        out.append(f"  event {hhmm(e['at'])} {e['reason']}: {e['message']}")
    return "\n".join(out), data


def drift(world: World, model: str, feature: str, test: str, window: int
          ) -> tuple[str, dict[str, Any]]:
    from oncall import detect

    check_model(world, model)
    m = world.model(model)
    stats = world.stats(model)
    if feature == "prediction":
        kind = "continuous"
        ref_values = stats.reference_scores
        _, cur = world.rows(model, world.now - window, world.now)
    else:
        try:
            spec = m.feature(feature)
        except KeyError:
            names = ", ".join(f.name for f in m.features)
            raise ToolError(f"unknown feature {feature!r} for {model}; features: {names}, "
                            "or 'prediction'") from None
        kind = spec.kind
        ref_values = stats.reference[feature]
        cur = world.served(model, world.now - window, world.now)[1][feature]  # not scored
    if len(cur) == 0:
        raise ToolError(f"no logged traffic for {model} in the last {window} min")
    chosen = test if test != "auto" else detect.AUTO_TESTS[kind][0]  # type: ignore[index]
    reference = world_reference(world, model, feature, ref_values, kind)
    result = detect.run_test(reference, np.asarray(cur), chosen)
    res = result.to_dict()
    data = {"model": model, "feature": feature, "kind": kind, "test": chosen,
            "window": [world.now - window, world.now], "drifted": bool(result.drifted),
            "result": res, "histogram": histogram(ref_values, np.asarray(cur), kind)}
    p = res.get("p_value")
    eff = res.get("effect_size")
    out = [f"{model} {feature}: {chosen} over the last {window} min vs training "
           f"(n={res.get('n_current')} vs {res.get('n_reference')})",
           f"  statistic {_num(res['statistic'])}"
           + (f"  p-value {p:.3g}" if p is not None else "")
           + f"  threshold {res.get('threshold')} ({res.get('threshold_kind')})"
           + (f"  effect {res.get('effect_size_name')} {_num(eff)}" if eff is not None else "")
           + f"  => {'DRIFT' if result.drifted else 'PASS'}"]
    if kind == "continuous":
        # The means of the values there are: a missing value is no number (the test drops it
        # too, and a warning below says how the missing share moved).
        ref_mean, cur_mean = _mean_of_values(ref_values), _mean_of_values(cur)
        spread = float(np.nanstd(np.asarray(ref_values, dtype=float)))
        # A ratio of means near zero says nothing (0.0004 vs -0.0008 is "ratio -0.5"): a
        # feature centred on zero is compared in training standard deviations instead.
        ratio = cur_mean / ref_mean if ref_mean and cur_mean is not None and \
            abs(ref_mean) >= 0.1 * spread else None
        shift = (cur_mean - ref_mean) / spread if ratio is None and spread and \
            cur_mean is not None and ref_mean is not None else None
        data["means"] = {"reference": ref_mean, "current": cur_mean, "ratio": ratio,
                         "shift_sd": shift}
        out.append(f"  mean {_num(cur_mean)} vs training {_num(ref_mean)}"
                   + (f" (ratio {fmt(ratio)})" if ratio is not None else
                      f" (shift {round(shift, 2) + 0.0:+.2f} training sd)" if shift is not None
                      else ""))
    for w in res.get("warnings", []):
        out.append(f"  ! {w}")
    return "\n".join(out), data


def drift_all(world: World, model: str, test: str, window: int, correction: str
              ) -> tuple[str, dict[str, Any]]:
    """Every feature of a model at once, with the p-value threshold corrected for the number of
    tests: at 0.05 per feature, a model with many features false-alarms on most windows."""
    from oncall import detect

    check_model(world, model)
    m = world.model(model)
    t, features = world.served(model, world.now - window, world.now)
    if len(t) == 0:
        raise ToolError(f"no logged traffic for {model} in the last {window} min")
    stats = world.stats(model)
    refs = {f.name: world_reference(world, model, f.name, stats.reference[f.name], f.kind)
            for f in m.features}
    tests: Any = "auto" if test == "auto" else [test]
    suite = detect.run_suite(refs, features, tests, correction=correction)  # type: ignore[arg-type]
    results = [fr.primary.to_dict() for fr in suite.features]
    worst = max(suite.features, key=lambda fr: fr.primary.effect_size or 0.0)
    spec = m.feature(worst.column)
    data: dict[str, Any] = {
        "model": model, "feature": "all", "suite": True, "test": test, "correction": correction,
        "window": [world.now - window, world.now], "results": results,
        "drifted": bool(suite.drifted_columns), "drifted_columns": list(suite.drifted_columns),
        "drift_share": suite.drift_share, "warnings": list(suite.warnings),
        "plotted": worst.column,
        "histogram": histogram(stats.reference[worst.column], features[worst.column],
                               spec.kind),
    }
    out = [f"{model}: {len(results)} features over the last {window} min vs training, "
           f"correction {correction}; {len(suite.drifted_columns)} drifted "
           f"({suite.drift_share:.0%})"]
    for r in results:
        p = r.get("p_value")
        out.append(f"  {r['column']:<20} {r['test']:<5} {_num(r['statistic']):>9}"
                   + (f"  p {p:.3g} < {r['threshold']:.3g}?" if p is not None else
                      f"  >= {r['threshold']:g}?")
                   + f"  {'DRIFT' if r['drifted'] else 'pass'}")
    out += [f"  ! {r['column']}: {w}" for r in results for w in r.get("warnings", [])]
    out += [f"  ! {w}" for w in suite.warnings]
    return "\n".join(out), data


def _coverage_text(labelled: int, rows: int) -> str:
    """`74% of 12,317 rows`, or with few labels in `5 of 2,423 rows (0.2%)`: a figure computed
    on five labels must not read as computed on none."""
    share = labelled / rows if rows else 0.0
    if labelled and share < 0.01:
        return f"{labelled:,} of {rows:,} rows ({share:.1%})"
    return f"{share:.0%} of {rows:,} rows"


def _mean_of_values(values: Any) -> float | None:
    """The mean of the numbers among `values` (None and NaN are missing); None if none is."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if len(x) else None


def setting_text(v: Any) -> str:
    """A config value in a diff, as `kubectl diff` would show a key the revision lacks."""
    return "(unset)" if v is None else str(v)


def _num(v: Any) -> str:
    """A statistic as text; None stands for a window with nothing to compare (all missing)."""
    return "n/a (no values)" if v is None else fmt(float(v))


def world_reference(world: World, model: str, feature: str, values: np.ndarray, kind: str) -> Any:
    """Fit the training reference once per model and column; the drift lab reuses it."""
    from oncall import detect

    key = (model, feature)
    if key not in world.references:
        world.references[key] = detect.fit_reference(np.asarray(values), kind,  # type: ignore[arg-type]
                                                      name=feature)
    return world.references[key]


def histogram(ref: np.ndarray, cur: np.ndarray, kind: str, bins: int = 20) -> dict[str, Any]:
    """Both distributions on equal-width bins over the bulk of the data, for the comparison plot
    (shares, not counts). The tests use their own binning (deciles), which plots badly."""
    if kind == "categorical":
        cats = sorted(set(ref.tolist()) | set(cur.tolist()))
        r = [float(np.mean(ref == c)) for c in cats]
        c_ = [float(np.mean(cur == c)) for c in cats]
        return {"labels": [str(c) for c in cats], "reference": r, "current": c_}
    both = np.concatenate([ref, cur])
    lo, hi = quantiles(both, [0.005, 0.995])
    scale = "linear"
    if lo > 0 and hi / lo > 100:
        # Amounts, counts and durations span decades; a unit change only shows on a log axis.
        ref, cur, both = np.log10(ref), np.log10(cur), np.log10(both)
        lo, hi = np.log10(lo), np.log10(hi)
        scale = "log10"
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    rc = np.bincount(np.clip(np.searchsorted(edges, ref, side="right") - 1, 0, bins - 1),
                     minlength=bins) / max(len(ref), 1)
    cc = np.bincount(np.clip(np.searchsorted(edges, cur, side="right") - 1, 0, bins - 1),
                     minlength=bins) / max(len(cur), 1)
    return {"edges": [float(e) for e in edges], "reference": rc.tolist(), "current": cc.tolist(),
            "scale": scale}


def labels(world: World, model: str, window: int) -> tuple[str, dict[str, Any]]:
    """The model type's quality metric on the labels that have arrived, with their coverage;
    for a classifier, also an estimate of F1 on the rows still waiting for theirs."""
    from oncall import detect
    from oncall.sim.quality import measure

    check_model(world, model)
    arch = world.model(model).archetype
    t0 = world.now - window
    rows, scores = world.rows(model, t0, world.now)
    stats = world.stats(model)
    arrived = rows.t + rows.label_lag <= world.now
    coverage = float(arrived.mean()) if len(arrived) else 0.0
    data: dict[str, Any] = {
        "model": model, "window": [t0, world.now], "model_type": arch.model_type,
        "metric": arch.quality_metric, "metric_name": arch.quality_name,
        "training": round(stats.quality, 4), "label_lag_min": arch.label_lag_min,
        "label_source": arch.label_source, "estimate": None}
    head = (f"{model} ({arch.model_type}) labels over the last {window} min: "
            f"{arch.label_source} (typical delay {delay_text(arch.label_lag_min)})")
    if arch.model_type == "classifier":
        pred = scores >= stats.threshold
        perf = detect.f1_on_arrived(rows.label, pred, arrived, positive=True)
        p = perf.to_dict()
        value = p.get("f1")
        data["arrived"] = p
        pending = ~arrived
        if pending.any():
            size = max(200, int(pending.sum()))
            n_chunks = min(20, len(stats.reference_scores) // size)
            chunks = [stats.reference_scores[i * size:(i + 1) * size] for i in range(n_chunks)]
            chunk_labels = [stats.reference_labels[i * size:(i + 1) * size]
                            for i in range(n_chunks)]
            est = detect.estimate_f1(scores[pending], stats.threshold, chunks,
                                     reference_labels=chunk_labels, positive=True)
            data["estimate"] = est.to_dict()
    else:
        healthy = world.expected_scores(model, t0, world.now)
        value = measure(arch, scores[arrived], rows.label[arrived], healthy[arrived],
                        stats.threshold) if arrived.any() else None
        data["arrived"] = {"value": value, "label_coverage": coverage, "n": len(arrived),
                           "n_labelled": int(arrived.sum())}
    data["value"] = value
    unit = f" {arch.target_unit}" if arch.target_unit else ""
    out = [head,
           f"  {arch.quality_name} on arrived labels "
           f"{fmt(value) + unit if value is not None else 'n/a'} (label coverage "
           f"{_coverage_text(int(arrived.sum()), len(arrived))}); training {arch.quality_name} "
           f"{fmt(stats.quality)}{unit}"]
    e = data["estimate"]
    if e is not None and e.get("f1") is not None:
        band = (f" (normal band {fmt(e['band_low'])}–{fmt(e['band_high'])})"
                if e.get("band_low") is not None else "")
        out.append(f"  estimated F1 of the {e['n']} rows still waiting for labels "
                   f"{fmt(e['f1'])}{band}; assumes calibrated scores and no concept drift")
    elif arch.model_type != "classifier" and coverage < 1:
        out.append(f"  no label-free estimate for a {arch.model_type}: until labels arrive, "
                   "a drift test on the prediction is the earlier signal")
    return "\n".join(out), data


def runbook(alert: str) -> tuple[str, dict[str, Any]]:
    if alert not in RULES_BY_NAME:
        raise ToolError(f"unknown alert {alert!r}; rules: {', '.join(RULES_BY_NAME)}")
    text = loader.runbook(alert)
    return text, {"alert": alert, "markdown": text, "sections": loader.runbook_sections(text)}


FLEET_ROWS = 40
"""Rows the fleet table shows at most, besides every model with an alert firing: a bigger
fleet's other models are counted, and `dashboard` shows any of them."""


def fleet(world: World) -> tuple[str, dict[str, Any]]:
    firing = world.firing()
    alerting: dict[str, list[str]] = {}
    for e in firing:
        alerting.setdefault(e.model, []).append(e.rule)
    names = world.fleet.names()
    shown = names
    if len(names) > FLEET_ROWS:  # the models alerting, then the first others, in fleet order
        quiet = [n for n in names if n not in alerting][:max(0, FLEET_ROWS - len(alerting))]
        keep = set(quiet) | alerting.keys()
        shown = [n for n in names if n in keep]
    world.prefetch(("rps", "latency_p99_ms", "error_rate"), world.now - 5, world.now, shown)
    rows = []
    total_now = 0.0
    wide = max(18, *(len(n) + 1 for n in shown))  # a name always has a space after it
    out = [f"  {'model':<{wide}}{'hw':<5}{'rps':>7}{'p99 ms':>9}{'errors':>9}  alerts"]
    for name in shown:
        m = world.fleet.models[name]
        vals = {k: float(world.series(name, k, world.now - 5, world.now)[1].mean())
                for k in ("rps", "latency_p99_ms", "error_rate")}
        alerts = sorted(set(alerting.get(name, ())))
        total_now += vals["rps"]
        rows.append({"model": name, "hardware": m.hardware, "team": m.team, "owner": m.owner,
                     **{k: round(v, 5) for k, v in vals.items()}, "alerts": alerts})
        out.append(f"  {name:<{wide}}{m.hardware:<5}{vals['rps']:>7.1f}"
                   f"{vals['latency_p99_ms']:>9.0f}{vals['error_rate']:>9.2%}  "
                   f"{', '.join(alerts)}")
    # The fleet's size is a day's average; the table is the last five minutes (night traffic
    # is lower): the two are told apart, and the sum now only when every model is listed.
    day = f"{world.fleet.total_rps:.0f} req/s on a day's average"
    now = f"{total_now:.0f} req/s now ({day})" if len(shown) == len(names) else day
    out.insert(0, f"fleet: {len(world.fleet.models)} models, {now}, at {hhmm(world.now)}")
    data: dict[str, Any] = {"models": rows}
    if len(shown) < len(names):
        kept = set(shown)
        rest = [world.fleet.models[n] for n in names if n not in kept]
        gpu = sum(m.hardware == "gpu" for m in rest)
        out.append(f"  and {len(rest)} more models ({gpu} GPU, {len(rest) - gpu} CPU), none "
                   "with an alert firing; `dashboard` shows any of them")
        data["more"] = {"models": len(rest), "gpu": gpu, "cpu": len(rest) - gpu}
    return "\n".join(out), data
