"""Typed commands: `dashboard fraud-scorer pred_mean window=90` into the engine's command dict.

Positional words fill the verb's required fields in order, then its first optional one; the last
positional prose or list field takes any remaining words, so `update all clear now` and
`diagnose data D4 obs-7 obs-8` read naturally. Everything else is `key=value`. Validation stays
with the engine, so the player sees exactly the error and valid commands a script would.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from typing import Any, get_args

from pydantic.fields import FieldInfo

from oncall.game.commands import VERBS, Command
from oncall.game.shiftcommands import SHIFT_VERBS

Verbs = Mapping[str, type[Command]]
SHIFT: Verbs = {**VERBS, **SHIFT_VERBS}
"""A night shift's verbs: its own (ack, take, reply, ...) over the incident's."""

FREE_TEXT = ("message", "note", "grep", "reason")
"""Fields whose value is prose: the last positional one takes the rest of the line."""


class LineError(ValueError):
    """Input that cannot even be turned into a command dict."""


def fields_of(verb: str, verbs: Verbs = VERBS) -> dict[str, FieldInfo]:
    """A verb's fields by the key a command dict uses (`about` for a field kept as `about_`)."""
    return {(f.alias or f.serialization_alias or n): f
            for n, f in verbs[verb].model_fields.items() if n != "do"}


def _is_list(verb: str, name: str, verbs: Verbs = VERBS) -> bool:
    return str(fields_of(verb, verbs)[name].annotation).startswith("list")


def positional_fields(verb: str, verbs: Verbs = VERBS) -> list[str]:
    fields = fields_of(verb, verbs)
    required = [n for n, f in fields.items() if f.is_required()]
    optional = [n for n, f in fields.items() if not f.is_required()]
    return required + optional[:1]


_OBSERVATION = re.compile(r"obs-\d+")
"""An observation's id: wherever it is typed on a line whose verb cites evidence, it is
evidence (the night's `reply c1 obs-3`, whose only other word is the conversation)."""
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_KEPT = "\x00"


def _split(line: str) -> list[str]:
    """Words as a shell splits them, except that an apostrophe inside a word ("the model's
    owner", "don't") is a letter, not a quote: two of them would otherwise pair up and vanish."""
    kept = _APOSTROPHE.sub(_KEPT, line.replace(_KEPT, ""))
    return [w.replace(_KEPT, "'") for w in shlex.split(kept)]


def parse_line(line: str, shift: bool = False) -> dict[str, Any]:
    """One typed line into a command dict; raises LineError for what cannot be split at all.
    `shift`: a night shift's own verbs (ack, take, reply, ...) come first."""
    verbs = SHIFT if shift else VERBS
    line = line.strip().lstrip(":/")  # the key that opened the command line may land in it
    try:
        words = _split(line)
    except ValueError as exc:
        raise LineError(f"cannot read {line!r}: {exc}") from None
    if not words:
        raise LineError("type a command, e.g. `dashboard fraud-scorer pred_mean window=90`")
    verb, rest = words[0].lower(), words[1:]
    cmd: dict[str, Any] = {"do": verb}
    if verb == "postmortem":
        raise LineError("the postmortem is written in its form (it opens after `resolve`)")
    if verb not in verbs:
        return cmd | {"args": rest} if rest else cmd  # the engine names the valid verbs
    known = fields_of(verb, verbs)
    pos: list[str] = []
    cites = "evidence" in known and _is_list(verb, "evidence", verbs)
    text: str | None = None  # a free-text option being typed: its words run to the next option
    for w in rest:
        key, eq, value = w.partition("=")
        if eq and (text is None or key in known):
            is_list = key in known and _is_list(verb, key, verbs)
            cmd[key] = [v for v in value.split(",") if v] if is_list else value
            text = key if key in FREE_TEXT and key in known else None
        elif text is not None:
            cmd[text] = f"{cmd[text]} {w}"
        elif cites and _OBSERVATION.fullmatch(w):
            cmd.setdefault("evidence", []).append(w)  # `reply c1 obs-3`: obs-3 is evidence
        else:
            pos.append(w)
    names = [n for n in positional_fields(verb, verbs) if n not in cmd]
    for i, name in enumerate(names):
        if not pos:
            break
        last = i == len(names) - 1
        if _is_list(verb, name, verbs):
            cmd[name], pos = list(pos), []
        elif last and len(pos) > 1 and name in FREE_TEXT:
            cmd[name], pos = " ".join(pos), []
        else:
            cmd[name] = pos.pop(0)
    if pos:
        raise LineError(f"{verb}: too many words ({' '.join(pos)}); use key=value for options")
    return cmd


def _word(value: Any) -> str:
    """One value as a word of the line: bare when it can be, else quoted the way a person
    would (single quotes, or double quotes around text with an apostrophe)."""
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    if text and not any(ch in text for ch in " \t\n'\"\\="):
        return text
    if "'" in text and not any(ch in text for ch in '"\\'):
        return f'"{text}"'
    return shlex.quote(text)


def command_line(command: dict[str, Any], verbs: Verbs = SHIFT) -> str:
    """A command dict as the line that types it: `parse_line(command_line(c))` gives `c` back
    (values as text), so the log's echo can be retyped. Positional words in the verb's order,
    then the options in the verb's own order, never the dict's."""
    verb = str(command.get("do", "?"))
    rest = {k: v for k, v in command.items() if k != "do"}
    if verb not in verbs:
        args = rest.pop("args", [])
        words = [verb, *(_word(a) for a in (args if isinstance(args, list) else [args]))]
        return " ".join(words + [f"{k}={_word(v)}" for k, v in rest.items()])
    words = [verb]
    for name in positional_fields(verb, verbs):
        value = rest.get(name)
        if value is None or isinstance(value, list) or "=" in str(value) or value == "":
            break  # from here on the fields go as key=value
        words.append(_word(rest.pop(name)))
    order = list(fields_of(verb, verbs))
    ranked = sorted(rest.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    words += [f"{k}={_word(v)}" for k, v in ranked if v is not None]
    return " ".join(words)


Vocabulary = Callable[[str, dict[str, Any]], list[str]]
"""The values a field can take given the command so far: `("metric", {"model": m}) -> [...]`."""


def _candidates(verb: str, field: str, cmd: dict[str, Any], vocab: Vocabulary,
                verbs: Verbs) -> list[str]:
    fields = fields_of(verb, verbs)
    if field not in fields:
        return []
    values = vocab(field, cmd)
    if values:
        return values
    ann = fields[field].annotation
    args = get_args(ann)
    return [a for arg in (ann, *args) for a in get_args(arg) if isinstance(a, str)] \
        if args else []


def options(line: str, vocab: Vocabulary, verbs: Verbs = VERBS) -> tuple[str, str, list[str]]:
    """What may end the line: (the line before the word being typed, the field it fills or
    "verb" or "option", the candidates that start with that word, in order). A word of the form
    `key=val,val` offers the next value for the key."""
    words = line.split(" ")
    current = words[-1]
    head = line[: len(line) - len(current)]
    if len(words) == 1:
        return head, "verb", [v for v in verbs if v != "postmortem" and v.startswith(current)]
    verb = words[0].lower()
    if verb not in verbs:
        return head, "", []
    try:
        cmd = parse_line(" ".join(words[:-1]), shift=verbs is SHIFT)
    except LineError:
        cmd = {"do": verb}
    if "=" in current:
        key, _, value = current.partition("=")
        before, _, last = value.rpartition(",")
        taken = before.split(",")
        found = [c for c in _candidates(verb, key, cmd, vocab, verbs)
                 if c.startswith(last) and c not in taken]
        return head + f"{key}={before + ',' if before else ''}", key, found
    names = [n for n in positional_fields(verb, verbs) if n not in cmd]
    field = names[0] if names else None
    listed = next((n for n in positional_fields(verb, verbs) if _is_list(verb, n, verbs)), None)
    if field is None and listed is not None:
        field = listed  # further evidence ids
    found = [o for o in (_candidates(verb, field, cmd, vocab, verbs) if field else [])
             if o not in cmd.get(field or "", []) and o.startswith(current)]
    keys = [f"{k}=" for k in fields_of(verb, verbs) if k not in cmd and k.startswith(current)]
    if found or current:
        return head, field or "option", found + (keys if current or not found else [])
    return head, "option", keys


def complete(line: str, vocab: Vocabulary, verbs: Verbs = VERBS) -> str | None:
    """The line with its last word completed (a verb, a model, a metric, a feature, a fix, a
    team, an obs id, an option name), or None when nothing fits."""
    head, _, found = options(line, vocab, verbs)
    current = line[len(head):]
    found = [o for o in found if o != current]
    if not found or (not line.strip()):
        return None
    return head + found[0]


def common_prefix(words: list[str]) -> str:
    """The longest start all words share (character by character, not path by path)."""
    if not words:
        return ""
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]
