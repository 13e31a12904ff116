"""Content files as the engine reads them: where they live, how a YAML file is read without
trusting it, and problems reported as `file: field: reason`, never as a traceback.

The fault kinds, scenarios (`oncall.content`) and the registries (`oncall.sim.registry`) are all
read through here, so a mistake in any of them reads the same way: a line number where the YAML
says it, the field path, and what is valid.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}" if self.field else \
            f"{self.file}: {self.reason}"


class ContentError(Exception):
    """One or more problems in content files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


CONTENT_ENV = "ONCALL_CONTENT"
"""Folders of added content (laid out like the shipped one), separated by the path separator."""


def content_root() -> Path:
    """The folder holding incidents/ and runbooks/: inside the wheel, or the checkout."""
    pkg = Path(__file__).resolve().parent.parent
    bundled = pkg / "_content"
    return bundled if (bundled / "incidents").is_dir() else pkg.parent


def added_dirs() -> list[Path]:
    """The content folders added with `--content DIR` or ONCALL_CONTENT, in order."""
    out: list[Path] = []
    for part in os.environ.get(CONTENT_ENV, "").split(os.pathsep):
        if part.strip() and Path(part).expanduser() not in out:
            out.append(Path(part).expanduser())
    return out


MAX_SCENARIO_BYTES = 1024 * 1024
MAX_YAML_ALIASES = 100


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing alias bombs (a few lines that expand to billions of nodes)."""

    aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases (*name)")
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def _read_text(path: Path, name: str) -> str:
    """The text of a regular UTF-8 file of sane size; anything else is a one-line problem."""
    import stat

    def fail(reason: str) -> ContentError:
        return ContentError([Problem(name, "", reason)])

    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise fail("is a folder, not a YAML file")
        if not stat.S_ISREG(st.st_mode):
            raise fail("not a regular file (a pipe or a device)")
        if st.st_size > MAX_SCENARIO_BYTES:
            raise fail(f"too large for a content file ({st.st_size:,} bytes)")
        with open(path, "rb") as f:
            raw = f.read(MAX_SCENARIO_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte {exc.start})") from None


ALIAS_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\]}]")
"""Where a text may hold a YAML anchor or alias: such a file goes through the loader that counts
aliases; any other is read by libyaml's safe loader, several times faster and with no alias to
expand."""
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str, name: str) -> object:
    loader: Any = _BoundedLoader if ALIAS_OR_ANCHOR.search(text) else FAST_LOADER
    try:
        return yaml.load(text, Loader=loader)  # both safe loaders
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())[:200]
        raise ContentError([Problem(name, where, f"not valid YAML: {reason}")]) from None
    except RecursionError:
        raise ContentError([Problem(name, "", "not valid YAML: nested too deeply")]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. an integer of 5,000 digits
        reason = str(exc).split(";")[0][:120] or type(exc).__name__
        raise ContentError([Problem(name, "", f"not valid YAML: {reason}")]) from None


def read_mapping(path: Path, what: str) -> dict[str, Any]:
    """The top-level mapping of one YAML content file; any bad input is a one-line problem."""
    name = str(path)
    data = _parse_yaml(_read_text(path, name), name)
    if not isinstance(data, dict):
        raise ContentError([Problem(name, "", f"expected a mapping of {what} fields at the top")])
    return data


def loc_text(part: object) -> str:
    """A field path part as it reads on one line (a key typed by hand may hold anything)."""
    text = str(part)
    return text if text.isprintable() and " " not in text else repr(text[:40])


def reason_of(err: object) -> str:
    e = dict(err)  # type: ignore[call-overload]
    msg = str(e.get("msg", "invalid"))
    if e.get("type") == "extra_forbidden":
        return "unknown field (check the spelling; `oncall schema` lists the fields)"
    return msg.removeprefix("Value error, ")


def node_line(node: Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line (1-based) of the YAML node at a field path, or of the deepest one that exists."""
    if node is None:
        return None
    for part in loc:
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value if str(k.value) == str(part)), node)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and \
                0 <= part < len(node.value):
            node = node.value[part]
        else:
            break
    return int(node.start_mark.line) + 1


def read_data(path: Path) -> tuple[Any, str]:
    """A YAML file's data and its text (for `node_tree`, when a problem needs a line number);
    bad input is a one-line problem."""
    name = str(path)
    text = _read_text(path, name)
    return _parse_yaml(text, name), text


def node_tree(text: str) -> Node | None:
    """The YAML node tree of a text already read (None if it does not compose)."""
    try:
        return yaml.compose(text, Loader=_BoundedLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        return None
