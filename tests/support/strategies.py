"""Hypothesis strategies and small event sets more than one test uses."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

# UTC, or any fixed offset a datetime can carry (up to a minute short of a day either way).
utc_offsets = st.one_of(st.just(UTC), st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))))


def cart_customer_events(day: str = "2026-11-02") -> list[dict[str, Any]]:
    """One customer who can be reached (address, time zone, marketing consent) and leaves a
    60 EUR cart: the abandoned-cart example sends its reminder."""
    return [
        {"id": "p", "type": "customer_updated", "customer_id": "ana", "time": f"{day}T07:00:00Z",
         "data": {"email": "ana@example.com", "timezone": "Europe/Berlin"}},
        {"id": "c", "type": "consent_changed", "customer_id": "ana", "time": f"{day}T07:01:00Z",
         "data": {"channel": "email", "purpose": "marketing", "granted": True}},
        {"id": "cart", "type": "cart_updated", "customer_id": "ana", "time": f"{day}T09:00:00Z",
         "data": {"cart_id": "k1", "value": 60, "currency": "EUR",
                  "items": [{"sku": "S1", "name": "Mug", "price": 60, "quantity": 1}]}},
    ]
