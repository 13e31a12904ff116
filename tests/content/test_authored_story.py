"""A kind that exists only as data is told in its own words: the spoken story says what each of
its signals showed from the signal's `about`, and the folder's own fix from the fix registry's
`about`, never a generic "there was evidence of"."""

from __future__ import annotations

from pathlib import Path

import pytest
from content_folders import content_folder

from oncall.content import loader
from oncall.content.kinds import fault_kinds, signal_abouts
from oncall.game.engine import Game
from oncall.story.spoken import spoken_stories

AUTHORED = Path(__file__).parent / "authored"


@pytest.fixture
def authored():  # type: ignore[no-untyped-def]
    with content_folder(AUTHORED):
        yield


def test_an_authored_kinds_evidence_and_fix_are_told_in_its_own_words(authored: None) -> None:
    sc = loader.scenario("authored-dedup-1")
    g = Game(sc, 7)
    for c in sc.playbook.right:
        g.do(c)
    shown = {s for e in g.record.entries for s in e.observation.signals}
    kind = fault_kinds()["dedup_job_failed"]
    told = {s.about for s in kind.signals if s.about and any(
        x.split(":")[0] == s.id.split(":")[0] for x in shown)}
    assert told
    [incident] = [s for s in spoken_stories(g.record) if s.question == "incident"]
    assert "there was evidence of" not in incident.text
    assert "The logs showed the ingest log counts each event id twice." in incident.text
    assert "applied a fix to re-run the failed deduplication job" in incident.text


def test_abouts_come_from_the_scenarios_kind_or_a_random_nights_id(authored: None) -> None:
    mine = signal_abouts("authored-dedup-1")
    assert mine["dup-events"] == "the ingest log counts each event id twice"
    assert signal_abouts("random-5-normal-dedup-job-failed") == mine
    assert signal_abouts("no-such-scenario") == {}
