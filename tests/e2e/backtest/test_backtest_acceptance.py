"""Issue 9, acceptance 2: on 500 generated customers, `simulate` on moto and `backtest` on the
in-memory store produce identical message and suppression lists.

moto's cost is whole-table (every transaction deep-copies the table, every response is
serialized item by item), so one moto world for 500 customers would take hours (measured
here: ~80 ms of CPU per call at 10 customers' items, growing with the table). Customers
are independent (one partition each), so the moto side runs as many small `Simulation`s of
ten customers each, every one a fresh mock_aws world, spread over two processes. The
backtest side shards differently (by hash, two shards), so a dependency between customers
would show up as a difference too.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from typing import Any

import pytest

from tact.backtest.history import History, Located
from tact.backtest.runner import run_backtest
from tact.generate import TrafficModel, generate
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS

CUSTOMERS = 500
DAYS = 3  # journeys still run to their end: the virtual clock runs until nothing is pending
BUSY = TrafficModel(sessions_per_week=3, add_to_cart=0.3)  # more carts per moto call
GROUP = 10  # customers per moto world: small tables keep moto's per-call cost low


def _simulate_on_moto(events: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    report = Simulation(JOURNEYS, "moto").run(events)
    return report.messages, report.suppressed


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True)


@pytest.mark.slow  # ~70 s of CPU in moto, on two processes; the in-memory side takes ~1 s
def test_500_customers_moto_simulation_equals_memory_backtest() -> None:
    events = generate(CUSTOMERS, DAYS, seed=2026, model=BUSY)
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_customer.setdefault(event["customer_id"], []).append(event)
    customers = sorted(by_customer)
    groups = [[e for c in customers[i:i + GROUP] for e in by_customer[c]]
              for i in range(0, len(customers), GROUP)]
    for group in groups:
        group.sort(key=lambda e: e["time"])  # stable: a customer's ties keep file order
    method = "fork" if sys.platform == "linux" else "spawn"
    with multiprocessing.get_context(method).Pool(2) as pool:
        parts = pool.map(_simulate_on_moto, groups, chunksize=1)
    moto_messages = [m for messages, _ in parts for m in messages]
    moto_suppressed = [s for _, suppressed in parts for s in suppressed]

    history = History([Located(n, "generated", n + 1, e) for n, e in enumerate(events)])
    backtest = run_backtest(history, JOURNEYS, workers=2)

    assert backtest.totals.customers == CUSTOMERS
    assert len(moto_messages) > 60 and len(moto_suppressed) > 30  # a real workload
    assert {s["reason"] for s in moto_suppressed} >= {"no_consent", "exited"}
    assert sorted(map(_key, backtest.totals.messages)) == sorted(map(_key, moto_messages))
    assert sorted(map(_key, backtest.totals.suppressed)) == sorted(map(_key, moto_suppressed))
