"""Our store interface, passing through, for two threads racing on one customer: each
thread's first read waits at a barrier for the other's (both decide on the same snapshot).
moto serves one request at a time, so requests go through one lock."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from tact.store.base import CustomerStore, Item, Write


class LinedUp:
    def __init__(self, inner: CustomerStore, parties: int = 2, timeout: float = 10) -> None:
        self.inner = inner
        self.barrier = threading.Barrier(parties, timeout=timeout)
        self.held: set[int] = set()
        self.one_request = threading.Lock()

    def read_customer(self, customer_id: str, now: datetime) -> list[Item]:
        with self.one_request:
            items = self.inner.read_customer(customer_id, now)
        me = threading.get_ident()
        if me not in self.held:
            self.held.add(me)
            self.barrier.wait()  # every party has read: all decide on the same snapshot
        return list(items)

    def write(self, customer_id: str, writes: list[Write]) -> None:
        with self.one_request:
            self.inner.write(customer_id, writes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
