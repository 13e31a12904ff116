"""The fact checker finds a figure among the record's numbers by bisection: it must accept exactly
the figures a scan of every number with `_close` (or the 5% rounding of "about") accepts."""

from __future__ import annotations

import math
import random

import pytest
from record_factory import m1_play

from oncall.story import factcheck
from oncall.story.factcheck import Facts


def _scan_number(v: float, numbers: set[float]) -> bool:
    return (v <= factcheck.SMALL and float(v).is_integer()) or any(
        factcheck._close(v, n) for n in numbers)


def _scan_rounded(v: float, numbers: set[float]) -> bool:
    return _scan_number(v, numbers) or any(
        abs(v - n) <= factcheck.ROUNDED * abs(n) for n in numbers if n)


def _with(numbers: set[float]) -> Facts:
    """Facts that hold just `numbers`, indexed as `Facts.__init__` indexes a record's."""
    facts = Facts.__new__(Facts)
    facts.numbers = numbers
    facts._finite = sorted(n for n in numbers if math.isfinite(n))
    facts._infinite = [n for n in numbers if math.isinf(n)]
    return facts


@pytest.mark.parametrize("seed", range(3))
def test_bisection_accepts_what_a_scan_accepts_at_every_edge(seed: int) -> None:
    rng = random.Random(seed)
    numbers = {rng.choice([rng.uniform(-1e4, 1e4), rng.uniform(-2, 2),
                           float(rng.randint(-500, 500)), rng.uniform(1e5, 1e7),
                           round(rng.uniform(0, 100), rng.randint(0, 4))])
               for _ in range(rng.randint(1, 200))}
    facts = _with(numbers)
    # Each figure sits at an edge of what `_close` or "about" accepts, or just past it.
    scale = (1.0, 1.0099, 1.0101, 0.99, 0.9899, 1.0526, 1.0527, 0.9524, 0.9523)
    for base in [*rng.sample(sorted(numbers), min(40, len(numbers))),
                 *(rng.uniform(-1e4, 1e4) for _ in range(20))]:
        for v in [base * k for k in scale] + [base + 0.5, base - 0.5, base + 0.5001,
                                              round(base, rng.randint(0, 4))]:
            assert facts.has_number(v) == _scan_number(v, numbers), v
            assert facts.has_rounded(v) == _scan_rounded(v, numbers), v


def test_an_infinite_number_is_within_reach_of_every_figure_as_the_scan_has_it() -> None:
    facts = _with({3.5, math.inf})
    assert facts.has_number(123456.7) == _scan_number(123456.7, {3.5, math.inf}) is True
    assert facts.has_number(math.inf)


def test_the_records_own_figures_are_found_and_a_made_up_one_is_not() -> None:
    record = m1_play()
    facts = Facts(record)
    some = sorted(n for n in facts.numbers if n > factcheck.SMALL)[:40]
    assert some and all(facts.has_number(n) for n in some)
    made_up = max(facts.numbers) * 3 + 0.37
    assert not facts.has_number(made_up) and not facts.has_rounded(made_up)


def test_clocks_found_from_their_colon_are_the_clocks_the_plain_patterns_find() -> None:
    """`clocks_in` and `dated_in` (the record's text scanned from each colon) give what
    `CLOCK.findall` and `DATED.findall` give, in order, on texts made to catch them out: hours
    of one and two digits, 24:00, clocks inside longer runs of digits and colons, dates."""
    rng = random.Random(5)
    parts = ["Mar 14 02:06", "02:06", "2:06", "12:345", "1:2:34", "24:00", "23:59", "x01:00",
             "_01:00", "Feb 03 23:59a", "Jan 1 02:00", "Mar 14 24:00", ":", " ", "9", "é", "-",
             "\n", "a"]
    alphabet = "0123456789:: MarFeb\n_."
    found = 0
    for n in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8))) if n % 2 else \
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert factcheck.clocks_in(text) == factcheck.CLOCK.findall(text), text
        assert factcheck.dated_in(text) == factcheck.DATED.findall(text), text
        found += len(factcheck.DATED.findall(text)) > 0
    assert found > 200
