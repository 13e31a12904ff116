"""Interview material from saved incidents: a STAR story each, and one numbers sheet overall."""

from oncall.story.numbers import numbers_sheet
from oncall.story.star import star_story

__all__ = ["numbers_sheet", "star_story"]
