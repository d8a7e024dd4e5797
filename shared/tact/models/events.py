"""Shop events: the envelope ``{id, type, customer_id, time, data}`` and each type's data.

One model per event type, so a malformed event is rejected at the boundary with a
message naming the field, and the logic below only ever sees valid data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from tact.clock import iso
from tact.json_values import NotPlain, plain_copy
from tact.models.addresses import checked_email
from tact.models.storable import storable_problem

Channel = Literal["email", "sms", "push", "webhook"]
Purpose = Literal["marketing", "transactional"]

ATTRIBUTE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")
# Built-in attributes a customer_updated event sets as fields of its data.
CONTACT_NAMES = ("email", "phone", "timezone", "locale", "has_account", "preferred_channel",
                 "push_endpoint", "first_name")

# Far above any real order, far below what breaks sums: a profile adds price x quantity over
# every order in Decimal arithmetic of 28 digits and DynamoDB stores 38.
MAX_AMOUNT = Decimal(10) ** 12
MAX_QUANTITY = 1_000_000
MAX_CLOCK_SKEW = timedelta(hours=1)  # a time further ahead would win "newest wins" forever
EARLIEST_YEAR = 1970  # Unix time: TTLs and epoch-second counters cannot go before it
_ID = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@\-]+$")]

@lru_cache(maxsize=1_024)  # a shop's customers live in a few zones
def _known_zone(name: str) -> str:
    """An IANA zone name, checked once per name (a refused one raises afresh each time)."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError) as err:
        raise ValueError(f"unknown IANA time zone {name!r}, e.g. 'Europe/Berlin'") from err
    return name


Email = Annotated[str, AfterValidator(checked_email),
                  WithJsonSchema({"format": "email", "type": "string"})]


class _Data(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class CartItem(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    sku: str
    name: str = ""
    category: str = ""
    price: Decimal = Field(ge=0, le=MAX_AMOUNT)
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)


class CustomerUpdatedData(_Data):
    email: Email | None = None
    phone: Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")] | None = None
    timezone: str | None = None
    locale: str | None = None
    has_account: bool | None = None
    preferred_channel: Channel | None = None
    push_endpoint: str | None = None
    first_name: Annotated[str, Field(max_length=100)] | None = None
    attributes: dict[str, Any] | None = Field(
        default=None, description="the shop's own customer attributes, each declared with its "
        "type in settings.yaml `customer_attributes`; newest wins")

    @field_validator("attributes")
    @classmethod
    def _own_names(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        from tact.expressions import CUSTOMER_ATTRIBUTES

        for name in value or {}:
            if name in CUSTOMER_ATTRIBUTES:
                raise ValueError(f"{name!r} is a built-in attribute: send it as a field of "
                                 "data, not in attributes" if name in CONTACT_NAMES else
                                 f"{name!r} is a built-in attribute Tact computes; choose "
                                 "another name")
            if not ATTRIBUTE_NAME.fullmatch(name):
                raise ValueError(f"attribute name {name!r}: use lower_snake_case")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return value if value is None else _known_zone(value)


class SignupData(CustomerUpdatedData):
    pass


class ConsentChangedData(_Data):
    channel: Channel
    purpose: Purpose
    granted: bool
    source: str = "event"


class CartUpdatedData(_Data):
    cart_id: _ID
    value: Decimal = Field(ge=0, le=MAX_AMOUNT)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    items: list[CartItem] = Field(default_factory=list)


class CartEmptiedData(_Data):
    cart_id: _ID


class PurchaseCompletedData(_Data):
    order_id: _ID
    cart_id: _ID | None = None
    value: Decimal = Field(ge=0, le=MAX_AMOUNT)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    items: list[CartItem] = Field(default_factory=list)
    recommendations: list[CartItem] = Field(
        default_factory=list, description="optional: products the shop suggests next, for "
        "cross-sell journeys (Tact picks from the favourite category, minus what was bought)")


class AccountCreatedData(CustomerUpdatedData):
    """A registered account (not just a newsletter signup): routes to login, not registration."""

    has_account: bool | None = True


class CheckoutStartedData(_Data):
    cart_id: _ID
    value: Decimal = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    items: list[CartItem] = Field(default_factory=list)


class OrderRefundedData(_Data):
    """Money given back on an order; ``full`` means the whole order no longer counts."""

    order_id: _ID
    value: Decimal = Field(ge=0, le=MAX_AMOUNT, description="amount refunded")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    full: bool = Field(default=False, description="the whole order was refunded")
    items: list[CartItem] = Field(default_factory=list, description="refunded items")


LifecycleStage = Literal["prospect", "active", "lapsed"]


class LifecycleChangedData(_Data):
    """Emitted by Tact's daily lifecycle job; win-back journeys trigger on it."""

    stage: LifecycleStage
    previous: LifecycleStage | None = None
    last_purchase_at: AwareDatetime | None = Field(
        default=None, description="the last purchase the decision was based on")


DATA_MODELS: dict[str, type[_Data]] = {
    "customer_updated": CustomerUpdatedData,
    "signup": SignupData,
    "account_created": AccountCreatedData,
    "consent_changed": ConsentChangedData,
    "cart_updated": CartUpdatedData,
    "cart_emptied": CartEmptiedData,
    "checkout_started": CheckoutStartedData,
    "purchase_completed": PurchaseCompletedData,
    "order_refunded": OrderRefundedData,
    "lifecycle_changed": LifecycleChangedData,
}
# Bump a type's version when its data changes incompatibly; the schema file name carries it.
SCHEMA_VERSIONS: dict[str, int] = dict.fromkeys(DATA_MODELS, 1)
EVENT_TYPES = tuple(DATA_MODELS)


class ShopEvent(BaseModel):
    """The envelope every shop event travels in (also the ``detail`` of EventBridge events)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: _ID
    type: str
    customer_id: _ID
    time: AwareDatetime
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("time")
    @classmethod
    def _utc_instant(cls, value: datetime) -> datetime:
        """One UTC instant from here on: times are compared as instants, never as text."""
        try:
            moment = value.astimezone(UTC)
        except OverflowError:
            raise ValueError("is out of range once converted to UTC; send a time in UTC (Z) "
                             "between 1970 and 9999") from None
        if moment.year < EARLIEST_YEAR:
            raise ValueError(f"is before {EARLIEST_YEAR}; send the time the event happened")
        return moment

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in DATA_MODELS:
            raise ValueError(f"unknown event type {value!r}; known: {', '.join(EVENT_TYPES)}")
        return value

    def typed_data(self) -> _Data:
        return DATA_MODELS[self.type].model_validate(self.data)

    def envelope(self) -> dict[str, Any]:
        """``model_dump(mode="json")``, built directly where the result is certain (every
        event's path; a few times faster): a whole-second UTC time is written as tact.clock
        does, data of JSON's own types is copied. Anything else (fractions of a second, NaN,
        tuples, types JSON lacks) is pydantic's own dump."""
        if self.time.microsecond == 0 and self.time.tzinfo is UTC:
            try:
                data = plain_copy(self.data)
            except (NotPlain, RecursionError):
                return self.model_dump(mode="json")
            return {"id": self.id, "type": self.type, "customer_id": self.customer_id,
                    "time": iso(self.time), "data": data}
        return self.model_dump(mode="json")


class EventError(ValueError):
    """A shop event that cannot be processed; ``reason`` is safe to log and to dead-letter."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _explain(err: ValidationError, prefix: str = "") -> str:
    parts = []
    for item in err.errors():
        where = prefix + ".".join(str(p) for p in item["loc"]) or "event"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_event(raw: Any) -> tuple[ShopEvent, _Data]:
    """Validate an envelope and its data; raise ``EventError`` with a readable reason."""
    try:
        event = ShopEvent.model_validate(raw)
    except ValidationError as err:
        raise EventError(_explain(err)) from None
    try:
        typed = event.typed_data()
    except ValidationError as err:
        raise EventError(_explain(err, "data.")) from None
    problem = storable_problem(event.data)
    if problem:
        raise EventError(problem)
    return event, typed


def check_not_ahead(time: datetime) -> None:
    """An event from the future is a sender's clock gone wrong (or a forged ordering)."""
    from tact import clock

    now = clock.now()
    if time > now + MAX_CLOCK_SKEW:
        raise EventError(f"time: {clock.iso(time)} is more than 1 h ahead of now "
                         f"({clock.iso(now)}); check the sender's clock")
