"""The screen beneath a modal, dimmed as Textual dims it, with each style's tint worked out once.

Textual's `BackgroundScreen` tints every segment of the screen beneath on its own: two colour
blends and two new styles a segment, a few hundred segments a frame, though a screen has a few
dozen styles. Most of F1's first frame was that.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


@lru_cache(maxsize=4096)
def tinted(style: Style | None, color: Color) -> Style:
    """`style` without meta and links, its colours blended with `color` (Textual's sum)."""
    base = Style() if style is None else style.clear_meta_and_links()
    if color.a == 0:
        return base
    blend = Color.from_rich_color
    return base + Style.from_color(
        (blend(base.color) + color).rich_color if base.color is not None else None,
        (blend(base.bgcolor) + color).rich_color if base.bgcolor is not None else None)


class DimmedScreen(BackgroundScreen):
    """`BackgroundScreen` with the tint of each style kept (`tinted`)."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        for segment in segments:
            text, style, control = segment
            yield segment if control else Segment(text, tinted(style, color), control)


class DimmedModal(ModalScreen[ResultType]):
    """A modal screen whose dimmed background is drawn with `DimmedScreen`: the base of the
    game's modals (help, forms, confirmations)."""

    def render(self) -> Any:
        renderable = super().render()
        if type(renderable) is BackgroundScreen:
            return DimmedScreen(renderable.screen, renderable.color)
        return renderable
