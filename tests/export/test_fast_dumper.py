"""The rule and test files are written through libyaml's dumper: the text is the pure-Python
dumper's, byte for byte, on every document the catalogue writes (so a save made either way
replays the same)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
import yaml

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.sim import datafile, yamltext


def _documents(sid: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Every YAML document (and its dump options) the remediations write for a scenario."""
    docs: list[tuple[Any, dict[str, Any]]] = []

    def spy(doc: Any, **options: Any) -> str:
        docs.append((doc, options))
        return "written"

    for module in (remediations, remediations.promtests):
        monkeypatch.setattr(module, "dump_yaml", spy)
    remediations.generate(list(remediations.BY_ID), Game(loader.scenario(sid), 1).world, {},
                          None)
    assert len(docs) >= 10
    return docs


@pytest.mark.parametrize("sid", ["fraud-1", "feed-1", "credit-3", "eta-1"])
def test_every_document_dumps_as_the_pure_python_dumper_does(
        sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for doc, options in _documents(sid, monkeypatch):
        assert datafile.dump_yaml(doc, **options) == yaml.dump(doc, Dumper=yaml.SafeDumper,
                                                               **options)


@pytest.mark.parametrize("sid", ["fraud-1", "feed-1", "credit-3", "eta-1"])
def test_every_document_is_written_without_pyyaml_as_libyaml_writes_it(
        sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule and test files are of the shape `yamltext` writes (PyYAML is not imported for
    them), and its text is libyaml's and the pure-Python dumper's."""
    for doc, options in _documents(sid, monkeypatch):
        written = yamltext.text(doc, **options)
        assert written is not None, "a rule or test file PyYAML has to write"
        assert written == yaml.dump(doc, Dumper=yaml.CSafeDumper, **options)
        assert written == yaml.dump(doc, Dumper=yaml.SafeDumper, **options)


PIECES = [*"ab xyZ09:#-?'\"{}[],&*!|>%@`.~=<+_eE", "  ", "yes", "no", "null", "On", "1.5", "0x1F",
          "1_0", "2020-01-02", "---", "...", "1e5", ".inf", "<<", "=", "\u00e9", "\t", "\n"]


def _string(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.choice([0, 1, 1, 2, 3, 5, 8, 20, 40, 90])))


def _scalar(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.6:
        return _string(rng) * rng.choice([1, 1, 1, 5])
    if pick < 0.7:
        return rng.randint(-10**6, 10**6)
    if pick < 0.8:
        return rng.choice([0.5, -1e20, 1e17, 3.0, math.inf, -math.inf, math.nan, 1e-7, 0.1 + 0.2])
    return rng.choice([True, False, None])


def _document(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for _ in range(rng.randint(0 if rng.random() < 0.05 else 1, 4)):
        key = _string(rng) if rng.random() < 0.3 else rng.choice(["name", "expr", "a b", "on"])
        pick = rng.random()
        if pick < 0.5 or depth > 3:
            doc[key] = _scalar(rng)
        elif pick < 0.75:
            doc[key] = _document(rng, depth + 1)
        else:
            doc[key] = [_document(rng, depth + 1) if rng.random() < 0.5 else
                        _scalar(rng) if rng.random() < 0.9 else [1]
                        for _ in range(rng.randint(0 if rng.random() < 0.05 else 1, 3))]
    return doc


@pytest.mark.parametrize("seed", range(4))
def test_yamltext_writes_what_pyyaml_writes_or_leaves_it_to_pyyaml(seed: int) -> None:
    """Documents of indicators, quotes, numbers and words PyYAML reads as other types, long and
    short at several widths: each `yamltext` writes is PyYAML's text to the character, libyaml's
    and the pure-Python dumper's (and a document it does not write, with a line break, a tab,
    a non-ASCII letter, a list in a list or an empty container, goes to libyaml's dumper)."""
    rng = random.Random(seed)
    written = 0
    for _ in range(1500):
        doc = _document(rng)
        options = {"sort_keys": False, "width": rng.choice([20, 40, 80, 100])}
        text = yamltext.text(doc, **options)
        libyaml = yaml.dump(doc, Dumper=yaml.CSafeDumper, **options)
        assert datafile.dump_yaml(doc, **options) == libyaml
        if text is not None:
            written += 1
            assert text == libyaml == yaml.dump(doc, Dumper=yaml.SafeDumper, **options), doc
    assert written >= 150
