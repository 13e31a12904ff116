"""Find, load and validate the shipped content: scenarios (YAML) and runbooks (Markdown).

Every problem is reported as `file: field.path: reason`, never as a traceback, and `validate`
collects all of them rather than stopping at the first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from oncall.content.scenario import Scenario
from oncall.sim.datafile import (
    CACHE_ENV,
    CACHE_KEPT,
    CONTENT_ENV,
    MAX_SCENARIO_BYTES,
    ContentError,
    DiskCache,
    Problem,
    added_dirs,
    cache_dir,
    code_stamp,
    content_root,
    file_digest,
    loc_text,
    read_mapping,
    reason_of,
)

__all__ = ["CACHE_ENV", "CACHE_KEPT", "CONTENT_ENV", "MAX_SCENARIO_BYTES", "ContentError",
           "DiskCache", "Problem", "added_dirs", "cache_dir", "code_stamp", "content_root",
           "file_digest", "read_mapping"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
RUNBOOK_SECTIONS = ("Meaning", "Impact", "Diagnosis", "Mitigation")


def content_dirs() -> list[Path]:
    """The shipped content, then every added folder."""
    return [content_root(), *added_dirs()]


def use_content(folders: list[Path]) -> None:
    """Add content folders to the library for this process and the ones it starts."""
    for folder in folders:
        if not folder.is_dir():
            raise ContentError([Problem(str(folder), "", "--content: not a folder")])
        if not any((folder / sub).is_dir()
                   for sub in ("faults", "incidents", "runbooks", "registries")):
            raise ContentError([Problem(str(folder), "", "--content: a content folder holds "
                                        "faults/, incidents/, runbooks/ or registries/; found "
                                        "none")])
    known = added_dirs()
    os.environ[CONTENT_ENV] = os.pathsep.join(
        str(p) for p in [*known, *(f.resolve() for f in folders if f.resolve() not in known)])
    clear_caches()


def clear_caches() -> None:
    """Forget every file read, so the next look sees the content folders as they are now."""
    from oncall.content.kinds import fault_kinds
    from oncall.content.symptoms import _pattern
    from oncall.sim import registry

    for f in (_library, _one, runbook, fault_kinds, _pattern):
        f.cache_clear()
    registry.clear()


def incidents_dir() -> Path:
    return content_root() / "incidents"


def runbooks_dir() -> Path:
    return content_root() / "runbooks"


def incidents_dirs() -> list[Path]:
    """The shipped scenario folder and each added folder's."""
    return [incidents_dir(), *(d / "incidents" for d in added_dirs()
                               if (d / "incidents").is_dir())]


def is_kind(data: dict[str, Any]) -> bool:
    """A fault-kind file, told by its content wherever it lies: a kind names its catalogue entry
    and its fallback answer; a scenario places a fault and keys its answers."""
    return ("catalogue" in data or "otherwise" in data) and "fault" not in data \
        and "answers" not in data


FIELD_FIRST = re.compile(r"([A-Za-z_][\w-]*(?:\.[\w-]+)+): (.+)", re.S)
"""A whole-file check's reason that starts with the field it is about (`infra.2.value: ...`)."""


def _problem(name: str, err: Any) -> Problem:
    """One validation error as a problem naming its field: the error's location, or for a check
    of the whole file, the field its reason starts with."""
    field = ".".join(loc_text(p) for p in err["loc"])
    reason = reason_of(err)
    m = None if field else FIELD_FIRST.fullmatch(reason)
    if m:
        field, reason = m.group(1), m.group(2)
    return Problem(name, field or "(top)", reason)


def parse_file(path: Path, model: type[M], what: str, data: dict[str, Any] | None = None) -> M:
    """Read one content file (YAML, any bad input a one-line problem) into a pydantic model whose
    `id` must match the file name; raise ContentError naming the file, the field and the reason.
    `data`: the file's mapping, when it was already read."""
    name = str(path)
    if data is None:
        data = read_mapping(path, what)
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        raise ContentError([_problem(name, err) for err in exc.errors()]) from None
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ContentError([Problem(name, "", f"invalid {what}: {type(exc).__name__}: "
                                    f"{str(exc)[:120]}")]) from None
    item_id = getattr(item, "id", None)
    if path.stem != item_id:
        raise ContentError([Problem(name, "id", f"id {item_id!r} must match the file name "
                                    f"{path.stem!r}")])
    return item


def parse_scenario(path: Path, data: dict[str, Any] | None = None) -> Scenario:
    """Load one scenario file; raise ContentError naming the file, the field and the reason."""
    if data is None:
        data = read_mapping(path, "scenario")
    if is_kind(data):
        raise ContentError([Problem(str(path), "", "a fault-kind file, not a scenario (it has "
                                    "`catalogue`/`otherwise`); fault kinds live in faults/")])
    return parse_file(path, Scenario, "scenario", data)


def load_folder(folder: Path, parse: Callable[[Path], T]
                ) -> tuple[dict[str, T], tuple[Problem, ...]]:
    """Every file of a content folder that parses, by id, and the problems of those that do not:
    one broken file never takes the others down."""
    found: dict[str, T] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            item = parse(path)
        except ContentError as exc:
            problems += exc.problems
            continue
        found[item.id] = item  # type: ignore[attr-defined]
    return found, tuple(problems)


@cache
def _library() -> tuple[dict[str, Scenario], tuple[Problem, ...]]:
    found: dict[str, Scenario] = {}
    problems: list[Problem] = []
    for folder in incidents_dirs():
        more, trouble = load_folder(folder, checked_scenario)
        problems += trouble
        for sid, sc in more.items():
            if sid in found:
                problems.append(Problem(str(folder / f"{sid}.yaml"), "id", f"scenario id {sid!r} "
                                        "is already in the library; choose another id"))
                continue
            found[sid] = sc
    return found, tuple(problems)


def scenarios() -> dict[str, Scenario]:
    """Every valid scenario by id. A broken file does not take the others down with it: it is
    left out, and `scenario_problems` says why (`oncall validate` reports it in full)."""
    return dict(_library()[0])


def scenario_problems() -> list[Problem]:
    """The problems of the scenario files that `scenarios` left out."""
    return list(_library()[1])


FORMER_IDS: dict[str, str] = {
    "adctr-calibration-refit": "ads-1",
    "adctr-label-join": "ads-2",
    "address-bad-deploy-config": "address-1",
    "address-new-country": "address-2",
    "ads-autoscaling-ceiling": "ads-3",
    "churn-serving-skew": "churn-1",
    "credit-field-renamed": "credit-1",
    "credit-partner-outage": "credit-2",
    "embedder-slow-degradation": "embedder-1",
    "eta-cert-expired": "eta-1",
    "fraud-amount-units": "fraud-1",
    "fraud-attack-wave": "fraud-2",
    "fraud-feature-store-timeouts": "fraud-3",
    "fraud-wrong-artifact": "fraud-4",
    "leads-new-segment": "leads-1",
    "moderation-gpu-node-lost": "moderation-1",
    "pricing-experiment-split": "pricing-1",
    "pricing-nan-outputs": "pricing-2",
    "pricing-noisy-neighbour": "pricing-3",
    "recsys-bad-canary": "feed-1",
    "recsys-stale-features": "feed-2",
    "reviews-image-bump": "reviews-1",
    "search-gpu-oom": "search-1",
    "search-model-store-unreachable": "search-2",
    "search-upstream-encoder": "search-3",
    "spam-flapping-alert": "spam-1",
    "spam-quality-drop": "spam-2",
    "spam-scrape-blind-spot": "spam-3",
    "support-memory-leak": "support-1",
}
"""Scenario ids before the library stopped naming causes in them, so older saves still replay."""


def scenario_ids() -> list[str]:
    """The ids of the scenario files, without reading them."""
    return sorted(_scenario_paths())


def _scenario_paths() -> dict[str, Path]:
    """Every scenario file by id, the first folder's winning a clash (the shipped content)."""
    out: dict[str, Path] = {}
    for folder in incidents_dirs():
        for p in sorted(folder.glob("*.yaml")):
            out.setdefault(p.stem, p)
    return out


def scenario(scenario_id: str) -> Scenario:
    """One scenario by id, reading only its own file (a game needs one, not the library)."""
    scenario_id = FORMER_IDS.get(scenario_id, scenario_id)
    if _library.cache_info().currsize:
        known = _library()[0]
        if scenario_id in known:
            return known[scenario_id]
    if scenario_id in scenario_ids():
        return _one(scenario_id)
    raise ContentError([Problem("--scenario", "", f"unknown scenario {scenario_id!r}; known: "
                                f"{', '.join(scenario_ids())}")])


@cache
def _one(scenario_id: str) -> Scenario:
    return checked_scenario(_scenario_paths()[scenario_id])


def validate(paths: list[Path]) -> list[Problem]:
    """Every problem in the given scenario files (or folders of them)."""
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    return problems_of(files, checked_scenario)


def problems_of(files: list[Path], parse: Callable[[Path], object]) -> list[Problem]:
    """Every problem `parse` finds in the files, all of them rather than the first."""
    problems: list[Problem] = []
    for f in files:
        try:
            parse(f)
        except ContentError as exc:
            problems += exc.problems
    return problems


def checked_scenario(path: Path) -> Scenario:
    """A scenario that parses and agrees with its fault kind and every registry."""
    s = _kept_scenario(path)
    check_against_kinds(s, path)
    return s


def _kept_scenario(path: Path) -> Scenario:
    """`parse_scenario`, its model kept on disk (`DiskCache`) under the file's bytes and what its
    validation reads besides: the registries, every fault-kind file, the registered transforms
    and the game's code. A file with a problem is read again, and its problems with it."""
    from oncall.content.kinds import faults_dirs
    from oncall.sim.faults import TRANSFORMS
    from oncall.sim.registry import registries

    try:
        sources = sorted(registries().sources.values())
    except ContentError:  # a broken shipped registry: the scenario says so, uncached
        return parse_scenario(path)
    kinds = [p for folder in faults_dirs() for p in sorted(folder.glob("*.yaml"))]
    disk = DiskCache("scenarios", [*sources, *kinds], also=",".join(sorted(TRANSFORMS)))
    return disk.kept(path, file_digest(path), Scenario, lambda: parse_scenario(path))


def check_against_kinds(s: Scenario, path: Path) -> None:
    """Raise ContentError if the scenario disagrees with its fault kind or a registry."""
    from oncall.content.checks import check_scenario
    from oncall.content.kinds import fault_kinds

    problems = check_scenario(s, fault_kinds(), str(path))
    if problems:
        raise ContentError(problems)


@cache
def runbook(alert: str) -> str:
    """The Markdown runbook of an alert rule (an added folder's own, else the shipped one)."""
    for folder in [*(d / "runbooks" for d in reversed(added_dirs())), runbooks_dir()]:
        path = folder / f"{alert}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise ContentError([Problem(str(runbooks_dir() / f"{alert}.md"), "",
                                f"no runbook for alert {alert!r}")])


def runbook_sections(text: str) -> dict[str, str]:
    """Split a runbook into its `## Section` bodies."""
    parts = re.split(r"^##\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
