"""The daily lifecycle job: customers who became lapsed → ``lifecycle_changed`` events.

Reads only the sparse lifecycle index (see ``tact.store.keys``): one Query per shard for
active customers whose last purchase is at or before ``now - lapsed_after``. Never a Scan.
Each finding becomes an event on the bus (PutEvents); ingest applies it like any shop event,
which moves the profile to ``lapsed`` and out of the index, and win-back journeys can
trigger on it. Event ids are deterministic (customer + the last purchase it was based on),
so a re-run, a retry or two overlapping runs never lapse anyone twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tact import clock
from tact.store.base import CustomerStore, IndexQuery
from tact.store.keys import PK_PREFIX, SHARDS, index_pk

SOURCE = "tact.lifecycle"
PUT_EVENTS_BATCH = 10  # EventBridge's limit per PutEvents call
PUT_EVENTS_ATTEMPTS = 3
PAGE = 500


@dataclass(frozen=True)
class Lapse:
    customer_id: str
    last_purchase_at: str


def due(store: CustomerStore, now: datetime, lapsed_after: int) -> Iterator[Lapse]:
    """Active customers whose last purchase is at least ``lapsed_after`` seconds ago."""
    cutoff = clock.iso(now - timedelta(seconds=lapsed_after))
    for shard in range(SHARDS):
        cursor: Any = None
        while True:
            page = store.query_index(IndexQuery(index_pk(shard), "0", cutoff, PAGE), cursor)
            for item in page.items:
                yield Lapse(str(item["pk"]).removeprefix(PK_PREFIX), str(item["gsi1sk"]))
            cursor = page.cursor
            if not cursor:
                break


def event_for(lapse: Lapse, now: datetime) -> dict[str, Any]:
    digest = hashlib.sha256(f"{lapse.customer_id}|{lapse.last_purchase_at}".encode()).hexdigest()
    return {
        "id": f"lifecycle-lapsed-{digest[:32]}",
        "type": "lifecycle_changed",
        "customer_id": lapse.customer_id,
        "time": clock.iso(now),
        "data": {"stage": "lapsed", "previous": "active",
                 "last_purchase_at": lapse.last_purchase_at},
    }


Publisher = Callable[[list[dict[str, Any]]], None]


def run(store: CustomerStore, now: datetime, lapsed_after: int, publish: Publisher) -> int:
    """Emit one ``lifecycle_changed`` per newly lapsed customer; return how many."""
    batch: list[dict[str, Any]] = []
    emitted = 0
    for lapse in due(store, now, lapsed_after):
        batch.append(event_for(lapse, now))
        if len(batch) == PUT_EVENTS_BATCH:
            publish(batch)
            emitted, batch = emitted + len(batch), []
    if batch:
        publish(batch)
        emitted += len(batch)
    return emitted


class PublishFailed(Exception):
    """Some events could not be put on the bus; the scheduler's retry re-runs the job."""


class EventBridgePublisher:
    def __init__(self, bus_name: str, client: Any = None) -> None:
        self.bus_name = bus_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from tact.aws import client

            self._client = client("events")
        return self._client

    def __call__(self, events: list[dict[str, Any]]) -> None:
        entries = [{"Source": SOURCE, "DetailType": e["type"], "Detail": json.dumps(e),
                    "EventBusName": self.bus_name} for e in events]
        for _ in range(PUT_EVENTS_ATTEMPTS):
            response = self.client.put_events(Entries=entries)
            if not response.get("FailedEntryCount"):
                return
            # Only the failed entries again (results are positional).
            entries = [entry for entry, result in zip(entries, response["Entries"], strict=True)
                       if result.get("ErrorCode")]
        raise PublishFailed(f"{len(entries)} lifecycle events not accepted by the bus")
