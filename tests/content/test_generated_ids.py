"""Random nights keep their ids when the library grows: `random-SEED-DIFFICULTY-KIND` names its
kind and draws the rest from the seed and the kind's name; ids of the first scheme
(`random-SEED-DIFFICULTY`) draw from the kinds the library had then."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from oncall.content import loader
from oncall.content.kinds import faults_dir
from oncall.game import generator


@pytest.fixture
def grown_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A callable adding new kinds (copies of shipped ones) in a content folder, as an author
    would; the library is as shipped before and after the test."""
    monkeypatch.delenv(loader.CONTENT_ENV, raising=False)
    loader.clear_caches()

    def grow(*names: str) -> None:
        folder = tmp_path / "more"
        (folder / "faults").mkdir(parents=True, exist_ok=True)
        for name in names:
            kind = yaml.safe_load((faults_dir() / "memory_leak.yaml").read_text())
            kind["id"] = name
            (folder / "faults" / f"{name}.yaml").write_text(yaml.safe_dump(kind))
        loader.use_content([folder])

    yield grow
    # Not monkeypatch.delenv: that would record the folder as the value to restore.
    os.environ.pop(loader.CONTENT_ENV, None)
    loader.clear_caches()


def _draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generation without the trial plays: the first draw of kind, model, parameters and onset."""
    def first(draft: dict[str, Any], kind: Any, seed: int) -> dict[str, Any]:
        return {"id": draft["id"], "kind": kind.id, **draft["fault"], "noise": draft["noise"]}

    monkeypatch.setattr(generator, "_complete", first)


def test_ids_stand_for_their_kind_without_naming_it_and_old_ids_still_parse() -> None:
    from oncall.content.kinds import kind_in_id, kind_token

    assert generator.RANDOM_ID.match("random-5-hard-gpu-oom").group(3) == "gpu-oom"
    assert generator.RANDOM_ID.match("random-5-hard").group(3) is None
    sid = generator.random_id(5, "hard")
    kind = generator.pick_kind(5)
    assert sid == f"random-5-hard-{kind_token(kind)}" and "_" not in sid
    assert kind.replace("_", "-") not in sid and kind_in_id(sid.split("-", 3)[3]) == kind
    # A save made when ids named the kind builds the same night under its own id.
    old = generator.scenario(f"random-5-hard-{kind.replace('_', '-')}")
    assert old.id == f"random-5-hard-{kind.replace('_', '-')}"
    assert old.model_dump(exclude={"id"}) == generator.scenario(sid).model_dump(exclude={"id"})
    with pytest.raises(generator.GenerationError, match="no fault kind of the library"):
        generator.scenario("random-5-hard-k0000000")


def test_adding_kinds_changes_no_night_either_scheme_draws(grown_library: Any,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    _draws(monkeypatch)
    seeds = range(1, 41)
    new_ids = {s: generator.random_id(s, "normal") for s in seeds}
    before = {s: generator.scenario(new_ids[s]) for s in seeds}
    legacy = {s: generator.scenario(f"random-{s}-hard") for s in seeds}
    grown_library(*(f"added_kind_{i}" for i in range(8)))
    assert "added_kind_0" in generator.fault_kinds()
    assert {s: generator.scenario(new_ids[s]) for s in seeds} == before
    assert {s: generator.scenario(f"random-{s}-hard") for s in seeds} == legacy
    assert all(not n["kind"].startswith("added_kind") for n in legacy.values())
    # New nights may draw the new kinds; their ids stand for them, and they rebuild alike.
    picked = [generator.random_id(s, "normal") for s in seeds]
    assert any(generator.scenario(sid)["kind"].startswith("added_kind") for sid in picked)


def test_a_saved_random_night_replays_after_a_kind_is_added(grown_library: Any) -> None:
    from oncall.game.engine import Game
    from oncall.session import replay

    sid = generator.random_id(1, "easy")
    night = generator.scenario(sid)
    g = Game(night, 1)
    for cmd in night.playbook.right:
        g.do(cmd)
    saved, _ = replay(g.record, night)  # the record as `oncall replay` rebuilds a save's
    grown_library("added_kind")
    again = generator.scenario(sid)
    assert again.model_dump() == night.model_dump()
    replayed, _ = replay(g.record, again)
    assert replayed.model_dump(mode="json") == saved.model_dump(mode="json")
    assert len(replayed.entries) == len(night.playbook.right)
