"""The journey file, as pydantic models. ``tact schema`` exports these as JSON Schema."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from tact.journey.durations import Duration
from tact.models.events import EVENT_TYPES

Channel = Literal["email", "sms", "push", "webhook"]
ChannelChoice = Literal["email", "sms", "push", "webhook", "preferred"]
Purpose = Literal["marketing", "transactional"]

_STEP_ID = r"^[a-z][a-z0-9_]{0,47}$"
StepId = Annotated[
    str, Field(pattern=_STEP_ID, description="lower_snake_case, unique in the journey")
]
Expression = Annotated[str, Field(min_length=1, description="JSONata expression")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_event(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}")
    return value


def _check_expression(value: str) -> str:
    from tact.expressions import compile_expression

    compile_expression(value)
    return value


class Trigger(_Strict):
    event: str = Field(description="The event type that enters a customer into the journey")
    when: Expression | None = Field(default=None, description="JSONata condition on the event")

    _event = field_validator("event")(_check_event)
    _when = field_validator("when")(lambda v: v if v is None else _check_expression(v))


class ExitRule(_Strict):
    event: str
    when: Expression | None = Field(
        default=None,
        description="JSONata condition; `event` is the exit event, `entry` the trigger",
    )

    _event = field_validator("event")(_check_event)
    _when = field_validator("when")(lambda v: v if v is None else _check_expression(v))


def _exit_rule(value: Any) -> Any:
    return {"event": value} if isinstance(value, str) else value


class WaitSpec(_Strict):
    id: StepId | None = None
    duration: Duration = Field(ge=60, description="at least one minute")


class WaitStep(_Strict):
    wait: WaitSpec

    @field_validator("wait", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"duration": value} if isinstance(value, str | int) else value


class SendSpec(_Strict):
    id: StepId
    template: str = Field(min_length=1, description="name of a file in journeys/templates/")
    channel: ChannelChoice = "email"
    fallback: list[Channel] = Field(
        default_factory=list, description="channels to try, in order, when the first cannot be used"
    )


class SendStep(_Strict):
    send: SendSpec


class Branch(_Strict):
    if_: Expression = Field(alias="if", description="JSONata condition; first match wins")
    steps: list[Step] = Field(min_length=1)

    _if = field_validator("if_")(_check_expression)


class ElseBranch(_Strict):
    else_: list[Step] = Field(alias="else", min_length=1)


def _branch_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "else" if "else" in value else "if"
    return None


AnyBranch = Annotated[
    Annotated[Branch, Tag("if")] | Annotated[ElseBranch, Tag("else")],
    Discriminator(_branch_kind),
]


class SplitStep(_Strict):
    id: StepId | None = None
    split: list[AnyBranch] = Field(min_length=1)

    @field_validator("split")
    @classmethod
    def _else_last(cls, branches: list[Any]) -> list[Any]:
        for index, branch in enumerate(branches):
            if isinstance(branch, ElseBranch) and index != len(branches) - 1:
                raise ValueError("`else` must be the last branch of a split")
        return branches


STEP_KINDS = ("wait", "send", "split")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for kind in STEP_KINDS:
            if kind in value:
                return kind
    return None


Step = Annotated[
    Annotated[WaitStep, Tag("wait")] | Annotated[SendStep, Tag("send")]
    | Annotated[SplitStep, Tag("split")],
    Discriminator(
        _step_kind,
        custom_error_type="unknown_step",
        custom_error_message=f"a step must be one of: {', '.join(STEP_KINDS)}",
    ),
]

Branch.model_rebuild()
ElseBranch.model_rebuild()

ReentryMode = Literal["ignore", "restart", "allow"]


class Journey(_Strict):
    """One customer journey: who enters, when they leave, and what they receive."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: str = Field(min_length=1)
    description: str = ""
    trigger: Trigger
    exit_on: list[Annotated[ExitRule, Field()]] = Field(default_factory=list)
    reentry: ReentryMode = Field(
        default="ignore",
        description="ignore: a customer in the journey stays on their path; restart: a new "
        "trigger starts them over; allow: parallel entries",
    )
    purpose: Purpose = "marketing"
    steps: list[Step] = Field(min_length=1)

    @field_validator("exit_on", mode="before")
    @classmethod
    def _exit_shorthand(cls, value: Any) -> Any:
        return [_exit_rule(v) for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _unique_ids(self) -> Journey:
        seen: set[str] = set()
        for step in iter_steps(self.steps):
            step_id = explicit_id(step)
            if step_id and step_id in seen:
                raise ValueError(f"step id {step_id!r} is used twice; ids must be unique")
            if step_id:
                seen.add(step_id)
        return self

    def sends(self) -> list[SendSpec]:
        return [s.send for s in iter_steps(self.steps) if isinstance(s, SendStep)]


def explicit_id(step: Any) -> str | None:
    if isinstance(step, SendStep):
        return step.send.id
    if isinstance(step, WaitStep):
        return step.wait.id
    if isinstance(step, SplitStep):
        return step.id
    return None


def iter_steps(steps: list[Any]) -> Any:
    """Every step, depth first, including those inside split branches."""
    for step in steps:
        yield step
        if isinstance(step, SplitStep):
            for branch in step.split:
                yield from iter_steps(branch.steps if isinstance(branch, Branch) else branch.else_)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
