"""The recent events kept per type: the newest first, at most ten, and within the byte bound."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tact.customer import CustomerState
from tact.ingest.profile import LAST_EVENTS_BYTES, RECENT_EVENTS_KEPT, last_event_write
from tact.models.events import parse_event

START = datetime(2026, 1, 1, tzinfo=UTC)


def cart(n: int, padding: int = 0) -> Any:
    event, _ = parse_event({
        "id": f"e{n:03d}", "type": "cart_updated", "customer_id": "ana",
        "time": (START + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"cart_id": "c1", "value": n, "items": [{"sku": "x" * padding, "price": 1}]}})
    return event


def kept_after(events: list[Any]) -> list[str]:
    state = CustomerState("ana")
    for event in events:
        put = last_event_write(state, event)
        state.last_events[event.type] = put.item
    return [e["id"] for e in state.last_events["cart_updated"]["events"]]


def test_the_newest_ten_small_events_are_kept() -> None:
    ids = kept_after([cart(n) for n in range(15)])
    assert ids == [f"e{n:03d}" for n in range(14, 14 - RECENT_EVENTS_KEPT, -1)]


def test_large_events_are_kept_only_while_they_fit_and_the_newest_always() -> None:
    events = [cart(n, padding=LAST_EVENTS_BYTES // 3) for n in range(5)]
    ids = kept_after(events)
    assert ids == ["e004", "e003"]  # a third of the bound each: a third one would not fit
    huge = kept_after([cart(0), cart(1, padding=LAST_EVENTS_BYTES + 10)])
    assert huge == ["e001"]  # over the bound alone: still the newest, and nothing older


def test_events_that_fit_together_to_the_byte_are_all_kept_one_more_byte_is_not() -> None:
    first = cart(0)
    base = _bytes(first) + _bytes(cart(1))  # padding adds one byte per character
    exact = cart(1, padding=LAST_EVENTS_BYTES - base)
    assert _bytes(first) + _bytes(exact) == LAST_EVENTS_BYTES
    assert kept_after([first, exact]) == ["e001", "e000"]
    assert kept_after([first, cart(1, padding=LAST_EVENTS_BYTES - base + 1)]) == ["e001"]


def _bytes(event: Any) -> int:
    """The bound's measure: compact UTF-8 JSON."""
    return len(json.dumps(_entry(event), default=str, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8"))


def _entry(event: Any) -> dict[str, Any]:
    return {"id": event.id, "time": event.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": event.data}
