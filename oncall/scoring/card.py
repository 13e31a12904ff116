"""The scorecard a run earns: what the player sees after the postmortem, and what a save keeps.

It is a plain pydantic model so it travels unchanged through the headless protocol, the TUI and
saves; nothing in it needs the record to be read.
"""

from pydantic import BaseModel, ConfigDict, Field

from oncall.sim.fields import empty_list

SECTION_MAXIMA: dict[str, int] = {
    "alert": 15,
    "diagnosis": 20,
    "intervention": 25,
    "postmortem": 15,
    "self_awareness": 10,
    "temperament": 15,
}
"""The six sections of DESIGN.md §3 in display order; the maxima sum to 100."""

SECTION_TITLES: dict[str, str] = {
    "alert": "Alert",
    "diagnosis": "Diagnosis",
    "intervention": "Intervention",
    "postmortem": "Postmortem",
    "self_awareness": "Self-awareness",
    "temperament": "Temperament",
}


class _Card(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Section(_Card):
    name: str
    title: str
    points: float = Field(description="rounded to one decimal")
    max: int
    feedback: list[str] = Field(default_factory=empty_list,
                                description="what was done and what was missed, with numbers")

    @property
    def fraction(self) -> float:
        return self.points / self.max if self.max else 0.0


class InterviewScore(_Card):
    """The same run seen as an interviewer weighs a candidate."""

    name: str
    title: str
    percent: float
    sentence: str


class Scorecard(_Card):
    ending: str = Field("", description="how the run ended, in one sentence")
    sections: list[Section]
    interview: list[InterviewScore] = Field(default_factory=empty_list)
    total: float
    max: int
    percent: float

    def section(self, name: str) -> Section:
        for s in self.sections:
            if s.name == name:
                return s
        raise KeyError(name)
