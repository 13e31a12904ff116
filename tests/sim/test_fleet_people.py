"""The fleet's people and history read like a real company's: names as people sign them, and
deploys pressed by people in working hours, not on a clock that ticks exactly 24 hours."""

from __future__ import annotations

import re

import numpy as np

from oncall.sim.clock import DAY
from oncall.sim.fleet import build_fleet

NAME = re.compile(r"^[A-Z][a-zA-Z'-]+ [A-Z][a-zA-Z'-]+$")
TITLES = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Jr|Sr|MD|DDS|DVM|PhD|II|III|IV)\b")


def test_names_have_no_honorifics_or_suffixes() -> None:
    names = []
    for seed in range(40):
        for m in build_fleet(seed).models.values():
            names += [m.owner, m.oncall_contact]
            names += [v.registered_by for v in m.versions]
            names += [d.promoted_by for d in m.deploys]
    assert len(names) > 1000
    odd = [n for n in names if not NAME.match(n) or TITLES.search(n)]
    assert odd == []


def test_deploys_are_promoted_in_working_hours_after_canaries_of_varied_length() -> None:
    gaps, hours = set(), set()
    for seed in range(20):
        for m in build_fleet(seed).models.values():
            by_version = {v.version: v for v in m.versions}
            for d in m.deploys:
                minute_of_day = d.at % DAY
                assert 9 * 60 + 30 <= minute_of_day < 17 * 60 + 30, (m.name, d.at)
                hours.add(minute_of_day // 60)
                gap = d.at - by_version[d.model_version].registered_at
                assert DAY // 2 < gap < 3 * DAY, (m.name, gap)
                gaps.add(gap)
                canary_h = int(re.search(r"after (\d+)h canary", d.note).group(1))  # type: ignore[union-attr]
                assert canary_h * 60 < gap
    assert len(gaps) > 100 and len(hours) >= 8


def test_a_pick_is_what_numpys_choice_picks_and_leaves_the_same_draws_after() -> None:
    from oncall.sim.fleet import pick

    for seed in range(300):
        ours, numpys = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 1])
        for options in ((0.01, 0.03, 0.05, 0.1), (200, 400, 800), ("a",)):
            assert pick(ours, options) == numpys.choice(list(options)).item()
        assert ours.random() == numpys.random()
