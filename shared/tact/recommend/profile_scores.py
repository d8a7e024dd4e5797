"""The model's attributes on a profile: set by ingest on each purchase, refreshed daily.

``next_best_products``, ``purchase_propensity_30d`` and ``churn_risk`` are profile attributes
like any other (``{"v": value, "at": computed at, "by": "model:<version>"}``), so journeys read
them from the one Query send and ingest already make, and ``freshness`` says how old they are.
Computing them needs the artifact (loaded once per container) and what the customer's items
already hold: the profile's order count and first/last purchase, and the newest purchases kept
under ``LAST#purchase_completed``. No extra request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from tact import clock
from tact.customer import CustomerState, plain
from tact.models.events import ShopEvent
from tact.recommend.artifact import Artifact
from tact.recommend.history import Purchases, from_items
from tact.recommend.score import next_best, propensity
from tact.store import items
from tact.store.base import Item, Put
from tact.store.keys import PROFILE

SCORED_EVENTS = frozenset({"purchase_completed", "order_refunded"})
SCORE_ATTRIBUTES = ("next_best_products", "purchase_propensity_30d", "churn_risk")


class ModelSource(Protocol):
    def current(self) -> Artifact | None:
        """The newest artifact, or None while there is none."""
        ...


class FixedModel:
    """An artifact in hand (``tact simulate``, tests)."""

    def __init__(self, artifact: Artifact | None) -> None:
        self.artifact = artifact

    def current(self) -> Artifact | None:
        return self.artifact


def purchases_of(state: CustomerState, profile: Item,
                 also: list[dict[str, Any]] | None = None) -> Purchases:
    attributes = {name: plain(a.get("v")) for name, a in profile.get("attrs", {}).items()}
    recent = state.recent_events("purchase_completed")
    known = {e.get("id") for e in recent}
    return from_items(state.customer_id, attributes,
                      recent + [e for e in also or [] if e.get("id") not in known])


def score_attributes(artifact: Artifact, purchases: Purchases,
                     as_of: datetime) -> dict[str, Any]:
    """The attributes' values for this customer now: none without an order that counts (all
    refunded), no propensity without a fitted BG/NBD."""
    if purchases.count < 1:
        return {}
    values: dict[str, Any] = {"next_best_products": next_best(artifact, purchases, as_of)}
    scored = propensity(artifact, purchases, as_of)
    if scored is not None:
        values["purchase_propensity_30d"] = round(scored[0], 4)
        values["churn_risk"] = round(scored[1], 4)
    return values


def scored_profile(profile: Item, values: dict[str, Any], as_of: datetime,
                   version: str) -> Item:
    attrs = {k: dict(v) for k, v in profile.get("attrs", {}).items()}
    for name in SCORE_ATTRIBUTES:
        attrs.pop(name, None)
    at = clock.iso(as_of)
    for name, value in values.items():
        attrs[name] = {"v": value, "at": at, "by": f"model:{version}"}
    return {**profile, "sk": PROFILE, "attrs": attrs}


def rescored(state: CustomerState, event: ShopEvent, planned: Put | None,
             model: ModelSource | None) -> Put | None:
    """The profile write of a purchase or refund, with the model's attributes recomputed."""
    if model is None or event.type not in SCORED_EVENTS:
        return planned
    artifact = model.current()
    profile = planned.item if planned is not None else state.profile
    if artifact is None or not profile:
        return planned
    this = ([{"id": event.id, "time": clock.iso(event.time), "data": event.data}]
            if event.type == "purchase_completed" else [])
    purchases = purchases_of(state, profile, this)
    as_of = max(event.time, purchases.last or event.time)
    item = scored_profile(profile, score_attributes(artifact, purchases, as_of), as_of,
                          artifact.version)
    if planned is not None:
        return Put(item, expect=planned.expect)
    return Put(items.next_version(item), expect=state.profile_version())
