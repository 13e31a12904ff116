"""Random key sequences through the real app (Pilot): the app never stops on an error, and the
record it builds replays exactly."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from fuzz_budget import budget, count, timed
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from oncall.content import loader
from oncall.session import replay
from oncall.tui.app import make_app

KEYS = [
    # the war room, page and scorecard keys; abandoning and answering its question
    *"adflvpibnocsukgxzewr", "1", "2", "3", "j", "k", "t", "question_mark", "f1",
    "ctrl+g", "y", "ctrl+l",
    # moving around forms, lists and the palette
    "up", "down", "pagedown", "pageup", "home", "end", "tab", "shift+tab", "left", "right",
    "space", "enter", "escape", "ctrl+s", "ctrl+p", "colon", "backspace",
    # typing into a command line or a field
    *"0123456789 =-_.,", "A", "Z", "é", "ü",
]
key_sequences = st.lists(st.sampled_from(KEYS), min_size=budget(30, 100), max_size=budget(45, 150))
"""Each key costs the Pilot two idle waits (40 ms or more of wall time each key): the README's
run types 30-45 keys per example, `--fuzz-long` 100-150."""


async def drive(keys: list[str], scenario: str, seed: int, home: Path) -> None:
    app = make_app(seed=seed, scenario=scenario, home=home)
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for i in range(0, len(keys), 5):
            await pilot.press(*keys[i:i + 5])
            assert app._exception is None
            if not app.is_running:  # the player quit (the palette's Quit, confirmed): fine
                break
        else:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and app._exception is None
        session = app.session
    assert app.return_code in (None, 0) and app.crash_id is None
    if session is not None:
        assert session.errors == 0
        again, _ = replay(session.record, session.scenario)
        assert again.model_dump(mode="json") == session.record.model_dump(mode="json")


@pytest.mark.heavy
@settings(max_examples=budget(3, 20), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(keys=key_sequences, scenario=st.sampled_from(sorted(loader.scenarios())),
       seed=st.integers(min_value=0, max_value=2**63 - 1))
@example(keys=["a", "left", "g", "ctrl+p", "i", "enter", "y"], scenario="address-1", seed=0)
def test_random_keys_never_stop_the_app(keys: list[str], scenario: str, seed: int) -> None:
    with tempfile.TemporaryDirectory() as home, timed("TUI keys"):
        asyncio.run(drive(keys, scenario, seed, Path(home)))
    count("TUI keys", len(keys))
