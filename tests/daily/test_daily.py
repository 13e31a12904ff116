"""`oncall daily`: one night per date and version, the first save counts, a card that spoils
nothing, and a streak read back from the saves."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from oncall_cli import run_oncall

from oncall import __version__, cli
from oncall.store.saves import load_save, load_saves
from oncall.story import daily

DAY = dt.date(2026, 12, 6)
Lines = list[dict[str, object]]
Played = tuple[Path, Lines, Lines]
PLAY = b'{"do":"ack"}\n{"do":"status"}\n{"do":"abandon"}\n'
pytestmark = pytest.mark.xdist_group("daily")
"""One worker plays the module's two daily runs (`played`) for every test here."""


def _daily(home: Path, *args: str) -> Lines:
    out = run_oncall(["--home", str(home), "daily", "--headless", "--date", DAY.isoformat(),
                      *args], input=PLAY, text=False)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.decode().splitlines()]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    home = tmp_path_factory.mktemp("daily-home")
    return home, _daily(home), _daily(home)


def test_the_night_depends_only_on_the_date_and_the_version() -> None:
    a, b = daily.night_of(DAY, "0.2.0"), daily.night_of(DAY, "0.2.0")
    assert a == b
    assert daily.night_of(DAY + dt.timedelta(days=1), "0.2.0").seed != a.seed
    assert daily.night_of(DAY, "0.3.0").seed != a.seed
    # No kind in the id: it draws from the frozen original kinds, whatever a content folder adds.
    assert a.scenario == f"random-{a.seed}-normal"


def test_the_first_save_counts_and_a_second_play_is_practice(played: Played) -> None:
    home, first, second = played
    assert first[-1]["counted"] is True and "first on this night" in str(first[-1]["note"])
    assert second[-1]["counted"] is False and str(second[-1]["note"]).startswith("practice")
    # Both are the day's night, and the card is the first attempt's either time.
    saves, errors = load_saves(home)
    assert not errors and len(saves) == 2
    night = daily.night_of(DAY, __version__)
    assert all(s.record.scenario == night.scenario and s.record.seed == night.seed
               for s in saves)
    assert first[-1]["card"] == second[-1]["card"]


def test_the_card_names_no_scenario_model_cause_or_category(played: Played) -> None:
    first = played[1]
    save = load_save(Path(str(first[-2]["saved"])))
    night = daily.night_of(DAY, __version__)
    text, svg = daily.card_text(night, save), daily.card_svg(night, save)
    key, facts = save.record.answers, save.record.facts
    spoilers = [save.record.scenario, str(save.record.seed), facts.target_model, key.cause,
                key.cause_name, key.category]
    for word in spoilers:
        assert word not in text and word not in svg, word
    # Six sections, each with its points, and the two times the record holds.
    assert text.count("/") == 1 + len(save.scorecard.sections)
    ack = (facts.acked_at or 0) - facts.page_at
    assert f"acknowledged in {ack} min" in text and "not mitigated" in text
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")


def test_card_and_stats_read_back_from_the_saves(played: Played,
                                                 capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    home, first, _ = played
    assert cli.main(["--home", str(home), "daily", "card", "--date", DAY.isoformat(),
                     "--svg", str(tmp_path / "card.svg")]) == 0
    assert capsys.readouterr().out == first[-1]["card"]
    assert (tmp_path / "card.svg").read_text().startswith("<svg")
    assert cli.main(["--home", str(home), "daily", "card", "--date", "2026-12-07"]) == 2
    assert "has not been played yet" in capsys.readouterr().err
    assert cli.main(["--home", str(home), "daily", "card", "--date", "2026-13-01"]) == 2
    assert "--date: '2026-13-01' is not a date" in capsys.readouterr().err


def test_streak_counts_consecutive_days_back_from_today(played: Played) -> None:
    home, _, _ = played
    saves, _ = load_saves(home)
    only = saves[0]
    days = {DAY - dt.timedelta(days=n): only for n in (0, 1, 2, 4)}
    assert daily.streak(days, DAY) == 3
    assert daily.streak(days, DAY + dt.timedelta(days=1)) == 3  # today still to play
    assert daily.streak(days, DAY + dt.timedelta(days=2)) == 0
    found = daily.played_days(saves, DAY, __version__)
    assert list(found) == [DAY] and found[DAY].saved_at == min(s.saved_at for s in saves)
    lines = daily.stats_lines(found, DAY)
    assert "1 played; streak 1 day(s); today's night played" in lines[0]
    assert lines[1].startswith(f"Best day: {DAY.isoformat()}, ")
