"""Content files as the engine reads them: where they live, how a YAML file is read without
trusting it, and problems reported as `file: field: reason`, never as a traceback.

The fault kinds, scenarios (`oncall.content`) and the registries (`oncall.sim.registry`) are all
read through here, so a mistake in any of them reads the same way: a line number where the YAML
says it, the field path, and what is valid.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from oncall.sim import yamltext

if TYPE_CHECKING:
    from yaml.nodes import Node

T = TypeVar("T")


class Problem(NamedTuple):
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


@cache
def content_root() -> Path:
    """The folder holding incidents/ and runbooks/: inside the wheel, or the checkout. Asked
    for by every reader of the shipped content, and where the package lies does not change
    while a process runs: resolved once (eight times, 0.7 ms of a headless game's start)."""
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


@cache
def _bounded_loader() -> Any:
    """The safe loader, refusing alias bombs (a few lines that expand to billions of nodes).
    PyYAML is imported here and in the other readers, when a file is first read or written: a
    game whose content comes from the cache never needs it."""
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases (*name)")
            return super().compose_node(parent, index)  # type: ignore[no-any-return]

    return BoundedLoader


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


def dump_yaml(doc: object, **options: Any) -> str:
    """A document as YAML text, as `yaml.safe_dump` writes it, through libyaml's safe dumper
    where PyYAML has it: the same text as the pure-Python one (checked on every rule and test
    file the catalogue writes for the library), five times faster. A document of the shape the
    game's rule files and rule tests have is written by `yamltext` (the same text, checked on
    the same files), without importing PyYAML."""
    written = yamltext.text(doc, **options)
    if written is not None:
        return written
    import yaml

    return str(yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **options))


def _parse_yaml(text: str, name: str) -> object:
    import yaml

    loader: Any = _bounded_loader() if ALIAS_OR_ANCHOR.search(text) else \
        getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
    from yaml.nodes import MappingNode, SequenceNode

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
    import yaml

    try:
        return yaml.compose(text, Loader=_bounded_loader())  # a SafeLoader subclass
    except yaml.YAMLError:
        return None


# -- validated content kept between runs -------------------------------------------------------
CACHE_ENV = "ONCALL_CACHE"
"""Where validated content is kept between runs (`off`: nowhere); default: the platform's user
cache folder."""


CACHE_KEPT = 4
"""Cache files kept per namespace (the newest written)."""


def cache_dir() -> Path | None:
    """The folder of the validated-content cache, or None when it is turned off."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() == "off":
        return None
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("oncall", appauthor=False)


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a file's bytes (None if it cannot be read: its parser says why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@cache
def code_stamp() -> str:
    """The size and modification time of every module of the game, hashed: a validation verdict
    stored under another stamp was reached by other code (the same test Python's own bytecode
    cache makes)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    found: list[tuple[str, int, int]] = []
    for folder, dirs, files in os.walk(package):  # a third of pathlib's rglob's time
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(folder, package)
        for name in files:
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                found.append((name if rel == "." else f"{rel}/{name}", st.st_size, st.st_mtime_ns))
    for rel, size, mtime in sorted(found):
        digest.update(f"{rel}:{size}:{mtime};".encode())
    return digest.hexdigest()


class DiskCache:
    """Validated content kept between runs: one file per namespace and state of what the
    validation reads besides the file itself (`depends`: other content files, by their bytes;
    the game's code, by `code_stamp`; `also`: anything registered at run time, as text). Each
    entry is keyed by its file's path and holds the file's SHA-256: a file edited since is
    validated again. Each value is stored pickled on its own and unpickled when first asked
    for: a process that needs one scenario of the library does not rebuild them all. A cache
    that cannot be read or written is ignored; the answer is the same without it, only
    slower."""

    def __init__(self, namespace: str, depends: list[Path], also: str = "",
                 on: bool = True) -> None:
        self.entries: dict[str, tuple[str, bytes]] = {}
        self._values: dict[str, Any] = {}
        folder = cache_dir() if on else None
        if folder is None:
            self.path: Path | None = None
            return
        key = hashlib.sha256(f"{code_stamp()}:{also}".encode())
        for dep in depends:
            key.update(f"{dep}:{file_digest(dep)};".encode())
        self.path = folder / f"{namespace}-{key.hexdigest()[:32]}.pickle"
        try:
            with self.path.open("rb") as fh:
                loaded = pickle.load(fh)  # written by this game under a key of its own code
            if isinstance(loaded, dict):
                self.entries = loaded
        except Exception:  # absent, truncated or from an incompatible Python: start afresh
            self.entries = {}

    def get(self, path: Path, digest: str | None) -> Any:
        """The stored value for this file at these bytes, or None."""
        name = str(path)
        hit = self.entries.get(name)
        if hit is None or digest is None or hit[0] != digest or not isinstance(hit[1], bytes):
            return None
        if name not in self._values:
            try:
                self._values[name] = pickle.loads(hit[1])  # written by this game, as above
            except Exception:  # a value the code no longer reads: built again
                return None
        return self._values[name]

    def kept(self, path: Path, digest: str | None, kind: type[T], build: Callable[[], T]) -> T:
        """The stored `kind` for this file at these bytes, else `build()`, stored (a build that
        raises stores nothing)."""
        stored = self.get(path, digest)
        if isinstance(stored, kind):
            return stored
        value = build()
        self.put(path, digest, value)
        return value

    def put(self, path: Path, digest: str | None, value: Any) -> None:
        """Store a value for this file at these bytes and write the cache file (atomically: a
        reader never sees half of it)."""
        if digest is None or self.path is None:
            return
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a value that does not pickle: not kept, the answer the same
            return
        self.entries[str(path)] = (digest, blob)
        self._values[str(path)] = value
        import tempfile  # here: a process whose content is all cached writes nothing

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=self.path.parent, delete=False,
                                             suffix=".tmp") as fh:
                pickle.dump(self.entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(fh.name, self.path)
            _prune(self.path)
        except OSError:
            self.path = None  # a read-only or full disk: keep going without the cache


def _prune(written: Path) -> None:
    """Drop the namespace's files of other code or content beyond the CACHE_KEPT most recently
    written (a few checkouts or versions may take turns; an upgrade's old files would otherwise
    stay for good)."""
    namespace = written.name.split("-", 1)[0]
    others = sorted(written.parent.glob(f"{namespace}-*.pickle"),
                    key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in others[CACHE_KEPT:]:
        old.unlink(missing_ok=True)
