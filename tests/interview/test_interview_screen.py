"""The rehearsal in the TUI: the question, a box for the answer, the verdict and a follow-up."""

from __future__ import annotations

import asyncio

from played import right_play
from textual.widgets import Markdown, Static, TextArea

from oncall.story.spoken import spoken
from oncall.tui.screens.interview import InterviewScreen, interview_app


def test_an_answer_typed_in_the_tui_gets_its_verdict_and_a_follow_up() -> None:
    record = right_play("fraud-4")
    answer = spoken(record, "tradeoff")
    assert answer is not None
    app = interview_app(record, "tradeoff", None)

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, InterviewScreen)
            assert "traded reliability" in str(screen.query_one("#iv-ask", Static).render())
            screen.query_one("#iv-answer", TextArea).text = answer.text
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert screen.session.verdicts[0].score >= 90
            assert "What did you give up" in str(screen.query_one("#iv-ask", Static).render())
            assert screen.query_one("#iv-answer", TextArea).text == ""
            assert screen.query_one("#iv-md", Markdown)

    asyncio.run(run())
