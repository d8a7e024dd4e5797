"""Realistic synthetic shop traffic, deterministic per seed.

Each customer has their own random stream (seeded from the run's seed and the customer's
number), so the same seed always yields the same file, and customer *n* looks the same
whatever the total count. The shape follows published e-commerce figures:

- Activity is skewed: sessions per week are gamma-distributed (many quiet customers, a few
  very active ones); sessions fall on the customer's local evening more than at night.
- About a fifth of a known customer's sessions add to (or resume) a cart; of those, ~16 %
  buy in the session, ~7 % come back and buy within three days, a few empty the cart, the
  rest leave it; with resumed carts, ~70 % of carts end abandoned (the commonly cited
  average) and ~4-5 % of sessions convert.
- Most customers are known at the start (their profile and consent arrive first, as a
  snapshot would); the rest sign up during the window. Time zones are mostly European
  with American and Asia-Pacific minorities. Around 60 % opt in to email marketing; a few
  withdraw or opt in during the window.
- At-least-once delivery: a small share of events arrives twice (same id).

Structure worth learning (what ``tact backtest --holdout-days`` measures the models on):

- Co-purchase affinities: products belong to *styles* (running kit, home baking, garden
  starter, ...) that cross categories. Each customer likes one to three styles; most items
  they pick come from a style they like, preferring the styles of what they bought before,
  the rest by overall popularity. A customer rarely buys the same product twice (consumables
  excepted).
- Repeat buying as BG/NBD assumes it: each customer's session rate is gamma-distributed
  across customers (so their purchase rate is too), and after each purchase a customer
  drops out for good with their own probability, beta-distributed across customers.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from tact.clock import iso

DEFAULT_START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday

TIME_ZONES: list[tuple[str, str, float]] = [  # zone, locale, share
    ("Europe/Berlin", "de-DE", 0.38), ("Europe/Vienna", "de-AT", 0.05),
    ("Europe/London", "en-GB", 0.14), ("Europe/Paris", "fr-FR", 0.10),
    ("Europe/Madrid", "es-ES", 0.07), ("America/New_York", "en-US", 0.12),
    ("America/Los_Angeles", "en-US", 0.06), ("Asia/Tokyo", "ja-JP", 0.04),
    ("Australia/Sydney", "en-AU", 0.04),
]
# Share of sessions starting in each local hour: quiet nights, a lunch bump, evening peak.
HOURLY = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 4, 4.2, 4.5,
          5, 4.8, 4.3, 4.2, 4.4, 5, 6, 7.2, 7.8, 7, 5, 2.5]
CATALOG: dict[str, list[tuple[str, float]]] = {  # category: (product, median price)
    "home": [("Mug", 12), ("Throw blanket", 45), ("Table lamp", 60), ("Candle set", 22),
             ("Cushion", 25), ("Spice rack", 28), ("Apron", 18)],
    "fashion": [("T-shirt", 25), ("Jeans", 70), ("Scarf", 30), ("Sneakers", 95),
                ("Belt", 35), ("Rain jacket", 110), ("Wool socks", 12)],
    "beauty": [("Face cream", 28), ("Shampoo", 9), ("Perfume", 65), ("Serum", 35),
               ("Cleanser", 15), ("Conditioner", 9)],
    "electronics": [("Headphones", 120), ("Charger", 25), ("Speaker", 80), ("Power bank", 40),
                    ("Phone case", 20), ("Reading light", 22)],
    "books": [("Novel", 14), ("Cookbook", 30), ("Atlas", 40), ("Travel guide", 20),
              ("Bookmark set", 8)],
    "garden": [("Plant pot", 18), ("Hose", 35), ("Seeds", 5), ("Gardening gloves", 14),
               ("Watering can", 24), ("Plant food", 9)],
    "sports": [("Yoga mat", 30), ("Water bottle", 15), ("Running shorts", 35),
               ("Yoga block", 14), ("Sports socks", 10), ("Foam roller", 25)],
}
CATEGORY_WEIGHTS = {"home": 0.2, "fashion": 0.26, "beauty": 0.14, "electronics": 0.1,
                    "books": 0.1, "garden": 0.08, "sports": 0.12}
# Styles: products bought together or one after another, across categories.
STYLES: list[tuple[str, ...]] = [
    ("Sneakers", "Running shorts", "Sports socks", "Water bottle", "Headphones"),
    ("Yoga mat", "Yoga block", "Water bottle", "Foam roller", "Candle set"),
    ("Cookbook", "Mug", "Spice rack", "Apron"),
    ("Plant pot", "Seeds", "Gardening gloves", "Watering can", "Plant food"),
    ("Novel", "Reading light", "Bookmark set", "Throw blanket", "Mug"),
    ("Face cream", "Serum", "Cleanser", "Perfume"),
    ("Shampoo", "Conditioner", "Face cream"),
    ("Headphones", "Charger", "Power bank", "Phone case", "Speaker"),
    ("T-shirt", "Jeans", "Belt", "Sneakers"),
    ("Table lamp", "Candle set", "Throw blanket", "Cushion"),
    ("Rain jacket", "Wool socks", "Scarf", "Atlas", "Travel guide", "Power bank"),
    ("Hose", "Watering can", "Plant food"),
]
CONSUMABLES = {"Shampoo", "Conditioner", "Seeds", "Plant food", "Cleanser", "Sports socks",
               "Wool socks", "Mug"}


@dataclass(frozen=True)
class TrafficModel:
    """The rates behind the traffic; change them to model another shop."""

    known_at_start: float = 0.85  # profile known when the window opens; the rest sign up
    guest_share: float = 0.10  # known customers without an account (guest checkout)
    phone_share: float = 0.55
    prefers_sms: float = 0.25  # of those with a phone
    email_opt_in: float = 0.62
    sms_opt_in: float = 0.35  # of those with a phone
    withdraw_in_window: float = 0.02  # email marketing consent withdrawn during the window
    opt_in_in_window: float = 0.04  # of those without consent, opting in during the window
    sessions_per_week: float = 2.0  # mean; gamma-distributed across customers
    activity_shape: float = 0.7  # gamma shape: lower = more skewed
    add_to_cart: float = 0.22  # sessions that add to (or resume) a cart
    buy_in_session: float = 0.16  # of cart sessions
    buy_later: float = 0.07  # of cart sessions, 1-72 h later
    empty_cart: float = 0.04  # of cart sessions, emptied explicitly
    duplicate: float = 0.005  # events delivered twice
    style_affinity: float = 0.75  # items picked from a style the customer likes
    dropout_a: float = 1.0  # beta(a, b): chance to drop out for good after each purchase
    dropout_b: float = 4.0  # (mean a / (a + b) = 0.2)


@dataclass
class TrafficStats:
    customers: int = 0
    events: int = 0
    sessions: int = 0
    carts: int = 0
    purchases: int = 0
    emptied: int = 0
    signups: int = 0
    consent_changes: int = 0
    duplicates: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def abandonment(self) -> float:
        return 1 - (self.purchases + self.emptied) / self.carts if self.carts else 0.0

    def summary(self) -> str:
        return (f"{self.customers} customers, {self.events} events, {self.sessions} sessions, "
                f"{self.carts} carts, {self.purchases} purchases, {self.emptied} emptied; "
                f"cart abandonment {self.abandonment:.0%}, "
                f"purchases per session {self.purchases / max(self.sessions, 1):.1%}")


def generate(customers: int, days: float, seed: int, start: datetime = DEFAULT_START,
             model: TrafficModel | None = None,
             stats: TrafficStats | None = None, first: int = 0) -> list[dict[str, Any]]:
    """Events of ``customers`` customers over ``days`` days, in time order (then by id).
    Each customer's events depend on the seed and its number only, so a large population can
    be made in slices (``first``: the number of the slice's first customer)."""
    model = model or TrafficModel()
    stats = stats if stats is not None else TrafficStats()
    end = start + timedelta(days=days)
    events: list[dict[str, Any]] = []
    for number in range(first, first + customers):
        events += _Customer(number, seed, start, end, model, stats).events()
    events.sort(key=lambda e: (e["time"], e["customer_id"], e["id"]))
    stats.customers += customers
    stats.events = len(events)
    for event in events:
        stats.by_type[event["type"]] = stats.by_type.get(event["type"], 0) + 1
    return events


def write_jsonl(events: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for event in events:
        out.write(json.dumps(event, separators=(",", ":")) + "\n")


class _Customer:
    def __init__(self, number: int, seed: int, start: datetime, end: datetime,
                 model: TrafficModel, stats: TrafficStats) -> None:
        # A string seed is hashed with SHA-512: stable across runs and Python processes.
        self.rng = random.Random(f"tact-traffic/{seed}/{number}")
        self.id = f"c{number:06d}"
        self.start, self.end, self.model, self.stats = start, end, model, stats
        self.out: list[dict[str, Any]] = []
        self.cart: list[dict[str, Any]] = []
        self.carts = 0
        self.orders = 0
        self.bought: list[str] = []  # product names, oldest first
        self.styles: list[int] = []
        self.dropout = 0.0
        self.gone = False  # dropped out after a purchase: no more sessions

    def emit(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        event = {"id": f"{self.id}-{len(self.out) + 1}", "type": kind, "customer_id": self.id,
                 "time": iso(at), "data": data}
        self.out.append(event)
        if self.rng.random() < self.model.duplicate:
            self.stats.duplicates += 1
            self.out.append(event)  # the same event again (same id), as a redelivery

    def events(self) -> list[dict[str, Any]]:
        rng, m = self.rng, self.model
        zone, locale = _pick_zone(rng)
        phone = f"+4915{rng.randrange(10**8):08d}" if rng.random() < m.phone_share else None
        profile: dict[str, Any] = {"email": f"{self.id}@example.com", "timezone": zone,
                                   "locale": locale}
        if phone:
            profile["phone"] = phone
            profile["preferred_channel"] = "sms" if rng.random() < m.prefers_sms else "email"
        else:
            profile["preferred_channel"] = "email"
        span = (self.end - self.start).total_seconds()
        if rng.random() < m.known_at_start:
            joined = self.start
            profile["has_account"] = rng.random() >= m.guest_share
            self.emit("customer_updated", joined, profile)
        else:
            joined = self.start + timedelta(seconds=rng.uniform(0, span * 0.9))
            profile["has_account"] = True
            self.stats.signups += 1
            self.emit("signup", joined, profile)
        email_consent = rng.random() < m.email_opt_in
        if email_consent:
            self.consent("email", True, joined + timedelta(seconds=1), "signup_form")
        if phone and rng.random() < m.sms_opt_in:
            self.consent("sms", True, joined + timedelta(seconds=2), "signup_form")
        left = (self.end - joined).total_seconds()
        if email_consent and rng.random() < m.withdraw_in_window:
            at = joined + timedelta(seconds=rng.uniform(60, left))
            self.consent("email", False, at, "unsubscribe_link")
        elif not email_consent and rng.random() < m.opt_in_in_window:
            at = joined + timedelta(seconds=rng.uniform(60, left))
            self.consent("email", True, at, "preference_center")
        self.styles = rng.sample(range(len(STYLES)), 1 + min(int(rng.expovariate(1.2)), 2))
        self.dropout = rng.betavariate(m.dropout_a, m.dropout_b)
        self.sessions(joined, ZoneInfo(zone))
        return self.out

    def consent(self, channel: str, granted: bool, at: datetime, source: str) -> None:
        self.stats.consent_changes += 1
        self.emit("consent_changed", at, {"channel": channel, "purpose": "marketing",
                                          "granted": granted, "source": source})

    def sessions(self, joined: datetime, zone: ZoneInfo) -> None:
        rng, m = self.rng, self.model
        days = (self.end - joined).total_seconds() / 86400
        rate = rng.gammavariate(m.activity_shape, m.sessions_per_week / m.activity_shape)
        starts = sorted(t for t in (_session_start(rng, joined, self.end, zone)
                                    for _ in range(_poisson(rng, rate * days / 7)))
                        if t is not None)
        busy_until = joined
        for begin in starts:
            if self.gone:
                break
            if begin < busy_until:
                continue  # still deciding about a cart from an earlier session
            self.stats.sessions += 1
            if rng.random() < m.add_to_cart:
                busy_until = self.shop(begin)

    def shop(self, begin: datetime) -> datetime:
        """One session with cart activity; returns when the customer is free again."""
        rng, m = self.rng, self.model
        if not self.cart:
            self.carts += 1
            self.stats.carts += 1
        cart_id = f"{self.id}-cart{self.carts}"
        at = begin + timedelta(seconds=rng.randint(20, 300))
        for _ in range(1 + min(int(rng.expovariate(1.1)), 5)):
            self.cart.append(self.pick())
            self.emit("cart_updated", at, {"cart_id": cart_id, "value": _value(self.cart),
                                           "currency": "EUR", "items": list(self.cart)})
            at += timedelta(seconds=rng.randint(30, 420))
        roll = rng.random()
        if roll < m.buy_in_session:
            return self.purchase(cart_id, at + timedelta(seconds=rng.randint(60, 900)))
        if roll < m.buy_in_session + m.buy_later:
            return self.purchase(cart_id, at + timedelta(hours=rng.uniform(1, 72)))
        if roll < m.buy_in_session + m.buy_later + m.empty_cart:
            at += timedelta(seconds=rng.randint(30, 600))
            if at < self.end:
                self.stats.emptied += 1
                self.emit("cart_emptied", at, {"cart_id": cart_id})
            self.cart = []
        return at  # abandoned (or emptied): a later session may resume it

    def purchase(self, cart_id: str, at: datetime) -> datetime:
        if at < self.end:  # after the window: not part of this history
            self.orders += 1
            self.stats.purchases += 1
            self.emit("purchase_completed", at, {
                "order_id": f"{self.id}-order{self.orders}", "cart_id": cart_id,
                "value": _value(self.cart), "currency": "EUR", "items": list(self.cart)})
            self.bought += [i["name"] for i in self.cart]
            self.gone = self.rng.random() < self.dropout
        self.cart = []
        return at

    def pick(self) -> dict[str, Any]:
        """The next item: mostly from a liked style (those of past buys first), not a repeat."""
        rng = self.rng
        owned = set(self.bought) | {i["name"] for i in self.cart}
        for _ in range(4):
            if rng.random() < self.model.style_affinity:
                near = [n for n in self.styles if owned & set(STYLES[n])]
                style = STYLES[rng.choice(near if near and rng.random() < 0.7 else self.styles)]
                item = _named(rng, rng.choice(style))
            else:
                item = _product(rng)
            if item["name"] not in owned or item["name"] in CONSUMABLES:
                return item
        return item


def _pick_zone(rng: random.Random) -> tuple[str, str]:
    roll, acc = rng.random(), 0.0
    for zone, locale, share in TIME_ZONES:
        acc += share
        if roll < acc:
            return zone, locale
    return TIME_ZONES[0][0], TIME_ZONES[0][1]


def _session_start(rng: random.Random, joined: datetime, end: datetime,
                   zone: ZoneInfo) -> datetime | None:
    local_day = (joined + timedelta(seconds=rng.uniform(0, (end - joined).total_seconds())))
    local_day = local_day.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    hour = rng.choices(range(24), HOURLY)[0]
    local = local_day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    at = local.astimezone(UTC)
    return at if joined < at < end else None


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: means here are small (a few sessions).
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _product(rng: random.Random) -> dict[str, Any]:
    category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
    name, median = rng.choice(CATALOG[category])
    return _item(rng, category, name, median)


PRODUCTS = {name: (category, median) for category, products in CATALOG.items()
            for name, median in products}


def _named(rng: random.Random, name: str) -> dict[str, Any]:
    category, median = PRODUCTS[name]
    return _item(rng, category, name, median)


def _item(rng: random.Random, category: str, name: str, median: float) -> dict[str, Any]:
    price = round(median * math.exp(rng.gauss(0, 0.25)), 2)
    return {"sku": f"{category[:3].upper()}-{name.replace(' ', '-').lower()}",
            "name": name, "category": category, "price": price,
            "quantity": 2 if rng.random() < 0.1 else 1}


def _value(cart: list[dict[str, Any]]) -> float:
    return round(sum(i["price"] * i["quantity"] for i in cart), 2)
