"""profile_write returns at once for event data that cannot change a profile. The guard must
never hide a change: with it switched off, every event of every type gives the same write."""

from __future__ import annotations

from typing import Any

import pytest

from tact.customer import CustomerState
from tact.generate import generate
from tact.ingest import profile
from tact.ingest.profile import profile_write
from tact.models.events import DATA_MODELS, parse_event

EXTRA = [  # the types the generator does not make
    {"type": "order_refunded", "data": {"order_id": "o1", "value": 10, "full": True,
                                        "items": [{"sku": "a", "price": 10,
                                                   "category": "shoes"}]}},
    {"type": "lifecycle_changed", "data": {"stage": "lapsed"}},
    {"type": "checkout_started", "data": {"cart_id": "c1", "value": 5}},
    {"type": "cart_emptied", "data": {"cart_id": "c1"}},
    {"type": "account_created", "data": {"email": "ana@example.com", "locale": "fi"}},
    {"type": "customer_updated", "data": {"timezone": "Europe/Helsinki"}},
]


def _events() -> list[Any]:
    raw = sorted(generate(40, 7, seed=5), key=lambda e: (e["time"], e["id"]))
    customer = raw[0]["customer_id"]
    raw += [{"id": f"x{n}", "customer_id": customer, "time": "2026-11-20T10:00:00Z", **e}
            for n, e in enumerate(EXTRA)]
    return [parse_event(r) for r in raw]


def _writes(monkeypatch: pytest.MonkeyPatch | None) -> list[Any]:
    if monkeypatch is not None:
        monkeypatch.setattr(profile, "_PROFILE_DATA", (object,))  # the guard lets all through
    states: dict[str, CustomerState] = {}
    writes = []
    for event, data in _events():
        state = states.setdefault(event.customer_id, CustomerState(event.customer_id))
        put = profile_write(state, event, data)
        if put is not None:
            state.profile = put.item
        writes.append(None if put is None else (put.item, put.expect))
    return writes


def test_the_guard_changes_no_write(monkeypatch: pytest.MonkeyPatch) -> None:
    guarded = _writes(None)
    made = {type(data).__name__ for _, data in _events()}
    assert made >= {model.__name__ for model in DATA_MODELS.values()}  # every type is tried
    assert any(w is not None for w in guarded)
    assert guarded == _writes(monkeypatch)
