"""The observation log draws lines, not a widget per answer: a long incident costs each new
answer what the first cost, runbooks read as documents, and the theme still colours it all."""

from __future__ import annotations

from pilot_helpers import acked_room, settle
from rich.style import Style

from oncall.tui.app import OncallApp
from oncall.tui.widgets.markdown import document
from oncall.tui.widgets.obslog import ObservationLog

LOOKS = [{"do": "logs", "model": "fraud-scorer"}, {"do": "deploys"}, {"do": "status"},
         {"do": "dashboard", "model": "fraud-scorer", "metric": "latency_p99_ms"}]


async def test_answers_add_lines_to_one_widget_and_the_newest_is_in_view(
        incident_app: OncallApp) -> None:
    """Twenty answers leave the room with the widgets it had after the first: each answer's
    lines join one widget's, so no answer lays out the ones before it again."""
    async with incident_app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        room.send(LOOKS[0])
        await settle(pilot)
        widgets = len(list(room.walk_children()))
        for i in range(20):
            room.send(LOOKS[i % len(LOOKS)])
            await settle(pilot)
        room.action_tab("tab-log")  # the last look, a dashboard, showed its chart
        await pilot.pause()
        log = room.query_one(ObservationLog)
        assert len(list(room.walk_children())) == widgets
        assert not log.children
        heads = log.heads()
        assert len(heads) == 23  # the page, the acknowledgement, 21 looks
        assert heads[-1].split()[0] == room.entries[-1][1].id
        # The newest answer is on screen: the log is scrolled to its end.
        assert log.scroll_y == log.max_scroll_y > 0
        shown = [log.render_line(y).text for y in range(log.size.height)]
        assert any(heads[-1].strip() in line for line in shown), shown


async def test_a_runbook_reads_as_a_document_from_its_top(incident_app: OncallApp) -> None:
    async with incident_app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        room.send({"do": "runbook", "alert": "ModelPredictionMeanShift"})
        await settle(pilot)
        await pilot.pause()
        log = room.query_one(ObservationLog)
        entry = log.entries[-1]
        text = [plain for _, plain in entry.lines]
        assert "## Meaning" not in "\n".join(text) and "Meaning" in text
        assert not any(line.strip().startswith("```") for line in text)
        first = next(i for i, line in enumerate(text) if line.startswith("1. "))
        # An item's wrapped lines and its code sit under its text, not under its number.
        assert text[first + 1].startswith("   ") and text[first + 1].strip()
        # The document is read from its top: the log scrolled to the entry's first line.
        assert log.scroll_y == entry.top
        assert entry.head.strip() in log.render_line(0).text


def test_markdown_blocks_keep_lists_code_and_quotes_apart() -> None:
    plain = Style()
    blocks = document("# Title\n## Part\nSome *text* and `code` and [a link](http://x.example).\n"
                      "\n- one\n- two\n  - inner\n\n1. first\n\n2. second\n\n"
                      "```sh\nkubectl get pods\n```\n\n> quoted\n", lambda _: plain)
    lines = [(b.plain, indent) for b, indent in blocks]
    assert lines[:3] == [("Title", 0), ("Part", 0),
                         ("Some text and code and a link (http://x.example).", 0)]
    assert ("• one", 2) in lines and ("  • inner", 4) in lines
    # A tight list has no blank line between its items; a loose one has.
    assert lines.index(("• two", 2)) == lines.index(("• one", 2)) + 1
    assert lines.index(("2. second", 3)) == lines.index(("1. first", 3)) + 2
    assert ("kubectl get pods", 0) in lines and ("│ quoted", 2) in lines


async def test_focus_redraws_the_lines_and_a_theme_lays_them_out_again(
        incident_app: OncallApp) -> None:
    async with incident_app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        log = room.query_one(ObservationLog)
        log.focus()
        await pilot.pause()
        lines = log._lines
        room.action_cmdline()  # the log loses focus: its background changes, its text does not
        await pilot.pause()
        assert log._lines is lines
        before = log.entries[1].lines[0][0].style  # the acknowledgement's head
        incident_app.theme = "nord" if incident_app.theme != "nord" else "gruvbox"
        await settle(pilot)
        await pilot.pause()
        assert log._lines is not lines
        assert log.entries[1].lines[0][0].style != before


async def test_selected_lines_copy_as_the_log_shows_them(incident_app: OncallApp) -> None:
    from textual.geometry import Offset
    from textual.selection import Selection

    async with incident_app.run_test(size=(80, 24)) as pilot:
        room = await acked_room(pilot)
        log = room.query_one(ObservationLog)
        got = log.get_selection(Selection(Offset(0, 0), Offset(10, 1)))
        assert got is not None
        first = log.text().splitlines()
        assert got[0] == first[0] + "\n" + first[1][:10]
