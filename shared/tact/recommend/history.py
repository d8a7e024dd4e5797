"""One customer's purchases, as the models read them: from an events file or from the table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tact.clock import parse_iso

DAY = 86400.0


@dataclass(frozen=True)
class Product:
    sku: str
    name: str = ""
    category: str = ""


@dataclass(frozen=True)
class Order:
    order_id: str
    at: datetime
    items: tuple[Product, ...]


@dataclass
class Purchases:
    """A customer's orders (all, or the newest the table keeps) and their repeat-buying summary.

    ``count``, ``first`` and ``last`` may cover more orders than ``orders`` holds: the profile
    counts every order, the table keeps only the newest few with their items.
    """

    customer_id: str
    orders: list[Order] = field(default_factory=list)
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def rfm(self, as_of: datetime) -> tuple[int, float, float] | None:
        """BG/NBD's (x, t_x, T) in days: repeat purchases, time of the last since the first,
        age since the first. None for a customer who has not bought."""
        if self.count < 1 or self.first is None or self.last is None:
            return None
        t_x = max((self.last - self.first).total_seconds() / DAY, 0.0)
        big_t = max((as_of - self.first).total_seconds() / DAY, t_x)
        return self.count - 1, t_x, big_t

    def bought(self) -> set[str]:
        return {p.sku for o in self.orders for p in o.items}


def product_of(item: Mapping[str, Any]) -> Product | None:
    sku = item.get("sku")
    if not isinstance(sku, str) or not sku:
        return None
    return Product(sku, str(item.get("name") or ""), str(item.get("category") or ""))


def order_of(event: Mapping[str, Any]) -> Order | None:
    """A purchase event (envelope or stored ``{id, time, data}``) as an order."""
    data = event.get("data") or {}
    try:
        at = event["time"] if isinstance(event["time"], datetime) else parse_iso(
            str(event["time"]))
    except (KeyError, ValueError):
        return None
    items = tuple(p for p in (product_of(i) for i in data.get("items") or []
                              if isinstance(i, Mapping)) if p is not None)
    return Order(str(data.get("order_id") or event.get("id") or ""), at, items)


def from_events(events: Iterable[Mapping[str, Any]],
                until: datetime | None = None) -> dict[str, Purchases]:
    """Every customer's purchases in an event history (before ``until`` when given).

    Redelivered events (same id) and repeated order ids count once; a full refund removes
    its order, as it does from the profile's order count.
    """
    orders: dict[str, dict[str, Order]] = {}
    refunded: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for event in events:
        kind = event.get("type")
        if kind not in ("purchase_completed", "order_refunded"):
            continue
        if event.get("id") in seen:
            continue
        seen.add(str(event.get("id")))
        order = order_of(event)
        if order is None or (until is not None and order.at >= until):
            continue
        customer = str(event.get("customer_id"))
        if kind == "purchase_completed":
            orders.setdefault(customer, {}).setdefault(order.order_id, order)
        elif (event.get("data") or {}).get("full"):
            refunded.add((customer, order.order_id))
    result: dict[str, Purchases] = {}
    for customer, by_id in orders.items():
        kept = sorted((o for oid, o in by_id.items() if (customer, oid) not in refunded),
                      key=lambda o: (o.at, o.order_id))
        if kept:
            result[customer] = Purchases(customer, kept, len(kept), kept[0].at, kept[-1].at)
    return result


def from_items(customer_id: str, attributes: Mapping[str, Any],
               recent: Iterable[Mapping[str, Any]]) -> Purchases:
    """A customer as the table holds them: profile attributes (plain values) and the newest
    purchase events kept under ``LAST#purchase_completed``."""
    orders = sorted((o for o in (order_of(e) for e in recent) if o is not None),
                    key=lambda o: (o.at, o.order_id))
    count = int(attributes.get("order_count") or 0)
    first = _time(attributes.get("first_purchase_at")) or (orders[0].at if orders else None)
    last = _time(attributes.get("last_purchase_at")) or (orders[-1].at if orders else None)
    return Purchases(customer_id, orders, count, first, last)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_iso(str(value))
    except ValueError:
        return None
