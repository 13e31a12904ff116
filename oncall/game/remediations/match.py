"""Which catalogue remediation a postmortem action item describes in words.

A senior writes "alert on the canary revision's own error ratio", not `mon-canary-errors`. Each
remediation is a document made of its own words (its id, kind and title, and for a monitor its
alert name split at its capitals, the series it reads, its summary and description; for a test
the checks it exports), weighted by TF-IDF over the catalogue, so the words that set one
remediation apart from the rest count and the words every one shares do not. An item reads as
the remediation whose document is nearest by cosine, only when that is near enough and clearly
ahead of the next: a sentence that lists every monitor is near many and reads as none.

An item that types an id (`mon-canary-errors`) or a monitor's alert name (`CPUThrottlingHigh`)
reads as exactly that one; one that types two reads as none (name one per item). In words, the
item's type says what it can describe (`KINDS`): a detect item a monitor, a prevent item a
test, a mitigate item a runbook, a repair item any; an investigation none.

The index is built from `BY_ID` once per load of the registries, so a content folder's
remediations are matched as the registry's own are, and kept on disk with the validated content
(`DiskCache`) under the game's code, the stemmer's and a digest of every document it is built
from: a process that matches a postmortem reads it back rather than stemming the catalogue
again, and a changed remediation, stemmer or code builds it afresh. The stemmer itself is
loaded only when a text is first stemmed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import sys
import threading
from collections.abc import Collection
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from oncall.sim import registry
from oncall.sim.datafile import DiskCache
from oncall.sim.monitordef import MONITOR_SERIES, TEST_CHECKS
from oncall.sim.registry import RemediationDef

MIN_SCORE = 0.33
"""The cosine an item needs with its nearest remediation to read as it."""
MIN_LEAD = 1.35
"""How many times the second nearest's cosine the nearest's must be: an item that is as near to
two remediations describes neither clearly."""
NEAREST_TERMS = 2
"""The terms a claim must share with the proposed remediation it is read as naming: one word in
common ("feature", "latency") names none of them."""

STOP = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "before", "by", "every", "for", "from",
    "has", "have", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "over", "so",
    "than", "that", "the", "their", "them", "then", "this", "to", "under", "was", "we", "when",
    "where", "which", "while", "will", "with", "within", "would", "add", "set", "up", "make",
    "made", "should", "must", "new", "own", "more", "less", "each", "per", "all", "also", "not",
    "no", "alert", "warn", "warning", "page", "monitor", "notify", "fire"
})
"""English function words, and the verbs of alerting (every monitor alerts; the item's type
says it is one): they say nothing about which remediation is meant."""

_ALNUM = re.compile(r"[A-Za-z0-9]+")
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")
"""A name in CamelCase (`CanaryErrorRatioHigh`), split at its capitals; `5xx` and `p99` stay."""
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_ID_RUN = re.compile(r"[\w-]+")
_WORD = re.compile(r"\w+")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
"""An acronym's plural ("GPUs", "SLOs"): the same term as the acronym."""
KINDS: dict[str, frozenset[str]] = {
    "detect": frozenset({"monitor"}), "prevent": frozenset({"test"}),
    "mitigate": frozenset({"runbook"}), "repair": frozenset({"monitor", "test", "runbook"}),
    "investigate": frozenset()}
"""What an item of each type can describe in words: a detect item watches production (a
monitor), a prevent item stops a release (a test), a mitigate item says what to do when it
pages (a runbook); an investigation is no remediation."""
KIND_WORDS: dict[str, frozenset[str]] = {
    "monitor": frozenset({"monitor", "monitors", "monitoring", "alert", "alerts", "alerting",
                          "alarm", "page", "paged", "paging", "fired", "fire", "fires"}),
    "test": frozenset({"test", "tests", "testing", "contract", "contracts", "ci", "gate"}),
    "runbook": frozenset({"runbook", "runbooks", "playbook"})}
"""The words that say which kind of remediation a sentence speaks of (the terms leave the verbs
of alerting out: every monitor alerts)."""


_LOADING = threading.Lock()


@functools.cache
def _stemmer() -> Any:
    """Snowball's English stemmer: "alerts", "alerting" and "alert" are one term.

    Loaded when first needed, and on its own: the package's `__init__` imports the stemmers of
    all its thirty-odd languages (15 ms or more). Where the package would hand out its
    own English class (PyStemmer is not installed), that class's module is imported under its
    own name with the package's `__init__` not run, and the package left unimported: a later
    `import snowballstemmer` runs as usual and reuses the module. Anything else (PyStemmer, a
    package laid out otherwise) takes the package's own way."""
    with _LOADING:  # no other thread may meet the package's name standing for it meanwhile
        if "snowballstemmer" not in sys.modules and importlib.util.find_spec("Stemmer") is None:
            spec = importlib.util.find_spec("snowballstemmer")
            if spec is not None and spec.submodule_search_locations:
                sys.modules["snowballstemmer"] = importlib.util.module_from_spec(spec)
                try:
                    from snowballstemmer.english_stemmer import EnglishStemmer

                    return EnglishStemmer()
                except ImportError:
                    pass
                finally:
                    del sys.modules["snowballstemmer"]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.cache
def _stop_stems() -> frozenset[str]:
    return frozenset(_stemmer().stemWords(sorted(STOP)))


@functools.lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A word's stem, each word stemmed once per process (the catalogue repeats its words)."""
    return str(_stemmer().stemWord(word))


def stems(text: str) -> list[str]:
    """The stems of a text's words, split at capitals (`CanaryErrorRatioHigh`), underscores
    and punctuation, lower-cased, function words and all."""
    words = [w for raw in _ALNUM.findall(text)
             for w in (_CAMEL.findall(raw) if _CAMEL_CASE.search(raw)
                       else [raw[:-1]] if _PLURAL_ACRONYM.fullmatch(raw) else [raw])]
    return [_stem(w.lower()) for w in words]


def terms(text: str) -> list[str]:
    """The terms of a text: its stems (`stems`) without function words and single letters."""
    stop = _stop_stems()
    return [w for w in stems(text) if w not in stop and len(w) >= 2]


def document(rem: RemediationDef) -> str:
    """The words a remediation is known by: its own data and the registry's words for the
    series it reads or the checks it exports, nothing kept beside them."""
    parts = [rem.id.replace("-", " "), rem.kind, rem.title]
    if rem.monitor is not None:
        mon = rem.monitor
        parts += [mon.alert, mon.series.replace(":*", "").replace("_", " "),
                  MONITOR_SERIES.get(mon.series, ""), _PLACEHOLDER.sub(" ", mon.summary),
                  mon.description]
    if rem.test is not None:
        parts += [rem.test.checks.replace("_", " "), TEST_CHECKS.get(rem.test.checks, "")]
    return " ".join(parts)


class Index(NamedTuple):
    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    vocab: dict[str, int]
    idf: np.ndarray
    docs: np.ndarray
    """One unit-length TF-IDF row per remediation."""
    alerts: dict[str, str]
    """A monitor's alert name, lower-cased, to its id."""

    def vector(self, text: str) -> np.ndarray:
        """The text's TF-IDF row. Its stems are looked up as they are: the vocabulary is made
        of `terms`, so a function word or a single letter is in it no more than an unknown
        word, and the index read from disk needs no stop list stemmed."""
        v = np.zeros(len(self.vocab))
        for t in stems(text):
            i = self.vocab.get(t)
            if i is not None:
                v[i] += 1.0
        v = np.log1p(v) * self.idf
        return unit(v)


def unit(v: np.ndarray) -> np.ndarray:
    """The row scaled to length 1 (a row of zeros stays one)."""
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def build(catalogue: dict[str, RemediationDef]) -> Index:
    """The TF-IDF index of a catalogue (sublinear term counts, smoothed idf, unit rows)."""
    ids = tuple(catalogue)
    bags = [terms(document(catalogue[r])) for r in ids]
    vocab = {t: i for i, t in enumerate(sorted({t for bag in bags for t in bag}))}
    counts = np.zeros((len(ids), len(vocab)))
    for row, bag in enumerate(bags):
        for t in bag:
            counts[row, vocab[t]] += 1.0
    df = np.count_nonzero(counts, axis=0)
    idf = np.log((1 + len(ids)) / (1 + df)) + 1.0
    docs = np.log1p(counts) * idf
    docs /= np.maximum(np.linalg.norm(docs, axis=1, keepdims=True), 1e-12)
    alerts = {r.monitor.alert.lower(): r.id for r in catalogue.values() if r.monitor is not None}
    return Index(ids, tuple(catalogue[r].kind for r in ids), vocab, idf, docs, alerts)


def _stemmer_stamp() -> str:
    """The installed stemmer's English algorithm, by its file's size and modification time (found
    without importing the package): an upgrade that stems a word otherwise builds the index
    afresh."""
    spec = importlib.util.find_spec("snowballstemmer")
    folder = spec.submodule_search_locations if spec is not None else None
    if not folder:
        return "none"
    try:
        st = os.stat(Path(next(iter(folder))) / "english_stemmer.py")
    except OSError:
        return "unknown"
    return f"{st.st_size}:{st.st_mtime_ns}"


INDEX_KEY = Path("remediation-words")
"""The index's entry in its cache namespace (one index per state of the catalogue)."""


def _kept(catalogue: dict[str, RemediationDef]) -> Index:
    """`build`, kept on disk under a digest of everything it is built from: each remediation's
    id, kind, alert name and document (the game's code, the stemmer's and numpy's version,
    whose arithmetic weighs the terms, are in the cache's own key)."""
    digest = hashlib.sha256(repr([
        (rid, rem.kind, rem.monitor.alert if rem.monitor is not None else None, document(rem))
        for rid, rem in catalogue.items()]).encode()).hexdigest()
    disk = DiskCache("match", [], also=f"{_stemmer_stamp()};numpy {np.__version__}")
    return disk.kept(INDEX_KEY, digest, Index, lambda: build(catalogue))


def index() -> Index:
    """The index of the registry's remediations (built when first asked for, once per load)."""
    return registry.derived(  # type: ignore[no-any-return]
        "remediation-words", lambda: _kept(registry.entries("remediation")))


def named(text: str, idx: Index) -> list[str]:
    """The remediations a text names exactly: by id, or by a monitor's alert name, standing
    whole (not inside a longer id or word). An id is letters, digits and hyphens and an alert
    name letters and digits (the registry's patterns), so each named one is one of the text's
    runs of those: the text is split once, not searched once per remediation."""
    low = text.lower()
    runs, words = set(_ID_RUN.findall(low)), set(_WORD.findall(low))
    found = [r for r in idx.ids if r in runs]
    found += [rid for alert, rid in idx.alerts.items() if alert in words]
    return list(dict.fromkeys(found))


def _clear(best: float, second: float) -> bool:
    """Near enough, and clearly ahead of the next."""
    return best >= MIN_SCORE and best >= MIN_LEAD * second


def nearest(text: str, among: list[str], alike: Collection[str] = ()) -> str | None:
    """The one of `among` (catalogue ids) a text describes, by the same measure as
    `described`: near enough and clearly ahead of the rest of them. What a claim such as "what
    would have caught it earlier" names among the remediations a postmortem proposes. `alike`:
    ids that come to the same for the caller (the ones that fit the fault): a text as near to
    two of them as to one names one of them all the same."""
    idx = index()
    rows = [idx.ids.index(r) for r in dict.fromkeys(among) if r in idx.ids]
    if not rows:
        return None
    # Only the words of the remediations it is asked among count: the claim's other words
    # (the feature, the minutes, what changed) describe the incident, not which one it names.
    docs = idx.docs[rows]
    said_terms = idx.vector(text)
    sims = docs @ unit(said_terms * np.any(docs > 0, axis=0))
    order = sorted(range(len(rows)), key=lambda i: (-sims[i], idx.ids[rows[i]]))
    best = float(sims[order[0]])
    shared = int(np.count_nonzero((docs[order[0]] > 0) & (said_terms > 0)))
    if shared < NEAREST_TERMS or not _clear(best, 0.0):
        return None
    near = [rows[i] for i in order if not _clear(best, float(sims[i]))]
    said = {kind for kind, words in KIND_WORDS.items() if words & set(_ALNUM.findall(text.lower()))}
    if len(said) == 1 and any(idx.kinds[r] in said for r in near):
        near = [r for r in near if idx.kinds[r] in said]  # "a ... monitor" is not the test
    if len(near) == 1 or all(idx.ids[r] in alike for r in near):
        return idx.ids[near[0]]
    return None


def described(text: str, type_: str) -> str | None:
    """The one catalogue remediation an action item of this type describes, or None: named
    exactly, or, among the remediations of the kinds the item's type can describe, nearest in
    words, near enough and clearly ahead of the next."""
    idx = index()
    exact = named(text, idx)
    if exact:
        return exact[0] if len(exact) == 1 else None
    kinds = KINDS.get(type_, frozenset())
    sims = idx.docs @ idx.vector(text)
    # The item's type says what it is (a detect item is a monitor): only remediations of that
    # kind compete, so a monitor described with a runbook's words ("split by revision") still
    # reads as the monitor.
    order = sorted((i for i in range(len(idx.ids)) if idx.kinds[i] in kinds),
                   key=lambda i: (-sims[i], idx.ids[i]))
    if not order:
        return None
    second = float(sims[order[1]]) if len(order) > 1 else 0.0
    return idx.ids[order[0]] if _clear(float(sims[order[0]]), second) else None
