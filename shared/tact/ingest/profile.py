"""Profile and consent updates from events: newest wins per attribute, replays change nothing.

Every attribute is stored as ``{"v": value, "at": event time}`` so journeys can tell fresh
data from stale, and an event older than what is stored never overwrites it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tact import clock
from tact.customer import PROFILE, CustomerState, consent_key, last_key
from tact.models.events import (
    ConsentChangedData,
    CustomerUpdatedData,
    PurchaseCompletedData,
    ShopEvent,
)
from tact.store.base import Item, Put

RECENT_EVENTS_KEPT = 10
CONTACT_FIELDS = ("email", "phone", "timezone", "locale", "has_account", "preferred_channel",
                  "push_endpoint")


def _set(attrs: dict[str, Any], name: str, value: Any, at: str) -> None:
    current = attrs.get(name)
    if current is None or str(current.get("at", "")) <= at:
        attrs[name] = {"v": value, "at": at}


def profile_write(state: CustomerState, event: ShopEvent, data: Any) -> Put | None:
    at = clock.iso(event.time)
    attrs: dict[str, Any] = {k: dict(v) for k, v in state.profile.get("attrs", {}).items()}
    before = {k: dict(v) for k, v in attrs.items()}
    if isinstance(data, CustomerUpdatedData):
        for name in CONTACT_FIELDS:
            value = getattr(data, name)
            if value is not None:
                _set(attrs, name, value, at)
        if event.type == "signup" and "lifecycle_stage" not in attrs:
            _set(attrs, "lifecycle_stage", "prospect", at)
    elif isinstance(data, PurchaseCompletedData):
        _apply_purchase(attrs, data, at)
    if attrs == before:
        return None
    version = state.profile_version()
    item: Item = {"sk": PROFILE, "attrs": attrs, "version": version + 1}
    return Put(item, expect=version)


def _num(attrs: dict[str, Any], name: str) -> Decimal:
    found = attrs.get(name)
    return Decimal(str(found["v"])) if found else Decimal(0)


def _apply_purchase(attrs: dict[str, Any], data: PurchaseCompletedData, at: str) -> None:
    # Sums are order-independent, so late purchases still add up; times keep the newest.
    count = _num(attrs, "order_count") + 1
    total = _num(attrs, "total_spent") + data.value
    attrs["order_count"] = {"v": count, "at": max(at, attrs.get("order_count", {}).get("at", at))}
    attrs["total_spent"] = {"v": total, "at": max(at, attrs.get("total_spent", {}).get("at", at))}
    attrs["average_order_value"] = {"v": (total / count).quantize(Decimal("0.01")),
                                    "at": attrs["total_spent"]["at"]}
    _set(attrs, "last_purchase_at", at, at)
    _set(attrs, "lifecycle_stage", "active", at)


def consent_write(state: CustomerState, event: ShopEvent, data: ConsentChangedData) -> Put | None:
    at = clock.iso(event.time)
    current = state.consents.get((data.channel, data.purpose))
    if current is not None and str(current.get("at", "")) > at:
        return None  # a newer decision is already stored
    item = {
        "sk": consent_key(data.channel, data.purpose),
        "granted": data.granted,
        "at": at,
        "source": data.source,
        "event_id": event.id,
        # The audit trail: every decision with its source, newest first.
        "history": [
            {"granted": data.granted, "at": at, "source": data.source, "event_id": event.id},
            *(current or {}).get("history", []),
        ][:50],
    }
    return Put(item)


def last_event_write(state: CustomerState, event: ShopEvent) -> Put:
    """Keep the newest events per type: exit guards and out-of-order checks read them."""
    recent = state.recent_events(event.type)
    entry = {"id": event.id, "time": clock.iso(event.time), "data": event.data}
    merged = sorted([entry, *recent], key=lambda e: e["time"], reverse=True)
    return Put({"sk": last_key(event.type), "events": merged[:RECENT_EVENTS_KEPT]})

