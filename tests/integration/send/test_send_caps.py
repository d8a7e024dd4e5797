"""Frequency caps across journeys, enforced atomically: two journeys firing for one customer
at the same instant cannot both pass a cap of 1.

Both sends are lined up with a barrier after their read, so both decide "under the cap" and
race to the conditional transaction; exactly one may win. Run on DynamoDB (moto, through the
real send handler) and on the in-memory store.

moto is not thread-safe enough for this: its DynamoDB backend deep-copies the table during
TransactWriteItems without a lock, and concurrent requests occasionally failed inside moto
("RuntimeError: dictionary changed size during iteration", 2 of ~20 runs). So the wrapper
below lets one request at a time into the store (DynamoDB itself serialises conflicting
transactions); the window that matters -- between a send's read and its conditional write --
stays open for both threads, and the optimistic version condition is what decides.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tact import runtime
from tact.local.lambda_context import LocalLambdaContext
from tact.store.base import CustomerStore
from tests.support.racing import LinedUp
from tests.support.sendkit import T0, World, consent, copy_journeys, edit, profile, ses_sent, world

ROUNDS = 3


def cap_of_one(tmp_path: Path) -> Path:
    journeys = copy_journeys(tmp_path / "journeys")
    edit(journeys / "settings.yaml", "      - {max: 2, per: 24h}\n      - {max: 5, per: 7d}",
         "      - {max: 1, per: 24h}")
    return journeys


def payload(w: World, customer: str, journey_run: str) -> dict[str, Any]:
    """What the compiled state machine hands the send Lambda (two different executions)."""
    return {"journey": "abandoned_cart", "version": w.bundle.journeys["abandoned_cart"].version,
            "step": "reminder_1", "execution": f"abandoned_cart-{journey_run}",
            "customer_id": customer, "entered_at": "2026-11-02T08:00:00Z", "channel": "email",
            "fallback": [], "template": "cart_reminder_1", "purpose": "marketing",
            "exit_on": [], "trigger": {"type": "cart_updated", "data": {
                "cart_id": "c1", "value": 40, "currency": "EUR",
                "items": [{"sku": "S1", "name": "Mug", "price": 40, "quantity": 1}]}}}


def race(w: World, customer: str, store: CustomerStore) -> list[dict[str, Any]]:
    runtime.store.cache_clear()
    runtime.override(store=LinedUp(store, 2))
    send = w.handler("send")
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(send, payload(w, customer, run),
                                   LocalLambdaContext("tact-send"))
                       for run in (f"{customer}-a", f"{customer}-b")]
            return [f.result(timeout=30) for f in futures]
    finally:
        runtime.store.cache_clear()
        runtime.override(store=store)  # ingest of the next round reads without a barrier


@pytest.mark.parametrize("store_kind", ["dynamodb", "memory"])
def test_cap_of_one_with_two_concurrent_sends_sends_exactly_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_kind: str) -> None:
    from tact.store.dynamodb import DynamoStore
    from tact.store.memory import MemoryStore

    with world(monkeypatch, tmp_path, cap_of_one(tmp_path)) as w:
        memory = MemoryStore()
        for n in range(ROUNDS):
            customer = f"c{n}"
            events = [profile(customer, T0), consent(customer, at=T0)]
            inner = memory if store_kind == "memory" else DynamoStore("tact-test")
            runtime.store.cache_clear()
            runtime.override(store=inner)
            w.ingest(*events)
            results = race(w, customer, inner)
            statuses = sorted((r["status"], r["reason"]) for r in results)
            assert statuses == [("sent", None), ("suppressed", "frequency_cap")], statuses
            records = inner.read_customer(customer, w.clock.now())
            sent = [r for r in records if r["sk"].startswith("MSG#") and r["status"] == "sent"]
            assert len(sent) == 1
            cap = next(r for r in records if r["sk"] == "CAP#marketing#any")
            assert len(cap["sends"]) == 1
        assert len(ses_sent()) == ROUNDS  # one email per customer, never two


@pytest.mark.parametrize("store_kind", ["dynamodb", "memory"])
def test_the_same_step_invoked_twice_at_once_sends_once(store_kind: str, send_world: World) -> None:
    from tact.store.dynamodb import DynamoStore
    from tact.store.memory import MemoryStore

    inner: CustomerStore = MemoryStore() if store_kind == "memory" else DynamoStore(
        "tact-test")
    runtime.store.cache_clear()
    runtime.override(store=inner)
    send_world.ingest(profile("ana", T0), consent("ana", at=T0))
    runtime.store.cache_clear()
    runtime.override(store=LinedUp(inner, 2))
    send = send_world.handler("send")
    same = payload(send_world, "ana", "ana-a")
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(send, same, LocalLambdaContext("tact-send")) for _ in "ab"]
        results = [f.result(timeout=30) for f in futures]
    assert [r["status"] for r in results] == ["sent", "sent"]  # both report the one outcome
    assert len(ses_sent()) == 1
    records = [i for i in inner.read_customer("ana", send_world.clock.now())
               if i["sk"].startswith("MSG#")]
    assert len(records) == 1
