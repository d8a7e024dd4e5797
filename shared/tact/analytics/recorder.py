"""Decision records of a local run, taken where the deployed stream takes them: from writes.

Deployed, DynamoDB Streams hands every committed item change to the ``decisions`` Lambda,
which maps the new image with :func:`record_from_item`. Locally, this store wrapper does the
same with every write that committed: the same items, the same mapping, the same records.
(Removals make no records there or here: a message record removed after a failed provider
call is written again by the retry, and TTL expiry is not a decision.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tact.analytics.records import DecisionRecord, record_from_item
from tact.store.base import CustomerStore, IndexQuery, Item, Page, Put, Write


class RecordingStore:
    """A :class:`CustomerStore` that appends the decision records of committed writes."""

    def __init__(self, inner: CustomerStore, records: list[DecisionRecord]) -> None:
        self.inner = inner
        self.records = records

    def read_customer(self, customer_id: str, now: datetime) -> list[Item]:
        return self.inner.read_customer(customer_id, now)

    def write(self, customer_id: str, writes: list[Write]) -> None:
        self.inner.write(customer_id, writes)  # raises before anything is recorded
        for write in writes:
            if isinstance(write, Put):
                record = record_from_item(customer_id, write.item)
                if record is not None:
                    self.records.append(record)

    def query_index(self, query: IndexQuery, cursor: Any = None) -> Page:
        return self.inner.query_index(query, cursor)

    def __getattr__(self, name: str) -> Any:  # the rest of the inner store's own interface
        return getattr(self.inner, name)
