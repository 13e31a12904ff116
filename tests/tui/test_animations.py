"""Nothing slides unless the player asks for it with TEXTUAL_ANIMATIONS: the tabs' underline
took 20 frames after every chart and drift test."""

from __future__ import annotations

import pytest
from textual import constants

from oncall.tui.app import make_app


def test_nothing_animates_unless_the_environment_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert make_app().animation_level == "none"
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "full")  # set: Textual's reading of it stands
    assert make_app().animation_level == constants.TEXTUAL_ANIMATIONS
