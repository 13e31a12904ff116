"""Calibration: scripted players of eight styles over every scenario rank the way a senior
on-call interviewer would, the rubric cannot be bought with keywords or paperwork, and every
line of feedback and every story sentence they get is true of their record.

The players (`tests/players/`) read only what observations show. `bench/personas.py` runs the
same players over six seeds and prints the table the README quotes; this test plays one seed so
CI stays quick.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from players.personas import PERSONAS, TIERS

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.record import Record
from oncall.scoring import score
from oncall.scoring.card import Scorecard
from oncall.store.saves import IncidentSave
from oncall.story.factcheck import Facts, check
from oncall.story.star import star_story

SEED = 3
RANDOM_SEEDS = (1, 2, 3, 4, 5, 6)
"""The adaptive players play the same way on every seed (their scores move by tenths); the
random player's do not, so it plays six seeds and the test takes its mean."""
MARGIN = 10
Runs = dict[tuple[str, str, int], tuple[Record, Scorecard]]


@pytest.fixture(scope="module")
def runs() -> Runs:
    out = {}
    for sid in sorted(loader.scenarios()):
        for name, player in PERSONAS.items():
            for seed in RANDOM_SEEDS if name == "random" else (SEED,):
                record = player(Game(loader.scenario(sid), seed), seed).play()
                out[sid, name, seed] = (record, score(record))
    return out


def means(runs: Runs) -> dict[str, float]:
    totals: dict[str, list[float]] = defaultdict(list)
    for (_, name, _), (_, card) in runs.items():
        totals[name].append(card.total)
    return {n: sum(v) / len(v) for n, v in totals.items()}


def test_every_player_finishes_with_a_card(runs) -> None:  # type: ignore[no-untyped-def]
    for (sid, name, _), (record, card) in runs.items():
        assert record.ended, f"{name} on {sid} did not finish"
        assert card.ending


def test_the_tiers_hold_with_a_margin(runs) -> None:  # type: ignore[no-untyped-def]
    m = means(runs)
    for upper, lower in itertools.pairwise(TIERS):
        gap = min(m[u] for u in upper) - max(m[lo] for lo in lower)
        assert gap >= MARGIN, f"{upper} vs {lower}: {gap:.1f} ({m})"


def test_keywords_and_paperwork_do_not_buy_a_score(runs) -> None:  # type: ignore[no-untyped-def]
    m = means(runs)
    assert m["keyword_gamer"] < m["novice"], m
    assert m["paperwork"] <= 25, m


def test_every_feedback_line_and_story_sentence_is_true(runs) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for (sid, name, _), (record, card) in runs.items():
        facts = Facts(record)
        texts = [card.ending, *(line for s in card.sections for line in s.feedback),
                 *(i.sentence for i in card.interview)]
        texts.append(star_story(IncidentSave(record=record, scorecard=card,
                                             saved_at="2026-01-01T00:00:00")))
        for text in texts:
            problems += [f"{sid}/{name}: {p} in: {text[:160]}" for p in check(text, record, facts)]
    assert not problems, "\n".join(problems[:20])
