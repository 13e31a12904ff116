"""A night shift's own commands: `oncall.game.shift` answers these itself and hands every other
command to its game. Apart from the incident's commands (`oncall.game.commands`), so that an
incident's process never makes their classes (eleven pydantic models, 4 ms of its start).
"""

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, ConfigDict, Field, TypeAdapter

from oncall.game.commands import Command, validate
from oncall.sim.fields import empty_list

OnConversation = Annotated[str | None, Field(alias="about",
                                            description="a conversation or queue item")]
"""What an answer to a colleague is about (agree, overrule, defer)."""


class ShiftCommand(Command):
    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)
    phases = ("paged", "active", "resolved", "ended")


class ShiftAck(ShiftCommand):
    do: Literal["ack"]
    page: str | None = Field(None, description="the page to acknowledge (p1, ...); default: the "
                             "oldest unacknowledged")
    cost = 1
    about = "acknowledge a page (target: within 5 minutes)"


class Queue(ShiftCommand):
    do: Literal["queue"]
    about = "the pager queue: every item, who asked, what they need, by when"


class Take(ShiftCommand):
    do: Literal["take"]
    about_: str = Field(validation_alias=AliasChoices("about", "about_", "item"),
                        serialization_alias="about", description="a queue item (q1, ...)")
    cost = 1
    about = "pick up a queue item: read the request and its report"


class Reply(ShiftCommand):
    do: Literal["reply"]
    about_: str | None = Field(None, alias="about", description="a conversation (c1, ...) or "
                               "queue item; default: the oldest open conversation")
    evidence: list[str] = Field(default_factory=empty_list, description="observation ids that make "
                                "your case, e.g. obs-3")
    message: str = ""
    cost = 2
    about = "answer a colleague with data: cite the observations that make your case"


class Agree(ShiftCommand):
    do: Literal["agree"]
    about_: OnConversation = None
    cost = 1
    about = "go along with what the colleague asks"


class Overrule(ShiftCommand):
    do: Literal["overrule"]
    about_: OnConversation = None
    message: str = ""
    cost = 1
    about = "decide as incident commander against the colleague's view"


class Defer(ShiftCommand):
    do: Literal["defer"]
    about_: OnConversation = None
    minutes: int = Field(30, ge=5, le=240, description="when to come back to it")
    cost = 1
    about = "put the decision off (a feature request goes to working hours)"


class Silence(ShiftCommand):
    do: Literal["silence"]
    alert: str = Field(description="the alert rule to mute, or * for every alert on the model")
    model: str
    minutes: int = Field(60, ge=5, le=720, description="when the silence expires")
    cost = 1
    about = "mute an alert on a model until the silence expires"


class End(ShiftCommand):
    do: Literal["end"]
    about = "go off the pager: the rest of the night runs unanswered, then it is scored"


class ShiftAbandon(ShiftCommand):
    do: Literal["abandon"]
    reason: str = Field("", description="why the night stops here (kept in the record)")
    about = "stop the night here: it is scored and saved as abandoned, as it stands"


SHIFT_COMMANDS: tuple[type[Command], ...] = (ShiftAck, Queue, Take, Reply, Agree, Overrule, Defer,
                                             Silence, End, ShiftAbandon)
SHIFT_VERBS: dict[str, type[Command]] = {
    c.model_fields["do"].annotation.__args__[0]: c  # type: ignore[union-attr]
    for c in SHIFT_COMMANDS
}
AnyShiftCommand = Annotated[
    ShiftAck | Queue | Take | Reply | Agree | Overrule | Defer | Silence | End | ShiftAbandon,
    Field(discriminator="do"),
]


@cache
def _shift_adapter() -> TypeAdapter[Any]:
    """Built on the first shift command (an incident's process never needs it)."""
    return TypeAdapter(AnyShiftCommand)


def parse_shift(raw: dict[str, Any], valid: list[str]) -> Command:
    """A shift command, or CommandError naming the verb, the field and the reason."""
    return validate(_shift_adapter(), raw, valid, SHIFT_VERBS)
