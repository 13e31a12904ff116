"""Typed commands: `dashboard fraud-scorer pred_mean window=90` into the engine's command dict.

Positional words fill the verb's required fields in order, then its first optional one; the last
positional prose or list field takes any remaining words, so `update all clear now` and
`diagnose data D4 obs-7 obs-8` read naturally. Everything else is `key=value`. Validation stays
with the engine, so the player sees exactly the error and valid commands a script would.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from oncall.game.commands import SHIFT_VERBS, VERBS, Command

FREE_TEXT = ("message", "note", "grep")
"""Fields whose value is prose: the last positional one takes the rest of the line."""


class LineError(ValueError):
    """Input that cannot even be turned into a command dict."""


def _is_list(verb: str, name: str, verbs: Mapping[str, type[Command]] = VERBS) -> bool:
    ann = str(verbs[verb].model_fields[name].annotation)
    return ann.startswith("list")


def positional_fields(verb: str, verbs: Mapping[str, type[Command]] = VERBS) -> list[str]:
    fields = {n: f for n, f in verbs[verb].model_fields.items() if n != "do"}
    required = [n for n, f in fields.items() if f.is_required()]
    optional = [n for n, f in fields.items() if not f.is_required()]
    return required + optional[:1]


def parse_line(line: str, shift: bool = False) -> dict[str, Any]:
    """One typed line into a command dict; raises LineError for what cannot be split at all.
    `shift`: a night shift's own verbs (ack, take, reply, ...) come first."""
    verbs: Mapping[str, type[Command]] = {**VERBS, **SHIFT_VERBS} if shift else VERBS
    line = line.strip().lstrip(":/")  # the key that opened the command line may land in it
    try:
        words = shlex.split(line)
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
    pos = [w for w in rest if "=" not in w]
    for w in rest:
        if "=" in w:
            key, _, value = w.partition("=")
            is_list = key in verbs[verb].model_fields and _is_list(verb, key, verbs)
            cmd[key] = [v for v in value.split(",") if v] if is_list else value
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
