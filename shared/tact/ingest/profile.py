"""Profile and consent updates from events: order-independent, newest wins, replays change nothing.

Every attribute is stored as ``{"v": value, "at": event time, "by": event id}`` so journeys can
tell fresh data from stale. Two kinds of attribute, both independent of arrival order:

Consent is not an attribute: its ordering rule (a customer's withdrawal is never lost to a
shop's clock) lives in ``tact.consent``.

* *latest* (contact fields, preferred channel, time zone, has_account, lifecycle stage):
  the value of the newest event wins, ties broken by event id; an older event never
  overwrites a newer one.
* *aggregates* (order count, total spent, average order value, first and last purchase,
  favourite category): sums, minima and maxima, which commute, so late events still add
  up. Their ``at`` is the newest contributing event. Refunds subtract.

Idempotency by event id is the caller's: ingest writes an ``EVENT#<id>`` marker in the same
conditional write, so an event already applied is never applied twice.

Favourite category, by spend, decayed with a half-life of 90 days: each item's spend is
weighted ``2 ** ((t - 2025-01-01) / 90 days)``, so a euro spent 90 days later counts twice as
much. Weighting against a fixed epoch (not "now") keeps the ranking the same at every moment
and makes the sums commutative; each contribution is rounded to 0.0001 before adding, so
the stored sums are exact whatever the order. Refunded items subtract with the refund's
weight; only categories with a positive score can be the favourite (ties: first by name).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any

from tact import clock
from tact.consent import consent_write as write_decision
from tact.consent import shop_decision
from tact.customer import CustomerState
from tact.json_bytes import compact
from tact.models.events import (
    CONTACT_NAMES,
    CartItem,
    ConsentChangedData,
    CustomerUpdatedData,
    LifecycleChangedData,
    OrderRefundedData,
    PurchaseCompletedData,
    ShopEvent,
)
from tact.store import items
from tact.store.base import Item, Put
from tact.store.keys import index_keys

RECENT_EVENTS_KEPT = 10
LAST_EVENTS_BYTES = 300 * 1024  # DynamoDB items are at most 400 KB; one event at most 256 KB
CONTACT_FIELDS = CONTACT_NAMES
DECAY_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
HALF_LIFE_SECONDS = 90 * 86400
SCORE_QUANTUM = Decimal("0.0001")
CENTS = Decimal("0.01")


def _newer(at: str, by: str, current: dict[str, Any] | None) -> bool:
    return current is None or (at, by) >= (str(current.get("at", "")), str(current.get("by", "")))


def _set(attrs: dict[str, Any], name: str, value: Any, at: str, by: str) -> None:
    """Latest-wins attribute: only an event at least as new as the stored one sets it."""
    if _newer(at, by, attrs.get(name)):
        attrs[name] = {"v": value, "at": at, "by": by}


def _touch(attrs: dict[str, Any], name: str, value: Any, at: str, by: str) -> None:
    """Aggregate attribute: always takes the new value; its time is the newest contributor's."""
    current = attrs.get(name)
    if _newer(at, by, current):
        attrs[name] = {"v": value, "at": at, "by": by}
    else:
        attrs[name] = {**current, "v": value}  # type: ignore[dict-item]


# The event data that can change a profile; anything else (consents, carts) leaves it as is.
_PROFILE_DATA = (CustomerUpdatedData, PurchaseCompletedData, OrderRefundedData,
                 LifecycleChangedData)


def profile_write(state: CustomerState, event: ShopEvent, data: Any) -> Put | None:
    if not isinstance(data, _PROFILE_DATA):
        return None  # nothing below would change: no copies to compare
    at, by = clock.iso(event.time), event.id
    attrs: dict[str, Any] = {k: dict(v) for k, v in state.profile.get("attrs", {}).items()}
    scores: dict[str, Decimal] = {k: Decimal(str(v)) for k, v in
                                  state.profile.get("category_scores", {}).items()}
    before = ({k: dict(v) for k, v in attrs.items()}, dict(scores))
    if isinstance(data, CustomerUpdatedData):
        for name in CONTACT_FIELDS:
            value = getattr(data, name)
            if value is not None:
                _set(attrs, name, value, at, by)
        for name, value in (data.attributes or {}).items():  # declared in settings (ingest checks)
            _set(attrs, name, value, at, by)
        if "lifecycle_stage" not in attrs:
            _set(attrs, "lifecycle_stage", "prospect", at, by)
    elif isinstance(data, PurchaseCompletedData):
        _apply_order(attrs, scores, data.value, 1, data.items, event.time, by)
        newest = _newer(at, by, attrs.get("last_purchase_at"))
        if newest:
            _set(attrs, "last_purchase_at", at, at, by)
        first = attrs.get("first_purchase_at")
        if first is None or (at, by) < (str(first.get("v")), str(first.get("by", ""))):
            # The oldest purchase (repeat-buying models count the customer's age from it).
            attrs["first_purchase_at"] = {"v": at, "at": at, "by": by}
        stage = attrs.get("lifecycle_stage", {}).get("v")
        if newest or stage in (None, "prospect"):
            # A purchase is the one fact that makes a customer active, whenever it is learned.
            attrs["lifecycle_stage"] = {"v": "active", "at": at, "by": by}
    elif isinstance(data, OrderRefundedData):
        _apply_order(attrs, scores, -data.value, -1 if data.full else 0, data.items,
                     event.time, by, refund=True)
    elif isinstance(data, LifecycleChangedData):
        _apply_lifecycle(attrs, data, at, by)
    if (attrs, scores) == before:
        return None
    version = state.profile_version()
    stage = attrs.get("lifecycle_stage", {}).get("v")
    last = attrs.get("last_purchase_at", {}).get("v")
    item: Item = items.profile(attrs, version + 1, scores=scores,
                               index=index_keys(state.customer_id, stage, last))
    return Put(item, expect=version)


def _num(attrs: dict[str, Any], name: str) -> Decimal:
    found = attrs.get(name)
    return Decimal(str(found["v"])) if found else Decimal(0)


def decay_weight(moment: datetime) -> Decimal:
    return _decay_weight(int((moment - DECAY_EPOCH).total_seconds()))


@lru_cache(maxsize=1024)  # every item of an order has its moment: a fractional power each is slow
def _decay_weight(seconds: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(2) ** (Decimal(seconds) / HALF_LIFE_SECONDS)


def item_score(item: CartItem, moment: datetime) -> Decimal:
    """One item's contribution to its category's score (the documented decay)."""
    with localcontext() as ctx:
        ctx.prec = 28
        spend = item.price * item.quantity
        return (spend * decay_weight(moment)).quantize(SCORE_QUANTUM)


def favourite(scores: dict[str, Decimal]) -> str | None:
    eligible = [(-score, name) for name, score in scores.items() if score > 0 and name]
    return min(eligible)[1] if eligible else None


def _apply_order(attrs: dict[str, Any], scores: dict[str, Decimal], value: Decimal, count: int,
                 items: list[CartItem], moment: datetime, by: str, refund: bool = False) -> None:
    at = clock.iso(moment)
    orders = _num(attrs, "order_count") + count
    total = _num(attrs, "total_spent") + value
    if count or "order_count" not in attrs:
        _touch(attrs, "order_count", orders, at, by)
    _touch(attrs, "total_spent", total, at, by)
    aov = (total / orders).quantize(CENTS) if orders > 0 else Decimal(0)
    _touch(attrs, "average_order_value", aov, at, by)
    sign = -1 if refund else 1
    touched = False
    for item in items:
        if item.category:
            scores[item.category] = scores.get(item.category, Decimal(0)) + sign * item_score(
                item, moment)
            touched = True
    if touched:
        _touch(attrs, "favorite_category", favourite(scores), at, by)


def _apply_lifecycle(attrs: dict[str, Any], data: LifecycleChangedData, at: str, by: str) -> None:
    last = attrs.get("last_purchase_at", {}).get("v")
    based_on = clock.iso(data.last_purchase_at) if data.last_purchase_at else None
    if data.stage == "lapsed" and based_on is not None and based_on != last:
        return  # decided on a purchase that is no longer the last one: stale, ignore
    # Without a basis (a sender's own decision) newest wins, and any later purchase reactivates.
    _set(attrs, "lifecycle_stage", data.stage, at, by)


def consent_write(state: CustomerState, event: ShopEvent, data: ConsentChangedData,
                  received: datetime) -> Put:
    """The shop's decision, placed by the ordering rule of ``tact.consent`` (applied or not,
    it joins the history), conditional on the consent item's version."""
    decision = shop_decision(data.channel, data.purpose, data.granted, data.source,
                             event.time, received, event.id)
    return write_decision(state, decision)


def _json_bytes(value: Any) -> int:
    """Compact UTF-8 JSON (tact.json_bytes); numbers DynamoDB keeps as Decimal count as text."""
    return len(compact(value, default=str))


def last_event_write(state: CustomerState, event: ShopEvent) -> Put:
    """Keep the newest events per type: exit guards, waits and out-of-order checks read them.

    Versioned, so a ``wait_for`` parking its token concurrently (it bumps the same version)
    and this event cannot miss each other: one of the two writes fails and re-reads.
    Bounded in size (newest first), so large events never outgrow DynamoDB's item limit.
    """
    # The kept events as stored (numbers as Decimal): written back as they are, not turned
    # into floats here for the store to turn back into Decimals.
    recent = (state.last_events.get(event.type) or {}).get("events") or []
    entry = {"id": event.id, "time": clock.iso(event.time), "data": event.data}
    merged = sorted([entry, *recent], key=lambda e: (e["time"], e["id"]), reverse=True)
    candidates = merged[:RECENT_EVENTS_KEPT]
    # One serialization for the common case: the list's bytes less "[", "]" and the ","
    # between items are the items' own; if those fit together, every prefix fits.
    if _json_bytes(candidates) - len(candidates) - 1 <= LAST_EVENTS_BYTES:
        kept = candidates
    else:
        kept, size = [], 0
        for item in candidates:
            size += _json_bytes(item)
            if kept and size > LAST_EVENTS_BYTES:
                break
            kept.append(item)
    version = int((state.last_events.get(event.type) or {}).get("version", 0))
    return Put(items.recent_events(event.type, kept, version + 1), expect=version)
