"""The scenario listing shows what a player may know before the night: titles, models and their
own best scores. The category (half a diagnosis), the cause, the severity and the difficulty
stay behind `--answers`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncall.cli import main
from oncall.content import loader

KEY_FIELDS = {"category", "cause", "severity", "difficulty"}


def listing(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> str:
    assert main(["--home", str(home), "scenarios", *args]) == 0
    return capsys.readouterr().out


def test_the_listing_shows_no_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = json.loads(listing(capsys, tmp_path, "--json"))
    assert [r["id"] for r in rows] == sorted(loader.scenarios())
    assert not KEY_FIELDS & {k for r in rows for k in r}
    head, *lines = listing(capsys, tmp_path).splitlines()
    assert head.split() == ["scenario", "best", "title"]
    titles = {sid: s.title for sid, s in loader.scenarios().items()}
    assert [line.split(None, 2) for line in lines] == [[sid, "-", t] for sid, t in
                                                       sorted(titles.items())]
    shown = json.loads(listing(capsys, tmp_path, "show", "fraud-2", "--json"))
    assert not KEY_FIELDS & set(shown) and "answers" not in shown
    assert "normal" not in listing(capsys, tmp_path, "show", "fraud-2").splitlines()[0]


def test_answers_show_the_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = {r["id"]: r for r in json.loads(listing(capsys, tmp_path, "--json", "--answers"))}
    assert {k: rows["fraud-2"][k] for k in KEY_FIELDS} == {
        "category": "model", "cause": "M5", "severity": 2, "difficulty": "normal"}
    assert "model M5 SEV-2 normal" in listing(capsys, tmp_path, "--answers")
