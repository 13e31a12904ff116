"""Fault kinds (faults/*.yaml): load and validate the definitions the fault engine interprets.

The folder is the registry: a new kind is a new file. Problems are reported as
`file: field.path: reason`, like scenarios; a kind whose tool text names its cause is one.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from oncall.content.loader import (
    ContentError,
    DiskCache,
    Problem,
    added_dirs,
    content_root,
    file_digest,
    parse_file,
    problems_of,
    read_mapping,
    scenario,
)
from oncall.sim import registry
from oncall.sim.catalogue import FAULTS_BY_ID
from oncall.sim.faultdef import CONFIG_DEPLOY_CAUSE, FaultKind


def faults_dir() -> Path:
    return content_root() / "faults"


def faults_dirs() -> list[Path]:
    """The shipped fault kinds' folder and each added content folder's."""
    return [faults_dir(), *(d / "faults" for d in added_dirs() if (d / "faults").is_dir())]


def parse_kind(path: Path, data: dict[str, Any] | None = None) -> FaultKind:
    """Load one fault-kind file, then check it against the catalogue, the transforms and the
    registries, and dry-run every template on every model it fits (`kindcheck`)."""
    name = str(path)
    if data is None:
        data = read_mapping(path, "fault-kind")
    kind = parse_file(path, FaultKind, "fault-kind", data)
    problems = []
    info = FAULTS_BY_ID.get(kind.catalogue)
    if info is None:
        problems.append(Problem(name, "catalogue", f"unknown catalogue id {kind.catalogue!r}; "
                                f"valid: {', '.join(FAULTS_BY_ID)}"))
    elif info.category != kind.category:
        problems.append(Problem(name, "category", f"{kind.catalogue} ({info.name}) is a "
                                f"{info.category} fault, not {kind.category}"))
    seen: set[str] = set()
    for i, alt in enumerate(kind.alternatives):
        if alt.cause not in FAULTS_BY_ID:
            problems.append(Problem(name, f"alternatives.{i}.cause", f"unknown cause "
                                    f"{alt.cause!r}; valid: {', '.join(FAULTS_BY_ID)}"))
        elif alt.cause == kind.catalogue or alt.cause in seen:
            problems.append(Problem(name, f"alternatives.{i}.cause", f"{alt.cause} is "
                                    + ("the kind's own catalogue id" if alt.cause ==
                                       kind.catalogue else "named twice")
                                    + "; valid: another catalogue cause, once"))
        seen.add(alt.cause)
    from oncall.sim.faults import TRANSFORMS

    if kind.transform is not None and kind.transform not in TRANSFORMS:
        problems.append(Problem(name, "transform", f"no custom transform {kind.transform!r} is "
                                f"registered; valid: {', '.join(TRANSFORMS) or 'none'}"))
    from oncall.content.symptoms import problems as telling

    problems += [Problem(name, where, why) for where, why in telling(kind)]
    if not problems:  # the rest assumes the catalogue entry and the transform exist
        from oncall.content.kindcheck import kind_problems

        problems += [Problem(name, where, why)
                     for where, why in kind_problems(kind, registry.entries("remediation"))]
    if problems:
        raise ContentError(problems)
    return kind


class Registry(Mapping[str, FaultKind]):
    """The fault kinds by id, each file parsed the first time it is asked for: a game needs one
    or two kinds, and parsing them all costs more than the rest of its start. A broken file is
    absent (scenarios naming it get an unknown-kind problem); `oncall validate` says why.

    A kind that validates is kept on disk (`DiskCache`) under the file's bytes, the registries',
    the code's and the registered transforms': a scorer that reads every kind reads them from
    there until one of those changes."""

    def __init__(self, *folders: Path) -> None:
        self._paths: dict[str, Path] = {}
        for folder in folders:
            for p in sorted(folder.glob("*.yaml")):
                self._paths.setdefault(p.stem, p)  # a clash keeps the shipped kind
        self._parsed: dict[str, FaultKind | ContentError] = {}
        self._disk: DiskCache | None = None
        self._signals: dict[str, list[str]] | None = None

    def _cache(self) -> DiskCache:
        if self._disk is None:
            from oncall.sim.faults import TRANSFORMS
            from oncall.sim.registry import registries

            try:
                sources = sorted(registries().sources.values())
            except ContentError:  # a broken shipped registry: each kind says so, uncached
                sources = None
            self._disk = DiskCache("kinds", sources or [], also=",".join(sorted(TRANSFORMS)),
                                   on=sources is not None)
        return self._disk

    def _verdict(self, path: Path) -> FaultKind | ContentError:
        digest = file_digest(path)
        stored = self._cache().get(path, digest)
        if isinstance(stored, FaultKind):
            return stored
        try:
            kind = parse_kind(path)
        except ContentError as exc:
            return exc  # not kept: a broken file is read again (and a test's patch not stored)
        self._cache().put(path, digest, kind)
        return kind

    def signals_by_cause(self) -> dict[str, list[str]]:
        """The signal ids of every valid kind, by the catalogue cause it implements (kinds in
        id order, each kind's signals in its order); under CONFIG_DEPLOY_CAUSE also every
        kind's signal of a changed config key (a deploy's diff is that cause's sign). Kept on
        disk beside the kinds, under every kind file's bytes: a scorer that reads what each
        cause leaves reads one entry, not every kind. Not kept while a kind file is broken or
        unreadable (it is read again, as above)."""
        if self._signals is None:
            digests = {k: file_digest(p) for k, p in self._paths.items()}
            key = hashlib.sha256(repr(sorted(digests.items())).encode()).hexdigest()
            stored = self._cache().get(SIGNALS_ENTRY, key)
            if isinstance(stored, dict):
                self._signals = stored
            else:
                found = [self._get(k) for k in self._paths]
                self._signals = {}
                for kind in found:
                    if isinstance(kind, FaultKind):
                        self._signals.setdefault(kind.catalogue, []).extend(
                            sig.id for sig in kind.signals)
                # A deploys view that shows a changed config key shows a deploy's diff: the
                # sign of a bad deploy config, whichever kind's deploy it was.
                diffs = [sig.id for kind in found if isinstance(kind, FaultKind)
                         for sig in kind.signals if sig.config_changed]
                known = self._signals.get(CONFIG_DEPLOY_CAUSE, [])
                if diffs:
                    self._signals[CONFIG_DEPLOY_CAUSE] = list(dict.fromkeys([*known, *diffs]))
                if all(isinstance(k, FaultKind) for k in found) and None not in \
                        digests.values():
                    self._cache().put(SIGNALS_ENTRY, key, self._signals)
        return self._signals

    def ids(self) -> list[str]:
        """Every kind file's id, valid or not, without reading one."""
        return sorted(self._paths)

    def broken(self, kind_id: str) -> ContentError | None:
        """Why a kind file present in the folders does not load (None: it loads or is absent)."""
        found = self._get(kind_id)
        return found if isinstance(found, ContentError) else None

    def path(self, kind_id: str) -> Path | None:
        return self._paths.get(kind_id)

    def _get(self, kind_id: str) -> FaultKind | ContentError | None:
        if kind_id not in self._paths:
            return None
        if kind_id not in self._parsed:
            self._parsed[kind_id] = self._verdict(self._paths[kind_id])
        return self._parsed[kind_id]

    def __getitem__(self, kind_id: str) -> FaultKind:
        found = self._get(kind_id)
        if not isinstance(found, FaultKind):
            raise KeyError(kind_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._paths if isinstance(self._get(k), FaultKind))

    def __len__(self) -> int:
        return sum(1 for _ in self)


SIGNALS_ENTRY = Path("signals-by-cause")
"""`Registry.signals_by_cause`'s entry in the kinds' cache (beside one entry per kind file)."""


@cache
def fault_kinds() -> Registry:
    """Every valid fault kind by id (a lazy mapping over `faults/` and the added folders')."""
    return Registry(*faults_dirs())


def validate_kinds(paths: list[Path]) -> list[Problem]:
    return problems_of(paths, parse_kind)


BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def kind_token(kind_id: str) -> str:
    """A random night's id part for its fault kind: `k` and a checksum of the kind's id in
    seven base-36 digits. The id rebuilds the night from it without telling anyone who reads
    it (the page, a save's name, a drill's seats) what broke."""
    n, digits = zlib.crc32(kind_id.encode()), ""
    while n:
        n, r = divmod(n, 36)
        digits = BASE36[r] + digits
    return "k" + digits.rjust(7, "0")


def kind_in_id(part: str) -> str | None:
    """The fault kind a random night's id part stands for: a kind's token (`kind_token`) or,
    in an id made before tokens, the kind's id with `_` written `-`. None: the library holds
    no such kind."""
    ids = fault_kinds().ids()
    named = part.replace("-", "_")
    if named in ids:
        return named
    return next((k for k in ids if kind_token(k) == part), None)


def signal_abouts(scenario_id: str, kind_ids: list[str] | None = None) -> dict[str, str]:
    """What each signal of the scenario's fault kinds shows, in its kind's own words (`about`),
    keyed by the signal id before any `:` and by a filled id whole (a line the fault writes is
    quoted by its own): what a story says of
    evidence it has no sentence of its own for. A random night's id stands for its kind
    (`kind_in_id`); an id or a kind the library no longer holds gives nothing."""
    if kind_ids is None:
        m = re.match(r"^random-\d+-[a-z]+-([a-z][a-z0-9-]*)$", scenario_id)
        if m:
            kind_ids = [k for k in [kind_in_id(m.group(1))] if k is not None]
        else:
            try:
                kind_ids = [f.kind for f in scenario(scenario_id).faults]
            except ContentError:
                return {}
    reg = fault_kinds()
    signals = [s for k in kind_ids if k in reg for s in reg[k].signals if s.about]
    return {**{s.id.split(":", 1)[0]: s.about.rstrip(". ") for s in signals},
            **{s.id: s.about.rstrip(". ") for s in signals if ":" in s.id}}
