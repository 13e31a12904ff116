"""The replay loop: the career's trends and bests, abandoned nights marked, a story exported as
Markdown, "retry this night" and "next night" from the scorecard, difficulty in the picker."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import settle
from textual.widgets import DataTable, RadioSet, Static

from oncall.content import loader
from oncall.session import Session
from oncall.store.saves import load_saves
from oncall.tui.app import make_app
from oncall.tui.screens.career import CareerScreen, TrendPlot, career_series, section_table
from oncall.tui.screens.page import PageScreen
from oncall.tui.screens.shift import ShiftPicker
from oncall.tui.screens.story import StoryScreen


def play(home: Path, seed: int, moves: int | None = None) -> Session:
    session = Session(loader.scenario("fraud-1"), seed, home=home)
    right = list(loader.scenario("fraud-1").playbook.right)
    for move in right[:moves] if moves is not None else right:
        session.do(move)
    if moves is not None:
        session.abandon()
    return session


def test_trends_and_bests_come_from_finished_nights_only(home: Path) -> None:
    first, second = play(home, 1), play(home, 2)
    play(home, 3, moves=2)
    saves, errors = load_saves(home)
    assert len(saves) == 3 and not errors
    labels, trend, best = career_series(saves)
    assert labels == ["fraud-1/1", "fraud-1/2"]
    cards = [first.card, second.card]
    for i, title in enumerate(s.title for s in first.card.sections):  # type: ignore[union-attr]
        got = [c.sections[i] for c in cards]  # type: ignore[union-attr]
        assert trend[title] == [round(100 * s.points / s.max, 1) for s in got]
        assert best[title] == max(trend[title])


async def test_the_career_screen_lists_marks_and_charts(home: Path) -> None:
    play(home, 1)
    play(home, 2)
    play(home, 3, moves=2)
    app = make_app(home=home)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CareerScreen)
        table = screen.query_one("#saves", DataTable)
        scores = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert len(scores) == 3 and sum("(abandoned)" in s for s in scores) == 1
        assert not screen.query_one(TrendPlot).display  # under 120 columns: the table alone
        table_text = str(screen.query_one("#career-table", Static).render())
        assert "2 finished nights" in table_text and "Self-awareness" in table_text
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        trend = str(screen.query_one(TrendPlot).render())
        assert "2 finished nights" in trend and "Alert" in trend and "Diagnosis" in trend

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        written = sorted((home / "stories").glob("*.md"))
        assert [p.name for p in written] == ["fraud-1-seed1-1-2.md", "fraud-1-seed1-1.md"]
        assert written[1].read_text().startswith("# ") and "## Situation" in \
            written[1].read_text()
        assert any("Story written to" in n.message for n in app._notifications)


async def test_retry_the_same_night_and_go_on_to_a_new_one(home: Path) -> None:
    from oncall.tui.screens.scorecard import ScorecardScreen

    app = make_app(seed=5, scenario="fraud-1", difficulty="hard", home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = app.session
        assert session is not None
        for move in loader.scenario("fraud-1").playbook.right:
            session.do(move)
        filed = session.record.entries[-1].observation
        app.push_screen(ScorecardScreen(session, filed))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PageScreen)
        again = app.session
        assert again is not None and again is not session
        assert (again.scenario.id, again.seed, again.difficulty) == ("fraud-1", 5, "hard")
        # The stack does not grow: the title, the war room built beneath the page, the page.
        assert [type(s).__name__ for s in app.screen_stack[1:]] == [
            "TitleScreen", "WarRoom", "PageScreen"]
        app.push_screen(ScorecardScreen(again, filed))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PageScreen) and app.session is not None
        assert app.session.scenario.id.startswith("random-") and app.session.seed != 5
        # random-SEED-DIFFICULTY-KIND: the next night keeps the difficulty.
        assert app.session.scenario.id.split("-")[2] == "hard"


async def test_the_picker_starts_at_the_difficulty_chosen(home: Path) -> None:
    app = make_app(seed=9, home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ShiftPicker)
        radio = picker.query_one("#difficulty", RadioSet)
        labels = [str(b.label) for b in radio.query("RadioButton")]
        assert labels[0].startswith("the scenario's own") and any("hard" in x for x in labels)
        hard = next(b for b in radio.query("RadioButton") if b.name == "hard")
        hard.value = True
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PageScreen) and app.session is not None
        assert app.session.difficulty == "hard" and app.session.game.difficulty == "hard"
        assert app.session.scenario.id.startswith("random-9-hard")


def test_the_section_table_keeps_whole_names_and_fits_80_columns() -> None:
    trend = {"Alert": [100.0, 50.0, 0.0], "Self-awareness": [97.0, 97.0, 90.0]}
    best = {"Alert": 100.0, "Self-awareness": 97.0}
    text = section_table(["a/1", "a/2", "a/3"], trend, best, 76)
    lines = text.splitlines()
    assert lines[0] == "% per section, 3 finished nights"
    assert lines[2] == "Alert           █▅▁    0%  ██████████ 100%"
    assert lines[3].startswith("Self-awareness  ██▇   90%")
    assert all(len(line) <= 76 for line in lines)
    many = section_table([f"a/{i}" for i in range(200)], {"Alert": [50.0] * 200},
                         {"Alert": 50.0}, 76)
    assert "(the last" in many and all(len(line) <= 76 for line in many.splitlines())
