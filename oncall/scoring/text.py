"""Checks on the player's own words: real text or a stub, a quoted number, blameless wording.

These are deliberately simple and documented, because a player must be able to predict them: a
word list, a number match with a tolerance, and names the record itself knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PLACEHOLDERS = frozenset({"", "tbd", "todo", "n/a", "na", "none", "-", "...", "?", "x", "wip",
                          "later", "see above", "nothing"})
MIN_WORDS = 4
"""A sentence with fewer words than this is a stub, not an answer."""
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "is", "was", "were", "are", "be", "been", "has", "had", "have", "it",
    "its", "we", "our", "they", "their", "at", "on", "of", "to", "in", "by", "for", "with",
    "from", "after", "before", "and", "but", "or", "not", "no", "as", "than", "when", "which",
    "that", "this", "would", "could", "will", "did", "per", "into", "over", "under", "since"})
"""Words that hold a sentence together; a string of nouns without one is a list, not a claim."""

BLAME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("fault of", r"\bfault of\b"),
    ("'s fault", r"\w['’]s fault\b"),
    ("careless", r"\bcareless(ly|ness)?\b"),
    ("stupid", r"\bstupid(ity|ly)?\b"),
    ("incompetent", r"\bincompeten(t|ce|tly)\b"),
    ("should have known", r"\bshould(n['’]t)? have known\b"),
    ("blame", r"\bblam(e|ed|es|ing)\b"),
    ("negligent", r"\bneglig(ent|ence)\b"),
    ("sloppy", r"\bsloppy\b"),
    ("lazy", r"\blazy\b"),
    ("idiot", r"\bidiot(s|ic)?\b"),
    ("screwed up", r"\bscrewed up\b"),
    ("messed up", r"\bmessed up\b"),
)
"""Phrases that point at a person rather than a system (Google SRE: postmortems are blameless).
"blameless" itself is not flagged: the patterns stop at a word boundary."""

NAME_KEYS = frozenset({"by", "owner", "promoted_by", "registered_by", "deployer", "contact",
                       "oncall", "on_call", "author", "requested_by"})
"""Observation data keys whose values are people; their names must not appear in a postmortem."""

_PERSON = re.compile(r"^[A-Z][a-z'’-]+(?: [A-Z][a-z'’.-]+)+$")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?\s*(%|k\b|K\b|m\b|M\b)?")


_CLOCK = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")


def times_in(text: str) -> list[int]:
    """Clock times a text quotes (`01:51`), as minutes after midnight."""
    return [int(h) * 60 + int(m) for h, m in _CLOCK.findall(text)]


def words(text: str) -> int:
    return len(text.split())


def _word(token: str) -> bool:
    """A word of letters; a hyphenated one ("config-only", "on-call") counts as one word."""
    return token.replace("-", "").isalpha() and not token.startswith("-")


def is_real(text: str) -> bool:
    """Real text: at least one real sentence, not a placeholder such as `TBD`. A real sentence
    has MIN_WORDS words or more, three distinct words of letters, and a word that joins them
    (FUNCTION_WORDS): word salad and keyword lists are not sentences, whatever their length."""
    stripped = text.strip()
    if stripped.lower() in PLACEHOLDERS:
        return False
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", stripped):
        tokens = [w.strip(".,;:!?()\"'").lower() for w in sentence.split()]
        alpha = {w for w in tokens if _word(w)}
        if len(tokens) >= MIN_WORDS and len(alpha) >= 3 and alpha & FUNCTION_WORDS:
            return True
    return False


def says_something(text: str) -> bool:
    """A message that carries something for its reader: MIN_WORDS words or more, three of them
    distinct words of letters. "help" or "everything is down!" asks a reader to start from
    nothing."""
    tokens = [w.strip(".,;:!?()\"'").lower() for w in text.split()]
    return len(tokens) >= MIN_WORDS and len({w for w in tokens if _word(w)}) >= 3


def numbers_in(text: str) -> list[float]:
    """Numbers as a reader means them: `12,400` is 12400, `3.2k` is 3200, `5%` is also 0.05."""
    out: list[float] = []
    for m in _NUMBER.finditer(text):
        raw = m.group(0)
        suffix = (m.group(1) or "").strip()
        digits = raw[: len(raw) - len(m.group(1) or "")].strip().replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            continue
        if suffix in ("k", "K"):
            value *= 1_000
        elif suffix in ("m", "M"):
            # "m" after a number is usually minutes ("12m"); keep both readings.
            out.append(value)
            value *= 1_000_000
        elif suffix == "%":
            out.append(value / 100)
        out.append(value)
    return out


def close(a: float, b: float, rel: float = 0.02) -> bool:
    """Equal within `rel` (a reader rounds 12,437 to 12,400), or to the nearest integer."""
    if a == b:
        return True
    if abs(a - b) <= rel * max(abs(a), abs(b)):
        return True
    return abs(b) >= 10 and round(a) == round(b)


def mentions_number(text: str, values: Iterable[float]) -> float | None:
    """The first value of `values` that the text quotes, or None."""
    found = numbers_in(text)
    for v in values:
        if any(close(n, v) for n in found):
            return v
    return None


NEAR_WORDS = 5
"""How many words either side of a number, in its sentence, may say what it measures."""
RUN_OF_NUMBERS = 3
"""Numbers in a row with nothing between them but commas, slashes or "and": a list, not a
figure stated as anything."""
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
_WORD = re.compile(r"\S+")
_RUN_GAP = re.compile(r"^(?:[\s,;/]|\.\.\.|…|\band\b|\bor\b)*$")


def _without_clocks(text: str) -> str:
    """The text with its clock times (`02:14`) blanked: a clock reading is a time, not a
    figure, and `02:45` is not 45 of anything."""
    return _CLOCK.sub(lambda m: " " * len(m.group(0)), text)


def stated_figures(text: str, measures: re.Pattern[str]) -> list[tuple[float, str]]:
    """The numbers a text states as something `measures` names: each number with the words of
    its sentence within NEAR_WORDS of it, when those words say what it measures ("12,400
    requests affected", "3.2% of the error budget", "for 26 minutes"). Clock times are not
    figures. Each comes with its phrase, as the text wrote it."""
    out: list[tuple[float, str]] = []
    plain = _without_clocks(text)  # the same length: a span of it is the text's same span
    starts = [0, *(m.end() for m in _SENTENCE.finditer(plain))]
    for start, sentence in zip(starts, _SENTENCE.split(plain), strict=True):
        for m in _NUMBER.finditer(sentence):
            before = list(_WORD.finditer(sentence, 0, m.start()))[-NEAR_WORDS:]
            after = list(_WORD.finditer(sentence, m.end()))[:NEAR_WORDS]
            # the number's own token too: a unit glued to it ("26m") says what it measures
            near = " ".join([*(w.group(0) for w in before), m.group(0).strip(),
                             *(w.group(0) for w in after)])
            if not measures.search(near.lower()):
                continue
            a = before[0].start() if before else m.start()
            b = after[-1].end() if after else m.end()
            # The phrase as the text wrote it, its clock times included.
            phrase = " ".join(text[start + a:start + b].split()).strip(" ,;:.")
            out.extend((v, phrase) for v in numbers_in(m.group(0)))
    return out


def number_runs(text: str) -> list[str]:
    """Runs of RUN_OF_NUMBERS or more numbers with nothing but separators between them
    ("99, 100, 101"): numbers listed in the hope that one matches, not figures stated as
    anything."""
    plain = _without_clocks(text)
    found = list(_NUMBER.finditer(plain))
    runs: list[str] = []
    start = 0
    for i in range(1, len(found) + 1):
        if i < len(found) and _RUN_GAP.match(plain[found[i - 1].end():found[i].start()]):
            continue
        if i - start >= RUN_OF_NUMBERS:
            runs.append(" ".join(plain[found[start].start():found[i - 1].end()].split()))
        start = i
    return runs


def mentions(text: str, phrase: str) -> bool:
    return phrase.lower() in text.lower()


NOT_BLAME = re.compile(r"\b(?:no one|no-one|nobody|not anyone|not any one person)['’]s fault\b|"
                       r"\b(?:not the|not a|no|through no) fault of\b|"
                       r"\bfault of (?:the |a |an |its |our )?(?:[\w-]+ )?(?:model|system|service|"
                       r"job|node|pipeline|config|code|cluster|alert|feature|platform|"
                       r"deploy|release|producer|store|cache|gpu|pod)s?\b")
"""Saying that no one is to blame is the blameless stance itself, not blame; and in this domain
a fault is also a technical term: "a fault of the model" or "the batch job" blames no one."""


def blame_hits(text: str) -> list[str]:
    low = NOT_BLAME.sub(" ", text.lower())
    return [label for label, pat in BLAME_PATTERNS if re.search(pat, low)]


def people_in(data: Any) -> set[str]:
    """Names of people an observation shows (owners, deployers), found under NAME_KEYS."""
    found: set[str] = set()

    def walk(x: Any, key: str | None) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, str(k))
        elif isinstance(x, list):
            for v in x:
                walk(v, key)
        elif isinstance(x, str) and key in NAME_KEYS:
            name = re.sub(r"^(?:deploy-bot for|on behalf of)\s+", "", x.strip())
            if _PERSON.match(name):
                found.add(name)

    walk(data, None)
    return found



def num(v: float) -> str:
    """A figure as a report prints it: `12,400`, `3.5`, `0.05`."""
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3g}"


def a_an(word: str) -> str:
    """`a data fault`, `an infra fault`: the article a word takes when read aloud."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def and_list(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`: lists read as prose in feedback and stories."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
