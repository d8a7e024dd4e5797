"""The broadcast and segment files, as pydantic models. ``tact schema`` exports them."""

from __future__ import annotations

import datetime as dt
import re
from datetime import datetime, time
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)

from tact.journey.rules import Channel, ChannelChoice, Purpose, Share

ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
SEGMENT_REF = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*$")
_PER = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
        "hour": 3600}
SEND_STEP = "send"  # the one step of a broadcast, as message records and reports name it


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_expression(value: str) -> str:
    from tact.expressions import compile_expression

    compile_expression(value)
    return value


class LocalTime(_Strict):
    """A date and a local time of day, in each customer's own time zone."""

    date: dt.date = Field(description='the day, e.g. "2026-11-05"')
    local_time: str = Field(description='the time of day on each customer\'s clock, "10:00"')

    @field_validator("local_time")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not TIME_OF_DAY.match(value):
            raise ValueError(f"local_time must be a time of day like 10:00, got {value!r}")
        return value

    def clock_time(self) -> time:
        return time.fromisoformat(self.local_time)


def _instant(value: Any) -> Any:
    if isinstance(value, str) and not TIME_OF_DAY.match(value.strip()):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is neither an instant like 2026-11-05T09:00:00Z nor "
                             "{date, local_time}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"the instant {value!r} has no time zone: add Z (UTC) or an "
                             "offset, or use {date, local_time} for each customer's own zone")
        return parsed
    return value


Instant = Annotated[datetime, BeforeValidator(_instant)]


def _at_kind(value: Any) -> str:
    return "local" if isinstance(value, dict | LocalTime) else "instant"


At = Annotated[Annotated[LocalTime, Tag("local")] | Annotated[Instant, Tag("instant")],
               Discriminator(_at_kind)]


def _rate(value: Any) -> Any:
    """``50/s``, ``3000/min`` or a number (per second)."""
    if isinstance(value, str):
        found = _RATE.match(value)
        if not found:
            raise ValueError(f"throttle {value!r}: write messages per second, e.g. 50/s "
                             "(or 3000/min)")
        return float(found.group(1)) / _PER[found.group(2)]
    return value


Rate = Annotated[float, BeforeValidator(_rate), Field(gt=0, le=100_000)]


class BroadcastSend(_Strict):
    channel: ChannelChoice = "preferred"
    fallback: list[Channel] = Field(
        default_factory=list,
        description="channels to try, in order, when the first cannot be used")
    template: str = Field(min_length=1, description="name of a file in journeys/templates/")


class Broadcast(_Strict):
    """One message to everyone in a segment, once, at a local time of day or an instant."""

    id: Annotated[str, Field(pattern=ID_PATTERN,
                             description="lower_snake_case, unique across journeys and broadcasts")]
    name: str = Field(min_length=1)
    description: str = ""
    segment: str = Field(
        min_length=1, description="a JSONata condition on `customer` (e.g. \"customer."
        "lifecycle_stage = 'active'\") or the id of a file in journeys/segments/")
    when: str | None = Field(
        default=None, description="optional JSONata condition that narrows the segment: "
        "customers of the segment for whom it is also true (e.g. one message per branch)")
    purpose: Purpose = "marketing"
    send: BroadcastSend
    at: At = Field(
        description='{date: "2026-11-05", local_time: "10:00"} in each customer\'s own time '
        'zone, or one instant, "2026-11-05T09:00:00Z"')
    throttle: Rate | None = Field(
        default=None, description="most messages per second across the broadcast, e.g. 50/s")
    holdout: Share = Field(
        default=0.0, description="share of the segment kept as a control group: they receive "
        "nothing but their conversions are tracked, e.g. 5%")

    @field_validator("segment")
    @classmethod
    def _segment(cls, value: str) -> str:
        if not SEGMENT_REF.match(value.strip()):
            _check_expression(value)
        return value

    _when = field_validator("when")(lambda v: v if v is None else _check_expression(v))

    def segment_ref(self) -> str | None:
        """The id of a reusable segment file, or None when ``segment`` is a condition."""
        text = self.segment.strip()
        return text if SEGMENT_REF.match(text) else None

    def local(self) -> LocalTime | None:
        return self.at if isinstance(self.at, LocalTime) else None

    def instant(self) -> datetime | None:
        return self.at if isinstance(self.at, datetime) else None


class Segment(_Strict):
    """A reusable audience: ``journeys/segments/<id>.yaml``, referenced by broadcasts by id."""

    id: Annotated[str, Field(pattern=ID_PATTERN, description="lower_snake_case; the file name")]
    name: str = Field(min_length=1)
    description: str = ""
    when: str = Field(min_length=1, description="JSONata condition on `customer`, e.g. "
                      "\"customer.lifecycle_stage = 'lapsed'\"")

    _when = field_validator("when")(_check_expression)
