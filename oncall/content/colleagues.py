"""Colleagues' dialogue trees (colleagues/*.yaml): who pushes back on what, and how they answer
each of the four replies a player can give (reply with data, agree, overrule, defer).

Dialogue is scripted and offline: a tree is text templates filled from the world's own values
and an effect per answer that the shift carries out. The folder is the registry; every template
is checked against the names the shift can fill, so a typo is a load problem, not a wrong line.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oncall.content.loader import ContentError, Problem, content_root, load_folder, parse_file

VERBS = ("reply", "agree", "overrule", "defer")
Verb = Literal["reply", "agree", "overrule", "defer"]
Effect = Literal["proceed", "drop", "later", "promote", "hold", "build", "ticket"]
Trigger = Literal["rollback", "escalate:data-engineering", "request:deploy", "request:canary",
                  "request:feature"]
Evidence = Literal["incident-signal", "gate-report", "open-incident", "any"]
FIELDS = frozenset({"name", "team", "model", "version", "eval", "what", "change", "gate",
                    "deadline", "evidence", "later", "canary_pct", "need_lower"})
"""The names a template may use; the shift fills each from the world."""
EFFECTS: dict[str, tuple[str, ...]] = {
    "rollback": ("proceed", "drop", "later"),
    "escalate:data-engineering": ("proceed", "drop", "later"),
    "request:deploy": ("promote", "hold", "later"),
    "request:canary": ("promote", "hold", "later"),
    "request:feature": ("build", "ticket", "later"),
}
"""What an answer may do, by what the dialogue is about."""


class Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class Answer(Strict):
    says: str = Field(description="what the colleague answers (a template)")
    effect: Effect = Field(description="what happens: proceed/drop a held command, promote/hold "
                           "a release, build/ticket a request, or come back later")
    trust: int = Field(0, ge=-1, le=1, description="how the answer changes their trust in you")


class Dialogue(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    role: str
    who: Literal["owner", "data-engineering", "release", "lead"] = Field(
        description="which person of the world speaks: the model's owner, the data engineer on "
                    "call, the team's release manager or its lead")
    trigger: Trigger
    opening: str
    convinced_by: list[Evidence] = Field(min_length=1, description="what a reply must cite to "
                                         "convince them")
    unconvinced: str
    reminder: str
    responses: dict[Verb, Answer]

    @model_validator(mode="after")
    def _complete(self) -> Dialogue:
        missing = [v for v in VERBS if v not in self.responses]
        if missing:
            raise ValueError(f"responses: missing {', '.join(missing)}")
        for verb, ans in self.responses.items():
            if ans.effect not in EFFECTS[self.trigger]:
                raise ValueError(f"responses.{verb}.effect: {ans.effect!r} does not fit "
                                 f"{self.trigger}; valid: {', '.join(EFFECTS[self.trigger])}")
        texts = {"opening": self.opening, "unconvinced": self.unconvinced,
                 "reminder": self.reminder,
                 **{f"responses.{v}.says": a.says for v, a in self.responses.items()}}
        for where, text in texts.items():
            names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
            unknown = sorted(names - FIELDS)
            if unknown:
                raise ValueError(f"{where}: unknown name(s) {', '.join(unknown)}; valid: "
                                 f"{', '.join(sorted(FIELDS))}")
        return self


def colleagues_dir() -> Path:
    return content_root() / "colleagues"


def parse_dialogue(path: Path) -> Dialogue:
    return parse_file(path, Dialogue, "dialogue")


@cache
def dialogues() -> dict[str, Dialogue]:
    """Every dialogue by trigger (one each); a broken file is a ContentError naming it."""
    found, problems = load_folder(colleagues_dir(), parse_dialogue)
    if problems:
        raise ContentError(list(problems))
    by_trigger: dict[str, Dialogue] = {}
    for d in found.values():
        if d.trigger in by_trigger:
            raise ContentError([Problem(str(colleagues_dir() / f"{d.id}.yaml"), "trigger",
                                        f"{d.trigger} already has {by_trigger[d.trigger].id}")])
        by_trigger[d.trigger] = d
    return by_trigger
