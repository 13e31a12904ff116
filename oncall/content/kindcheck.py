"""A fault kind checked as if it were hostile: everything it names exists, every template renders.

Schema validation says a kind has the right shape. These checks say the rest, without playing a
night: every fix, team and metric it names exists; every number is finite; every regular
expression compiles, is short and cannot backtrack catastrophically; every template is a plain
`{dotted.name}` (no format spec, conversion, index or position) and renders against every model
the kind fits (a dry run of the namespace the fault engine builds), so a name the world cannot
answer is a problem with its file and field, not an internal error in the middle of a night.

Each check stops at its first problem per field, so one mistake is one line however many models
the kind fits.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterator
from typing import Any

from oncall.sim.catalogue import ARCHETYPES, FIXES, TEAMS, Archetype
from oncall.sim.faultdef import (
    PARAM_REF,
    CertificateEffect,
    DeployEntry,
    EventEffect,
    FaultKind,
    HpaEffect,
    NodesEffect,
    PipelineEntry,
    PodsEffect,
    resolve_config,
)
from oncall.sim.fleet import CONFIG_KEYS

MAX_REGEX_CHARS = 300
MAX_REPEAT = 1000
TEMPLATE_HINT = "valid: {params.NAME} or another dotted name"
SAFE_SPEC = re.compile(r",?\.[0-6][fg%]|,")
"""The only format specs a template may use: a precision (and a thousands separator), never a
width, a fill or a nested field (`{x:>999999999}` would build a gigabyte of padding)."""


def _choices(valid: Any, limit: int = 30) -> str:
    items = list(valid)
    more = f" (and {len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(str(i) for i in items[:limit]) + more


# -- templates ----------------------------------------------------------------------------------
def template_shape(text: str) -> str | None:
    """Why a template is refused before any value is filled in (None: a plain template)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"not a template: {exc} (write {{{{ and }}}} for literal braces)"
    for _, name, spec, conv in parts:
        if name is None:
            continue
        if name == "" or name[0].isdigit():
            return f"positional field {{{name}}} refused; {TEMPLATE_HINT}"
        if "[" in name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*", name):
            return (f"field {{{name}}} refused: no index or attribute access; "
                    f"{TEMPLATE_HINT}")
        if conv:
            return f"conversion !{conv} in {{{name}!{conv}}} refused; {TEMPLATE_HINT}"
        if spec and not SAFE_SPEC.fullmatch(spec):
            return (f"format spec in {{{name}:{spec[:20]}}} refused; valid: only a precision "
                    f"such as :.2f, :.3g or :.0%")
    return None


def _lookup(name: str, ns: dict[str, Any]) -> str | None:
    """Why a dotted name does not resolve in the namespace (None: it does)."""
    value: Any = ns
    done: list[str] = []
    for part in name.split("."):
        if part.startswith("_") or not isinstance(value, dict) or part not in value:
            here = value if isinstance(value, dict) else {}
            where = ".".join(done) or "the namespace"
            valid = sorted(k for k in here if not k.startswith("_"))
            return f"{{{name}}}: no {part!r} in {where}; valid: {_choices(valid) or 'none'}"
        value = value[part]
        done.append(part)
    return None


def render_problem(text: str, ns: dict[str, Any]) -> str | None:
    """Why a template does not render against the namespace (None: it does)."""
    shape = template_shape(text)
    if shape:
        return shape
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            missing = _lookup(name, ns)
            if missing:
                return missing
    return None


def _fill(text: str, ns: dict[str, Any], escape: bool = False) -> str:
    """The template filled in (values escaped for a regular expression, as the engine does)."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            value: Any = ns
            for part in name.split("."):
                value = value[part]
            out.append(re.escape(str(value)) if escape else str(value))
    return "".join(out)


# -- regular expressions ------------------------------------------------------------------------
def regex_problem(pattern: str) -> str | None:
    """Why a signal's regular expression is refused: it does not compile, is too long, repeats
    too much, or nests repetitions (`(a+)+`), which can backtrack for minutes on one log line."""
    if len(pattern) > MAX_REGEX_CHARS:
        return (f"regular expression of {len(pattern)} characters; valid: at most "
                f"{MAX_REGEX_CHARS}")
    try:
        re.compile(pattern)
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"not a regular expression: {exc}; valid: a pattern Python's re compiles"
    return _nested_repeat(tree, inside=False)


def _nested_repeat(tree: Any, inside: bool) -> str | None:
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in tree:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            if (hi is not c.MAXREPEAT and hi > MAX_REPEAT) or lo > MAX_REPEAT:
                return (f"a repetition of more than {MAX_REPEAT} refused; valid: a count up to "
                        f"{MAX_REPEAT}")
            many = hi is c.MAXREPEAT or hi > 1
            if many and inside:
                return ("nested repetition (such as (a+)+) refused: it can backtrack "
                        "catastrophically; valid: one repetition per group, such as a+b+")
            found = _nested_repeat(sub, inside or many)
            if found:
                return found
        elif op == c.SUBPATTERN:
            found = _nested_repeat(av[-1], inside)
            if found:
                return found
        elif op == c.BRANCH:
            for sub in av[1]:
                found = _nested_repeat(sub, inside)
                if found:
                    return found
        elif op in (c.ASSERT, c.ASSERT_NOT):
            found = _nested_repeat(av[1], inside)
            if found:
                return found
    return None


# -- numbers ------------------------------------------------------------------------------------
def leaves(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar of a dumped kind with its field path."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from leaves(v, f"{path}.{i}" if path else str(i))
    else:
        yield path or "(top)", obj


def non_finite(obj: Any) -> Iterator[str]:
    """The field paths holding NaN or an infinity."""
    return (p for p, v in leaves(obj) if isinstance(v, float) and not math.isfinite(v))


# -- the dry run --------------------------------------------------------------------------------
def fitting_models(kind: FaultKind) -> list[Archetype]:
    return [a for a in ARCHETYPES if kind.unfit(a) is None]


def model_metrics(arch: Archetype) -> list[str]:
    """The series a model of this archetype has (as `telemetry.metrics_of` lists them)."""
    from oncall.sim import telemetry as tm

    hw = tm.GPU_METRICS if arch.hardware == "gpu" else tm.CPU_METRICS
    feats = [f"{series}:{f.name}" for f in arch.features if f.kind == "continuous"
             for series in tm.FEATURE_SERIES]
    nulls = [f"feature_null_rate:{f.name}" for f in arch.features]
    nulls += [f"feature_unseen_rate:{f.name}" for f in arch.features if f.kind == "categorical"]
    nulls += [f"feature_age_min:{f.name}" for f in arch.features]
    return [*tm.BASE_METRICS, arch.quality_metric, "label_volume_ratio", *hw,
            *tm.CONTAINER_METRICS, *feats, *nulls]


def dry_params(kind: FaultKind, arch: Archetype) -> dict[str, Any]:
    """The parameter values a night of the kind on this model starts from: its domain's, else
    the defaults, a feature parameter falling back to the first feature of the right kind."""
    domain = kind.domain(arch.name)
    out: dict[str, Any] = {}
    for name, p in kind.params.items():
        v = domain.get(name, p.default)
        if p.type == "feature" and v not in {f.name for f in arch.features}:
            v = next((f.name for f in arch.features if p.feature_kind in (None, f.kind)), v)
        out[name] = v
    return out


def dry_namespace(kind: FaultKind, arch: Archetype) -> dict[str, Any]:
    """The names the fault engine fills templates from on this model, with stand-in values:
    what `Incident.setup` builds, before its history entries add theirs."""
    params = dry_params(kind, arch)
    gpu = arch.hardware == "gpu"
    config = {"batch_size": 32 if gpu else 1, "memory_limit_gi": 16 if gpu else 4,
              "max_replicas": 6, "timeout_ms": 200, "cpu_limit_m": 2000, "log_level": "INFO"}
    ns: dict[str, Any] = {
        "params": params, "onset": "02:00", "onset_iso": "2026-03-21T02:00:00Z",
        "model": {"name": arch.name, "owner": "owner", "team": arch.team,
                  "hardware": arch.hardware, "replicas": 2, "quality": arch.quality_metric},
        "old": dict(config), "new": dict(config),
        "versions": {"stable": "v1", "new": "v1"}, "image": {"old": "i:1", "new": "i:1"},
        "revision": 1,
    }
    feature = next((params[n] for n, p in kind.params.items() if p.type == "feature"), None)
    spec = next((f for f in arch.features if f.name == feature), None)
    if spec is not None:
        ns["feature"] = {"name": spec.name, "source": spec.source, "unit": spec.unit,
                         "kind": spec.kind}
        if spec.kind == "continuous":
            ns["ref"] = {"p01": 0.0, "p50": 1.0, "p99": 2.0, "mean": 1.0}
    if gpu:
        ns["gpu"] = {k: 1.0 for k in ("capacity_gib", "allocated_gib", "needed_gib",
                                      "tried_gib")} | {"type": "gpu"}
    return ns


Found = tuple[str, str]


def _history(kind: FaultKind, ns: dict[str, Any], refused: list[Found]) -> Iterator[Found]:
    """Render the history entries in order, adding what each puts in the namespace; a config
    value that cannot be set goes to `refused`."""
    for i, e in enumerate(kind.history):
        where = f"history.{i}"
        if isinstance(e, DeployEntry):
            new = dict(ns["new"])
            for k, v in e.config.items():
                if isinstance(v, str) and not PARAM_REF.match(v):
                    yield f"{where}.config.{k}", v
                    if render_problem(v, ns):
                        continue
                try:
                    new[k] = resolve_config(v, new.get(k), ns["params"],
                                            lambda text: _fill(text, ns))
                except ValueError as exc:
                    numbers = [n for n, x in new.items()
                               if isinstance(x, (int, float)) and not isinstance(x, bool)]
                    refused.append((f"{where}.config.{k}", f"{exc}; valid keys with a number: "
                                    f"{_choices(numbers)}"))
            if e.new_version:
                ns["versions"] = {"stable": "v1", "new": "v2"}
            if e.image_tag is not None:
                yield f"{where}.image_tag", e.image_tag
            ns["old"], ns["new"] = dict(ns["new"]), new  # as the engine: the note sees both
            yield f"{where}.note", e.note
        elif isinstance(e, PipelineEntry):
            m = PARAM_REF.match(e.source)
            if m:
                ns["source"] = str(ns["params"].get(m.group(1)))
            elif e.source == "feature.source":
                if "feature" not in ns:
                    yield f"{where}.source", "{feature.source}"
                    continue
                ns["source"] = ns["feature"]["source"]
            else:
                ns["source"] = e.source
            ns["schema"] = {"from": 1, "to": 1 + e.schema_bump}
            yield f"{where}.change", e.change


def _texts(kind: FaultKind, ns: dict[str, Any], refused: list[Found]
           ) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every template the engine fills, with its field path and the namespace it is filled
    from (log lines add the pod and the minute, events the crashing count and the autoscaler's
    size, answers the team)."""
    for where, text in _history(kind, ns, refused):
        yield where, text, ns
    for i, e in enumerate(kind.infra):
        if isinstance(e, PodsEffect):
            yield f"infra.{i}.last_state", e.last_state, ns
        elif isinstance(e, EventEffect):
            yield f"infra.{i}.message", e.message, {**ns, "crashing": 1, "replicas": 4}
        elif isinstance(e, HpaEffect):
            yield f"infra.{i}.last_state", e.last_state, ns
        elif isinstance(e, NodesEffect) and isinstance(e.value, str):
            yield f"infra.{i}.value", e.value, ns
        elif isinstance(e, CertificateEffect):
            yield f"infra.{i}.issuer_note", e.issuer_note, ns
    logs = {**ns, "pod": "pod", "minute": "02:00", "now_iso": "2026-03-21T02:00:00Z"}
    for i, t in enumerate(kind.logs):
        yield f"logs.{i}.template", t.template, logs
    for i, m in enumerate(kind.metrics):
        yield f"metrics.{i}.metric", m.metric, ns
    for i, r in enumerate(kind.rows):
        if r.category is not None:
            yield f"rows.{i}.category", r.category, ns
        for before, after in (r.mapping or {}).items():
            yield f"rows.{i}.mapping.{before}", after, ns
    for i, s in enumerate(kind.signals):
        for field in ("id", "text", "metric", "drifted"):
            text = getattr(s, field)
            if text is not None:
                yield f"signals.{i}.{field}", text, ns
    for k, v in kind.rollback.set.items():
        if isinstance(v, str) and not PARAM_REF.match(v):
            yield f"rollback.set.{k}", v, ns
    answer = {**ns, "team": "team", "fix": "fix"}
    for i, resp in enumerate(kind.responses):
        yield f"responses.{i}.message", resp.message, answer
    yield "otherwise.message", kind.otherwise.message, answer
    yield "otherwise.escalation", kind.otherwise.escalation, answer


def _feature_of(kind: FaultKind, name: str, params: dict[str, Any]) -> str:
    m = PARAM_REF.match(name)
    return str(params.get(m.group(1))) if m else name


NO_SERIES = "no model the kind fits has the series"
"""A metric a kind moves or reads must exist on some model it fits: a kind may move both
`gpu_util` and `cpu_util` to fit either hardware, but a name no model has is a typo."""

ROW_NEEDS = {"scale": "continuous", "shift": "continuous", "swap": "continuous",
             "jitter": "continuous", "remap": "categorical",
             "freeze": None, "nulls": None, "nan": None, "inject": "categorical"}
"""The feature kind each row operation works on (None: any)."""


def _on_model(kind: FaultKind, arch: Archetype) -> Iterator[Found]:
    """What the kind names on one model it fits: templates, metrics, features."""
    ns = dry_namespace(kind, arch)
    params = ns["params"]
    metrics = model_metrics(arch)
    feats = {f.name: f for f in arch.features}
    rendered: dict[str, str] = {}
    refused: list[Found] = []
    for where, text, space in _texts(kind, ns, refused):
        why = render_problem(text, space)
        if why and not kind.transform:
            yield where, f"{why} (on {arch.name})"
            continue
        rendered[where] = "" if why else _fill(text, space, escape=where.endswith(".text"))
    yield from refused
    for i, m in enumerate(kind.metrics):
        name = rendered.get(f"metrics.{i}.metric", m.metric)
        if name and name not in metrics:
            yield f"metrics.{i}.metric", (f"{NO_SERIES} {name!r}; valid on {arch.name}: "
                                          f"{_choices(metrics)}")
    for i, s in enumerate(kind.signals):
        series = rendered.get(f"signals.{i}.metric")
        if s.metric is not None and series and series not in metrics:
            yield f"signals.{i}.metric", (f"{NO_SERIES} {series!r}; valid on {arch.name}: "
                                          f"{_choices(metrics)}")
        col = rendered.get(f"signals.{i}.drifted")
        if s.drifted is not None and col and col != "prediction" and col not in feats:
            yield f"signals.{i}.drifted", (f"{arch.name} has no feature {col!r}; valid: "
                                           f"prediction, {_choices(feats)}")
        if s.text is not None and f"signals.{i}.text" in rendered:
            why = regex_problem(rendered[f"signals.{i}.text"])
            if why:
                yield f"signals.{i}.text", why
    for i, r in enumerate(kind.rows):
        for field, named in (("feature", r.feature), ("other", r.other)):
            if named is None:
                continue
            fname = _feature_of(kind, named, params)
            spec = feats.get(fname)
            need = ROW_NEEDS.get(r.op)
            if spec is None:
                yield f"rows.{i}.{field}", (f"{arch.name} has no feature {fname!r}; valid: "
                                            f"{_choices(feats)}")
            elif need is not None and spec.kind != need:
                ok = [n for n, f in feats.items() if f.kind == need]
                yield f"rows.{i}.{field}", (f"{r.op} works on a {need} feature; {fname!r} of "
                                            f"{arch.name} is {spec.kind}; valid: "
                                            f"{_choices(ok) or 'none'}")
        if r.op == "swap" and r.other is None:
            yield f"rows.{i}.other", "swap names the other feature"
        yield from _remap_problems(r, i, feats.get(_feature_of(kind, r.feature, params)), arch)


def _remap_problems(r: Any, i: int, spec: Any, arch: Archetype) -> Iterator[Found]:
    """A remap names the categories it renames, each one the training data knows; a mapping
    on another operation is a mistake."""
    if r.op != "remap":
        if r.mapping is not None:
            yield f"rows.{i}.mapping", (f"only remap takes a mapping, not {r.op}; valid: "
                                        "op remap, or no mapping")
        return
    if r.mapping is None:
        yield f"rows.{i}.mapping", ("remap needs a mapping of each category it renames "
                                    "to its new value; valid: a mapping such as {US: USA}")
    elif spec is not None and spec.kind == "categorical":
        for before in r.mapping:
            if before not in spec.categories:
                yield f"rows.{i}.mapping.{before}", (
                    f"{before!r} is not a category of {spec.name!r} on {arch.name}; valid: "
                    f"{_choices(spec.categories)}")


def _names(kind: FaultKind, remediation_ids: Any) -> Iterator[Found]:
    """The registries' names: fixes, teams, remediations, transforms."""
    for i, r in enumerate(kind.responses):
        for j, fix in enumerate(r.when.fix or []):
            if fix not in FIXES:
                yield f"responses.{i}.when.fix.{j}", (f"unknown fix {fix!r}; valid: "
                                                      f"{_choices(FIXES)}")
        for j, team in enumerate(r.when.team or []):
            if team not in TEAMS:
                yield f"responses.{i}.when.team.{j}", (f"unknown team {team!r}; valid: "
                                                       f"{_choices(TEAMS)}")
        if r.by not in ("you", "team") and r.by not in TEAMS:
            yield f"responses.{i}.by", f"unknown team {r.by!r}; valid: you, team, " \
                f"{_choices(TEAMS)}"
    yield from _shadow_and_rollback(kind)
    yield from _where_node(kind)
    yield from _crashing(kind)
    yield from _restarts_counted(kind)
    yield from _answers_as_outcome(kind)
    if remediation_ids is not None:
        for j, rid in enumerate(kind.remediations):
            if rid not in remediation_ids:
                yield f"remediations.{j}", (f"unknown remediation {rid!r}; valid: "
                                            f"{_choices(remediation_ids)}")
    for where in non_finite(kind.model_dump()):
        yield where, ("not a finite number (.nan and .inf are refused); valid: a finite number "
                      "or params.NAME")
    numeric = [n for n, p in kind.params.items() if p.type in ("float", "int")]
    for where, name in _number_refs(kind.model_dump(exclude={"params", "fits"})):
        p = kind.params.get(name)
        if p is not None and p.type not in ("float", "int"):
            yield where, (f"params.{name} is a {p.type} parameter; a number is needed here; "
                          f"valid: {_choices(_numeric_choices(numeric))}")


def _shadow_and_rollback(kind: FaultKind) -> Iterator[Found]:
    """Shadow log lines need a shadow revision; a rollback keeps or sets config keys a model
    has or a deploy of the kind sets."""
    deploys = [e for e in kind.history if isinstance(e, DeployEntry)]
    if not any(e.shadow for e in deploys):
        for i, t in enumerate(kind.logs):
            if t.pods == "shadow":
                yield f"logs.{i}.pods", ("no deploy of the kind has shadow: true, so no shadow "
                                         "pod writes it; valid: all, one, canary, or add a "
                                         "deploy with shadow: true")
    if not any(not e.shadow and (isinstance(e.canary_pct, str) or e.canary_pct < 100)
               for e in deploys):
        for i, e in enumerate(kind.infra):
            if isinstance(e, PodsEffect) and e.scope == "canary":
                yield f"infra.{i}.scope", ("no deploy of the kind is a canary (canary_pct "
                                           "under 100), so there are no canary pods; valid: "
                                           "all, or a deploy with canary_pct under 100")
    keys = [*CONFIG_KEYS, *dict.fromkeys(k for e in deploys for k in e.config)]
    for field, named in (("keep", list(kind.rollback.keep)), ("set", list(kind.rollback.set))):
        for j, k in enumerate(named):
            if k not in keys:
                where = f"rollback.keep.{j}" if field == "keep" else f"rollback.set.{k}"
                yield where, f"unknown config key {k!r}; valid: {_choices(keys)}"


EASES = re.compile(
    r"\b(?:recover(?:s|ed|ing|y)?|back to normal|improv(?:e|es|ed|ing)|calmer"
    r"|(?:drop|drops|fall|falls|ease|eases|help|helps) a little"
    r"|(?:stop|stops|stopped) (?:failing|timing out|being paused|crashing|being killed)"
    r"|(?:succeed|succeeds|pass|passes|serve|serves) again)\b", re.I)
"""Words that say the fault eased: a `none` or `worse` outcome leaves it as it is, or worse."""
NO_CHANGE = re.compile(r"\b(?:no change|changes nothing|nothing changes|nothing changed)\b",
                       re.I)
"""Words that say nothing changed: a `fixes` or `partial` outcome does change the fault."""


def _answers_as_outcome(kind: FaultKind) -> Iterator[Found]:
    """An answer says what its outcome does to the world: a `none` or `worse` one never says the
    fault eased, a `fixes` or `partial` one never that nothing changed (the `otherwise` answers
    are `none`)."""
    answers = [(f"responses.{i}.message", r.outcome, r.message)
               for i, r in enumerate(kind.responses)]
    answers += [("otherwise.message", "none", kind.otherwise.message),
                ("otherwise.escalation", "none", kind.otherwise.escalation)]
    for where, outcome, message in answers:
        claim = (EASES if outcome in ("none", "worse") else NO_CHANGE).search(message)
        if claim is None:
            continue
        does = {"none": "leaves the fault as it is", "worse": "makes the fault worse",
                "fixes": "stops the fault", "partial": "eases the fault for a while"}[outcome]
        yield where, (f"the outcome {outcome} {does}, but the message says "
                      f"{claim.group(0)!r}; valid: a message that says what the outcome does, "
                      "or the outcome the message describes")


NODE_FIELDS: dict[str, tuple[Any, ...]] = {"ready": (True,), "condition": ("DiskPressure",),
                                          "name": (), "gpu": (), "gpu_mem_used": (),
                                          "disk_used": ()}
"""The fields every node of the infra view has, with the values a node has without a nodes
effect (`condition: DiskPressure` once its disk is 90% full); () for values of the world's."""


def _where_node(kind: FaultKind) -> Iterator[Found]:
    """A `where_node` selects nodes by a field a node has, at a value one can have: a field the
    infra view lists, or one a nodes effect of the kind sets, at a value the effect sets."""
    set_by: dict[str, list[Any]] = {}
    for e in kind.infra:
        if isinstance(e, NodesEffect):
            set_by.setdefault(e.field, []).append(e.value)
    for i, e in enumerate(kind.infra):
        if not isinstance(e, PodsEffect) or e.where_node is None:
            continue
        for f, v in e.where_node.items():
            where = f"infra.{i}.where_node.{f}"
            if f not in NODE_FIELDS and f not in set_by:
                fields = dict.fromkeys([*NODE_FIELDS, *set_by])
                yield where, (f"no node has the field {f!r}; valid: {_choices(fields)} (the "
                              "infra view's node fields and those a nodes effect of the kind "
                              "sets)")
                continue
            values = [*NODE_FIELDS.get(f, ()), *set_by.get(f, [])]
            if (f in set_by or NODE_FIELDS.get(f)) and v not in values and not any(
                    isinstance(x, str) and "{" in x for x in values):
                yield where, (f"no node of the kind ever has {f} {v!r}, so it selects no pod; "
                              f"valid: {_choices(repr(x) for x in dict.fromkeys(values))}")


def _crashing(kind: FaultKind) -> Iterator[Found]:
    """An event's `{crashing}` counts the pods a pods effect of the kind takes down: without one
    it could only count every pod, whether or not any is down."""
    if any(isinstance(e, PodsEffect) for e in kind.infra):
        return
    for i, e in enumerate(kind.infra):
        if isinstance(e, EventEffect) and "{crashing}" in e.message:
            yield f"infra.{i}.message", ("{crashing} counts the pods a pods effect takes down, "
                                         "and the kind has none; valid: add a pods effect, or "
                                         "a message without {crashing}")


COUNTED_SERIES = "restarts"
"""The series the engine counts from the pods effects' restart counters (the infra view's), so
no metric effect may move it."""


def _restarts_counted(kind: FaultKind) -> Iterator[Found]:
    """The `restarts` series is the increase of the pods' restart counters the infra view
    shows: a metric effect on it would tell a second count that disagrees with the pods."""
    for i, m in enumerate(kind.metrics):
        if m.metric == COUNTED_SERIES:
            yield f"metrics.{i}.metric", (
                "restarts is counted from the pods' restart counters (the infra view's), not "
                "moved by a metric effect; valid: restarts and restarts_per_min on a pods "
                "infra effect ({kind: pods, restarts: 3, restarts_per_min: 0.4, ...})")


NAME_FIELDS = ("feature", "other", "source")
"""Fields where `params.NAME` names a feature or a source rather than a number."""


def _numeric_choices(names: list[str]) -> list[str]:
    return [f"params.{n}" for n in names] or ["a literal number"]


def _number_refs(obj: Any) -> Iterator[tuple[str, str]]:
    """The fields that read a number from `params.NAME` (a config key may take any type)."""
    for path, v in leaves(obj):
        m = PARAM_REF.match(v) if isinstance(v, str) else None
        if m and path.rsplit(".", 1)[-1] not in NAME_FIELDS and ".config." not in path \
                and not path.startswith("rollback.set."):
            yield path, m.group(1)


def kind_problems(kind: FaultKind, remediation_ids: Any = None) -> list[Found]:
    """Every field of the kind that names something absent or renders badly, once per field
    (the first model it fails on), as (field path, reason)."""
    seen: dict[str, str] = {}
    checks: list[Callable[[], Iterator[Found]]] = [lambda: _names(kind, remediation_ids)]
    models = fitting_models(kind)
    if not models:
        return [("fits", "no model of the fleet fits it; valid models: "
                 f"{_choices(a.name for a in ARCHETYPES)}")]
    checks += [lambda a=a: _on_model(kind, a) for a in models]  # type: ignore[misc]
    series_ok: set[str] = set()
    for n, check in enumerate(checks):
        fields_here = set()
        for where, why in check():
            fields_here.add(where)
            seen.setdefault(where, why)
        if n:  # a metric present on this model clears the field
            series_ok |= {w for w in _metric_fields(kind)} - fields_here
    return [(w, why) for w, why in seen.items()
            if not (why.startswith(NO_SERIES) and w in series_ok)]


def _metric_fields(kind: FaultKind) -> list[str]:
    return [f"metrics.{i}.metric" for i in range(len(kind.metrics))] + \
        [f"signals.{i}.metric" for i, s in enumerate(kind.signals) if s.metric is not None]
