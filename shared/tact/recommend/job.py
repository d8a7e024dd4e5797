"""The daily model job: read purchases from the table, fit, store the artifact, refresh scores.

1. One Scan of the table for each customer's profile and newest purchases and carts
   (``CustomerStore.scan_items``; only this job and broadcasts scan).
2. Fit the artifact (``tact.recommend.fit``: BG/NBD by maximum likelihood, co-purchase
   similarity; products carted or bought in the last 30 days are the catalog).
3. Store it in S3 under its version, then as ``latest.json``, which ingest re-reads hourly.
4. Refresh every buyer's ``next_best_products``, ``purchase_propensity_30d`` and
   ``churn_risk`` (propensity falls while a customer stays silent, so yesterday's is stale):
   one conditional write per customer on the profile version it read; a purchase landing in
   between wins, and the job re-reads that customer and tries again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tact.customer import CustomerState
from tact.recommend.artifact import Artifact
from tact.recommend.fit import fit
from tact.recommend.history import Product, Purchases, order_of
from tact.recommend.profile_scores import purchases_of, score_attributes, scored_profile
from tact.recommend.publish import save
from tact.store import items
from tact.store.base import ConditionFailed, CustomerStore, Item, Put, ScanSegment
from tact.store.keys import PROFILE, last_key

SIGHTED_IN = ("purchase_completed", "cart_updated", "checkout_started")
KINDS = (PROFILE, *(last_key(kind) for kind in SIGHTED_IN))
ATTEMPTS = 3
PAGE = 1000


@dataclass
class ModelJobResult:
    version: str
    key: str
    customers: int  # buyers the model was fitted on
    catalog: int
    refreshed: int  # profiles whose scores were rewritten
    gave_up: int  # profiles still racing with purchases after ATTEMPTS (next run catches up)


def customers(store: CustomerStore) -> Iterator[tuple[str, list[Item]]]:
    """Each customer's profile and newest events (the scan returns items in pages)."""
    found: dict[str, list[Item]] = {}
    cursor: Any = None
    while True:
        page = store.scan_items(ScanSegment(0, 1, PAGE), KINDS, cursor)
        for item in page.items:
            customer_id = str(item["customer_id"])
            found.setdefault(customer_id, []).append(
                {k: v for k, v in item.items() if k not in ("customer_id", "pk")})
        cursor = page.cursor
        if cursor is None:
            break
    yield from found.items()


def run_model_job(store: CustomerStore, bucket: str, prefix: str, now: datetime,
                  s3: Any = None) -> ModelJobResult:
    purchases: dict[str, Purchases] = {}
    profiles: dict[str, Item] = {}
    seen: dict[str, tuple[Product, datetime]] = {}
    for customer_id, partition in customers(store):
        state = CustomerState.from_items(customer_id, partition)
        if not state.profile:
            continue
        profiles[customer_id] = state.profile
        purchases[customer_id] = purchases_of(state, state.profile)
        _sight(state, seen)
    artifact = fit(purchases, now, now, seen)
    key = save(artifact, bucket, prefix, s3)
    refreshed = gave_up = 0
    for customer_id, profile in profiles.items():
        if purchases[customer_id].count < 1:
            continue  # never bought (or refunded all): no propensity, nothing to exclude
        if _refresh(store, customer_id, profile, purchases[customer_id], artifact, now):
            refreshed += 1
        else:
            gave_up += 1
    return ModelJobResult(artifact.version, key, artifact.customers, len(artifact.catalog),
                          refreshed, gave_up)


def _sight(state: CustomerState, seen: dict[str, tuple[Product, datetime]]) -> None:
    """Products in the customer's newest carts and orders: the catalog's evidence."""
    for kind in SIGHTED_IN:
        for order in filter(None, map(order_of, state.recent_events(kind))):
            for product in order.items:
                if product.sku not in seen or order.at >= seen[product.sku][1]:
                    seen[product.sku] = (product, order.at)


def _refresh(store: CustomerStore, customer_id: str, profile: Item, purchases: Purchases,
             artifact: Artifact, now: datetime) -> bool:
    for _ in range(ATTEMPTS):
        version = int(profile.get("version", 0))
        item = scored_profile(profile, score_attributes(artifact, purchases, now), now,
                              artifact.version)
        try:
            store.write(customer_id, [Put(items.next_version(item), expect=version)])
            return True
        except ConditionFailed:
            state = CustomerState.from_items(customer_id, store.read_customer(customer_id, now))
            profile, purchases = state.profile, purchases_of(state, state.profile)
    return False
