"""Property tests: random interleavings of shop events for several customers, on the virtual
clock, through the real ingest and send handlers and the compiled abandoned-cart state machine.

Every generated world must keep every promise in ``tests/support/invariants.py`` (consent at send
time, caps in every rolling window, no (execution, step) sent twice, nothing after the purchase
of that cart or after an unsubscribe, quiet hours, a reason for every suppression, a terminal
state for every entry). Most worlds run on the in-memory store (fast); a few on moto.

Profiles (``tests/conftest.py``): ``ci`` is bounded and seeded (``make test``);
``HYPOTHESIS_PROFILE=soak`` runs many more (``make soak``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from tact.local.adapters import ExecutorOrchestrator
from tests.support.invariants import cart, check_invariants, event, simulate

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
ZONES = [None, "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"]
# Gaps around the journey's own timings (2 h, 24 h), so events land just before/after sends.
GAPS = [0, 1, 30, 119, 120, 121, 300, 1439, 1440, 1560, 2880]
ACTIONS = ["cart", "cart", "cart", "purchase", "empty", "grant", "revoke", "zone"]


@st.composite
def customer_events(draw: st.DrawFn, customer: str, pressure: bool = False,
                    ) -> list[dict[str, Any]]:
    """One customer's life; ``pressure``: opted in, carts in a steady rhythm (caps bite)."""
    at = START + timedelta(minutes=draw(st.sampled_from(GAPS)))
    n = 0
    out: list[dict[str, Any]] = []

    def add(kind: str, data: dict[str, Any]) -> None:
        nonlocal n
        n += 1
        out.append(event(f"{customer}-{n}", kind, customer, at, data))

    profile: dict[str, Any] = {}
    if pressure or draw(st.integers(0, 9)) > 0:  # one in ten has no address at all
        profile["email"] = f"{customer}@example.com"
    zone = draw(st.sampled_from(ZONES))
    if zone:
        profile["timezone"] = zone
    add("customer_updated", profile)
    if pressure or draw(st.booleans()):
        add("consent_changed", {"channel": "email", "purpose": "marketing", "granted": True})
    carts = 1
    # Some customers keep one rhythm (e.g. a cart every 121 minutes): that is what reaches caps.
    steady = draw(st.sampled_from([121, 150, 181] if pressure else [None, None, 121, 150, 300]))
    actions = ["cart"] * 6 + ["purchase", "empty", "revoke", "grant"] if pressure else ACTIONS
    most = 12 if pressure else 8
    for action in draw(st.lists(st.sampled_from(actions), min_size=1, max_size=most)):
        at += timedelta(minutes=steady or draw(st.sampled_from(GAPS)))
        cart_id = f"{customer}-c{carts}"
        if action == "cart":
            values = [20, 45.5, 150] if pressure else [5, 19.99, 20, 45.5, 150]
            value = draw(st.sampled_from(values))
            out.append(cart(f"{customer}-{n + 1}", customer, at, cart_id, value))
            n += 1
        elif action == "purchase":
            add("purchase_completed", {"order_id": f"o-{cart_id}", "cart_id": cart_id,
                                       "value": 40, "currency": "EUR"})
            carts += 1
        elif action == "empty":
            add("cart_emptied", {"cart_id": cart_id})
            carts += 1
        elif action in ("grant", "revoke"):
            add("consent_changed", {"channel": "email", "purpose": "marketing",
                                    "granted": action == "grant"})
        else:
            add("customer_updated", {"timezone": draw(st.sampled_from(ZONES[1:]))})
    # Duplicate deliveries: some events arrive again (same id, same body).
    for e in list(out):
        if draw(st.integers(0, 7)) == 0:
            out.append(dict(e))
    return out


@st.composite
def worlds(draw: st.DrawFn, max_customers: int = 4, pressure: bool = False,
           ) -> list[dict[str, Any]]:
    count = draw(st.integers(1, max_customers))
    events: list[dict[str, Any]] = []
    for i in range(count):
        events += draw(customer_events(f"cust{i}", pressure))
    return sorted(events, key=lambda e: e["time"])  # stable: per-customer order is kept


@given(worlds())
def test_every_promise_holds_on_the_memory_store(events: list[dict[str, Any]]) -> None:
    check_invariants(events, simulate(events, store="memory"))


@given(worlds(max_customers=2, pressure=True))
def test_caps_hold_when_customers_keep_coming_back(events: list[dict[str, Any]]) -> None:
    check_invariants(events, simulate(events, store="memory"))


@given(worlds(), st.data())
def test_a_lost_stop_never_lets_a_tactless_message_out(events: list[dict[str, Any]],
                                                       data: st.DataObject) -> None:
    """StopExecution calls that never arrive (a stop racing a running task, a throttled call
    nobody retried): the send path's own exit guard must still hold every promise."""
    lose = data.draw(st.sets(st.integers(0, 9), max_size=10), label="stops lost (by index)")
    calls = [0]
    real_stop = ExecutorOrchestrator.stop

    def flaky_stop(self: ExecutorOrchestrator, execution_arn: str, cause: str) -> None:
        calls[0] += 1
        if (calls[0] - 1) % 10 not in lose:
            real_stop(self, execution_arn, cause)

    with patch.object(ExecutorOrchestrator, "stop", flaky_stop):
        check_invariants(events, simulate(events, store="memory"))


@settings(max_examples=max(3, settings.default.max_examples // 8))
@given(worlds(max_customers=3))
def test_every_promise_holds_on_moto(events: list[dict[str, Any]]) -> None:
    check_invariants(events, simulate(events, store="moto"))


@given(worlds(max_customers=3))
def test_both_stores_decide_alike(events: list[dict[str, Any]]) -> None:
    """The fast store is only trustworthy for the properties above if it decides like DynamoDB."""
    if len(events) > 14:
        events = events[:14]  # keep moto worlds small
    memory = simulate(events, store="memory").report
    moto = simulate(events, store="moto").report
    assert memory.messages == moto.messages
    assert memory.suppressed == moto.suppressed


test_both_stores_decide_alike = settings(  # type: ignore[assignment]
    max_examples=max(3, settings.default.max_examples // 8))(test_both_stores_decide_alike)


def test_a_busy_customer_is_capped_in_every_window() -> None:
    """Deterministic anchor: five carts a day apart under a 2/24h, 5/7d cap."""
    customer = "busy"
    events = [
        event("busy-p", "customer_updated", customer, START, {"email": "b@example.com"}),
        event("busy-c", "consent_changed", customer, START,
              {"channel": "email", "purpose": "marketing", "granted": True}),
    ]
    for day in range(6):
        at = START + timedelta(days=day, hours=3)
        events.append(cart(f"busy-cart-{day}", customer, at, f"c{day}"))
    world = simulate(events, store="memory")
    counts = check_invariants(events, world)
    reasons = {s["reason"] for s in world.report.suppressed}
    assert "frequency_cap" in reasons
    assert counts["sent"] == 5  # the 7-day cap: never a sixth within the week
