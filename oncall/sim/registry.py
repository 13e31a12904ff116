"""The registries as data: the fault catalogue's causes, the fixes, the teams, the alert rules and
the remediations a postmortem can add, each a YAML file of `registries/` (`causes.yaml`,
`fixes.yaml`, `teams.yaml`, `alerts.yaml`, `remediations.yaml`).

An added content folder (`--content DIR`, ONCALL_CONTENT) may hold the same files: its entries
join the shipped ones. Every entry is checked on its own against its pydantic model, so one
broken entry is one problem (`file: line N: fixes.3.about: reason`) and the others still load;
an added entry reusing a shipped id is refused rather than silently replacing it. The Python
that remains reads these entries: `oncall.sim.alerts` turns an alert entry into the rule it
evaluates, `oncall.sim.catalogue` serves causes, fixes and teams by id.
"""

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from yaml.nodes import Node

from oncall.sim.datafile import (
    ContentError,
    DiskCache,
    Problem,
    added_dirs,
    content_root,
    file_digest,
    loc_text,
    node_line,
    node_tree,
    read_data,
    reason_of,
)
from oncall.sim.monitordef import CheckSpec, MonitorSpec

Category = Literal["data", "model", "infra"]
ModelType = Literal["classifier", "ranker", "regressor", "embedder"]


class _Entry(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class CauseDef(_Entry):
    """An entry of the fault catalogue the player diagnoses against."""

    id: str = Field(pattern=r"^[A-Z][0-9]{1,3}$", description="catalogue id, a letter and a "
                    "number (D for data, M for model, I for infra, N for no fault)")
    category: Category
    name: str = Field(min_length=3, max_length=120, description="the cause as the catalogue "
                      "names it")

    @model_validator(mode="after")
    def _letter_matches_category(self) -> Self:
        want = {"D": "data", "M": "model", "I": "infra", "N": "infra"}.get(self.id[0])
        if want != self.category:
            raise ValueError(f"a cause id starting with {self.id[0]} is a {want or 'no'} "
                             f"cause, not {self.category}; valid letters: D (data), M (model), "
                             "I (infra), N (infra: no fault)")
        return self

    @property
    def control(self) -> bool:
        """An N-id: a control, a page with nothing to fix tonight (the catalogue says so)."""
        return self.id.startswith("N")


class FixDef(_Entry):
    """A hotfix the platform offers; a fault kind's responses say what it does to each fault."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")
    about: str = Field(min_length=3, max_length=200, description="what it does, in the player's "
                       "fix list")


class TeamDef(_Entry):
    """A team a player can page or hand an incident to."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{2,40}$")
    about: str = Field(min_length=3, max_length=200)


class RemediationDef(_Entry):
    """What a postmortem can add. A `runbook` remediation writes the runbook of the alert that
    paged; a `monitor` carries its alert (`monitor:`, interpreted by the engine's replay and
    export) and a `test` the checks it exports (`test:`), so each is data alone."""

    id: str = Field(pattern=r"^(mon|test|runbook)-[a-z0-9-]{2,40}$")
    kind: Literal["monitor", "test", "runbook"]
    title: str = Field(min_length=3, max_length=200)
    ml_test_score: str = Field(pattern=r"^(D|M|In|Mon)[0-9]{1,2}$", description="the ML Test "
                               "Score item (Breck et al., 2017) it answers")
    monitor: MonitorSpec | None = Field(None, description="for a monitor: its alert, series, "
                                        "shape and default tuning")
    test: CheckSpec | None = Field(None, description="for a test: the checks it exports")

    @model_validator(mode="after")
    def _kind_matches_id(self) -> Self:
        prefix = {"monitor": "mon-", "test": "test-", "runbook": "runbook-"}[self.kind]
        if not self.id.startswith(prefix):
            raise ValueError(f"a {self.kind} remediation's id starts with {prefix}")
        for part in ("monitor", "test"):
            given = getattr(self, part) is not None
            if given != (self.kind == part):
                raise ValueError(f"{part}: only a {part} remediation has `{part}:` (this one is "
                                 f"a {self.kind})" if given else f"{part}: a {part} "
                                 f"remediation needs `{part}:` (`oncall schema remediation`)")
        return self


MODEL_THRESHOLDS = ("latency_slo_ms", "slo")
"""Model fields an alert's threshold may read (the model's own objective)."""


class Applies(_Entry):
    """The models an alert rule is evaluated on (default: every model)."""

    hardware: Literal["gpu", "cpu"] | None = None
    model_types: list[ModelType] | None = Field(default=None, min_length=1)
    max_label_lag_min: int | None = Field(
        default=None, ge=1, description="only models whose labels arrive within this many minutes")


class AlertDef(_Entry):
    """An alert rule as Prometheus writes it, with what the simulation evaluates it on."""

    name: str = Field(pattern=r"^[A-Z][A-Za-z0-9]{2,60}$")
    metric: str = Field(pattern=r"^[a-z][a-z0-9_]*(:[a-z0-9_*]+)?$", description="the series "
                        "it reads; `name:*` reads one series per feature and takes the worst")
    op: Literal[">", "<"]
    for_min: int = Field(ge=0, le=24 * 60, description="minutes the condition holds before it "
                         "fires (Prometheus `for`)")
    severity: Literal["critical", "warning", "ticket"]
    pages: bool = Field(description="whether a firing wakes the on-call: the incident's page is "
                        "the first firing of a rule that pages")
    summary: str = Field(min_length=3, description="one line; {model} and {threshold} are "
                         "filled in")
    expr: str = Field(min_length=3, description="PromQL; {model} and {threshold} are filled "
                      "in, literal braces doubled")
    unit: str
    threshold: float | Literal["latency_slo_ms", "slo"] = Field(
        description="a number, or the model's own objective (latency_slo_ms, slo)")
    window: int = Field(1, ge=1, le=24 * 60, description="minutes the value is averaged over")
    kind: Literal["level", "burn", "relative", "increase"] = "level"
    applies: Applies = Field(default_factory=Applies)
    revision: str | None = None
    burn_windows: tuple[int, int] = (60, 5)
    reference: Literal["prediction_mean", "quality"] = Field(
        "prediction_mean", description="for `relative`: the training value compared with")
    history: int = Field(0, ge=0, description="minutes to look back for when a firing began, "
                         "beyond the usual six hours")

    @model_validator(mode="after")
    def _fields(self) -> Self:
        for name, text in (("summary", self.summary), ("expr", self.expr)):
            bad = sorted(set(re.findall(r"(?<!\{)\{([^{}]*)\}(?!\})", text)) -
                         {"model", "threshold"})
            if bad:
                raise ValueError(f"{name}: {{{bad[0]}}} is not filled in; valid: {{model}}, "
                                 "{threshold} (double literal braces)")
        if self.kind == "relative":
            # The rule divides by one training value: the prediction mean's, or the model
            # type's quality. Any other series would be compared with the prediction mean.
            from oncall.sim.catalogue import QUALITY_METRICS

            quality = sorted({m for m, _, _ in QUALITY_METRICS.values()})
            valid = ["pred_mean"] if self.reference == "prediction_mean" else quality
            if self.metric not in valid:
                what = "prediction mean" if valid == ["pred_mean"] else "quality metric"
                other = ("reference: quality with " + ", ".join(quality)
                         if valid == ["pred_mean"] else "reference: prediction_mean with pred_mean")
                raise ValueError(
                    f"metric: a relative rule divides by the model's training {what} "
                    f"(reference: {self.reference}), which is not {self.metric!r}'s; valid: "
                    + ", ".join(valid) + f" ({other}; kind: level for any other series)")
        return self


KINDS: dict[str, tuple[str, type[_Entry], str]] = {
    "cause": ("causes", CauseDef, "id"),
    "fix": ("fixes", FixDef, "id"),
    "team": ("teams", TeamDef, "id"),
    "alert": ("alerts", AlertDef, "name"),
    "remediation": ("remediations", RemediationDef, "id"),
}
"""Each registry: its file (and top-level key), its entry model, and the field naming an
entry."""


class Registries(NamedTuple):
    """Every registry's entries by id, in file order (shipped first), and what was refused."""

    entries: dict[str, dict[str, Any]]
    problems: list[Problem]
    sources: dict[str, Path]
    """Each registry file read."""
    origin: dict[tuple[str, str], Path]
    """The file each entry came from, by (registry, id)."""
    derived: dict[str, Any]
    """What the engine builds from the entries (the alert rules), kept until the next reload."""


def registries_dir(root: Path) -> Path:
    return root / "registries"


def read_file(path: Path, what: str) -> tuple[list[Any], list[Problem]]:
    """The entries of one registry file that validate, and a problem per one that does not."""
    key, model, _ = KINDS[what]
    name = str(path)
    try:
        data, text = read_data(path)
    except ContentError as exc:
        return [], exc.problems
    if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], list):
        return [], [Problem(name, "", f"expected one top-level key `{key}:` holding a list of "
                            f"{what} entries (`oncall schema {what}` prints their fields)")]
    out: list[Any] = []
    problems: list[Problem] = []
    node: Node | None = None
    for i, item in enumerate(data[key]):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            node = node or node_tree(text)
            for err in exc.errors():
                loc = (key, i, *err["loc"])
                line = node_line(node, loc)
                where = ".".join(loc_text(p) for p in loc)
                problems.append(Problem(name, f"line {line}: {where}" if line else where,
                                        reason_of(err)))
    return out, problems


def _read_kept(disk: DiskCache, path: Path, what: str) -> tuple[list[Any], list[Problem]]:
    """`read_file`, its entries kept on disk under the file's bytes and the game's code while
    they all validate (a file with a problem is read again, and its problems with it)."""
    digest = file_digest(path)
    stored = disk.get(path, digest)
    if isinstance(stored, list):
        return stored, []
    found, problems = read_file(path, what)
    if not problems:
        disk.put(path, digest, found)
    return found, problems


def load(roots: list[Path]) -> Registries:
    """The registries of the shipped content and each added folder, in that order."""
    entries: dict[str, dict[str, Any]] = {what: {} for what in KINDS}
    problems: list[Problem] = []
    sources: dict[str, Path] = {}
    origin: dict[tuple[str, str], Path] = {}
    disk = DiskCache("registries", [])
    for root in roots:
        for what, (key, _, ident) in KINDS.items():
            path = registries_dir(root) / f"{key}.yaml"
            if not path.is_file():
                continue
            sources[str(path)] = path
            found, trouble = _read_kept(disk, path, what)
            problems += trouble
            for item in found:
                item_id = getattr(item, ident)
                if item_id in entries[what]:
                    problems.append(Problem(str(path), f"{key}.{item_id}", f"{what} {item_id!r} "
                                            "is already in the registry; choose another id"))
                    continue
                entries[what][item_id] = item
                origin[(what, item_id)] = path
    return Registries(entries, problems, sources, origin, derived={})


@cache
def registries() -> Registries:
    """The registries in play: the shipped files and every added folder's. A broken shipped
    registry stops everything (the game cannot run without it); an added folder's broken entries
    are left out and `oncall validate` names them."""
    found = load([content_root(), *added_dirs()])
    shipped = registries_dir(content_root())
    broken = [p for p in found.problems if Path(p.file).parent == shipped]
    if broken:
        raise ContentError(broken)
    return found


def entries(what: str) -> dict[str, Any]:
    return registries().entries[what]


def derived(name: str, build: Any) -> Any:
    """A value built from the registries once per load (`build()`), such as the alert rules."""
    reg = registries()
    if name not in reg.derived:
        reg.derived[name] = build()
    return reg.derived[name]


def clear() -> None:
    """Forget the registries read, so the next look sees the content folders as they are now."""
    registries.cache_clear()


def json_schema(what: str) -> dict[str, Any]:
    """The JSON Schema of one registry file."""
    key, model, _ = KINDS[what]
    item = model.model_json_schema()
    defs = item.pop("$defs", {})
    out: dict[str, Any] = {"title": f"{key}.yaml", "type": "object", "required": [key],
                           "additionalProperties": False,
                           "properties": {key: {"type": "array", "items": item}}}
    if defs:
        out["$defs"] = defs
    return out
