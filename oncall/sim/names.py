"""People's names: a first and a last name from a seeded stream, drawn as Faker's en_US person
provider draws them (`first_name()`, then `last_name()`, each weighted by its US frequency) from
the same tables, kept in `names.json`. The game does not import Faker, a tenth of a second of
every start, and a seed names the same people whatever Faker is installed.

    python -m oncall.sim.names    # writes names.json again from the installed Faker
"""

from __future__ import annotations

import json
import random
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

TABLES = Path(__file__).with_name("names.json")


class Table(NamedTuple):
    names: tuple[str, ...]
    cum_weights: tuple[float, ...]
    """The running sum of the weights, as `random.choices` adds them up from the weights."""


@cache
def tables() -> tuple[Table, Table]:
    """The first names and the last names, with their weights."""
    data = json.loads(TABLES.read_text(encoding="utf-8"))
    first, last = (Table(tuple(n for n, _ in data[part]),
                         tuple(accumulate(w for _, w in data[part])))
                   for part in ("first", "last"))
    return first, last


class Names:
    """A seeded stream of names: `Names(seed).person()` is what `Faker().seed_instance(seed)` then
    `f"{fake.first_name()} {fake.last_name()}"` gives (Faker draws from a `random.Random` seeded
    the same way, one `choices` call per name)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def person(self) -> str:
        """A first and a last name. (Faker's `name()` adds honorifics and suffixes, "Mr.", "MD",
        that nobody signs a deploy or a chat message with.)"""
        first, last = tables()
        draw = self._random.choices
        return f"{draw(first.names, cum_weights=first.cum_weights)[0]} " \
               f"{draw(last.names, cum_weights=last.cum_weights)[0]}"


def write_tables() -> None:
    """names.json from the installed Faker's en_US person provider."""
    from faker import VERSION
    from faker.providers.person.en_US import Provider

    source = (f"Faker {VERSION} (MIT License, Copyright (c) 2012 Daniele Faraglia), "
              "faker.providers.person.en_US: first_names and last_names, in "
              "Faker's order, each [name, weight] as Faker weighs it")
    parts = [f'"{part}": [\n' + ",\n".join(json.dumps([n, w], ensure_ascii=False)
                                            for n, w in table.items()) + "\n]"
             for part, table in (("first", Provider.first_names), ("last", Provider.last_names))]
    TABLES.write_text("{\n" + ",\n".join([f'"source": {json.dumps(source)}', *parts]) + "\n}\n",
                      encoding="utf-8")


if __name__ == "__main__":
    write_tables()
