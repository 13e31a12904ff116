"""The fault-definition format (faults/*.yaml): a fault kind as data the engine interprets.

A kind names its catalogue entry, the parameters a scenario may set (typed, with ranges and
defaults), and its effects, composed from a small library of primitives: telemetry, feature rows
and scores, infrastructure state, history entries, log lines, evidence signals and a response
table. Numbers in effects are either literals or `params.NAME`; text is a template filled from
the world (`{gpu.capacity_gib}`, `{ref.p01}`, `{params.batch_size}`), never a literal figure.
"""

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oncall.sim.catalogue import (
    ARCHETYPES_BY_NAME,
    FAULTS_BY_ID,
    Archetype,
    Category,
    ModelType,
)
from oncall.sim.fields import empty_list

Number = float | str
"""A literal, or `params.NAME` naming a numeric parameter."""
PARAM_REF = re.compile(r"^params\.([a-z_][a-z0-9_]*)$")
TEMPLATE_FIELD = re.compile(r"\{([a-z_][a-z0-9_.]*)(?:[:!][^{}]*)?\}")
Outcome = Literal["fixes", "partial", "none", "worse"]
Verb = Literal["rollback", "hotfix", "escalate"]
Tool = Literal["dashboard", "logs", "deploys", "pipelines", "infra", "drift", "labels"]


class Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class ParamDef(Strict):
    """A parameter a scenario may set."""

    type: Literal["float", "int", "str", "feature"]
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: list[str] | None = None
    feature_kind: Literal["continuous", "categorical"] | None = Field(
        None, description="for type feature: the kind of column it must be")
    about: str = ""

    @model_validator(mode="after")
    def _default_in_range(self) -> Self:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}; valid: min <= max")
        d = self.default
        if self.type in ("float", "int") and d is not None:
            if isinstance(d, bool) or not isinstance(d, (int, float)):
                raise ValueError(f"default {d!r} is not a number; valid: "
                                 f"{'an' if self.type == 'int' else 'a'} {self.type}")
            if (self.min is not None and d < self.min) or (self.max is not None and d > self.max):
                lo = "" if self.min is None else f"{self.min:g}"
                hi = "" if self.max is None else f"{self.max:g}"
                raise ValueError(f"default {d:g} is outside the parameter's own range; valid: "
                                 f"{'an' if self.type == 'int' else 'a'} {self.type} within "
                                 f"{lo}..{hi}")
        return self


class Fits(Strict):
    """The models a kind makes sense on. A random night is drawn only on a model that fits, and
    a scenario placing the kind on another model is a problem `oncall validate` reports: a
    recommender has no card-testing attack, a CPU model no GPU to run out of memory."""

    hardware: Literal["gpu", "cpu"] | None = Field(
        default=None, description="what the model runs on")
    model_types: list[ModelType] | None = Field(
        default=None, min_length=1, description="the model types it fits (default: every type)")
    models: dict[str, dict[str, Any]] | None = Field(
        default=None, min_length=1, description="only these models, each with the parameter "
        "values of its own domain (the feature, the partner, the experiment's name) that a "
        "random night uses as they are; without it, any model of the types and hardware given")


# -- telemetry ---------------------------------------------------------------------------------
class MetricEffect(Strict):
    """Move a named series while the fault is active, scaled by its intensity k in [0, 1].

    `add`: base + value·k; `scale`: base·(1 + (value − 1)·k); `towards`: base + (value − base)·k.
    `scope: canary` applies only to the canary's share of traffic (all of it on the canary series).
    `lag: labels` delays the effect by the model's label delay (quality seen through labels).
    `hold`: the series stops moving at its healthy value of the minute before the onset (what a
    dashboard shows of a target that is no longer scraped); `value` is unused.
    `countdown`: days left until the onset plus value, at every minute before it (a certificate
    or a quota running out), held at that course after the onset until a fix restores the base.
    `elapsed`: base + (minutes since the onset + value)·k (an age or a backlog that grows while
    a job is down, back to the base once a fix lands).
    """

    metric: str
    op: Literal["add", "scale", "towards", "countdown", "elapsed", "hold"]
    value: Number
    scope: Literal["all", "canary"] = "all"
    lag: Literal["none", "labels"] = "none"
    round: bool = False
    clip: tuple[float, float] | None = None
    lead: int = Field(0, ge=0, description="minutes before the onset the effect starts to build, "
                      "growing linearly to full at the onset (a leak that grows until it "
                      "bites)")


# -- rows and scores ---------------------------------------------------------------------------
class RowEffect(Strict):
    """Change the logged feature values the model is served (and the drift lab reads).

    `scale`: x·value; `shift`: x + value; `nulls`: a share of values missing (imputed by the
    model); `inject`: a share of rows take a category the training data never had; `freeze`: the
    value stops changing (the training median, as a stale materialisation serves); `swap`: two
    features exchange values; `nan`: a share of values become NaN; `jitter`: each value moves
    by its own draw of value × the feature's spread (a feature computed across two versions of
    what produces it: its values scatter and lose what they told the model); `remap`: values of
    a categorical feature are renamed as `mapping` says (an upstream vocabulary change: `US`
    arrives as `USA`), the values it does not name pass unchanged.
    """

    op: Literal["scale", "shift", "nulls", "inject", "freeze", "swap", "nan", "jitter",
                "remap"]
    feature: str = Field(description="a feature name or `params.NAME`")
    value: Number = 1.0
    share: Number = 1.0
    other: str | None = Field(None, description="for swap: the other feature")
    category: str | None = Field(None, description="for inject: the new category")
    mapping: dict[str, str] | None = Field(
        None, min_length=1, description="for remap: each category the training data knows, "
        "and the value (a template) it arrives as instead")
    scope: Literal["all", "canary"] = "all"


class ScoreEffect(Strict):
    """Change the scores the model serves. `affine`: sigmoid(a·logit + b) (a broken version);
    `shift`: logit + value; `constant`: every score equals value; `nan`: a share of scores NaN."""

    op: Literal["affine", "shift", "constant", "nan"]
    a: Number = 1.0
    b: Number = 0.0
    value: Number = 0.0
    share: Number = 1.0
    scope: Literal["all", "canary"] = "all"


class LabelEffect(Strict):
    """Change the ground truth that arrives for the model's requests (what the labels tool and
    the quality series read). `missing`: labels due while the fault is active never arrive (the
    label pipeline is down; they arrive again after a fix); `positive` / `negative`: a share of
    requests from the onset on have that outcome whatever the model sees (the relation between
    inputs and outcome changed: concept drift); `rescore`: outcomes follow the served inputs
    (the inputs really changed, and the model is right about them: a label shift)."""

    op: Literal["missing", "positive", "negative", "rescore"]
    share: Number = 1.0


# -- infrastructure ------------------------------------------------------------------------------
class PodsEffect(Strict):
    kind: Literal["pods"]
    status: str
    scope: Literal["all", "canary"] = Field(
        "all", description="`canary`: the canary revision's own pods (listed under it in the "
        "infra view, the ones `pods: canary` log lines come from), while it runs; `all`: the "
        "stable revision's")
    share: Number = 1.0
    restarts: Number = Field(0, description="each pod's container restarts the minute the effect "
                             "first takes it")
    restarts_per_min: Number = Field(0.0, description="restarts a minute more per pod at full "
                                     "intensity while the effect takes it; the `restarts` series "
                                     "is these counters' increase, summed over the pods")
    last_state: str = ""
    min_intensity: float = 0.3
    where_node: dict[str, Any] | None = Field(
        None, description="only pods on nodes whose fields have these values (e.g. "
        "`{ready: false}` after a nodes effect took a node out)")


class EventEffect(Strict):
    kind: Literal["event"]
    at: Number = Field(description="minutes after the onset (or params.NAME)")
    type: Literal["Normal", "Warning"] = "Warning"
    reason: str
    message: str
    says: str | None = Field(None, min_length=3, max_length=80, pattern=r"^[^{}]*$",
                             description="what the line says, in a few words a story can quote "
                             "aloud when the line is cited (default: its first clause of fixed "
                             "text)")


class NodesEffect(Strict):
    kind: Literal["nodes"]
    field: str
    value: Any
    min_intensity: float = 0.3
    count: int | None = Field(None, ge=1, description="only the first N nodes (default: all)")


class CertificateEffect(Strict):
    kind: Literal["certificate"]
    days_left: Number
    issuer_note: str = ""


class HpaEffect(Strict):
    """The model's autoscaler during the fault: `at_max` puts it at its replica ceiling (the
    infra view lists as many pods as the ceiling allows); `add` scales it up by that many
    replicas (up to the ceiling), whose pods take `status` and `last_state` (Pending: no node can
    place them). An event's message names the size it scales to as `{replicas}`."""

    kind: Literal["hpa"]
    at_max: bool | None = Field(None, description="true: at the ceiling (the default without add)")
    add: int = Field(0, ge=0, le=64, description="replicas the autoscaler adds")
    status: str = Field("Running", description="the added pods' status")
    last_state: str = ""
    min_intensity: float = 0.3

    @model_validator(mode="after")
    def _one(self) -> Self:
        if self.add and self.at_max:
            raise ValueError("an hpa effect puts the autoscaler at its ceiling or adds "
                             "replicas, not both; valid: at_max: true, or add: N")
        if not self.add and (self.status != "Running" or self.last_state):
            raise ValueError("status and last_state describe the pods an hpa effect adds; "
                             "valid: add: N with them, or neither")
        return self

    @property
    def to_max(self) -> bool:
        return self.at_max if self.at_max is not None else not self.add


InfraEffect = Annotated[PodsEffect | EventEffect | NodesEffect | CertificateEffect | HpaEffect,
                        Field(discriminator="kind")]


# -- history -----------------------------------------------------------------------------------
class Relative(Strict):
    """A config value set relative to the one before the deploy: `times` multiplies it, `add`
    adds to it (a ceiling halved, a timeout cut by 100 ms); an integer key stays an integer."""

    times: Number | None = None
    add: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.times is None) == (self.add is None):
            raise ValueError("a relative config value gives exactly one of times or add")
        return self


ConfigValue = Relative | bool | int | float | str
"""A config key's new value: a literal, `params.NAME`, a template (`{params.topic}`), or a
change relative to the old value."""


def resolve_config(value: ConfigValue, old: Any, params: dict[str, Any],
                   fill: Callable[[str], str]) -> Any:
    """The value a deploy sets a config key to, from what it was before (`old`), the incident's
    parameters and a template filler. Raise ValueError when a relative change meets a key that
    has no number to change."""
    def num(v: Number) -> float:
        m = PARAM_REF.match(v) if isinstance(v, str) else None
        return float(params[m.group(1)] if m else v)

    is_num = isinstance(old, (int, float)) and not isinstance(old, bool)
    if isinstance(value, Relative):
        if not is_num:
            raise ValueError(f"a relative change needs a number before the deploy; found {old!r}")
        new = old * num(value.times) if value.times is not None else \
            old + num(value.add)  # type: ignore[arg-type]
        return round(new) if isinstance(old, int) else round(new, 6)
    if isinstance(value, str):
        m = PARAM_REF.match(value)
        if m:
            value = params[m.group(1)]
        else:
            return fill(value)
    if is_num and isinstance(value, (int, float)) and not isinstance(value, bool):
        return type(old)(value)
    return value


class DeployEntry(Strict):
    """A deploy revision: a config change, an image bump, a new version on a canary, or a
    registry alias moved to another artifact."""

    kind: Literal["deploy"]
    at: Number = Field(-1, description="minutes relative to the onset (or params.NAME)")
    config: dict[str, ConfigValue] = Field(
        default_factory=dict, description="config keys set: a literal, params.NAME, a template "
        "such as '{params.topic}', or {times: N} / {add: N} relative to the old value")
    image_tag: str | None = Field(None, description="a new serving image tag (template)")
    new_version: bool = Field(False, description="register and deploy a new model version")
    artifact_note: str | None = Field(None, description="for a new version: how it was built")
    signature_change: bool = False
    canary_pct: Number = 100
    shadow: bool = Field(False, description="deploy the revision as a shadow beside the live one "
                         "(and any canary): it receives a mirror of the live traffic and serves "
                         "none of it; the deploys tool lists it as `shadow`")
    by_role: str = "deploy-bot"
    note: str

    @model_validator(mode="after")
    def _shadow_serves_nothing(self) -> Self:
        if self.shadow and self.canary_pct != 100:
            raise ValueError("shadow: a shadow revision serves no traffic, so it takes no "
                             "canary_pct; remove canary_pct or shadow")
        return self


class PipelineEntry(Strict):
    """A change in a feature pipeline: a producer release, a schema bump, a failed job."""

    kind: Literal["pipeline"]
    at: Number = Field(-1, description="minutes relative to the onset (or params.NAME)")
    source: str = Field(description="a source name, `params.NAME`, or `feature.source`")
    schema_bump: int = 1
    last_run_ok: bool = True
    freshness_min: int | None = Field(None, description="minutes since the last good run, if "
                                      "the pipeline stopped")
    by_role: str = "upstream-producer"
    by_system: str | None = Field(None, description="the system that wrote the entry (a "
                                  "scheduler's record of a failed run), shown instead of a "
                                  "person in the role")
    announced: bool = Field(True, description="a change its producer announced to consumers "
                            "(a release, a schema bump, a launch), which the producer's data "
                            "engineer defends against a revert; false for a failure or a load")
    change: str


HistoryEntry = Annotated[DeployEntry | PipelineEntry, Field(discriminator="kind")]


# -- logs ----------------------------------------------------------------------------------------
LOG_LEVELS = ("DEBUG", "INFO", "WARN", "ERROR")
"""Log levels, least severe first (the logs tool's `level` shows that level and above)."""


class LogTemplate(Strict):
    level: Literal["DEBUG", "INFO", "WARN", "ERROR"]
    every: int = Field(1, ge=1, description="one line every N minutes")
    phase: int = Field(0, ge=0, description="at minutes where minute % every == phase")
    per_minute: int = Field(1, ge=1, le=60, description="lines in each minute it writes, spread "
                            "over the minute (a flood of debug lines)")
    min_intensity: float = 0.3
    since: Number | None = Field(None, description="minutes relative to the onset (or "
                                 "params.NAME) from which it is written: a writer that started "
                                 "before the fault bit (a log level changed an hour before); "
                                 "default the onset")
    pods: Literal["all", "one", "canary", "shadow", "affected", "serving"] = Field(
        "all", description="the pods that write it: all, the first, the canary's, the "
        "shadow revision's (a deploy with `shadow: true`), `affected`: those the infra view "
        "shows in a status other than Running at that minute (a crash-looping pod writes its "
        "own crash), or `serving`: those it shows Running (a pod not ready gets no request to "
        "shed); while none is, the line is not written")
    template: str
    says: str | None = Field(None, min_length=3, max_length=80, pattern=r"^[^{}]*$",
                             description="what the line says, in a few words a story can quote "
                             "aloud when the line is cited (default: its first clause of fixed "
                             "text)")


# -- evidence ----------------------------------------------------------------------------------
class Signal(Strict):
    """Evidence an observation shows, judged from its own content. An observation shows the
    signal when it is of `tool` on the incident's model and every condition given holds."""

    id: str
    tool: Tool
    about: str = Field("", description="what the player sees, for facilitators")
    text: str | None = Field(None, description="a regular expression the observation's text "
                             "(or any log line it returned) matches")
    metric: str | None = Field(None, description="dashboard: the metric shown")
    above: Number | None = Field(None, description="dashboard: some value in the window above")
    below: Number | None = Field(None, description="dashboard: some value in the window below")
    ratio_above: Number | None = Field(None, description="dashboard: max/min over the window "
                                       "above this (a step)")
    ratio_below: Number | None = Field(None, description="dashboard: min/max over the window "
                                       "below this")
    by_revision: bool = Field(False, description="dashboard: split by revision, and the canary "
                              "series differs from stable by more than a third")
    drifted: str | None = Field(None, description="drift: this column (or `prediction`) shows "
                                "DRIFT")
    config_changed: str | None = Field(None, description="deploys: a shown deploy changed "
                                       "this config key")
    new_deploy: bool = Field(False, description="deploys: a deploy after onset − 6 h is shown")
    no_new_deploy: bool = Field(False, description="deploys: no deploy in the 6 h before the "
                                "onset, though the history is shown")
    image_changed: bool = Field(False, description="deploys: a shown deploy changed the serving "
                                "image while the model version stayed the same")


# -- responses ---------------------------------------------------------------------------------
class When(Strict):
    kind: list[Verb] = Field(min_length=1)
    fix: list[str] | None = None
    team: list[str] | None = None
    model: Literal["target", "other", "any"] = "target"


class Response(Strict):
    when: When
    outcome: Outcome
    message: str
    delay: int = Field(0, ge=0)
    by: str = Field("you", description="who acts: `you`, or the team answering")
    cost_usd_per_hour: float = 0.0


class Rollback(Strict):
    """What a rollback restores. By default a rollback redeploys the earlier revision as it was
    (its version, image and config); a key in `keep` lives outside the revision (a ConfigMap, a
    feature-store setting) and stays as it is now, and `set` gives keys the rollback sets."""

    keep: list[str] = Field(default_factory=empty_list, description="config keys a rollback leaves "
                            "as they are (they live outside the revision)")
    set: dict[str, ConfigValue] = Field(default_factory=dict, description="config keys a "
                                        "rollback sets: a literal, params.NAME, a template, or "
                                        "{times: N} / {add: N} relative to the current value")

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        both = sorted(set(self.keep) & set(self.set))
        if both:
            raise ValueError(f"keep and set both name {', '.join(both)}; a key is kept or set")
        return self


class Fallback(Strict):
    message: str
    escalation: str = Field(description="what an unrelated team answers; {team} is filled in")


CONFIG_DEPLOY_CAUSE = "I9"
"""The catalogue cause a config-only deploy's diff is the sign of (bad deploy config): every kind
set off by one overlaps it (`FaultKind.implied_alternatives`), and a deploys view that shows the
changed key is evidence of it (`Registry.signals_by_cause`)."""
IMPLIED_CREDIT = 0.5
"""The share of the cause points the implied alternative earns: as the shipped kinds key it by
hand (gpu_oom, serving_image_bump), it names the change but not what it broke."""


class AlternativeCause(Strict):
    """A cause a senior engineer would accept in part for every night of a kind: it describes
    the same failure from another side (a config-only deploy that ran the GPU out of memory is
    also a bad deploy config)."""

    cause: str = Field(description="fault catalogue id")
    credit: float = Field(gt=0, lt=1, description="share of the cause points it earns")
    why: str = Field(min_length=1, description="what it gets right and what it misses")


class FaultKind(Strict):
    """One fault kind: a catalogue entry made concrete as effects on the world."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    catalogue: str = Field(description="fault catalogue id, e.g. D4")
    category: Category
    title: str
    ramp: int = Field(2, ge=0, description="minutes from onset to full intensity")
    recovery: int = Field(4, ge=1, description="minutes from a fix to no effect")
    lasts: int | None = Field(None, ge=1, description="minutes after the onset the effect ends "
                              "by itself (a transient: a control needs no fix), fading over "
                              "`recovery` minutes")
    earlier: list[int] = Field(default_factory=empty_list, description="for a transient: minutes "
                               "before the onset (negative) at which the same transient "
                               "happened before (an alert that flaps night after night)")
    affected_share: Number | None = Field(None, description="share of requests served badly "
                                          "at full intensity (default: the canary's share for "
                                          "a canary fault, else all)")
    errors: Literal["fast", "timeout"] = Field(
        "fast", description="how the fault's failed requests end: at once (a refused "
        "connection, a 5xx) or after waiting out the serving timeout (`timeout`), which the "
        "latency percentiles then show: more than 1% of requests timing out puts p99 at the "
        "timeout")
    fits: Fits = Field(default_factory=Fits)
    severity: int = Field(ge=1, le=5, description="the severity a seasoned on-call declares "
                          "for it: the answer key of every night of this kind")
    remediations: list[str] = Field(min_length=1, description="remediation ids that fit it "
                                    "(monitors that would fire on it, tests that would stop "
                                    "it): the answer key of every night of this kind")
    alternatives: list[AlternativeCause] = Field(
        default_factory=empty_list, description="other causes that describe every night of "
        "this kind from another side, for part of the cause points: the answer key of every "
        "night of the kind, drawn or written, unless a scenario lists its own")
    params: dict[str, ParamDef] = Field(default_factory=dict)
    history: list[HistoryEntry] = Field(default_factory=empty_list)
    metrics: list[MetricEffect] = Field(default_factory=empty_list)
    rows: list[RowEffect] = Field(default_factory=empty_list)
    scores: list[ScoreEffect] = Field(default_factory=empty_list)
    labels: list[LabelEffect] = Field(default_factory=empty_list)
    infra: list[InfraEffect] = Field(default_factory=empty_list)
    logs: list[LogTemplate] = Field(default_factory=empty_list)
    signals: list[Signal] = Field(default_factory=empty_list)
    responses: list[Response] = Field(default_factory=empty_list)
    rollback: Rollback = Field(default_factory=Rollback, description="what a rollback "
                               "restores, where it is not simply the earlier revision's config")
    otherwise: Fallback
    transform: str | None = Field(None, description="a custom Python transform registered by "
                                  "name, for what the primitives cannot say")

    @model_validator(mode="before")
    @classmethod
    def _own_lines_are_evidence(cls, data: Any) -> Any:
        """Every line the fault writes is evidence of it: each log template (at any level) and
        each infra event not already matched by a signal of its tool becomes a signal of its
        own, named by what the line says (`log:request-deadline-exceeded`,
        `event:readiness-probe-failed`)."""
        if not isinstance(data, dict) or not isinstance(data.get("signals", []), list):
            return data
        signals = list(data.get("signals", []))
        written = [("logs", "log", t.get("template"), t.get("says"))
                   for t in data.get("logs", []) if isinstance(t, dict)]
        written += [("infra", "event", e.get("message"), e.get("says"))
                    for e in data.get("infra", [])
                    if isinstance(e, dict) and e.get("kind") == "event"]
        taken = {s.get("id") for s in signals if isinstance(s, dict)}
        for tool, what, text, says in written:
            if not isinstance(text, str) or _covered(text, tool, signals):
                continue
            pattern = _line_pattern(text)
            said = says.strip() if isinstance(says, str) and says.strip() else _gist(text)
            if pattern is None or not said:
                continue
            sid = base = f"{what}:{re.sub(r'[^a-z0-9]+', '-', said.lower()).strip('-')}"
            n = 1
            while sid in taken:
                n += 1
                sid = f"{base}-{n}"
            taken.add(sid)
            signals.append({"id": sid, "tool": tool, "text": pattern,
                            "about": f"{what} lines saying \u201c{said}\u201d"})
        return {**data, "signals": signals}

    @model_validator(mode="after")
    def _params_known(self) -> Self:
        """Every `params.NAME` an effect names is a declared parameter."""
        dump = self.model_dump(exclude={"params"})
        used = set(_param_refs(dump))
        unknown = sorted(used - set(self.params))
        if unknown:
            # Named at the first field that reads it (`path: reason`, which the loader reports
            # as the field), with every parameter that may be read there.
            where = next(path for path, v in _leaves(dump) if set(_param_refs(v)) & set(unknown))
            others = f" (nor {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
            valid = ", ".join(f"params.{n}" for n in self.params) or "none declared"
            raise ValueError(f"{where}: params.{unknown[0]} is not a declared parameter{others}; "
                             f"valid: {valid}, or declare it under params")
        problems = [f"fits.models.{name}: {why}" for name in self.fits.models or {}
                    for why in self._domain_problems(name)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def config_deploy(self) -> DeployEntry | None:
        """The config-only deploy that sets the kind off (config keys changed, no new image,
        model version or shadow), or None."""
        return next((h for h in self.history if isinstance(h, DeployEntry) and h.config
                     and h.image_tag is None and not h.new_version and not h.shadow), None)

    def implied_alternatives(self) -> list[AlternativeCause]:
        """Alternatives the kind's own effects make defensible, beside those it lists: a kind set
        off by a config-only deploy is also a bad deploy config (CONFIG_DEPLOY_CAUSE), seen from
        the change rather than from what it broke, so a hand-written kind is judged as fairly
        as a shipped one that keys it. Empty where the kind lists that cause or is it."""
        deploy = self.config_deploy()
        if deploy is None or self.catalogue == CONFIG_DEPLOY_CAUSE or any(
                a.cause == CONFIG_DEPLOY_CAUSE for a in self.alternatives):
            return []
        info = FAULTS_BY_ID.get(self.catalogue)
        broke = f"{info.name} ({self.catalogue})" if info else self.catalogue
        keys = ", ".join(sorted(deploy.config))
        return [AlternativeCause(
            cause=CONFIG_DEPLOY_CAUSE, credit=IMPLIED_CREDIT,
            why=f"the fault did start with a config-only deploy ({keys}), and its diff is the "
                f"sign of a bad deploy config; but {CONFIG_DEPLOY_CAUSE} stops at the deploy: "
                f"what the change broke is {broke}.")]

    def unfit(self, arch: Archetype) -> str | None:
        """Why the kind does not fit a model (None: it fits)."""
        f = self.fits
        if f.hardware and arch.hardware != f.hardware:
            return (f"{self.id} needs a {f.hardware.upper()} model; {arch.name} runs on "
                    f"{arch.hardware.upper()}")
        if f.model_types and arch.model_type not in f.model_types:
            return (f"{self.id} fits {', '.join(f.model_types)} models; {arch.name} is a "
                    f"{arch.model_type}")
        if f.models is not None and arch.name not in f.models:
            return f"{self.id} fits only {', '.join(sorted(f.models))}"
        for name, p in self.params.items():
            if p.type == "feature" and not any(p.feature_kind in (None, x.kind)
                                               for x in arch.features):
                return f"{self.id} needs a {p.feature_kind} feature ({name}); {arch.name} has none"
        return None

    def domain(self, model: str) -> dict[str, Any]:
        """The parameter values of the model's own domain (empty where the kind names none)."""
        return dict((self.fits.models or {}).get(model, {}))

    def _domain_problems(self, model: str) -> list[str]:
        arch = ARCHETYPES_BY_NAME.get(model)
        if arch is None:
            return [f"unknown model; valid: {', '.join(sorted(ARCHETYPES_BY_NAME))}"]
        out = []
        for name, v in self.domain(model).items():
            p = self.params.get(name)
            if p is None:
                out.append(f"{name}: not a parameter of {self.id}; declared: "
                           f"{', '.join(self.params) or 'none'}")
            elif p.type == "feature":
                ok = [x.name for x in arch.features if p.feature_kind in (None, x.kind)]
                if v not in ok:
                    what = f"a {p.feature_kind}" if p.feature_kind else "a"
                    out.append(f"{name}: {v!r} is not {what} feature of {model}; valid: "
                               f"{', '.join(ok)}")
            elif p.type in ("float", "int"):
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                        (p.min is None or v >= p.min) and (p.max is None or v <= p.max)):
                    out.append(f"{name}: {v!r} is not a {p.type} within {p.min}..{p.max}")
            elif not isinstance(v, str):
                out.append(f"{name}: must be text, got {v!r}")
        unfit = self.unfit(arch)
        if unfit:
            out.append(unfit)
        return out


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
MIN_LITERAL = 12
"""Characters of fixed text a log line or event needs before it is its own evidence: shorter,
it could match lines the fault did not write."""


def _line_pattern(template: str) -> str | None:
    """A signal's text matching any line written from the template: its fixed text exactly, each
    field as any text (braces doubled, as a signal's text is itself a template)."""
    parts = _PLACEHOLDER.split(template)
    if sum(len(p.strip()) for p in parts) < MIN_LITERAL:
        return None
    return ".+?".join(re.escape(p).replace("{", "{{").replace("}", "}}") for p in parts)


_TRAILING = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or",
                       "the", "to", "with"})


def _gist(template: str) -> str:
    """What a line says, short enough to quote aloud: its first clause of fixed text (between
    fields, colons, semicolons, brackets and sentence ends) with three words or more, else its
    longest; at most twelve words, without a dangling preposition."""
    clauses = [c.strip(" ,.=-+/") for c in re.split(r"\{[^{}]*\}|[:;()\[\]]|\.\s", template)]
    clauses = [c for c in clauses if re.search(r"[A-Za-z]", c)]
    if not clauses:
        return ""
    text = next((c for c in clauses if len(c.split()) >= 3), max(clauses, key=len))
    words = text.split()[:12]
    while words and words[-1].lower().strip(",.") in _TRAILING:
        words.pop()
    return " ".join(words).strip(" ,.=")


def _covered(template: str, tool: str, signals: list[Any]) -> bool:
    """Whether a signal of the tool already matches lines of the template (its fields as a
    number, the signal's own fields as any text)."""
    sample = _PLACEHOLDER.sub("1", template)
    for sig in signals:
        text = sig.get("text") if isinstance(sig, dict) and sig.get("tool") == tool else None
        if isinstance(text, str):
            try:
                if re.search(_PLACEHOLDER.sub(".+", text), sample):
                    return True
            except re.error:
                continue
    return False


def _leaves(obj: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every scalar of a dumped kind with its dotted field path (`infra.2.value`)."""
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _leaves(v, f"{path}.{k}" if path else str(k))]
    if isinstance(obj, (list, tuple)):
        return [x for i, v in enumerate(obj) for x in _leaves(v, f"{path}.{i}" if path else str(i))]
    return [(path or "(top)", obj)]


def _param_refs(obj: Any) -> list[str]:
    if isinstance(obj, str):
        found = [m.group(1) for m in [PARAM_REF.match(obj)] if m]
        found += [f.split(".", 1)[1] for f in TEMPLATE_FIELD.findall(obj)
                  if f.startswith("params.")]
        return found
    if isinstance(obj, dict):
        return [r for v in obj.values() for r in _param_refs(v)]
    if isinstance(obj, (list, tuple)):
        return [r for v in obj for r in _param_refs(v)]
    return []
