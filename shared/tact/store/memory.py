"""An in-memory store with the same semantics as the DynamoDB one (pinned by contract tests).

Used for backtests and large simulations, where moto's per-call cost (it copies the whole
table on every transaction) would make runs quadratic.
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime
from typing import Any

from tact.store.base import (
    ConditionFailed,
    Delete,
    IndexQuery,
    Item,
    Page,
    Put,
    Write,
    live,
    pk,
)


class MemoryStore:
    def __init__(self) -> None:
        self._partitions: dict[str, dict[str, Item]] = {}
        self._lock = threading.Lock()

    def read_customer(self, customer_id: str, now: datetime) -> list[Item]:
        epoch = int(now.timestamp())
        with self._lock:
            part = self._partitions.get(pk(customer_id), {})
            return [copy.deepcopy(part[sk]) for sk in sorted(part) if live(part[sk], epoch)]

    def write(self, customer_id: str, writes: list[Write]) -> None:
        key = pk(customer_id)
        with self._lock:
            part = self._partitions.setdefault(key, {})
            reasons = [_check(part, w) for w in writes]
            if any(reasons):
                raise ConditionFailed([r or "None" for r in reasons])
            for w in writes:
                if isinstance(w, Put):
                    part[w.item["sk"]] = {**copy.deepcopy(w.item), "pk": key}
                else:
                    part.pop(w.sk, None)

    def query_index(self, query: IndexQuery, cursor: Any = None) -> Page:
        with self._lock:
            rows = [
                copy.deepcopy(item)
                for part in self._partitions.values()
                for item in part.values()
                if item.get("gsi1pk") == query.index_pk
                and query.sk_from <= str(item.get("gsi1sk", "")) <= query.sk_to
            ]
        rows.sort(key=lambda i: (i["gsi1sk"], i["pk"], i["sk"]))
        start = cursor or 0
        end = len(rows) if query.limit is None else start + query.limit
        return Page(rows[start:end], end if end < len(rows) else None)

    def item_count(self) -> int:
        return sum(len(p) for p in self._partitions.values())


def _check(part: dict[str, Item], write: Write) -> str | None:
    sk = write.item["sk"] if isinstance(write, Put) else write.sk
    current = part.get(sk)
    expect = write.expect
    if expect is None:
        return None
    if expect == "absent":
        return "ConditionalCheckFailed" if current is not None else None
    if expect == "present":
        return None if current is not None else "ConditionalCheckFailed"
    version = 0 if current is None else int(current.get("version", 0))
    return None if version == expect else "ConditionalCheckFailed"
