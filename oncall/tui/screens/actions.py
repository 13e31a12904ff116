"""The war-room actions as data: key, label, the form each asks, and the command it sends.

The war room, its footer, its help and the command palette all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oncall.tui.screens.form import FormField

if TYPE_CHECKING:
    from oncall.game.engine import Game


@dataclass(frozen=True)
class Action:
    name: str
    key: str
    label: str
    about: str
    show: bool = False
    """Shown in the footer (the rest are in help, F1, and the palette)."""


ACTIONS: tuple[Action, ...] = (
    Action("ack", "a", "Ack", "acknowledge the page", True),
    Action("dashboard", "d", "Dash", "chart a metric with its alert threshold", True),
    Action("drift", "f", "Drift", "drift lab: live traffic against training", True),
    Action("logs", "l", "Logs", "log lines of a model", True),
    Action("deploys", "v", "Deploys", "registry versions and deploys"),
    Action("pipelines", "p", "Pipelines", "feature pipelines and upstream changes"),
    Action("infra", "i", "Infra", "nodes, pods, restarts, certificate"),
    Action("labels", "b", "Labels", "F1 on arrived labels"),
    Action("runbook", "n", "Runbook", "the runbook of an alert"),
    Action("fleet", "o", "Fleet", "every model right now"),
    Action("status", "c", "Status", "clock, firing alerts, impact (free)"),
    Action("severity", "s", "Severity", "declare SEV-1..5"),
    Action("update", "u", "Update", "post a status update"),
    Action("ticket", "t", "Ticket", "ticket an alert for working hours"),
    Action("diagnose", "g", "Diagnose", "category, cause and evidence", True),
    Action("hotfix", "x", "Fix", "apply a platform fix", True),
    Action("rollback", "z", "Rollback", "roll a model back"),
    Action("escalate", "e", "Escalate", "hand to a team with a message"),
    Action("wait", "w", "Wait", "let the clock run"),
    Action("resolve", "r", "Resolve", "close the incident", True),
)
NO_FORM = ("ack", "fleet", "status", "resolve")
"""Actions that send their command at once."""
PER_MODEL = ("dashboard", "drift")
"""Actions whose second form depends on the model picked first (metrics, features)."""


def paged_model(game: Game) -> str:
    alerts = game.record.facts.page_alerts or game.record.facts.noise_alerts
    return alerts[0].model if alerts else game.world.fleet.names()[0]


def _models(game: Game, default: str | None = None) -> FormField:
    names = game.world.fleet.names()
    return FormField("model", "Model", "select", [(n, n) for n in names],
                     default=default or paged_model(game))


def alert_metric(game: Game, model: str, metrics: list[str]) -> str:
    """The metric behind the alert paging on this model: where an on-call looks first."""
    from oncall.sim.alerts import RULES_BY_NAME

    f = game.record.facts
    for a in f.page_alerts + f.noise_alerts:
        rule = RULES_BY_NAME.get(a.rule)
        if a.model == model and rule is not None and rule.metric in metrics:
            return rule.metric
    return metrics[0]


def _alerts(game: Game) -> list[tuple[str, str]]:
    from oncall.sim.alerts import RULES_BY_NAME

    f = game.record.facts
    first = [a.rule for a in f.page_alerts + f.noise_alerts]
    rest = sorted(r for r in RULES_BY_NAME if r not in first)
    return [(r, r) for r in dict.fromkeys(first + rest)]


def form_for(name: str, game: Game, entries: list[tuple[dict[str, Any], Any]],
             model: str | None = None) -> list[FormField]:
    """The fields an action asks for; `model` is given for the second step of PER_MODEL.
    A field is required where the verb's command model requires it."""
    from oncall.game.commands import VERBS

    fields = _fields(name, game, entries, model)
    spec = VERBS[name].model_fields if name in VERBS else {}
    for f in fields:
        f.required = f.name in spec and spec[f.name].is_required()
    return fields


def _fields(name: str, game: Game, entries: list[tuple[dict[str, Any], Any]],
            model: str | None) -> list[FormField]:
    from oncall.game.commands import FIXES, TESTS
    from oncall.sim.catalogue import TEAMS

    if name == "dashboard" and model:
        from oncall.sim.telemetry import metrics_of

        metrics = list(metrics_of(game.world.model(model)))
        return [FormField("metric", f"Metric of {model}", "select", [(m, m) for m in metrics],
                          default=alert_metric(game, model, metrics)),
                FormField("window", "Window (minutes back)", default=120),
                FormField("by", "Split", "radio", [("one line", ""), ("by revision",
                                                                         "revision")],
                          default="")]
    if name == "drift" and model:
        kinds = {"prediction": "continuous",
                 **{f.name: str(f.kind) for f in game.world.model(model).features}}
        return [FormField("feature", f"Feature of {model}", "select",
                          [(f"{f} ({k})", f) for f, k in kinds.items()]
                          + [("all: every feature, corrected threshold", "all")],
                          default="prediction"),
                FormField("test", "Test (the ones that fit the feature's kind)", "radio",
                          [(t, t) for t in TESTS], default="auto",
                          allowed_by=("feature", {f: fitting_tests(k) for f, k in kinds.items()})),
                FormField("window", "Window (minutes of live traffic)", default=60)]
    if name in ("dashboard", "drift", "deploys", "pipelines", "infra"):
        return [_models(game)]
    if name == "labels":
        return [_models(game), FormField("window", "Window (minutes)", default=180)]
    if name == "logs":
        return [_models(game),
                FormField("level", "Minimum level", "radio",
                          [(x, x) for x in ("ALL", "INFO", "WARN", "ERROR")], default="ALL"),
                FormField("window", "Window (minutes)", default=30),
                FormField("grep", "Text to find", placeholder="optional")]
    if name == "runbook":
        return [FormField("alert", "Alert", "select", _alerts(game), default=_alerts(game)[0][1])]
    if name == "severity":
        return [FormField("level", "Severity", "radio", [(f"SEV-{i}", str(i)) for i in
                                                         range(1, 6)], default="2")]
    if name == "update":
        return [FormField("message", "Status update", placeholder="what, impact, next update")]
    if name == "ticket":
        return [FormField("alert", "Alert", "select", _alerts(game)), _models(game),
                FormField("note", "Note", placeholder="optional")]
    if name == "diagnose":
        from oncall.game.commands import INVESTIGATIONS
        from oncall.sim.catalogue import FAULTS

        cited = [(f"{o.id} {o.clock} {o.kind}: {_first_line(o.text)}", o.id)
                 for _, o in entries if o.ok and o.id and o.kind in INVESTIGATIONS]
        return [FormField("category", "Category", "radio",
                          [(c, c) for c in ("data", "model", "infra")], default="data"),
                FormField("cause", "Root cause (fault catalogue)", "select",
                          [(f"{f.id} {f.category}: {f.name}", f.id) for f in FAULTS]),
                FormField("evidence", "Evidence (space toggles)", "multi", cited)]
    if name == "hotfix":
        return [_models(game), FormField("fix", "Fix", "select",
                                         [(f"{k}: {v}", k) for k, v in FIXES.items()])]
    if name == "rollback":
        return [_models(game), FormField("to", "To version/revision",
                                         placeholder="v13 or r2; blank: previous")]
    if name == "escalate":
        return [FormField("team", "Team", "select", [(f"{k}: {v}", k) for k, v in TEAMS.items()]),
                FormField("message", "Message", placeholder="a clear ask"),
                _models(game)]
    if name == "wait":
        return [FormField("minutes", "Minutes (1-30)", default=5)]
    return []


def _versions_hint(game: Game) -> str:
    """The placeholder names real versions of the paged model, never made-up ones."""
    model = game.world.model(paged_model(game))
    versions = [v.version for v in model.versions]
    older = versions[-2] if len(versions) > 1 else versions[-1]
    return f"e.g. {older} or r{max(1, len(model.deploys) - 1)}; blank: the previous one"


def fitting_tests(kind: str) -> tuple[str, ...]:
    """The drift tests that apply to a column of this kind ("auto" always does)."""
    from oncall.detect.stattests import KINDS

    return ("auto", *(t for t, kinds in KINDS.items() if kind in kinds))


def _first_line(text: str, width: int = 40) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def to_command(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Form values to an engine command; the engine validates types and ranges."""
    cmd: dict[str, Any] = {"do": name}
    for key, value in values.items():
        if value in ("", None) or (key == "level" and value == "ALL"):
            continue
        cmd[key] = value
    return cmd



def vocabulary(game: Game, entries: list[tuple[dict[str, Any], Any]], field: str,
               cmd: dict[str, Any]) -> list[str]:
    """The values the command line completes a field with: the same tables the forms list
    (fleet, metrics and features of the model named, fixes, teams, alerts, causes, obs ids)."""
    from oncall.game.commands import FIXES, INVESTIGATIONS, TESTS
    from oncall.sim.catalogue import FAULTS, TEAMS

    fleet = game.world.fleet.models
    model = fleet.get(str(cmd.get("model", "")))
    if field == "model":
        return game.world.fleet.names()
    if field == "metric" and model is not None:
        from oncall.sim.telemetry import metrics_of

        return list(metrics_of(model))
    if field == "feature" and model is not None:
        return [f.name for f in model.features] + ["prediction", "all"]
    if field == "evidence":
        return [o.id for _, o in entries if o.ok and o.id and o.kind in INVESTIGATIONS]
    tables: dict[str, list[str]] = {
        "fix": list(FIXES), "team": list(TEAMS), "alert": [a for a, _ in _alerts(game)],
        "cause": [f.id for f in FAULTS], "category": ["data", "model", "infra"],
        "test": list(TESTS), "level": ["INFO", "WARN", "ERROR"],
        "incident": list(game.world.incidents)}
    return tables.get(field, [])


def describe_value(game: Game, entries: list[tuple[dict[str, Any], Any]], field: str,
                   value: str, verbs: Any = None) -> str:
    """One line on a value the command line offers, from the same tables the forms and the
    help read: what a verb does, what a cause, fix, team or alert is, what an obs id showed."""
    from oncall.game.commands import FIXES, VERBS
    from oncall.sim.alerts import RULES_BY_NAME
    from oncall.sim.catalogue import FAULTS, TEAMS

    verbs = verbs or VERBS
    if field == "verb":
        cls = verbs.get(value)
        return str(cls.about) if cls is not None else ""
    if field == "option":
        return ""
    if field == "cause":
        fault = next((f for f in FAULTS if f.id == value), None)
        return f"{fault.category}: {fault.name}" if fault else ""
    if field == "fix":
        return FIXES.get(value, "")
    if field == "team":
        return TEAMS.get(value, "")
    if field == "alert":
        rule = RULES_BY_NAME.get(value)
        return f"{rule.severity}: {rule.summary.format(model='MODEL', threshold='X')}" \
            if rule else ""
    if field in ("evidence", "about") and value.startswith("obs-"):
        obs = next((o for _, o in entries if getattr(o, "id", None) == value), None)
        return f"{obs.clock} {obs.kind}: {_first_line(obs.text, 60)}" if obs else ""
    if field == "model" and value in game.world.fleet.models:
        m = game.world.model(value)
        paged = " (paged)" if value == paged_model(game) else ""
        return f"{m.team}{paged}"
    return ""
