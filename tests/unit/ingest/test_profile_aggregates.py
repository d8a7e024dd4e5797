"""Profile aggregates equal an independent reference over shuffled, duplicated event streams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tact import clock
from tact.customer import CustomerState
from tact.ingest.service import IngestDeps, ingest_event
from tact.journey.bundle import Bundle
from tact.journey.settings import Settings
from tact.models.events import parse_event
from tact.store.memory import MemoryStore

START = datetime(2026, 1, 1, tzinfo=UTC)
CUSTOMER = "cust-1"


class NoJourneys:
    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        raise AssertionError("no journey should start")

    def stop(self, execution_arn: str, cause: str) -> None:
        raise AssertionError("no journey should stop")


def deps(store: MemoryStore) -> IngestDeps:
    return IngestDeps(store, Bundle(settings=Settings(), journeys={}, templates={}), NoJourneys())


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


items = st.lists(st.fixed_dictionaries({
    "sku": st.just("s"),
    "category": st.sampled_from(["books", "home", "garden", ""]),
    "price": st.integers(0, 20000).map(lambda c: str(Decimal(c) / 100)),
    "quantity": st.integers(1, 3),
}), max_size=3)


@st.composite
def raw_events(draw: Any) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 14))
    events = []
    for n in range(count):
        kind = draw(st.sampled_from(["purchase_completed", "purchase_completed", "order_refunded",
                                     "customer_updated", "account_created", "signup"]))
        # Coarse times on purpose: equal timestamps exercise the tie-break by event id.
        day = draw(st.one_of(st.integers(0, 2), st.integers(0, 400)))
        at = START + timedelta(days=day, hours=draw(st.integers(0, 1)))
        if kind == "purchase_completed":
            data: dict[str, Any] = {"order_id": f"o{n}", "items": draw(items),
                                    "value": str(Decimal(draw(st.integers(0, 50000))) / 100)}
        elif kind == "order_refunded":
            data = {"order_id": f"o{n}", "full": draw(st.booleans()), "items": draw(items),
                    "value": str(Decimal(draw(st.integers(0, 50000))) / 100)}
        else:
            data = {k: v for k, v in {
                "timezone": draw(st.sampled_from([None, "Europe/Berlin", "America/New_York"])),
                "preferred_channel": draw(st.sampled_from([None, "email", "sms"])),
                "has_account": draw(st.sampled_from([None, True, False])),
            }.items() if v is not None}
        events.append({"id": f"e{n:02d}", "type": kind, "customer_id": CUSTOMER,
                       "time": iso(at), "data": data})
    return events


@st.composite
def deliveries(draw: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    unique = draw(raw_events())
    dupes = draw(st.lists(st.sampled_from(unique), max_size=5))
    delivered = draw(st.permutations(unique + dupes))
    return unique, delivered


# ----------------------------------------------------------------- the reference, written apart

def reference(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the profile must say, computed directly from the set of unique events."""
    buys = [e for e in events if e["type"] == "purchase_completed"]
    refunds = [e for e in events if e["type"] == "order_refunded"]
    people = [e for e in events if e["type"] in ("customer_updated", "signup", "account_created")]
    out: dict[str, Any] = {}
    if buys or refunds:
        orders = len(buys) - sum(1 for r in refunds if r["data"]["full"])
        total = sum((Decimal(b["data"]["value"]) for b in buys), Decimal(0)) - sum(
            (Decimal(r["data"]["value"]) for r in refunds), Decimal(0))
        out["order_count"] = orders
        out["total_spent"] = total
        out["average_order_value"] = (total / orders).quantize(Decimal("0.01")) if orders > 0 \
            else Decimal(0)
    if buys:
        out["last_purchase_at"] = max(b["time"] for b in buys)
        out["first_purchase_at"] = min(b["time"] for b in buys)
    scores: dict[str, Decimal] = {}
    epoch = datetime(2025, 1, 1, tzinfo=UTC)
    for e in buys + refunds:
        sign = 1 if e["type"] == "purchase_completed" else -1
        t = datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
        halves = Decimal(int((t - epoch).total_seconds())) / Decimal(90 * 24 * 3600)
        for item in e["data"]["items"]:
            if item["category"]:
                spend = Decimal(item["price"]) * item["quantity"]
                score = (spend * Decimal(2) ** halves).quantize(Decimal("0.0001"))
                scores[item["category"]] = scores.get(item["category"], Decimal(0)) + sign * score
    if scores:
        best = sorted((-s, c) for c, s in scores.items() if s > 0)
        out["favorite_category"] = best[0][1] if best else None
    if buys:
        out["lifecycle_stage"] = "active"
    elif people:
        out["lifecycle_stage"] = "prospect"
    for name in ("timezone", "preferred_channel", "has_account"):
        # account_created without has_account means an account (the model's default).
        setters = [e for e in people if name in e["data"]
                   or (name == "has_account" and e["type"] == "account_created")]
        if setters:
            newest = max(setters, key=lambda e: (e["time"], e["id"]))
            out[name] = newest["data"].get(name, True)  # account_created implies an account
    return out


def profile_after(delivered: list[dict[str, Any]]) -> CustomerState:
    store = MemoryStore()
    for raw in delivered:
        event, data = parse_event(raw)
        clock.use(lambda: START + timedelta(days=500))
        try:
            ingest_event(event, data, deps(store))
        finally:
            clock.use(None)
    return CustomerState.from_items(CUSTOMER, store.read_customer(CUSTOMER, START))


# Cheap (memory store), and ties and refunds need the examples; `make soak` asks for more.
@settings(max_examples=max(150, settings().max_examples))
@given(deliveries())
def test_aggregates_equal_the_reference_whatever_the_order_and_duplicates(
        case: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    unique, delivered = case
    state = profile_after(delivered)
    attrs = state.profile.get("attrs", {})
    got = {name: a["v"] for name, a in attrs.items()}
    for name in ("order_count", "total_spent", "average_order_value"):
        if name in got:
            got[name] = Decimal(str(got[name]))
    want = reference(unique)
    for name in ("order_count", "total_spent", "average_order_value"):
        if name in want:
            want[name] = Decimal(want[name])
    assert got == want
    assert state.seen_events == {e["id"] for e in unique}
    # Freshness: each latest-wins attribute carries its newest setter's time.
    if "last_purchase_at" in attrs:
        assert attrs["last_purchase_at"]["at"] == want["last_purchase_at"]
    if "total_spent" in attrs:
        contributors = [e["time"] for e in unique
                        if e["type"] in ("purchase_completed", "order_refunded")]
        assert attrs["total_spent"]["at"] == max(contributors)


def test_an_older_event_never_overwrites_newer_profile_state() -> None:
    newer = {"id": "b", "type": "customer_updated", "customer_id": CUSTOMER,
             "time": "2026-03-02T10:00:00Z",
             "data": {"timezone": "America/New_York", "preferred_channel": "sms"}}
    older = {"id": "a", "type": "customer_updated", "customer_id": CUSTOMER,
             "time": "2026-03-01T10:00:00Z",
             "data": {"timezone": "Europe/Berlin", "preferred_channel": "email",
                      "has_account": True}}
    state = profile_after([newer, older])
    assert state.attribute("timezone") == "America/New_York"
    assert state.attribute("preferred_channel") == "sms"
    assert state.attribute_time("timezone") == "2026-03-02T10:00:00Z"
    # A field only the older event knows is still learned, with its own (older) time.
    assert state.attribute("has_account") is True
    assert state.attribute_time("has_account") == "2026-03-01T10:00:00Z"
    assert state.profile["version"] == 2


def test_equal_times_are_decided_by_event_id_whatever_the_arrival_order() -> None:
    def update(event_id: str, channel: str) -> dict[str, Any]:
        return {"id": event_id, "type": "customer_updated", "customer_id": CUSTOMER,
                "time": "2026-03-01T10:00:00Z", "data": {"preferred_channel": channel}}

    first, second = update("e-a", "email"), update("e-b", "sms")
    assert profile_after([first, second]).attribute("preferred_channel") == "sms"
    assert profile_after([second, first]).attribute("preferred_channel") == "sms"


def test_refund_subtracts_and_a_full_refund_uncounts_the_order() -> None:
    def buy(n: int, value: str, category: str) -> dict[str, Any]:
        return {"id": f"p{n}", "type": "purchase_completed", "customer_id": CUSTOMER,
                "time": f"2026-03-0{n}T10:00:00Z",
                "data": {"order_id": f"o{n}", "value": value,
                         "items": [{"sku": "x", "category": category, "price": value}]}}

    refund = {"id": "r2", "type": "order_refunded", "customer_id": CUSTOMER,
              "time": "2026-03-05T10:00:00Z",
              "data": {"order_id": "o2", "value": "90", "full": True,
                       "items": [{"sku": "x", "category": "garden", "price": "90"}]}}
    state = profile_after([buy(1, "30", "books"), buy(2, "90", "garden"), refund])
    assert state.attribute("order_count") == 1
    assert state.attribute("total_spent") == 30
    assert state.attribute("average_order_value") == 30
    # The garden order was refunded (at a later, heavier weight): books is the favourite.
    assert state.attribute("favorite_category") == "books"
    assert state.attribute("lifecycle_stage") == "active"
    assert state.profile["gsi1sk"] == "2026-03-02T10:00:00Z"  # in the lifecycle index


def test_recent_purchases_outweigh_old_ones_in_the_favourite_category() -> None:
    def buy(n: int, at: str, value: str, category: str) -> dict[str, Any]:
        return {"id": f"p{n}", "type": "purchase_completed", "customer_id": CUSTOMER, "time": at,
                "data": {"order_id": f"o{n}", "value": value,
                         "items": [{"sku": "x", "category": category, "price": value}]}}

    # 100 spent on books a year before 60 on home: 60 * 2**(365/90) ≈ 986 > 100.
    state = profile_after([buy(1, "2025-03-01T00:00:00Z", "100", "books"),
                           buy(2, "2026-03-01T00:00:00Z", "60", "home")])
    assert state.attribute("favorite_category") == "home"


def test_lifecycle_changed_applies_unless_decided_on_an_older_last_purchase() -> None:
    def buy(n: int, at: str) -> dict[str, Any]:
        return {"id": f"p{n}", "type": "purchase_completed", "customer_id": CUSTOMER, "time": at,
                "data": {"order_id": f"o{n}", "value": "10"}}

    def lapse(event_id: str, based_on: str | None) -> dict[str, Any]:
        data = {"stage": "lapsed", "previous": "active",
                **({"last_purchase_at": based_on} if based_on else {})}
        return {"id": event_id, "type": "lifecycle_changed", "customer_id": CUSTOMER,
                "time": "2026-06-01T03:00:00Z", "data": data}

    first = buy(1, "2026-01-01T00:00:00Z")
    lapsed = profile_after([first, lapse("l1", first["time"])])
    assert lapsed.attribute("lifecycle_stage") == "lapsed"
    assert "gsi1pk" not in lapsed.profile  # out of the lifecycle index
    # Decided on the January purchase, but a February one was ingested meanwhile: stale.
    stale = profile_after([first, buy(2, "2026-02-01T00:00:00Z"), lapse("l1", first["time"])])
    assert stale.attribute("lifecycle_stage") == "active"
    assert profile_after([first, lapse("l2", None)]).attribute("lifecycle_stage") == "lapsed"
    # A purchase after the lapse makes the customer active again, and back in the index.
    back = profile_after([first, lapse("l1", first["time"]), buy(3, "2026-07-01T00:00:00Z")])
    assert back.attribute("lifecycle_stage") == "active"
    assert back.profile["gsi1sk"] == "2026-07-01T00:00:00Z"
