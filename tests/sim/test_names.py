"""The game's names are Faker's: the same seed gives the same people as the seeded Faker the
fleet used to draw them with, so no record changes because the game stopped importing Faker."""

from __future__ import annotations

from faker import Faker

from oncall.sim.names import Names, tables


def test_names_match_faker_seed_by_seed() -> None:
    for seed in [*range(60), 7_000, 7_011_123, 2**63 - 1]:
        fake = Faker()
        fake.seed_instance(seed)
        ours = Names(seed)
        theirs = [f"{fake.first_name()} {fake.last_name()}" for _ in range(25)]
        assert [ours.person() for _ in range(25)] == theirs, seed


def test_the_tables_are_fakers_en_us_tables() -> None:
    from faker.providers.person.en_US import Provider

    first, last = tables()
    assert first.names == tuple(Provider.first_names)
    assert last.names == tuple(Provider.last_names)
    assert len(set(first.names)) > 600 and len(set(last.names)) > 900
