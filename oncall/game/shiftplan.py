"""What a night shift holds, drawn from the seed: one or two production incidents taken from the
scenario library and placed in the night, a flapping alert and a certificate ticket on other
models, releases blocked on a gate or a canary awaiting promotion, and feature requests, each
arriving at its own minute with who asked, what they need and by when.

Pages are not planned here: they come from the world's alerts through Alertmanager when the clock
reaches them. Requests are planned with the hidden truth of their gate (a real regression, or a
flaky check) that the report the player reads is drawn from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from oncall.content import loader
from oncall.content.scenario import Scenario
from oncall.game.shiftrecord import PRIORITY, IncidentKey, Item, ItemKind
from oncall.sim.clock import DAY, hhmm

if TYPE_CHECKING:
    from oncall.sim.world import World

DIFFICULTIES = ("easy", "normal", "hard")
ATTEMPTS = 12
WORKING_HOURS = 9 * 60
"""09:00, when the day shift and the teams are back."""


FEATURES = (
    ("a slow-burn alert", "add the 6h/30m slow-burn error-budget alert for", "mon-burn-slow"),
    ("a prediction-shift alert", "alert earlier on the prediction mean moving for",
     "mon-prediction-shift"),
    ("a feature-range alert", "alert on feature means leaving their training range for",
     "mon-feature-range"),
)
"""Feature requests a team can make at night: what they ask for, and the remediation of the
catalogue that builds it (a real Prometheus rule file)."""


class PlanError(ValueError):
    """No night could be drawn for these settings (length too short for a page)."""


@dataclass
class Plan:
    scenario: Scenario
    incidents: list[IncidentKey]
    requests: list[Item] = field(default_factory=list)
    gates: dict[str, bool] = field(default_factory=dict)
    noise_models: list[str] = field(default_factory=list)


def parse_length(text: str) -> int:
    """Minutes of a shift from `6h`, `90m` or `360`; ValueError says what is accepted."""
    t = str(text).strip().lower()
    try:
        minutes = int(float(t[:-1]) * 60) if t.endswith("h") else \
            int(t[:-1]) if t.endswith("m") else int(t)
    except ValueError:
        raise ValueError(f"length: {text!r} is not a duration like 6h, 90m or 360") from None
    if not 120 <= minutes <= 12 * 60:
        raise ValueError(f"length: {text!r} must be between 2h and 12h")
    return minutes


def _rank(salt: int, ids: list[str]) -> list[str]:
    """The ids in the order a night tries them: by a hash of (the draw's salt, the id), highest
    first. Rendezvous hashing: each id's place depends only on itself and the salt, so adding a
    scenario to the library (or a `--content` folder) changes only the nights it now wins, and
    every other seed draws the night it drew before."""
    def weight(sid: str) -> bytes:
        return hashlib.blake2b(f"{salt}:{sid}".encode(), digest_size=8).digest()

    return sorted(ids, key=weight, reverse=True)


def _draw(rng: np.random.Generator, avoid: str | None = None) -> Scenario:
    """A library scenario with one real fault (no control), on a model other than `avoid`.
    One number of the seed's stream picks the order (`_rank`), whatever the library's size;
    only the files tried are read: parsing the whole library costs more than the night."""
    salt = int(rng.integers(2**62))
    for sid in _rank(salt, [i for i in loader.scenario_ids() if i != "night-two-pages"]):
        try:
            sc = loader.scenario(sid)
        except loader.ContentError:
            continue
        if not sc.answers.control and not sc.also and sc.fault.model != avoid:
            return sc
    raise PlanError("the scenario library has no incident a shift can use")


def _key(sc: Scenario, incident: str) -> IncidentKey:
    a = sc.answers
    return IncidentKey(id=incident, model=sc.fault.model, scenario=sc.id, category=a.category,
                       cause=a.cause, severity=a.severity, escalate_to=a.escalate_to,
                       right=[m.model_dump(exclude_none=True) for m in a.right],
                       wrong=[m.model_dump(exclude_none=True) for m in a.wrong])


def incident_scenario(seed: int, length: int, difficulty: str, attempt: int
                      ) -> tuple[Scenario, list[IncidentKey]]:
    """One or two library incidents placed in the night as one scenario (`also:`)."""
    rng = np.random.default_rng([seed, 9_091, attempt])
    first = _draw(rng)
    two = difficulty == "hard" or (difficulty == "normal" and rng.random() < 0.5)
    latest = max(60, length - 150)
    onset_a = int(rng.integers(40, min(150, latest) + 1))
    doc: dict[str, Any] = first.model_dump(mode="json")
    doc["id"] = f"shift-{seed}-{difficulty}"
    doc["fault"] = {**doc["fault"], "onset": hhmm(onset_a), "page_within": 240}
    doc["noise"] = []
    keys = [_key(first, first.fault.id)]
    if two:
        second = _draw(rng, avoid=first.fault.model)
        gap = int(rng.integers(15, 41)) if difficulty == "hard" else int(rng.integers(60, 151))
        onset_b = min(onset_a + gap, length - 90)
        doc["also"] = [{**second.fault.model_dump(mode="json"), "id": "second",
                        "onset": hhmm(onset_b), "page_within": 240}]
        keys.append(_key(second, "second"))
    return Scenario.model_validate(doc), keys


def add_noise(doc: dict[str, Any], rng: np.random.Generator, length: int, onset: int,
              difficulty: str) -> None:
    """A flapping latency alert on another model (and on hard nights a second one), plus a
    certificate that expires in days: a ticket, not a page."""
    blips = 2 if difficulty == "hard" else 1
    for _ in range(blips):
        start = int(rng.integers(20, max(21, length - 60)))
        doc["noise"].append({"kind": "latency_blip", "params": {
            "offset": start - onset, "minutes": int(rng.integers(14, 30))}})
    doc["noise"].append({"kind": "cert_expiry", "params": {"days_left": int(rng.integers(6, 20))}})


def requests(seed: int, length: int, difficulty: str, models: list[str],
             busy: list[int], people: dict[str, str], teams: dict[str, str],
             versions: dict[str, int]) -> tuple[list[Item], dict[str, bool]]:
    """The night's requests on models without an incident: releases blocked on a gate, a
    canary awaiting promotion, feature requests. One of them lands while the first incident
    pages (`busy`), so the queue has to be prioritised."""
    rng = np.random.default_rng([seed, 9_092])
    n_release = {"easy": 1, "normal": 2, "hard": 2}[difficulty]
    n_feature = 1
    kinds: list[ItemKind] = ["deploy" if i % 2 == 0 else "canary" for i in range(n_release)]
    kinds += ["feature"] * n_feature
    order = rng.permutation(len(models))
    items: list[Item] = []
    gates: dict[str, bool] = {}
    for i, kind in enumerate(kinds):
        model = models[int(order[i % len(models)])]
        arrives = busy[0] + int(rng.integers(4, 20)) if i == 0 and busy else \
            int(rng.integers(10, max(11, length - 100)))
        team = teams[model]
        item_id = f"r{i + 1}"
        if kind == "feature":
            short, what, rid = FEATURES[int(rng.integers(len(FEATURES)))]
            items.append(Item(
                id=item_id, kind="feature", priority=PRIORITY["feature"],
                title=f"feature request: {short} for {model}", model=model,
                requester=people[f"lead:{model}"], team=team,
                need=f"{what[0].upper()}{what[1:]} {model}", arrives_at=arrives,
                deadline=DAY + WORKING_HOURS + 8 * 60, report={"remediation": rid}))
            continue
        real = bool(rng.random() < 0.5)
        gates[item_id] = real
        version = f"v{versions[model] + 1}"
        n = int(rng.integers(20, 60)) * 1000
        ratio = float(rng.uniform(4, 9)) if real else float(rng.uniform(0.9, 1.15))
        p99_ratio = float(rng.uniform(1.5, 2.4)) if real else float(rng.uniform(0.95, 1.08))
        gate = "canary analysis" if kind == "canary" else "pre-production"
        deadline = arrives + (int(rng.integers(90, 151)) if kind == "canary"
                              else int(rng.integers(60, 121)))
        need = (f"promote the {model} canary {version} from 10% to 100%" if kind == "canary"
                else f"override the failing gate and promote {model} {version}")
        suite = "412 of 412 tests passed" if real else \
            f"test_{model.replace('-', '_')}_batch_endpoint timed out after 300 s; the same " \
            "test failed 3 of its last 20 runs on main and passed on retry"
        items.append(Item(
            id=item_id, kind=kind, priority=PRIORITY[kind],
            title=f"{'canary' if kind == 'canary' else 'release'} {model} {version} blocked "
                  f"on its {gate} gate", model=model, requester=people[f"release:{model}"],
            team=team, need=need, arrives_at=arrives, deadline=deadline,
            report={"model": model, "version": version, "gate": gate,
                    "canary_pct": CANARY_PCT if kind == "canary" else 0,
                    "candidate": {"at": arrives - int(rng.integers(40, 100)),
                                  "error_ratio": round(ratio, 4),
                                  "p99_ratio": round(p99_ratio, 4), "requests": n,
                                  "suite": suite, "suite_passed": real}}))
    items.sort(key=lambda it: (it.arrives_at, it.id))
    return items, gates


CANARY_PCT = 10
"""The share of traffic a requested canary serves while it waits for promotion."""
ERROR_BOUND, P99_BOUND = 1.5, 1.2
"""The gate's bounds: the candidate's error ratio and p99 latency against stable's."""


def place_candidates(world: World, items: list[Item]) -> None:
    """Put each release request's candidate into the world (`CandidateRelease`: registered,
    and for a canary serving its share of the traffic), then write its gate report from the
    world's own series: a canary's checks are its revision's error ratio and p99 against
    stable's over the minutes it has served; a pre-production gate's, stable's live figures
    over the hour before the request against the candidate's load test on the same traffic
    (the ratio the candidate shows in production once promoted). The report, the dashboards
    split by revision, the alerts and the error budget then tell one story."""
    for it in items:
        cand = it.report.get("candidate")
        if not cand:
            continue
        pct = int(it.report["canary_pct"])
        at = int(cand["at"]) if pct else int(it.arrives_at)
        world.add_noise("candidate_release", it.model, {
            "version": it.report["version"], "at": at, "canary_pct": pct,
            "error_ratio": cand["error_ratio"], "p99_ratio": cand["p99_ratio"],
            "by": it.requester})
        t0, t1 = (at, it.arrives_at) if pct else (it.arrives_at - 60, it.arrives_at)
        figures = {}
        for metric in ("error_rate", "latency_p99_ms"):
            _, stable = world.series(it.model, metric, t0, t1, "stable" if pct else None)
            if pct:
                _, cand_v = world.series(it.model, metric, t0, t1, "canary")
            else:
                key = "error_ratio" if metric == "error_rate" else "p99_ratio"
                cand_v = stable * float(cand[key])
            figures[metric] = (float(np.mean(stable)), float(np.mean(cand_v)))
        if pct:
            _, rps = world.series(it.model, "rps", t0, t1)
            n = int(round(float(np.sum(rps)) * 60 * pct / 100, -3))
        else:
            n = int(cand["requests"])
        (es, ec), (ps, pc) = figures["error_rate"], figures["latency_p99_ms"]
        checks = [
            {"check": "error ratio, candidate vs stable", "stable": round(es, 5),
             "candidate": round(ec, 5), "bound": f"at most {ERROR_BOUND:g}x stable",
             "requests": n, "passed": ec <= ERROR_BOUND * es},
            {"check": "p99 latency (ms), candidate vs stable", "stable": round(ps),
             "candidate": round(pc), "bound": f"at most {P99_BOUND:g}x stable", "requests": n,
             "passed": pc <= P99_BOUND * ps},
            {"check": "integration suite", "passed": bool(cand["suite_passed"]),
             "detail": cand["suite"]},
        ]
        it.report["checks"] = checks
        it.report["failed"] = [c["check"] for c in checks if not c["passed"]]
