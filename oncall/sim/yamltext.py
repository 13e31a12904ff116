"""YAML text of the plain documents the game writes (rule files, rule tests), as PyYAML's safe
dumper writes them, without importing PyYAML (a sixth of a headless incident's instructions,
at the postmortem that writes its monitors' rule files).

It writes a document of the shape those files have, character for character as
`yaml.dump(doc, Dumper=CSafeDumper, sort_keys=False, width=W)` does: a mapping at the root,
mappings of string keys and lists in block style (a list in a mapping unindented, as PyYAML
writes it), and strings, integers, booleans, floats and None; a string that PyYAML would read
back as something else, or that starts or ends with a space or an indicator, is single-quoted;
a long one is folded at its single spaces past the width, as PyYAML folds it. Anything else (an
empty or shared container, a list in a list, a character outside printable ASCII, a line break,
a long key, another option) is not written here (`text` answers None) and PyYAML writes it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_BOOL = r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
_FLOAT = (r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
          r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)"
          r"|\.(?:nan|NaN|NAN)")
_INT = (r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+")
_NULL = r"~|null|Null|NULL|"
_TIMESTAMP = (r"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
              r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?"
              r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
              r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?")

RESOLVERS: list[tuple[str, str, str]] = [
    ("bool", _BOOL, "yYnNtTfFoO"),
    ("float", _FLOAT, "-+0123456789."),
    ("int", _INT, "-+0123456789"),
    ("merge", "<<", "<"),
    ("null", _NULL, "~nN"),
    ("timestamp", _TIMESTAMP, "0123456789"),
    ("value", "=", "="),
    ("yaml", r"!|&|\*", "!&*"),
]
"""PyYAML's implicit resolvers (`yaml.resolver.Resolver`): the type a plain scalar is read as,
by its first character (the empty one is null), in PyYAML's order; anything else is a string.
Each pattern is compiled when a scalar first starts with one of its characters."""

INDENT = 2
KEY_LENGTH = 100
"""A longer key is left to PyYAML (it writes a key of 128 characters or more as a complex
key, and libyaml from 129)."""


class _Unwritten(Exception):
    """The document is not of the shape written here."""


def resolved(value: str) -> str:
    """The type PyYAML reads a plain scalar as: `str`, or the tag's last word."""
    if value == "":
        return "null"
    for tag, pattern, first in RESOLVERS:
        if value[0] in first and (tag != "timestamp" or value[4:5] == "-") \
                and _compiled(pattern).match(value):  # a timestamp's fifth character is '-'
            return tag
    return "str"


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^(?:{pattern})$")


def _plain_allowed(text: str) -> bool:
    """PyYAML's `analyze_scalar`'s `allow_block_plain` for printable ASCII without breaks."""
    if not text or text[0] == " " or text[-1] == " " or text.startswith(("---", "...")):
        return False
    n = len(text)
    for i, ch in enumerate(text):
        followed = i + 1 >= n or text[i + 1] == " "
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`" or (ch in "?:-" and followed):
                return False
        elif (ch == ":" and followed) or (ch == "#" and text[i - 1] == " "):
            return False
    return True


def _scalar(value: object) -> tuple[str, bool]:
    """The scalar's text and whether it is written plain (else single-quoted)."""
    kind = type(value)
    if kind is str:
        text = str(value)
        if any(not " " <= ch <= "~" for ch in text):
            raise _Unwritten
        return text, resolved(text) == "str" and _plain_allowed(text)
    if kind is bool:
        text, tag = ("true" if value else "false"), "bool"
    elif kind is int:
        text, tag = str(value), "int"
    elif kind is float:
        number = float(value)  # type: ignore[arg-type]
        if number != number:
            text = ".nan"
        elif number in (float("inf"), -float("inf")):
            text = ".inf" if number > 0 else "-.inf"
        else:
            text = repr(number).lower()
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
        tag = "float"
    elif value is None:
        text, tag = "null", "null"
    else:
        raise _Unwritten
    if resolved(text) != tag or not _plain_allowed(text):
        raise _Unwritten  # PyYAML would write its tag
    return text, True


class _Writer:
    def __init__(self, width: int) -> None:
        self.width = width
        self.parts: list[str] = []
        self.column = 0
        self.seen: set[int] = set()

    def write(self, data: str) -> None:
        self.parts.append(data)
        self.column += len(data)

    def indent(self, indent: int) -> None:
        self.parts.append("\n" + " " * indent)
        self.column = indent

    def container(self, value: object) -> None:
        if not value or id(value) in self.seen:  # empty: a flow {} or []; shared: an anchor
            raise _Unwritten
        self.seen.add(id(value))

    def mapping(self, doc: dict[Any, Any], indent: int, after_dash: bool) -> None:
        self.container(doc)
        for i, (key, value) in enumerate(doc.items()):
            if type(key) is not str or not key or len(key) >= KEY_LENGTH:
                raise _Unwritten
            if i == 0 and after_dash:
                self.write(" ")
            elif self.column:
                self.indent(indent)
            text, plain = _scalar(key)
            if plain:
                self.write(text)
            else:
                self.single_quoted(text, indent + INDENT, split=False, after_space=True)
            self.write(":")
            self.value(value, indent)

    def value(self, value: object, indent: int) -> None:
        """A mapping's value, after its key's colon."""
        if type(value) is dict:
            self.mapping(value, indent + INDENT, after_dash=False)
        elif type(value) is list:
            self.container(value)
            for item in value:  # a list in a mapping is written unindented
                self.indent(indent)
                self.write("-")
                if type(item) is dict:
                    self.mapping(item, indent + INDENT, after_dash=True)
                elif type(item) is list:
                    raise _Unwritten
                else:
                    self.scalar(item, indent + INDENT)
        else:
            self.scalar(value, indent + INDENT)

    def scalar(self, value: object, indent: int) -> None:
        text, plain = _scalar(value)
        if plain:
            self.write(" ")
            self.plain(text, indent)
        else:
            self.single_quoted(text, indent, split=True, after_space=False)

    def plain(self, text: str, indent: int) -> None:
        """PyYAML's `write_plain` of a text without breaks."""
        spaces = False
        start = end = 0
        while end <= len(text):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch != " ":
                    if start + 1 == end and self.column > self.width:
                        self.indent(indent)
                    else:
                        self.write(text[start:end])
                    start = end
            elif ch is None or ch == " ":
                self.write(text[start:end])
                start = end
            if ch is not None:
                spaces = ch == " "
            end += 1

    def single_quoted(self, text: str, indent: int, split: bool, after_space: bool) -> None:
        """PyYAML's `write_single_quoted` of a text without breaks."""
        self.write("'" if after_space else " '")
        spaces = False
        start = end = 0
        while end <= len(text):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch is None or ch != " ":
                    if start + 1 == end and self.column > self.width and split \
                            and start != 0 and end != len(text):
                        self.indent(indent)
                    else:
                        self.write(text[start:end])
                    start = end
            elif (ch is None or ch == " " or ch == "'") and start < end:
                self.write(text[start:end])
                start = end
            if ch == "'":
                self.write("''")
                start = end + 1
            if ch is not None:
                spaces = ch == " "
            end += 1
        self.write("'")


def text(doc: object, **options: Any) -> str | None:
    """`doc` as PyYAML's safe dumper writes it with `options` (`sort_keys=False`, and `width`),
    or None when it is not of the shape written here (PyYAML's to write)."""
    width = options.pop("width", 80)
    if options != {"sort_keys": False} or type(doc) is not dict or type(width) is not int \
            or width <= INDENT * 2:  # PyYAML reads a width of 4 or less as 80, libyaml -1 as none
        return None
    writer = _Writer(width)
    try:
        writer.mapping(doc, 0, after_dash=False)
    except _Unwritten:
        return None
    return "".join(writer.parts) + "\n"
