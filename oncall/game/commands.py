"""The command language: one pydantic model per verb, shared by the TUI, the headless protocol,
the CLI help and replays. The models are the validation and the documentation at once.
"""

import re
from collections.abc import Callable, Collection, Mapping
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic.fields import FieldInfo

from oncall.game.record import Postmortem
from oncall.sim.catalogue import FIXES
from oncall.sim.fields import empty_list

if TYPE_CHECKING:
    from pydantic import TypeAdapter  # a night shift's commands make one; an incident none

__all__ = ["FIXES"]

Phase = Literal["paged", "active", "resolved", "ended"]
WORKING: tuple[Phase, ...] = ("paged", "active")

TESTS = ("auto", "ks", "chi2", "psi", "wasserstein", "js")


class Command(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    cost: ClassVar[int] = 0
    phases: ClassVar[tuple[Phase, ...]] = WORKING
    about: ClassVar[str] = ""


HELP_LISTS = ("fixes", "teams", "causes", "remediations", "models", "alerts")
"""What `help` lists besides the commands: the names other commands take."""


class Help(Command):
    do: Literal["help"]
    topic: str | None = Field(None, description="a command (help hotfix: its arguments) or a "
                              "list: " + ", ".join(HELP_LISTS))
    phases = ("paged", "active", "resolved", "ended")
    about = "the commands available now; help TOPIC: a command's arguments, or a list"


class Status(Command):
    do: Literal["status"]
    phases = ("paged", "active", "resolved", "ended")
    about = "the clock, the alerts firing, impact so far and team answers"


ACK_TARGET_MIN = 5
"""Minutes to acknowledge a page before it escalates to the secondary (the SRE target)."""


class Ack(Command):
    do: Literal["ack"]
    cost = 1
    phases = ("paged",)
    about = "acknowledge the page (target: within 5 minutes)"


class Fleet(Command):
    do: Literal["fleet"]
    cost = 1
    about = "every model: traffic, latency, errors and alerts right now"


class Dashboard(Command):
    do: Literal["dashboard"]
    model: str
    metric: str = Field(description="e.g. latency_p99_ms, error_rate, pred_mean, gpu_mem_frac, "
                                    "feature_mean:<feature>")
    window: int = Field(120, ge=10, le=10080, description="minutes back from now")
    by: Literal["revision"] | None = Field(None, description="split by deploy revision")
    cost = 2
    about = "a metric over time with its alert threshold"


class Logs(Command):
    do: Literal["logs"]
    model: str
    level: Literal["DEBUG", "INFO", "WARN", "ERROR"] | None = Field(None, description="minimum "
                                                                    "level")
    window: int = Field(30, ge=1, le=240)
    grep: str | None = None
    cost = 3
    about = "log lines of a model, filtered by level and text"


class Deploys(Command):
    do: Literal["deploys"]
    model: str
    cost = 2
    about = "registry versions and deploy revisions: who promoted what, when, canary %"


class Pipelines(Command):
    do: Literal["pipelines"]
    model: str
    cost = 3
    about = "the feature pipelines feeding a model: freshness, schema, nulls, upstream changes"


class Infra(Command):
    do: Literal["infra"]
    model: str
    cost = 3
    about = "nodes, pods, restarts, autoscaler, certificate of a model"


class Drift(Command):
    do: Literal["drift"]
    model: str
    feature: str = Field("prediction", description="a feature name, 'prediction', or 'all' "
                                                   "(every feature, corrected for many tests)")
    test: Literal["auto", "ks", "chi2", "psi", "wasserstein", "js"] = "auto"
    window: int = Field(60, ge=5, le=1440, description="minutes of live traffic vs training")
    correction: Literal["none", "bonferroni", "bh"] = Field(
        "bh", description="with feature=all: multiple-testing correction across features")
    cost = 4
    about = "a drift test of live traffic against the training reference"


class Labels(Command):
    do: Literal["labels"]
    model: str
    window: int = Field(180, ge=30, le=1440)
    cost = 4
    about = "F1 on the labels that have arrived (with coverage) and an estimate before them"


class Runbook(Command):
    do: Literal["runbook"]
    alert: str
    cost = 1
    about = "the runbook of an alert"


class Wait(Command):
    do: Literal["wait"]
    minutes: int = Field(5, ge=1, le=30)
    about = "let the clock run (watch a fix take effect, wait for a team)"

    @property
    def cost(self) -> int:  # type: ignore[override]
        return self.minutes


def _sev_number(value: Any) -> Any:
    """`SEV-2`, `sev2` or `Sev 2` is level 2: the words help and every runbook use."""
    if isinstance(value, str):
        found = re.fullmatch(r"\s*sev[-\s]?(\d+)\s*", value, re.IGNORECASE)
        if found:
            return int(found.group(1))
    return value


class Severity(Command):
    do: Literal["severity"]
    level: Annotated[int, BeforeValidator(_sev_number)] = Field(
        ge=1, le=5, description="1 critical ... 5 cosmetic (2 or SEV-2)")
    cost = 1
    about = "declare the incident severity (SEV-1 to SEV-5)"


class Update(Command):
    do: Literal["update"]
    message: str = Field(min_length=1)
    cost = 2
    about = "post a status update to stakeholders"


class Ticket(Command):
    do: Literal["ticket"]
    alert: str
    model: str
    note: str = ""
    cost = 1
    about = ("file a ticket for an alert that fired on the model and needs no action tonight "
             "(refused for one that has not fired there)")


class Diagnose(Command):
    do: Literal["diagnose"]
    category: Literal["data", "model", "infra"]
    cause: str = Field(description="a fault catalogue id, e.g. D4 (see help causes)")
    evidence: list[str] = Field(default_factory=empty_list,
                                description="observation ids, e.g. obs-3")
    incident: str | None = Field(None, description="the incident it explains, when a night has "
                                 "several (see status); default: the first page's")
    cost = 2
    about = "state the category, the root cause and the observations that show it"


class Rollback(Command):
    do: Literal["rollback"]
    model: str
    to: str | None = Field(None, description="a version (v13) or revision (r41); default: previous")
    incident: str | None = Field(None, description="the incident it acts on, when a night has "
                                 "several (see status)")
    cost = 6
    about = "roll a model back to an earlier version or deploy revision"


class Hotfix(Command):
    do: Literal["hotfix"]
    model: str
    fix: str = Field(description="one of the platform's fixes (see help fixes)")
    incident: str | None = Field(None, description="the incident it acts on, when a night has "
                                 "several (see status)")
    cost = 5
    about = "apply one of the platform's fixes to a model"


class Escalate(Command):
    do: Literal["escalate"]
    team: str = Field(description="one of the teams (see help teams)")
    message: str = ""
    model: str | None = None
    incident: str | None = Field(None, description="the incident it acts on, when a night has "
                                 "several (see status)")
    cost = 3
    about = "hand the problem to a team with a clear ask"


class Resolve(Command):
    do: Literal["resolve"]
    incident: str | None = Field(None, description="the incident to close, when a night has "
                                 "several (see status)")
    cost = 1
    phases = ("active",)
    about = "close the incident once the service level is back"


class Tune(Command):
    do: Literal["tune"]
    remediation: str = Field(description="a proposed monitor's id, e.g. mon-feature-range")
    threshold: float | None = Field(None, description="default: the monitor's own")
    for_min: int | None = Field(None, ge=0, le=120, description="minutes the condition must "
                                "hold; default: the monitor's own")
    phases = ("resolved",)
    about = ("the tuning lab: replay a monitor with a threshold and `for` over the week before "
             "the page (fire time, false alarms); put the values in the postmortem's tuning")


class PostmortemCmd(Postmortem, Command):
    """The postmortem as typed: the record's Postmortem fields, flat beside "do"."""

    do: Literal["postmortem"]
    phases = ("resolved",)
    about = "write the postmortem; ends the incident and scores it"


class Abandon(Command):
    do: Literal["abandon"]
    reason: str = Field("", description="why the run stops here (kept in the record)")
    phases = ("paged", "active", "resolved")
    about = "stop here without a postmortem: the run is scored and saved as abandoned"


COMMANDS: tuple[type[Command], ...] = (
    Help, Status, Ack, Fleet, Dashboard, Logs, Deploys, Pipelines, Infra, Drift, Labels, Runbook,
    Wait, Severity, Update, Ticket, Diagnose, Rollback, Hotfix, Escalate, Resolve, Tune,
    PostmortemCmd, Abandon,
)
VERBS: dict[str, type[Command]] = {
    c.model_fields["do"].annotation.__args__[0]: c for c in COMMANDS  # type: ignore[union-attr]
}
INVESTIGATIONS = ("fleet", "dashboard", "logs", "deploys", "pipelines", "infra", "drift", "labels",
                  "runbook")

AnyCommand = Annotated[
    Help | Status | Ack | Fleet | Dashboard | Logs | Deploys | Pipelines | Infra | Drift | Labels
    | Runbook | Wait | Severity | Update | Ticket | Diagnose | Rollback | Hotfix | Escalate
    | Resolve | Tune | PostmortemCmd | Abandon,
    Field(discriminator="do"),
]


class CommandError(ValueError):
    """A command that cannot be run: says which command, which field, and why."""

    def __init__(self, message: str, valid: list[str]) -> None:
        super().__init__(message)
        self.valid = valid


def parse(raw: Any, phase: Phase) -> Command:
    valid = available(phase)
    if not isinstance(raw, dict):
        raise CommandError(f"a command is a JSON object with a \"do\" key, got {raw!r:.60}", valid)
    if "do" not in raw:
        keys = ", ".join(repr(k) for k in list(raw)[:6]) or "none"
        raise CommandError(f"a command names its verb in a \"do\" key ({{\"do\": \"status\"}});"
                           f" this one has no \"do\" (its keys: {keys})", valid)
    verb = raw["do"]
    if verb not in VERBS:
        raise CommandError(f"unknown command {verb!r}", valid)
    cmd = validate(VERBS[verb], raw, valid)
    if phase not in cmd.phases:
        raise CommandError(f"{verb}: not available while the incident is {phase}", valid)
    return cmd


def cost_words(cost: object) -> str:
    """A verb's cost in a help line: its minutes, or "as typed" (`wait`'s are its own)."""
    return f"{cost:>4} min" if isinstance(cost, int) else "as typed"  # the same width


ARG_WORDS = {"model": "a model of the fleet (see help models)",
             "alert": "an alert rule (see help alerts)",
             "message": "what you say, in your own words"}
"""What an argument with no description of its own takes, in `help COMMAND`."""


def help_text(data: Mapping[str, Any], topic: str | None, verbs: Collection[str],
              described: Callable[[str], dict[str, Any]]) -> str:
    """What `help` prints: the commands available now (`data["commands"]`), one list of
    `HELP_LISTS` from `data`, or the arguments of one of `verbs` (every verb the session
    knows), as `described` gives them. Raises KeyError naming the topics when `topic` is none
    of them."""
    if topic is None:
        lines = [f"{d['do']:<11}{cost_words(d['minutes'])}  {d['summary']}"
                 for d in data["commands"]]
        lists = [k for k in HELP_LISTS if k in data]
        return "\n".join([*lines, f"help TOPIC for more: a command (help hotfix) or "
                                  f"{', '.join(lists)}"])
    if topic in HELP_LISTS and topic in data:
        items = data[topic]
        if isinstance(items, Mapping):
            width = max(map(len, items), default=0)
            return "\n".join(f"{k:<{width}}  {v}" for k, v in items.items())
        return "\n".join(str(v) for v in items)
    if topic in verbs:
        d = described(topic)
        usage = " ".join(k if a["required"] else f"[{k}]" for k, a in d["args"].items())
        lines = [f"{topic} {usage}".strip() + f"  ({cost_words(d['minutes']).strip()})",
                 f"  {d['summary']}"]
        width = max(map(len, d["args"]), default=0)
        for k, a in d["args"].items():
            said = a.get("about") or ARG_WORDS.get(k, a["type"])
            if "default" in a and a["default"] not in ("", []):
                said += f" (default {a['default']})"
            lines.append(f"  {k:<{width}}  {'required' if a['required'] else 'optional'}  "
                         f"{said}")
        return "\n".join(lines)
    raise KeyError(f"help: topic: unknown topic {topic!r}; valid: a command "
                   f"({', '.join(verbs)}) or {', '.join(k for k in HELP_LISTS if k in data)}")


def available(phase: Phase) -> list[str]:
    return [verb for verb, c in VERBS.items() if phase in c.phases]


def describe(verb: str, cls: type[Command] | None = None) -> dict[str, Any]:
    """The arguments of a verb, for `help`: name, type, default, description."""
    cls = cls or VERBS[verb]
    args = {}
    for name, f in cls.model_fields.items():
        if name == "do":
            continue
        key = arg_name(name, f)
        arg: dict[str, Any] = {"required": f.is_required()}
        arg["type"] = _type_words(f.annotation)
        if not f.is_required():
            default = f.get_default(call_default_factory=True)
            if default is not None and not isinstance(default, BaseModel):
                arg["default"] = default
        if f.description:
            arg["about"] = f.description
        args[key] = arg
    cost = cls.cost if isinstance(cls.cost, int) else "as given"
    return {"do": verb, "summary": cls.about, "minutes": cost, "args": args}


def arg_name(name: str, f: FieldInfo) -> str:
    """The name a player types for a field: its alias, else the first name it is read by
    (`about` for `about_`), else its own."""
    choice = f.validation_alias
    if isinstance(choice, AliasChoices):
        choice = next((c for c in choice.choices if isinstance(c, str)), None)
    return f.alias or (choice if isinstance(choice, str) else None) or \
        f.serialization_alias or name


def _type_words(ann: Any) -> str:
    """An argument's type as `help` says it: `one of: revision` for a choice (optional or not),
    `int`, `str | None`."""
    members = [a for a in get_args(ann) if a is not type(None)] \
        if get_origin(ann) in (Union, UnionType) else [ann]
    if len(members) == 1 and get_origin(members[0]) is Literal:
        return "one of: " + ", ".join(str(a) for a in get_args(members[0]))
    return getattr(ann, "__name__", None) or str(ann).replace("typing.", "")


def to_dict(cmd: Command) -> dict[str, Any]:
    """The canonical form of a command as it goes into the record."""
    return cmd.model_dump(mode="json", by_alias=True, exclude_defaults=True) | {
        "do": cmd.do  # type: ignore[attr-defined]
    }


def validate(adapter: "TypeAdapter[Any] | type[Command]", raw: dict[str, Any],
              valid: list[str], verbs: Mapping[str, type[Command]] = VERBS) -> Command:
    """`adapter`: a union tagged by `do` (its errors' places start with the tag) of the
    commands of `verbs`, or the verb's own class (built the first time its verb is given; its
    places start at the field). An unknown argument's error lists the verb's own."""
    verb = raw.get("do")
    try:
        cmd: Command = adapter.model_validate(raw) if isinstance(adapter, type) \
            else adapter.validate_python(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"] if isinstance(adapter, type) else err["loc"][1:]
        where = ".".join(str(p) for p in loc) or str(verb)
        reason = _reason(err)
        cls = adapter if isinstance(adapter, type) else verbs.get(str(verb))
        if err["type"] == "extra_forbidden" and len(loc) == 1 and cls is not None:
            takes = [arg_name(name, f) for name, f in cls.model_fields.items() if name != "do"]
            reason += f" ({verb} takes {', '.join(takes)})" if takes else \
                f" ({verb} takes none)"
        elif err["type"] == "missing" and len(loc) == 1 and cls is not None:
            field = cls.model_fields.get(str(loc[0]))
            if field is not None and field.description:  # what to type there
                reason += f" ({field.description})"
        raise CommandError(f"{verb}: {where}: {reason}", valid) from None
    return cmd


def _reason(err: Any) -> str:
    """Pydantic's message in the words of a command line: "at most 30", not "Input should be
    less than or equal to 30"."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown argument"
    if kind == "missing":
        return "required"
    if kind in ("less_than_equal", "greater_than_equal"):
        bound = ctx.get("le", ctx.get("ge"))
        return f"{'at most' if 'le' in ctx else 'at least'} {bound}, got {err.get('input')!r}"
    if kind == "int_parsing":
        return f"must be a whole number, got {err.get('input')!r}"
    if kind == "string_too_short":
        return "must not be empty"
    msg = str(err["msg"])
    return "must be " + msg[len("Input should be "):] if msg.startswith("Input should be ") \
        else msg
