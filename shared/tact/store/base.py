"""The data-access interface: one customer's partition, read whole and written atomically.

Every customer's items share a partition key, so one Query returns profile, consents,
cap counters, active journeys, suppressions and recent messages, and one conditional
transaction writes them. Customers are independent: no operation spans two partitions,
which is what lets backtests shard customers across processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Item = dict[str, Any]


class ConditionFailed(Exception):
    """A conditional write lost: an item existed, was missing, or changed since it was read."""

    def __init__(self, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(", ".join(self.reasons) or "condition failed")


class StoreTransientError(Exception):
    """Throttling or a transaction conflict after the client's own retries; safe to retry."""


@dataclass(frozen=True)
class Put:
    """Write an item. ``expect``: None (unconditional), "absent", or the version read."""

    item: Item
    expect: Literal["absent", "present"] | int | None = None


@dataclass(frozen=True)
class Delete:
    sk: str
    expect: Literal["present"] | int | None = None


@dataclass(frozen=True)
class Check:
    """Write nothing; the transaction fails unless the item is as it was read (DynamoDB's
    ConditionCheck). ``expect``: "absent", or attribute values the present item must hold."""

    sk: str
    expect: Literal["absent"] | dict[str, Any]


Write = Put | Delete | Check


@dataclass
class IndexQuery:
    """Items of the sparse lifecycle index between two sort values (ISO timestamps)."""

    index_pk: str
    sk_from: str
    sk_to: str
    limit: int | None = None


@dataclass(frozen=True)
class ScanSegment:
    """One segment of a parallel scan of the whole table (DynamoDB ``Segment``/``TotalSegments``):
    every customer's partition falls in exactly one segment."""

    segment: int
    total: int
    limit: int | None = None


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)
    cursor: Any = None


class CustomerStore(Protocol):
    """What the handlers need from storage, nothing more."""

    def read_customer(self, customer_id: str, now: datetime) -> list[Item]:
        """All live items of a customer, ordered by sort key; expired (TTL) items left out."""
        ...

    def write(self, customer_id: str, writes: Sequence[Write]) -> None:
        """All writes or none; raise ``ConditionFailed`` when any expectation fails."""
        ...

    def query_index(self, query: IndexQuery, cursor: Any = None) -> Page:
        """Items of the lifecycle index in sort order, a page at a time."""
        ...

    def scan_profiles(self, scan: ScanSegment, cursor: Any = None) -> Page:
        """The PROFILE items of one scan segment, each with its ``customer_id``, a page at a
        time (``cursor`` None when done): what a broadcast's audience is read from."""
        ...

    def scan_items(self, scan: ScanSegment, sort_keys: tuple[str, ...],
                   cursor: Any = None) -> Page:
        """Items with one of these sort keys in one scan segment, each with its
        ``customer_id``, a page at a time: what the daily model job fits on."""
        ...


def dynamo_safe(value: Any) -> Any:
    """DynamoDB takes numbers as Decimal, never float."""
    if isinstance(value, float):
        from decimal import Decimal

        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: dynamo_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dynamo_safe(v) for v in value]
    return value


def live(item: Item, now_epoch: int) -> bool:
    """DynamoDB deletes expired items lazily, so reads must filter them themselves."""
    ttl = item.get("ttl")
    return ttl is None or int(ttl) > now_epoch
