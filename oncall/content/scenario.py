"""The scenario file format (incidents/*.yaml): one pydantic model, also the JSON Schema.

A scenario names a fault the simulator knows, where and when it starts, the noise around it, and
the answers a facilitator needs: category, cause, evidence, right and wrong moves, and two scripted
plays of the headless protocol.
"""

import re
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from oncall.sim.catalogue import ARCHETYPES_BY_NAME, FAULTS_BY_ID
from oncall.sim.fields import empty_list

NOISE_KINDS = ("cert_expiry", "latency_blip", "unrelated_deploy")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class FaultSpec(Strict):
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$",
                      description="a fault kind defined in faults/ (`oncall schema` lists them)")
    id: str = Field("main", pattern=r"^[a-z0-9][a-z0-9-]*$",
                    description="the incident's id when a night holds several")
    model: str = Field(description="archetype name of the model the fault hits")
    onset: str = Field(description="simulated time the fault starts, HH:MM on the night")
    params: dict[str, Any] = Field(default_factory=dict)
    page_within: int = Field(30, ge=1, le=240, description="minutes after the onset by which "
                             "the first critical alert pages (checked by the conformance tests)")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        from oncall.content.kinds import fault_kinds

        known = fault_kinds()
        broken = known.broken(v)
        if broken is not None:
            from oncall.content.checks import KIND_BROKEN

            raise ValueError(f"{KIND_BROKEN} {v!r} does not validate ({broken.problems[0].file})")
        if v not in known:
            raise ValueError(f"unknown fault kind {v!r}; valid: {', '.join(sorted(known))}")
        return v

    @field_validator("model")
    @classmethod
    def _known_model(cls, v: str) -> str:
        if v not in ARCHETYPES_BY_NAME:
            raise ValueError(f"unknown model {v!r}; known: {', '.join(sorted(ARCHETYPES_BY_NAME))}")
        return v

    @field_validator("onset")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not HHMM.match(v):
            raise ValueError(f"onset must be HH:MM, got {v!r}")
        return v

    @property
    def onset_minute(self) -> int:
        h, m = self.onset.split(":")
        return int(h) * 60 + int(m)


class NoiseSpec(Strict):
    kind: Literal["cert_expiry", "latency_blip", "unrelated_deploy"]
    model: str | None = Field(None, description="the model it hits; drawn from the seed if unset")
    params: dict[str, Any] = Field(default_factory=dict)


class Move(Strict):
    """An intervention, described for the answers and for scoring."""

    kind: Literal["rollback", "hotfix", "escalate"]
    model: str | None = None
    fix: str | None = None
    team: str | None = None
    why: str = ""

    def matches(self, command: dict[str, Any]) -> bool:
        if command.get("do") != self.kind:
            return False
        if self.model is not None and command.get("model") != self.model:
            return False
        if self.fix is not None and command.get("fix") != self.fix:
            return False
        return not (self.team is not None and command.get("team") != self.team)


def _known_cause(v: str) -> str:
    if v not in FAULTS_BY_ID:
        raise ValueError(f"unknown cause {v!r}; the catalogue has {', '.join(FAULTS_BY_ID)}")
    return v


Cause = Annotated[str, AfterValidator(_known_cause)]
"""A fault catalogue id (D4, I1, ...), checked against the catalogue."""


class Alternative(Strict):
    """A cause a senior engineer would accept in part: it describes the same failure from
    another side (a config-only deploy that ran the GPU out of memory is also a bad deploy
    config)."""

    cause: Cause = Field(description="fault catalogue id")
    credit: float = Field(gt=0, lt=1, description="share of the cause points it earns")
    why: str = Field(min_length=1, description="what it gets right and what it misses")


class Answers(Strict):
    category: Literal["data", "model", "infra"]
    cause: Cause = Field(description="fault catalogue id, e.g. D4")
    explanation: str
    signal_alert: str = Field(description="the alert that is the real signal")
    alternatives: list[Alternative] = Field(default_factory=empty_list, description="other causes "
                                            "that earn part of the cause points")
    evidence: list[str] = Field(min_length=1,
                                description="signals an observation must show to prove the cause")
    right: list[Move] = Field(default_factory=empty_list, description="moves that mitigate: at "
                              "least one, except in a control (none there)")
    wrong: list[Move] = Field(min_length=1)
    severity: int = Field(ge=1, le=5, description="the severity a seasoned on-call would declare")
    escalate_to: str | None = Field(None, description="the team that should hear of it, if any")
    remediations: list[str] = Field(min_length=1, description="remediation ids that fit this fault")
    control: bool = Field(False, description="a control: a page with nothing to fix. The right "
                          "play is to look, ticket the signal alert and let it clear; `right` "
                          "stays empty and every rollback or hotfix is wrong")

    @model_validator(mode="after")
    def _right_moves(self) -> Self:
        if self.control and self.right:
            raise ValueError("a control has nothing to fix: answers.right must stay empty")
        if not self.control and not self.right:
            raise ValueError("answers.right needs at least one move (or control: true)")
        alts = [a.cause for a in self.alternatives]
        if self.cause in alts:
            raise ValueError(f"answers.alternatives repeats the cause {self.cause}")
        if len(set(alts)) != len(alts):
            raise ValueError("answers.alternatives names a cause twice")
        return self


class Playbook(Strict):
    right: list[dict[str, Any]] = Field(min_length=1)
    wrong: list[dict[str, Any]] = Field(min_length=1)


class Scenario(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    brief: str = Field(description="what the player is told before the shift")
    difficulty: Literal["easy", "normal", "hard"] = "normal"
    fleet_size: int = Field(14, ge=4, le=18)
    total_rps: float = Field(500.0, gt=0)
    fault: FaultSpec
    also: list[FaultSpec] = Field(default_factory=empty_list,
                                  description="further incidents in the same night, each with "
                                  "its own id")
    noise: list[NoiseSpec] = Field(default_factory=empty_list)
    answers: Answers
    playbook: Playbook

    @property
    def faults(self) -> list[FaultSpec]:
        return [self.fault, *self.also]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [f.id for f in self.faults]
        for i, f in enumerate(self.also):
            if f.id in ids[:i + 1]:
                where = "the main fault" if f.id == self.fault.id else "an earlier also: fault"
                unset = " (an also: fault without one is 'main')" if f.id == "main" else ""
                raise ValueError(f"also.{i}.id: {f.id!r} is already {where}'s id{unset}; "
                                 f"valid: an id of its own, such as {f.model}")
        cat = FAULTS_BY_ID[self.answers.cause].category
        if cat != self.answers.category:
            raise ValueError(f"answers.cause {self.answers.cause} is a {cat} fault but "
                             f"answers.category is {self.answers.category}")
        return self
