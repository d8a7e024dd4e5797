"""Project-wide settings (``journeys/settings.yaml``): caps, quiet hours, senders, fallbacks."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tact.cost.prices import Prices
from tact.journey.durations import Duration

Channel = Literal["email", "sms", "push", "webhook"]
CapScope = Literal["email", "sms", "push", "webhook", "any"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Cap(_Strict):
    max: Annotated[int, Field(ge=0, description="messages allowed in the window")]
    per: Duration = Field(description="rolling window, e.g. 24h or 7d")


class QuietHours(_Strict):
    start: time = Field(default=time(21, 0), description="local time quiet hours begin")
    end: time = Field(default=time(8, 0), description="local time sending may resume")


class EmailSender(_Strict):
    from_address: str = Field(alias="from", default="Tact Shop <hello@example.com>")
    configuration_set: str | None = None
    reply_to: str | None = None


class Senders(_Strict):
    email: EmailSender = EmailSender()


def _default_caps() -> dict[str, dict[CapScope, list[Cap]]]:
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
    fallback_order: list[Channel] = Field(default_factory=lambda: ["email", "sms", "push"])
    senders: Senders = Senders()
    message_log_ttl: Duration = Field(default=400 * 86400, description="how long records are kept")
    min_marketing_spacing: Duration = Field(
        default=12 * 3600, description="least time between two marketing sends on any path of a "
        "journey; `tact validate` rejects journeys that send closer together")
    lapsed_after: Duration = Field(
        default=90 * 86400, description="an active customer becomes lapsed after this long "
        "without a purchase (the daily lifecycle job emits lifecycle_changed)")
    prices: Prices = Field(default_factory=Prices,
                           description="unit prices for `tact cost`; override any of them")

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
