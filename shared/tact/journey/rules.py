"""The parts of a journey the Lambda functions read at run time (carried in the bundle):
trigger and exit rules, purposes, channels, re-entry, shares. The whole journey file's model
(tact.journey.model) builds on these; the functions never import it."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from tact.models.events import EVENT_TYPES

Channel = Literal["email", "sms", "push", "webhook"]
ChannelChoice = Literal["email", "sms", "push", "webhook", "preferred"]
Purpose = Literal["marketing", "transactional"]
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")  # "09:00"

Expression = Annotated[str, Field(min_length=1, description="JSONata expression")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def check_event(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}")
    return value


def check_expression(value: str) -> str:
    from tact.expressions import compile_expression

    compile_expression(value)
    return value


class Trigger(Strict):
    event: str = Field(description="The event type that enters a customer into the journey")
    when: Expression | None = Field(default=None, description="JSONata condition on the event")

    _event = field_validator("event")(check_event)
    _when = field_validator("when")(lambda v: v if v is None else check_expression(v))


class ExitRule(Strict):
    event: str
    when: Expression | None = Field(
        default=None,
        description="JSONata condition; `event` is the exit event, `entry` the trigger",
    )

    _event = field_validator("event")(check_event)
    _when = field_validator("when")(lambda v: v if v is None else check_expression(v))


ReentryMode = Literal["ignore", "restart", "allow"]


def _share(value: Any) -> Any:
    """``10%`` or ``0.1``: the share of entrants kept as a control group."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a percentage; write e.g. 10%") from None
    return value


Share = Annotated[float, BeforeValidator(_share), Field(ge=0, le=0.5),
                  WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0, "maximum": 0.5},
                                            {"type": "string", "pattern": r"^\d+(\.\d+)?%$"}]})]
