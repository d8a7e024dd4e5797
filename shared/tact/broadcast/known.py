"""Customers as Tact would know them at a moment, from event history, without journeys.

Profiles and consents are folded with ingest's own update rules (``profile_write``,
``consent_write``), which are independent of arrival order, so history need not be sorted.
An event id seen twice counts once, as ingest's event marker makes it. Events that change
neither profile nor consent (carts, checkouts) only make their customer known.

History was validated when it was ingested, so the syntax of email addresses (the slowest
check by far) is not checked again here: an address is an address.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tact.clock import parse_iso
from tact.customer import CustomerState
from tact.ingest.profile import consent_write, profile_write
from tact.models.events import ConsentChangedData, EventError, parse_event

PROFILE_ONLY = frozenset({"cart_updated", "cart_emptied", "checkout_started"})


def _parse(raw: dict[str, Any]) -> tuple[Any, Any]:
    data = raw.get("data")
    email = data.get("email") if isinstance(data, dict) else None
    if not (isinstance(data, dict) and isinstance(email, str) and "@" in email):
        return parse_event(raw)
    event, parsed = parse_event({**raw, "data": {k: v for k, v in data.items() if k != "email"}})
    return event, parsed.model_copy(update={"email": email})


def known_customers(events: Iterable[dict[str, Any]], until: datetime | None,
                    rejected: list[str] | None = None) -> dict[str, CustomerState]:
    """Every customer with an event at or before ``until`` (all events when None)."""
    states: dict[str, CustomerState] = {}
    for raw in events:
        try:
            if raw.get("type") in PROFILE_ONLY:
                customer, at = str(raw["customer_id"]), parse_iso(str(raw["time"]))
                if (until is None or at <= until) and customer not in states:
                    states[customer] = CustomerState(customer)
                continue
            event, data = _parse(raw)
        except (EventError, KeyError, ValueError) as err:
            if rejected is not None:
                rejected.append(f"{raw.get('id', '?')}: {getattr(err, 'reason', err)}")
            continue
        if until is not None and event.time > until:
            continue
        state = states.get(event.customer_id)
        if state is None:
            state = states[event.customer_id] = CustomerState(event.customer_id)
        if event.id in state.seen_events:
            continue
        state.seen_events.add(event.id)
        profile = profile_write(state, event, data)
        if profile is not None:
            state.profile = profile.item
        if isinstance(data, ConsentChangedData):
            # Received when it happened: history is replayed in the order it was recorded.
            consent = consent_write(state, event, data, event.time)
            state.consents[(data.channel, data.purpose)] = consent.item
    return states
