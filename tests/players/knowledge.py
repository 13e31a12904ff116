"""What a player who knows the platform can read off observations: which fault kinds fit them.

The knowledge is public: the fault kinds shipped in `faults/` describe the evidence each kind
leaves (log lines, dashboard steps, drift verdicts, deploy diffs). A player never sees which kind
is active nor the `signals` the engine computes; this module reads only an observation's text and
data, the way a person reads the screen, and scores every kind by the share of its evidence the
screen shows. Template fields a player cannot know (`{params.feature}`) match anything.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from oncall.content.kinds import fault_kinds
from oncall.game.record import Observation
from oncall.sim.catalogue import QUALITY_METRICS
from oncall.sim.faultdef import FaultKind, Response, Signal

FIELD = re.compile(r"\{[^{}]*\}")
LOOKBACK = 6 * 60


QUALITY = "(?:" + "|".join(m for m, _, _ in QUALITY_METRICS.values()) + ")"


def _pattern(template: str) -> str:
    return FIELD.sub(r"[\\w.:%/-]+", template.replace("{model.quality}", QUALITY))


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) else None


def _generic_id(sid: str) -> str:
    return FIELD.sub("*", sid)


@dataclass(frozen=True)
class Fit:
    kind: FaultKind
    score: float
    shown: dict[str, list[str]]
    """signal id pattern -> observation ids that show it"""


def _revision_gap(data: dict[str, Any]) -> bool:
    series = data.get("series") or {}
    stable = [v for k, v in series.items() if "(stable)" in k]
    canary = [v for k, v in series.items() if "(canary" in k]
    if not stable or not canary:
        return False
    s, c = float(np.mean(stable[0][-10:])), float(np.mean(canary[0][-10:]))
    return abs(c - s) > abs(s) / 3 + 1e-12


def shows(s: Signal, obs: Observation, page_at: int) -> bool:
    """Whether an observation's own content shows a signal of this shape."""
    data = obs.data
    if not obs.ok or obs.kind != s.tool:
        return False
    if s.text is not None:
        body = "\n".join([obs.text, *(str(ln.get("message", ""))
                                      for ln in data.get("lines", ()))])
        template = s.text
        sources = re.findall(r"^\s+([\w-]+): schema", obs.text, re.M)
        if sources:
            alt = "(?:" + "|".join(map(re.escape, sources)) + ")"
            template = template.replace("{source}", alt).replace("{feature.source}", alt)
        try:
            if not re.search(_pattern(template), body):
                return False
        except re.error:
            return False
    if s.metric is not None:
        if not re.fullmatch(_pattern(s.metric), str(data.get("metric", ""))):
            return False
        values = np.asarray(data.get("values", []), dtype=float)
        values = values[np.isfinite(values)]
        if not len(values):
            return False
        above, below = _number(s.above), _number(s.below)
        if above is not None and not values.max() > above:
            return False
        if below is not None and not values.min() < below:
            return False
        lo, hi = float(np.min(np.abs(values))), float(np.max(np.abs(values)))
        ra, rb = _number(s.ratio_above), _number(s.ratio_below)
        if ra is not None and not (lo > 0 and hi / lo > ra):
            return False
        if rb is not None and not (hi > 0 and lo / hi < rb):
            return False
    if s.by_revision and not _revision_gap(data):
        return False
    if s.drifted is not None:
        if not data.get("drifted") and not data.get("drifted_columns"):
            return False
        if "{" not in s.drifted and data.get("feature") != s.drifted and \
                s.drifted not in data.get("drifted_columns", ()):
            return False
    if s.config_changed is not None or s.new_deploy or s.no_new_deploy or s.image_changed:
        shown = data.get("deploys", [])[-4:]
        recent = [d for d in shown if d.get("at", -10**9) >= page_at - LOOKBACK]
        if s.new_deploy and not recent:
            return False
        if s.no_new_deploy and (recent or not shown):
            return False
        if s.config_changed is not None and not any(
                a.get("config", {}).get(s.config_changed) != b.get("config", {}).get(
                    s.config_changed) for a, b in itertools.pairwise(shown)):
            return False
        if s.image_changed and not any(
                a.get("image") != b.get("image") and a.get("model_version") == b.get(
                    "model_version") for a, b in itertools.pairwise(shown)):
            return False
    return True


def absence(s: Signal) -> bool:
    """Evidence that something did not happen (no deploy, no drift, steady predictions): it
    rules causes out more than it points at one."""
    return s.no_new_deploy or (s.ratio_below is not None and s.metric == "pred_mean") or bool(
        s.text and re.search(r"PASS|unchanged|routine|Running, 0 not|0 drifted", s.text))


def _weights() -> dict[str, float]:
    """Rarer evidence says more: a signal shared by many kinds weighs less, and evidence of
    absence weighs less than evidence of a change."""
    counts: Counter[str] = Counter()
    weak: set[str] = set()
    for k in fault_kinds().values():
        counts.update({_generic_id(s.id) for s in k.signals})
        weak |= {_generic_id(s.id) for s in k.signals if absence(s)}
    return {sid: (0.3 if sid in weak else 1.0) / n for sid, n in counts.items()}


def confirming_looks(fits: list[Fit], model: str, done: set[str]) -> list[dict[str, Any]]:
    """The looks that would show the candidates' missing evidence, one per tool and metric,
    skipping what was already looked at."""
    out: list[dict[str, Any]] = []
    for fit in fits:
        for s in fit.kind.signals:
            if _generic_id(s.id) in fit.shown or absence(s):
                continue
            cmd: dict[str, Any] = {"do": s.tool, "model": model}
            if s.tool == "dashboard":
                if s.metric is None or "{" in s.metric:
                    continue
                cmd.update(metric=s.metric, window=180)
                if s.by_revision:
                    cmd["by"] = "revision"
            elif s.tool == "drift":
                cmd["feature"] = "all"
            elif s.tool == "logs":
                cmd["window"] = 60
            key = f"{cmd['do']}:{cmd.get('metric', '')}:{cmd.get('by', '')}"
            if key not in done:
                done.add(key)
                out.append(cmd)
    return out


_WEIGHTS: dict[str, float] | None = None


def fits(observations: list[Observation], page_at: int) -> list[Fit]:
    """Every fault kind with the weighted share of its evidence the observations show, best
    first."""
    global _WEIGHTS
    if _WEIGHTS is None:
        _WEIGHTS = _weights()
    out: list[Fit] = []
    for kind in fault_kinds().values():
        shown: dict[str, list[str]] = {}
        for s in kind.signals:
            sid = _generic_id(s.id)
            for o in observations:
                if o.id and shows(s, o, page_at):
                    shown.setdefault(sid, [])
                    if o.id not in shown[sid]:
                        shown[sid].append(o.id)
        ids = {_generic_id(s.id) for s in kind.signals}
        total = sum(_WEIGHTS[i] for i in ids) or 1.0
        got = sum(_WEIGHTS[i] for i in shown)
        out.append(Fit(kind, got / total + 0.05 * len(shown), shown))
    out.sort(key=lambda f: (-f.score, f.kind.id))
    return out


def fixing_moves(kind: FaultKind) -> list[Response]:
    """The kind's responses that fix it on the paged model, cheapest first: a fix of your own
    before waking a team."""
    rank = {"rollback": 0, "hotfix": 1, "escalate": 2}
    found = [r for r in kind.responses if r.outcome == "fixes" and r.when.model != "other"]
    return sorted(found, key=lambda r: rank[r.when.kind[0]])


def owner_team(kind: FaultKind) -> str | None:
    """The team whose answer changes something: the people who own this kind of fault."""
    for r in kind.responses:
        if r.when.kind == ["escalate"] and r.when.team and r.outcome in ("fixes", "partial"):
            return r.when.team[0]
    return None


def is_control(kind: FaultKind) -> bool:
    return kind.catalogue.startswith("N")
