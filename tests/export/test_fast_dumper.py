"""The rule and test files are written through libyaml's dumper: the text is the pure-Python
dumper's, byte for byte, on every document the catalogue writes (so a save made either way
replays the same)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.sim import datafile


@pytest.mark.parametrize("sid", ["fraud-1", "feed-1", "credit-3", "eta-1"])
def test_every_document_dumps_as_the_pure_python_dumper_does(
        sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    docs: list[tuple[Any, dict[str, Any]]] = []
    fast = datafile.dump_yaml

    def spy(doc: Any, **options: Any) -> str:
        docs.append((doc, options))
        return fast(doc, **options)

    for module in (remediations, remediations.promtests):
        monkeypatch.setattr(module, "dump_yaml", spy)
    remediations.generate(list(remediations.BY_ID), Game(loader.scenario(sid), 1).world, {},
                          None)
    assert len(docs) >= 10
    for doc, options in docs:
        assert fast(doc, **options) == yaml.dump(doc, Dumper=yaml.SafeDumper, **options)
