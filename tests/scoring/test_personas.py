"""Calibration: scripted players of eleven styles rank the way a senior on-call interviewer
would, on every scenario of the library, the rubric cannot be bought with keywords, runbooks,
templates or paperwork, and every line of feedback and every story sentence they get is true of
their record.

The players (`tests/players/`) read only what observations show; the checks are
`players.personas.ordering_checks`, the same ones `bench/personas.py` prints: the tiers expert >
novice > {panicker, confident-wrong} > passive escalator > random clicker each `MARGIN` points
apart, the keyword gamer, runbook-only escalator and template copier below the novice, paperwork
capped and a blind spray below the middle tier. One test per scenario, on seed 1 (seeds 1-3 with
`--fuzz-long`), so xdist spreads them.
"""

from __future__ import annotations

import pickle
from functools import lru_cache

import pytest
from fuzz_budget import budget
from players.personas import PERSONAS, ordering_checks

from oncall.content import loader
from oncall.game import generator
from oncall.game.engine import Game
from oncall.game.record import Record
from oncall.scoring import score
from oncall.scoring.card import Scorecard
from oncall.store.saves import IncidentSave
from oncall.story.factcheck import Facts, check
from oncall.story.star import star_story

_PANIC = ("the panicker's rollback is this scenario's tempting wrong move, and two blind "
          "hotfixes, a three-team spray and an uncited guess follow: it earns no more than the "
          "passive escalator's habits, which is how a senior would rank them here")
KNOWN: dict[str, str] = {
    "address-1": "the panicker's rollback after a look at the logs is the right fix, in 11 "
                 "minutes, while the novice escalates and waits 40: the novice leads by its "
                 "diagnosis and postmortem, short of 10 points",
    "ads-2": "the expert and the novice both hand a label pipeline to its owners after the same "
             "looks; the expert's edge (severity aside) is under 10 points",
    "leads-1": "the expert and the novice both hand the new segment to its owners after the "
               "same looks (an edge under 10 points); and " + _PANIC,
    "pricing-3": "the novice reaches the node view after the batch job has finished, misreads "
                 "the control as a bad canary and rolls back; the keyword gamer and template "
                 "copier share its investigation",
    "night-two-pages": "a hard night's latency blip can fire beside the page; the passive "
                       "escalator tickets it while the panicker and the confident-wrong player "
                       "chase their own moves, which narrows their lead to about 8 points",
    "credit-1": _PANIC, "credit-2": _PANIC, "search-3": _PANIC,
    "search-4": _PANIC, "spam-2": _PANIC, "spam-3": _PANIC,
}
"""Scenarios where a check cannot hold, with the reason (a real limitation of a scripted style,
not a rubric rule); they run and are reported, but do not fail."""


@lru_cache(maxsize=1)
def _built(sid: str, seed: int) -> bytes:
    """The game at its page, frozen: eleven players start from copies of one build. Only the
    last build is kept (each is tens of MB): a scenario's players all play it in a row."""
    return pickle.dumps(Game(generator.scenario(sid), seed))


@lru_cache(maxsize=len(PERSONAS))
def play(sid: str, name: str, seed: int) -> tuple[Record, Scorecard]:
    record = PERSONAS[name](pickle.loads(_built(sid, seed)), seed).play()
    return record, score(record)


def seeds() -> range:
    return range(1, budget(1, 3) + 1)


@pytest.mark.parametrize("sid", [
    pytest.param(sid, marks=pytest.mark.xfail(reason=KNOWN[sid], strict=False))
    if sid in KNOWN else sid for sid in sorted(loader.scenarios())])
def test_the_ranking_holds_and_every_line_is_true(sid: str) -> None:
    failed: list[str] = []
    problems: list[str] = []
    for seed in seeds():
        totals = {}
        for name in PERSONAS:
            record, card = play(sid, name, seed)
            assert record.ended and card.ending, f"{name} on {sid} did not finish"
            totals[name] = card.total
            problems += untrue(record, card, f"{sid}/{name}/{seed}")
        checks = ordering_checks(totals, f"{sid} seed {seed}")
        assert len(checks) == 9
        failed += [str(c) for c in checks if not c.passed]
    assert not problems, "\n".join(problems[:20])
    assert not failed, "\n".join(failed)


def untrue(record: Record, card: Scorecard, where: str) -> list[str]:
    """What the fact checker finds false in the card's feedback, interview lines and story."""
    facts = Facts(record)
    texts = [card.ending, *(line for s in card.sections for line in s.feedback),
             *(i.sentence for i in card.interview),
             star_story(IncidentSave(record=record, scorecard=card,
                                     saved_at="2026-01-01T00:00:00"))]
    return [f"{where}: {p} in: {text[:160]}" for text in texts for p in check(text, record, facts)]


def test_a_frozen_build_plays_as_a_fresh_game() -> None:
    """The copies the players start from are the game `Game` builds: the same record."""
    fresh = PERSONAS["novice"](Game(generator.scenario("fraud-1"), 1), 1).play()
    assert play("fraud-1", "novice", 1)[0].model_dump() == fresh.model_dump()
