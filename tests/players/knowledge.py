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
import string
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from oncall.content.kinds import fault_kinds
from oncall.game.record import Observation
from oncall.sim.catalogue import QUALITY_METRICS
from oncall.sim.faultdef import FaultKind, ParamDef, Response, Signal

FIELD = re.compile(r"\{[^{}]*\}")
LOOKBACK = 6 * 60


QUALITY = "(?:" + "|".join(m for m, _, _ in QUALITY_METRICS.values()) + ")"


def _literal(template: str, wild: str) -> str:
    """A template read the way the engine fills it (`str.format`): its literal text with `{{`
    and `}}` unescaped (`[A-Z]{{3}}` is the regex `[A-Z]{3}`) and `wild` where each field
    stands."""
    return "".join(literal + ("" if field is None else wild)
                   for literal, field, _, _ in string.Formatter().parse(template))


def _pattern(template: str) -> str:
    return _literal(template.replace("{model.quality}", QUALITY), r"[\w.:%/-]+")


NUMBER = r"[-+]?\d+(?:\.\d+)?"
PARAM = re.compile(r"^params\.([a-z_][a-z0-9_]*)$")


def _bounded(template: str, params: dict[str, ParamDef]) -> tuple[str, list[ParamDef]]:
    """A template as a regex whose numeric parameters (`{params.canary_pct}`) are captured as
    numbers, with the definitions that bound them: a canary's share is 1-99%, so "canary 100%"
    is a full rollout, not a canary."""
    out: list[str] = []
    bounds: list[ParamDef] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        out.append(_pattern(literal.replace("{", "{{").replace("}", "}}")))
        if field is None:
            continue
        m = PARAM.match(field)
        p = params.get(m.group(1)) if m else None
        if p is not None and p.type in ("int", "float") and (p.min is not None
                                                             or p.max is not None):
            out.append(f"(?P<p{len(bounds)}>{NUMBER})")
            bounds.append(p)
        else:
            out.append(_pattern("{" + field + "}"))
    return "".join(out), bounds


def _in_range(value: str, p: ParamDef) -> bool:
    v = float(value)
    return (p.min is None or v >= p.min) and (p.max is None or v <= p.max)


def matches(template: str, body: str, params: dict[str, ParamDef] | None = None) -> bool:
    """Whether some text in `body` reads as this template filled: fields a player cannot know
    match anything, and a numeric parameter only a number within its declared range."""
    pattern, bounds = _bounded(template, params or {})
    for m in re.finditer(pattern, body):
        if all(_in_range(m.group(f"p{i}"), p) for i, p in enumerate(bounds)):
            return True
    return False


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


def shows(s: Signal, obs: Observation, page_at: int,
          params: dict[str, ParamDef] | None = None) -> bool:
    """Whether an observation's own content shows a signal of this shape; `params` are the
    kind's declared parameters, which bound the numbers its templates are filled with."""
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
            if not matches(template, body, params):
                return False
        except (re.error, ValueError):
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
        if ra is not None and not (hi > 0 and (lo == 0 or hi / lo > ra)):
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
        s.text and re.search(r"PASS|unchanged|routine|Running, 0 not|0 drifted|normal band",
                             s.text))


def shape(s: Signal) -> str:
    """What a signal asks of a screen, whatever its id: evidence of the same shape (a new deploy,
    an error rate above 5%) says as little as the number of kinds that leave it allows."""
    return "|".join(f"{k}={v}" for k, v in s.model_dump(exclude={"id", "about"}).items()
                    if v not in (None, False))


def _weights() -> dict[str, float]:
    """Rarer evidence says more: a signal whose shape many kinds share weighs less, and evidence
    of absence weighs less than evidence of a change."""
    counts: Counter[str] = Counter()
    for k in fault_kinds().values():
        counts.update({shape(s) for s in k.signals})
    return {shape(s): (0.3 if absence(s) else 1.0) * specific(s) / counts[shape(s)]
            for k in fault_kinds().values() for s in k.signals}


def specific(s: Signal) -> float:
    """A text that is mostly template fields (`{source} v{schema.to}`) matches many lines: it
    says as much as the literal words it holds."""
    if s.text is None:
        return 1.0
    return min(1.0, len(_literal(s.text, "").strip()) / 10)


def looked_for(s: Signal, obs: Observation) -> bool:
    """Whether this observation is a look that would have shown the signal had it been there:
    the same tool (the same metric on a dashboard, a split by revision when the signal needs one),
    and for logs, a look at every level (an ERROR-only look cannot rule out a WARN line)."""
    if not obs.ok or obs.kind != s.tool:
        return False
    data = obs.data
    if s.tool == "logs":
        return any(ln.get("level") == "INFO" for ln in data.get("lines", ()))
    if s.tool == "dashboard":
        if s.metric is None or not re.fullmatch(_pattern(s.metric), str(data.get("metric", ""))):
            return False
        if "{" in s.metric:
            return False  # one feature's series: a look at another feature's rules nothing out
        return not s.by_revision or bool(data.get("series"))
    if s.tool == "drift":
        return data.get("feature") in (None, "all") or "drifted_columns" in data
    return True


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

_READ: dict[int, tuple[Observation, int, object, dict[str, list[tuple[bool, bool]]]]] = {}
"""What each observation shows of every kind's signals, and whether it looked for each (`shows`,
`looked_for`), by the observation's identity, the page and the kind registry read: a player
asks `fits` after every look, over everything seen so far, and an observation never changes."""


def _read(o: Observation, page_at: int, registry: Any) -> dict[str, list[tuple[bool, bool]]]:
    hit = _READ.get(id(o))
    if hit is not None and hit[0] is o and hit[1] == page_at and hit[2] is registry:
        return hit[3]
    if len(_READ) > 4096:
        _READ.clear()
    no = (False, False)  # a look with another tool shows no signal and looks for none
    verdicts = {kind.id: [(shows(s, o, page_at, kind.params), looked_for(s, o))
                          if o.ok and s.tool == o.kind else no for s in kind.signals]
                for kind in registry.values()}
    _READ[id(o)] = (o, page_at, registry, verdicts)
    return verdicts


def fits(observations: list[Observation], page_at: int) -> list[Fit]:
    """Every fault kind with the weighted share of its evidence the observations show, less half
    the share that a look would have shown but did not (a kind that needs no deploy, when the
    deploy history shows one), best first."""
    global _WEIGHTS
    if _WEIGHTS is None:
        _WEIGHTS = _weights()
    registry = fault_kinds()
    read = [(o.id, _read(o, page_at, registry)) for o in observations if o.id]
    out: list[Fit] = []
    for kind in registry.values():
        shown: dict[str, list[str]] = {}
        missing: set[str] = set()
        weight: dict[str, float] = {}
        for at, s in enumerate(kind.signals):
            sid = _generic_id(s.id)
            weight[sid] = max(weight.get(sid, 0.0), _WEIGHTS[shape(s)])
            for oid, verdicts in read:
                if verdicts[kind.id][at][0]:
                    shown.setdefault(sid, [])
                    if oid not in shown[sid]:
                        shown[sid].append(oid)
            if sid not in shown and any(verdicts[kind.id][at][1] for _, verdicts in read):
                missing.add(sid)
        missing -= set(shown)
        total = sum(weight.values()) or 1.0
        got = sum(weight[i] for i in shown) - 0.5 * sum(weight[i] for i in missing)
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
