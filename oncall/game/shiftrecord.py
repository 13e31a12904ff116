"""The record of a night shift: every command and observation, the queue, the pages, the talks
with colleagues, and the incident game's own record.

Like the incident record it is the single source for scoring and stories: a saved shift re-scores
to the same card in any process, and replaying its commands on a new shift with the same seed,
length and difficulty rebuilds it byte for byte.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from oncall.game.record import Entry, Model, Record
from oncall.sim.fields import empty_list

SHIFT_FORMAT = 2
"""2: a colleague's answer holds when the player said it (`Said.t`) and when they answered
(`Said.answered_at`); format 1 held only the answer's minute, as `t` (`oncall.store.shifts`
reads it as format 2)."""
ItemKind = Literal["incident", "deploy", "canary", "feature", "noise"]
PRIORITY: dict[str, int] = {"incident": 1, "deploy": 2, "canary": 2, "feature": 3, "noise": 4}
"""Production incidents first, deployment-blocking work second, feature requests third, noise
last."""


class Item(Model):
    """One entry of the pager queue: who asked, what they need, by when."""

    id: str
    kind: ItemKind
    priority: int
    title: str
    model: str
    requester: str
    team: str
    need: str
    arrives_at: int
    deadline: int
    incident: str | None = None
    page: str | None = None
    arrived: bool = False
    taken_at: int | None = None
    done_at: int | None = None
    outcome: str | None = None
    report: dict[str, Any] = Field(default_factory=dict,
                                   description="what `take` shows: the request's gate report")


class PageFact(Model):
    id: str
    model: str
    severity: str
    opened_at: int
    alerts: list[str]
    inhibited: list[str] = Field(default_factory=empty_list)
    notified: list[int] = Field(default_factory=empty_list)
    acked_at: int | None = None
    escalated_at: int | None = None
    item: str | None = None


class SilenceFact(Model):
    id: str
    rule: str
    model: str
    starts_at: int
    ends_at: int


class Said(Model):
    """One answer of the player's to a colleague, and the colleague's answer to it."""

    t: int = Field(description="when the player said it (their answer went out)")
    answered_at: int | None = Field(None, description="when the colleague answered")
    entry: int = Field(description="index of the record entry of this answer")
    verb: str
    cited: list[str] = Field(default_factory=empty_list)
    convinced: bool | None = None
    says: str
    effect: str | None = None


class Conversation(Model):
    """A colleague's push back and the player's answers to it."""

    id: str
    dialogue: str
    trigger: str
    person: str
    role: str
    team: str
    model: str
    item: str | None = None
    incident: str | None = None
    opened_at: int
    opening: str
    held: dict[str, Any] | None = Field(None, description="the command waiting on the answer")
    said: list[Said] = Field(default_factory=empty_list)
    reopen_at: int | None = None
    closed_at: int | None = None
    outcome: str | None = None
    waived: bool = False


class IncidentKey(Model):
    """One incident's answers, frozen into the record for scoring (never shown to the player)."""

    id: str
    model: str
    scenario: str
    category: str
    cause: str
    severity: int
    escalate_to: str | None
    right: list[dict[str, Any]]
    wrong: list[dict[str, Any]]


class ShiftKey(Model):
    incidents: list[IncidentKey]
    gates: dict[str, bool] = Field(default_factory=dict,
                                   description="item -> the failing gate is a real regression")


class ShiftFacts(Model):
    start: int
    end: int
    items: list[Item] = Field(default_factory=empty_list)
    pages: list[PageFact] = Field(default_factory=empty_list)
    silences: list[SilenceFact] = Field(default_factory=empty_list)
    conversations: list[Conversation] = Field(default_factory=empty_list)
    trust: dict[str, int] = Field(default_factory=dict)
    promoted: list[dict[str, Any]] = Field(default_factory=empty_list)
    regressions: list[dict[str, Any]] = Field(default_factory=empty_list)
    built: list[dict[str, Any]] = Field(default_factory=empty_list)
    ended_at: int | None = None
    abandoned_at: int | None = Field(default=None, description="the player left the night here")
    budget: dict[str, Any] = Field(default_factory=dict,
                                   description="the error budgets as the shift ended")


class ShiftRecord(Model):
    format: int = SHIFT_FORMAT
    kind: Literal["shift"] = "shift"
    seed: int
    length: int
    difficulty: str
    key: ShiftKey
    facts: ShiftFacts
    entries: list[Entry] = Field(default_factory=empty_list)
    game: Record
    ended: bool = False


def queue_kind(rec: ShiftRecord, it: Item) -> str:
    """What an item was, as the night's judge and its story tell it: a page on a model whose
    release the player had promoted before it arrived is that release's alert (`release alert`),
    not noise; otherwise the record's own kind."""
    if it.kind == "noise" and it.page and any(
            p["model"] == it.model and p["t"] <= it.arrives_at for p in rec.facts.promoted):
        return "release alert"
    return it.kind


def left_at(rec: ShiftRecord) -> tuple[int, str] | None:
    """When and how the player left a night before its end: `abandoned` (the record stops
    there) or `end` (off the pager: the night ran on with nobody answering); None when the
    night was worked to its end or is still running. The judge's `ending` and the stories'
    span both read it, so the span told is the span worked."""
    f = rec.facts
    if f.abandoned_at is not None and f.abandoned_at < f.end:
        return f.abandoned_at, "abandoned"
    for e in rec.entries:
        o = e.observation
        if e.command.get("do") == "end" and o.ok and o.t - o.cost < f.end:
            return o.t - o.cost, "end"
    return None
