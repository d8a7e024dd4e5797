"""Project-wide settings (``journeys/settings.yaml``): caps, quiet hours, senders, fallbacks."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from tact.cost.prices import Prices
from tact.journey.durations import Duration
from tact.models.declared import EventFieldName, FieldName, FieldType

HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Channel = Literal["email", "sms", "push", "webhook"]
CapScope = Literal["email", "sms", "push", "webhook", "any"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Cap(_Strict):
    max: Annotated[int, Field(ge=0, description="messages allowed in the window")]
    per: Duration = Field(description="rolling window, e.g. 24h or 7d")


class QuietHours(_Strict):
    start: time = Field(default=time(21, 0), description="local time quiet hours begin, 21:00")
    end: time = Field(default=time(8, 0), description="local time sending may resume, 08:00")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hh_mm(cls, value: object) -> object:
        if isinstance(value, time):
            return value
        if not isinstance(value, str) or not HH_MM.match(value):
            raise ValueError(f"quiet hours are a local time of day like 21:00, got {value!r}")
        return value

    @field_serializer("start", "end")
    def _as_written(self, value: time) -> str:
        return value.strftime("%H:%M")  # read back by the validator above (bundle.json)


class EmailSender(_Strict):
    from_address: str = Field(alias="from", default="Tact Shop <hello@example.com>")
    configuration_set: str | None = None
    reply_to: str | None = None


class Senders(_Strict):
    email: EmailSender = EmailSender()


DEFAULT_FALLBACK: tuple[Channel, ...] = ("email", "sms", "push")


def _default_caps() -> dict[Literal["marketing", "transactional"], dict[CapScope, list[Cap]]]:
    return {
        "marketing": {
            "any": [Cap(max=1, per=86400), Cap(max=3, per=7 * 86400)],
        },
        "transactional": {},
    }


class Settings(_Strict):
    default_timezone: str = "UTC"
    quiet_hours: QuietHours | None = QuietHours()
    caps: dict[Literal["marketing", "transactional"], dict[CapScope, list[Cap]]] = Field(
        default_factory=_default_caps,
        description="frequency caps per purpose and channel ('any' = all channels together), "
        "across all journeys, over rolling windows",
    )
    fallback_order: list[Channel] = Field(default_factory=lambda: list(DEFAULT_FALLBACK))
    senders: Senders = Senders()
    message_log_ttl: Duration = Field(default=400 * 86400, description="how long records are kept")
    min_marketing_spacing: Duration = Field(
        default=12 * 3600, description="least time between two marketing sends on any path of a "
        "journey; `tact validate` rejects journeys that send closer together")
    attribution_window: Duration = Field(
        default=7 * 86400, description="a goal event this long after an entry converts it, "
        "even after the journey's last step: reports count such conversions per customer")
    lapsed_after: Duration = Field(
        default=90 * 86400, description="an active customer becomes lapsed after this long "
        "without a purchase (the daily lifecycle job emits lifecycle_changed)")
    prices: Prices = Field(default_factory=Prices,
                           description="unit prices for `tact cost`; override any of them")
    event_fields: dict[str, dict[EventFieldName, FieldType]] = Field(
        default_factory=dict, description="fields your shop sends beyond Tact's event models, "
        "with their types, per event type (e.g. cart_updated: {coupon: string}); journeys and "
        "templates may read them, ingest checks their types")
    customer_attributes: dict[FieldName, FieldType] = Field(
        default_factory=dict, description="your own customer attributes with their types, set "
        "by customer_updated events' `attributes` map; journeys and templates may read them")

    @field_validator("event_fields")
    @classmethod
    def _known_events(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        from tact.models.events import DATA_MODELS

        for event_type, fields in value.items():
            model = DATA_MODELS.get(event_type)
            if model is None:
                raise ValueError(f"unknown event type {event_type!r}; known: "
                                 f"{', '.join(DATA_MODELS)}")
            for name in fields:
                if name.split(".")[0] in model.model_fields and "." not in name:
                    raise ValueError(f"{event_type}.{name} is already part of the "
                                     f"{event_type} model; remove it here")
        return value

    @field_validator("customer_attributes")
    @classmethod
    def _not_built_in(cls, value: dict[str, str]) -> dict[str, str]:
        from tact.expressions import CUSTOMER_ATTRIBUTES

        for name in value:
            if name in CUSTOMER_ATTRIBUTES:
                raise ValueError(f"customer attribute {name!r} is built in (Tact sets it); "
                                 "choose another name")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError) as err:
            raise ValueError(f"unknown IANA time zone {value!r}, e.g. 'Europe/Berlin'") from err
        return value

    def caps_for(self, purpose: str, channel: str) -> dict[str, list[Cap]]:
        """The cap windows that apply to one send, keyed by scope (channel or 'any')."""
        by_scope = self.caps.get(purpose, {})  # type: ignore[call-overload]
        return {scope: by_scope[scope] for scope in (channel, "any") if by_scope.get(scope)}
