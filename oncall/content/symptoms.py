"""Tool text shows symptoms, never the answer.

What the logs, infrastructure events, node and pod states, deploy notes and pipeline changelogs
of a fault kind say is what a real system prints: an error with its code, a timing, a version, a
config value, a count, a Kubernetes event. A line that says why ("starved of CPU by a
co-scheduled batch pod", "built with the previous version") hands the player the diagnosis the
game asks them to make. This module finds such lines: the catalogue's own names for faults, and
the words people use when they explain rather than observe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from oncall.sim.catalogue import FAULTS
from oncall.sim.faultdef import (
    CertificateEffect,
    DeployEntry,
    EventEffect,
    FaultKind,
    NodesEffect,
    PipelineEntry,
    PodsEffect,
)

TELLING = (
    r"starv\w*", r"drift\w*", r"skew\w*", r"leak\w*", r"misconfigur\w*", r"because",
    r"due to", r"(?:is|was|are|were|being) caused", r"causing", r"(?:root|the) cause",
    r"culprit", r"blam\w+", r"by mistake",
    r"mistaken\w*", r"wrong\w*", r"broken", r"noisy neighbou?r", r"co-scheduled", r"attack\w*",
    r"outage", r"stale", r"undersized", r"oversized",
    r"too (?:low|high|small|large|big|many|few)",
    r"forgot\w*", r"unrepresentative", r"instead of", r"supposed to", r"flapp\w*",
    r"unit change", r"slow degradation", r"previous (?:version|revision|encoder|model)",
    r"(?:sized|built) (?:at|with|for) the (?:last|previous|old)", r"blind spot",
    r"bad (?:canary|version|config|deploy|release|artifact)\w*", r"unseen categor\w*",
)
"""Words that explain a fault instead of showing it: diagnoses, blame and judgement."""


def _catalogue_phrases() -> list[str]:
    """The catalogue's names of faults, without their notes ("covariate shift", "memory leak",
    "model store unreachable"): a line that names its fault as the catalogue does is the
    answer key."""
    out = []
    for f in FAULTS:
        name = f.name.split("(")[0].split(" from ")[0].split(":")[0].strip()
        if name != "no fault":
            out.append(r"\s+".join(re.escape(w) for w in name.split()))
    return out


@cache
def _pattern() -> re.Pattern[str]:
    words = [*TELLING, *_catalogue_phrases()]
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE)


def diagnoses(text: str) -> list[str]:
    """The telling words in a piece of tool text (empty: it shows symptoms only)."""
    return [m.group(0) for m in _pattern().finditer(text)]


def tool_text(kind: FaultKind) -> Iterator[tuple[str, str]]:
    """Every text of a kind a tool shows the player, by field path: log lines, events, pod and
    node states, certificate notes, deploy notes, pipeline changes, and the text parameters
    (defaults and each model's own values) those fill in."""
    texts: list[tuple[str, str]] = [(f"logs.{i}.template", t.template)
                                    for i, t in enumerate(kind.logs)]
    for i, e in enumerate(kind.infra):
        where = f"infra.{i}"
        if isinstance(e, EventEffect):
            texts.append((f"{where}.message", e.message))
        elif isinstance(e, PodsEffect):
            texts += [(f"{where}.status", e.status), (f"{where}.last_state", e.last_state)]
        elif isinstance(e, NodesEffect) and isinstance(e.value, str):
            texts.append((f"{where}.value", e.value))
        elif isinstance(e, CertificateEffect):
            texts.append((f"{where}.issuer_note", e.issuer_note))
    for i, h in enumerate(kind.history):
        where = f"history.{i}"
        if isinstance(h, DeployEntry):
            texts += [(f"{where}.{k}", v) for k, v in (("note", h.note),
                      ("image_tag", h.image_tag), ("artifact_note", h.artifact_note)) if v]
            texts += [(f"{where}.config.{k}", v) for k, v in h.config.items()
                      if isinstance(v, str)]
        elif isinstance(h, PipelineEntry):
            texts.append((f"{where}.change", h.change))
    yield from texts
    used = {name for _, t in texts for name in re.findall(r"\{params\.([a-z_0-9]+)", t)}
    for name in sorted(used):
        p = kind.params.get(name)
        if p is not None and isinstance(p.default, str):
            yield f"params.{name}.default", p.default
        for model, values in sorted((kind.fits.models or {}).items()):
            if isinstance(values.get(name), str):
                yield f"fits.models.{model}.{name}", values[name]


_FIELD = re.compile(r"\{[^{}]*\}")


def problems(kind: FaultKind) -> list[tuple[str, str]]:
    """(field path, reason) for every tool text of the kind that names a cause."""
    out = []
    for where, text in tool_text(kind):
        # A field's name is not what the tool prints ({params.leaked} prints the column's name):
        # the values filled in are checked on their own (parameter defaults, each model's).
        found = diagnoses(_FIELD.sub(" ", text))
        if found:
            words = ", ".join(dict.fromkeys(w.lower() for w in found))
            out.append((where, f"names a cause ({words}): tool text shows what a system prints, "
                               "not why; valid: the symptom as printed (an error with its code, "
                               "a timing, a version, a config value, a count)"))
    return out
