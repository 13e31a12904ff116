"""The promises the simulated world keeps, for any scenario, generated night or new fault kind.

Each check takes a game at its page (nothing played) and returns what it found wrong, one line
each, naming the scenario's model and the figures; an empty list is a world that holds together.
The content tests run them on every scenario and on generated nights; `check_all` is what a
validator or a conformance harness calls on a new kind's scenario.

- impact: the first look after the page counts nothing (every figure over a span is zero; the
  readings of one minute, `impact.LEVELS`, say nothing of when the fault began); requests
  failed never exceed requests affected; once the service level is back, the figures stop
  moving;
- latency: p50 ≤ p99 ≤ the serving timeout, and p99 sits at the timeout whenever more than 1%
  of requests time out;
- alert values: an alert quotes what the tool showing the same series shows at that minute (a
  certificate alert the days `infra` shows, a prediction-shift alert the shift `status` shows);
- status and resolve: with every incident fixed, `status` just before `resolve` and `resolve`
  record the same figures;
- drift: every feature the fault moves and the drift lab finds drifted shows on one of that
  feature's dashboard series (mean, spread, p99, null or unseen rate);
- quality: the quality series moves as far as the served rows say it should;
- text: what deploys, pipelines, logs and infra show around the page has every template
  reference filled in;
- pods: every pod a log line names around the page is one the infra view lists running at
  that minute (a stable pod, or a canary's or a shadow's own); a pod that says it crash-loops
  is one infra shows in CrashLoopBackOff, and one that reports requests served or shed is
  Running;
- views: the pipelines view's age of a source and the infra view's autoscaler are the series a
  monitor of the same fact reads.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

import numpy as np

from oncall.sim.faults import AGE_SERIES, SILENT_PODS
from oncall.sim.impact import LEVELS, silent
from oncall.sim.latency import timed_out, timeout_ms

if TYPE_CHECKING:
    from oncall.game.engine import Game
    from oncall.sim.faults import Incident
    from oncall.sim.world import World

FIX_AFTER = 10
"""Minutes after the page the impact check applies a fix (on its own copy of the course)."""
RESOLVE_WITHIN = 240
"""Minutes after the last page by which a game with every incident fixed must be resolvable."""
QUALITY_MOVE = 0.10
"""The quality check holds a series to rows that move it at least this share (well clear of the
series' minute-to-minute noise)."""
DRIFT_WINDOW = 30
"""Minutes of traffic the drift check reads, ending 15 minutes after the page."""
SHOWS_SIGMAS = 4.0
"""A dashboard series shows a change when its mean over the drift window moves this many of its
healthy minute-to-minute standard deviations from the healthy hour before the onset."""


def _page(world: World, inc: Incident) -> int:
    return inc.page_at if inc.page_at is not None else world.page_at


def check_impact(world: World) -> list[str]:
    out: list[str] = []
    for inc in world.incidents.values():
        page = inc.page_at if inc.page_at is not None else world.page_at
        first = world.impact(page, incident=inc.id)
        counts = {k: v for k, v in first.items() if k not in LEVELS}
        if any(counts.values()):
            out.append(f"{inc.model}: the first status after the page shows impact {counts}")
        kept = list(inc.course.events)
        try:
            if inc.course.fixed_at() is None:
                inc.course.events.append((page + FIX_AFTER, "fix", 0.0))
            late = page + FIX_AFTER + inc.course.recovery + 30
            for t in (page + 5, page + FIX_AFTER, late):
                imp = world.impact(t, incident=inc.id)
                if imp.get("requests_failed", 0) > imp.get("requests_affected", 0):
                    out.append(f"{inc.model}: {imp['requests_failed']} requests failed of "
                               f"{imp['requests_affected']} affected at minute {t}")
            before, after = world.impact(late, incident=inc.id), \
                world.impact(late + 7, incident=inc.id)
            if "recovered_at" not in before:
                out.append(f"{inc.model}: not recovered {late - page - FIX_AFTER} minutes "
                           "after a fix")
            elif before != after:
                out.append(f"{inc.model}: impact still moves after the service level came "
                           f"back: {before} then {after}")
        finally:
            inc.course.events = kept
    return out


def check_latency(world: World, t0: int | None = None, t1: int | None = None) -> list[str]:
    out: list[str] = []
    t0 = world.page_at - 60 if t0 is None else t0
    t1 = world.page_at + 60 if t1 is None else t1
    for model in dict.fromkeys(i.model for i in world.incidents.values()):
        t, p99 = world.series(model, "latency_p99_ms", t0, t1)
        _, p50 = world.series(model, "latency_p50_ms", t0, t1)
        limit = timeout_ms(world, model, t)
        share = timed_out(world, model, t0, t1)
        bad = [(int(t[i]), f"p50 {p50[i]:.1f} ms over p99 {p99[i]:.1f} ms")
               for i in np.flatnonzero(p50 > p99 + 1e-9)[:1]]
        bad += [(int(t[i]), f"p99 {p99[i]:.1f} ms over the {limit[i]:.0f} ms timeout")
                for i in np.flatnonzero(p99 > limit + 1e-9)[:1]]
        bad += [(int(t[i]), f"p99 {p99[i]:.1f} ms while {share[i]:.1%} of requests time out "
                            f"at {limit[i]:.0f} ms")
                for i in np.flatnonzero((share > 0.01) & (p99 < limit - 1e-9))[:1]]
        out += [f"{model} minute {at}: {what}" for at, what in bad]
    return out


def check_alert_values(game: Game) -> list[str]:
    """An alert's quoted value agrees with the tool that shows the same series at the same
    minute: a certificate alert with the days `infra` shows, a prediction-shift alert with the
    prediction shift `status` reports for the incident's model."""
    out: list[str] = []
    w = game.world
    f = game.record.facts
    shifts = {i.model: w.impact(incident=i.id).get("prediction_shift_pct")
              for i in w.incidents.values() if _page(w, i) <= w.now}
    for a in [*f.page_alerts, *f.noise_alerts]:
        if a.rule == "CertificateExpiringSoon":
            days = w.infra(a.model)["certificate"]["days_left"]
            if round(a.value, 1) != round(float(days), 1):
                out.append(f"{a.model}: the certificate alert says {a.value:g} days, infra "
                           f"{days} days")
        elif a.rule == "ModelPredictionMeanShift" and shifts.get(a.model) is not None:
            said = abs(float(shifts[a.model] or 0.0))
            if abs(said - 100 * a.value) > 0.1:
                out.append(f"{a.model}: the prediction-shift alert says {a.value:.1%} off "
                           f"training, status {said:g}%")
    return out


def _copy(game: Game) -> Game:
    """A copy of the game to play on. The world's caches of pure functions of the seed (logged
    rows, fitted statistics, drift references, training quantiles) are shared, not copied; its
    cache of alert values starts empty (its entries depend on the incidents' courses)."""
    w = game.world
    memo: dict[int, object] = {id(x): x for x in (w._blocks, w._log_blocks, w._stats,
                                                   w.references, w._quantiles)}
    memo[id(w._values)] = {}
    memo[id(w._quiet)] = {}
    return copy.deepcopy(game, memo)


def check_status_before_resolve(game: Game) -> list[str]:
    """`status` right before `resolve` gives the figures `resolve` records, on a copy of the
    game whose incidents are all fixed FIX_AFTER minutes after their pages."""
    g = _copy(game)
    g.do({"do": "ack"})
    for inc in g.world.incidents.values():
        if inc.course.fixed_at() is None:
            inc.course.events.append((_page(g.world, inc) + FIX_AFTER, "fix", 0.0))
    last = max(_page(g.world, i) for i in g.world.incidents.values())
    while g.not_resolvable(list(g.world.incidents)) is not None:
        if g.now > last + RESOLVE_WITHIN:
            return [f"{g.world.fault.model}: not resolvable {RESOLVE_WITHIN} minutes after the "
                    "last page with every incident fixed"]
        g.do({"do": "wait", "minutes": 5})
    status = g.do({"do": "status"}).data["impact"]
    resolved = g.do({"do": "resolve"})
    if resolved.data.get("impact") != status:
        return [f"{g.world.fault.model}: status says {status} at {g.now - 1}, resolve "
                f"{resolved.data.get('impact')} a minute later"]
    return []


def _moved_features(inc: Incident) -> list[str]:
    return list(dict.fromkeys(inc.name_of(e.feature) for e in inc.kind.rows))


def _shows(world: World, model: str, metric: str, healthy: tuple[int, int],
           window: tuple[int, int]) -> bool:
    _, base = world.series(model, metric, *healthy)
    _, now = world.series(model, metric, *window)
    spread = max(float(np.std(base)), 1e-6 * max(1.0, abs(float(np.mean(base)))))
    return abs(float(np.mean(now)) - float(np.mean(base))) > SHOWS_SIGMAS * spread


def check_drift_shows(world: World) -> list[str]:
    from oncall import detect
    from oncall.game.tools import world_reference
    from oncall.sim.telemetry import FEATURE_SERIES

    out: list[str] = []
    for inc in world.incidents.values():
        page = inc.page_at if inc.page_at is not None else world.page_at
        window = (page + 15 - DRIFT_WINDOW, page + 15)
        healthy = (inc.onset - inc.lead - 120, inc.onset - inc.lead - 60)
        m = world.model(inc.model)
        rows, _ = world.rows(inc.model, *window)
        stats = world.stats(inc.model)
        for name in _moved_features(inc):
            spec = m.feature(name)
            cur = rows.features[name]
            if len(cur) == 0:
                continue
            ref = world_reference(world, inc.model, name, stats.reference[name], spec.kind)
            test = detect.AUTO_TESTS[spec.kind][0]  # type: ignore[index]
            if not detect.run_test(ref, np.asarray(cur), test).drifted:
                continue
            series = [f"feature_null_rate:{name}"]
            series += [f"{s}:{name}" for s in FEATURE_SERIES] if spec.kind == "continuous" \
                else [f"feature_unseen_rate:{name}"]
            if not any(_shows(world, inc.model, s, healthy, window) for s in series):
                out.append(f"{inc.model}: the drift lab finds {name} drifted after the page, "
                           f"but none of {', '.join(series)} moves")
    return out


def check_quality(world: World) -> list[str]:
    """A fault that serves worse answers moves the quality series as far as its rows say: the
    derived ratio at full intensity, seen once the labels have arrived."""
    out: list[str] = []
    for inc in world.incidents.values():
        m = world.model(inc.model)
        metric = m.archetype.quality_metric
        ratio = inc.derived(world).get(metric)
        if ratio is None:
            continue
        # A canary's rows are its share of the traffic: the series moves by that share.
        ratio = 1 + (ratio - 1) * inc._share(inc._rows_scope(), None)
        if abs(ratio - 1) < QUALITY_MOVE:
            continue
        lag = 0 if any(e.op == "missing" for e in inc.kind.labels) else \
            m.archetype.label_lag_min
        at = inc.onset + inc.course.ramp + lag + 5
        if at > inc.onset + 24 * 60:
            continue
        healthy = (inc.onset - 120, inc.onset - 60)
        if not _shows(world, inc.model, metric, healthy, (at, at + 15)):
            out.append(f"{inc.model}: the served rows put {metric} at {ratio:.2f}x its "
                       f"training value, but its series does not move by minute {at}")
    return out


def check_silent_shows_quality(world: World) -> list[str]:
    """A silent fault's impact is its quality SLO and label coverage, never request counts."""
    out = []
    for inc in world.incidents.values():
        imp = world.impact(world.page_at + 30, incident=inc.id)
        if silent(inc) and "requests_affected" in imp:
            out.append(f"{inc.model}: a silent fault reports requests affected")
    return out


UNFILLED = re.compile(r"\bparams\.[a-z_]|\{[a-z_]+(?:\.[a-z_]+)*\}")
"""A template reference left in text a tool shows (`params.cpu_limit_m`, `{source}`)."""


def check_text_filled(world: World) -> list[str]:
    """Every text the incident's model shows in deploys, pipelines, logs and infra around the
    page is filled in: no template reference is left literal."""
    out: list[str] = []
    for model in dict.fromkeys(i.model for i in world.incidents.values()):
        d = world.deploys(model)
        texts = [f"deploy note: {x['note']}" for x in d["deploys"]]
        texts += [f"deploy config: {k}={v}" for x in d["deploys"] for k, v in x["config"].items()
                  if isinstance(v, str)]
        texts += [f"pipeline change: {c['change']}" for p in world.pipelines(model)["pipelines"]
                  for c in p["changelog"]]
        texts += [f"log: {ln.message}" for ln in world.logs(model, world.page_at - 30,
                                                          world.page_at + 15)]
        infra = world.infra(model)
        texts += [f"infra: {p.get('last_state', '')}" for p in infra["pods"]]
        texts += [f"infra event: {e.get('message', '')}" for e in infra["events"]]
        out += [f"{model}: {t}" for t in dict.fromkeys(texts) if UNFILLED.search(t)][:3]
    return out


def check_pods_write(world: World) -> list[str]:
    """Every pod a log line names around the page is a pod the infra view lists at that line's
    minute (a stable pod that runs a container, or a canary's or a shadow's own): the logs and
    the infra view describe one cluster."""
    out: list[str] = []
    for model in dict.fromkeys(i.model for i in world.incidents.values()):
        listed: dict[int, set[str]] = {}
        status: dict[int, dict[str, str]] = {}
        for ln in world.logs(model, world.page_at - 30, world.page_at):
            minute = int(ln.t)
            if minute not in listed:
                infra = world.infra(model, minute)
                status[minute] = {p["name"]: p["status"] for p in infra["pods"]}
                listed[minute] = {p["name"] for p in infra["pods"]
                                  if p["status"] not in SILENT_PODS}
                listed[minute] |= {p["name"] for r in infra["revisions"] for p in r["pods"]}
            if ln.pod not in listed[minute]:
                out.append(f"{model}: a {ln.level} line at {minute} comes from {ln.pod}, which "
                           f"the infra view does not list running then")
                break
            # A pod says it crash-loops only when the infra view shows it so; one that reports
            # requests served is one that serves (Running, ready).
            said = status[minute].get(ln.pod)
            if said is not None and "(CrashLoopBackOff)" in ln.message and \
                    said != "CrashLoopBackOff":
                out.append(f"{model}: {ln.pod} says CrashLoopBackOff at {minute}; the infra "
                           f"view shows it {said}")
                break
            if said is not None and said != "Running" and (
                    ln.message.startswith("served ") or "shed request" in ln.message):
                out.append(f"{model}: {ln.pod} reports requests served or shed at {minute}; the "
                           f"infra view shows it {said}")
                break
    return out


def check_views_agree(world: World) -> list[str]:
    """Where a view and a series say the same fact, they say the same figure, at the page and
    half an hour later: the pipelines view's age of each source is its features' age series a
    freshness monitor reads, and the infra view's autoscaler is the replicas series an
    autoscaler monitor reads."""
    out: list[str] = []
    for model in dict.fromkeys(i.model for i in world.incidents.values()):
        for t in (world.page_at, world.page_at + 30):
            for p in world.pipelines(model, t)["pipelines"]:
                ages = [float(world.series(model, f"{AGE_SERIES}{f}", t, t + 1)[1][0])
                        for f in p["features"]]
                if ages and p["freshness_min"] != round(max(ages)):
                    out.append(f"{model}: at {t} pipelines says {p['source']} is "
                               f"{p['freshness_min']} min old, its age series {max(ages):.0f}")
            hpa = world.infra(model, t)["hpa"]
            _, replicas, ceiling = world.autoscaler(model, t, t + 1)
            if (hpa["replicas"], hpa["max_replicas"]) != (replicas[0], ceiling[0]):
                out.append(f"{model}: at {t} infra lists HPA {hpa['replicas']}/"
                           f"{hpa['max_replicas']}, the autoscaler series "
                           f"{replicas[0]:.0f}/{ceiling[0]:.0f}")
    return out


def check_all(game: Game) -> list[str]:
    """Every invariant on a game at its page (the game is left as it was)."""
    w = game.world
    return [*check_impact(w), *check_latency(w), *check_alert_values(game),
            *check_drift_shows(w), *check_quality(w), *check_silent_shows_quality(w),
            *check_status_before_resolve(game), *check_text_filled(w), *check_pods_write(w),
            *check_views_agree(w)]
