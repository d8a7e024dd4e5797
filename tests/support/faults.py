"""Faults injected into the in-memory store, for tests of local retries."""

from __future__ import annotations

from typing import Any

import pytest

from tact.store.base import StoreTransientError
from tact.store.memory import MemoryStore


def fail_first_cart_write(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first write that carries a cart fails once, as throttling would: the event is
    delivered again after the visibility timeout. Returns the customers it failed for; clear
    the list to fail the next cart write again."""
    failed: list[str] = []
    real_write = MemoryStore.write

    def write(self: MemoryStore, customer_id: str, writes: list[Any]) -> None:
        if not failed and any("cart" in str(getattr(w, "item", "")) for w in writes):
            failed.append(customer_id)
            raise StoreTransientError("throttled (injected)")
        real_write(self, customer_id, writes)

    monkeypatch.setattr(MemoryStore, "write", write)
    return failed
