"""The daily lifecycle job: exactly the newly lapsed customers, found by a Query on the sparse
index (never a Scan), emitted as lifecycle_changed events on the bus; ingesting those moves the
profile to lapsed and out of the index, so the next run emits nothing for them."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tact import aws, runtime
from tact.customer import CustomerState
from tact.ingest.messages import process_message
from tact.lifecycle.job import due, event_for
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tact.store.keys import PROFILE, index_keys, pk
from tests.support.ingest_world import ROOT, TABLE, DynamoOps, World, moto_world

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # the daily run
LAPSED_AFTER = timedelta(days=90)  # the settings default


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("TACT_EVENT_BUS_NAME", "tact-shop")
    for world in moto_world(tmp_path, monkeypatch, NOW, reasoned_last_attempt=False):
        aws.client("events").create_event_bus(Name="tact-shop")
        yield world


def profile_item(customer: str, stage: str, last: datetime) -> dict[str, Any]:
    at = iso(last)
    attrs = {"lifecycle_stage": {"v": stage, "at": at, "by": "seed"},
             "last_purchase_at": {"v": at, "at": at, "by": "seed"}}
    return {"pk": pk(customer), "sk": PROFILE, "attrs": attrs, "version": 1,
            **index_keys(customer, stage, at)}


def seed(count: int, rng: random.Random) -> set[str]:
    """Profiles as ingest leaves them; returns who must be found lapsed now."""
    expected: set[str] = set()
    items = []
    for n in range(count):
        customer = f"cust-{n:04d}"
        last = NOW - timedelta(seconds=rng.randint(0, 200 * 86400))
        if n % 97 == 0:
            last = NOW - LAPSED_AFTER + timedelta(seconds=rng.choice([-1, 0, 1]))  # the edge
        overdue = last <= NOW - LAPSED_AFTER
        # Long overdue customers were lapsed by earlier runs: they have left the index.
        already = overdue and rng.random() < 0.5
        items.append(profile_item(customer, "lapsed" if already else "active", last))
        if overdue and not already:
            expected.add(customer)
    table = aws.resource("dynamodb").Table(TABLE)
    with table.batch_writer() as writer:  # plain batch writes: no transactions in the setup
        for item in items:
            writer.put_item(Item=item)
    return expected


def run_job() -> dict[str, Any]:
    handler = load_handler(ROOT / "functions", "lifecycle")
    return handler({"source": "aws.scheduler"}, LocalLambdaContext("tact-lifecycle"))


def test_a_thousand_customers_exactly_the_lapsed_ones_emitted_by_query_only(world: World) -> None:
    expected = seed(1000, random.Random(11))
    ops = DynamoOps().install()
    put: list[dict[str, Any]] = []  # what went to the bus (moto delivering it is tested below)
    aws.client("events").meta.events.register(
        "provide-client-params.events.PutEvents", lambda params, **_: put.extend(params["Entries"]))

    result = run_job()

    emitted = [json.loads(entry["Detail"]) for entry in put]
    assert result == {"lapsed": len(expected)}
    assert {e["customer_id"] for e in emitted} == expected
    assert len(emitted) == len(expected)  # each once
    assert all(entry["Source"] == "tact.lifecycle" and entry["DetailType"] == "lifecycle_changed"
               and entry["EventBusName"] == "tact-shop" for entry in put)
    assert set(ops.ops) == {"Query"}  # the index, shard by shard: no Scan, no GetItem
    assert 150 < len(expected) < 400
    print(f"customers=1000 lapsed={len(expected)} dynamodb_ops={len(ops.ops)}")


def test_ingesting_the_events_lapses_the_profiles_and_the_next_run_finds_nobody(
        world: World) -> None:
    events = aws.client("events")  # the ingest rule takes Tact's own events to the queue too
    events.put_rule(Name="to-ingest", EventBusName="tact-shop",
                    EventPattern=json.dumps({"source": ["shop", "tact.lifecycle"]}))
    events.put_targets(Rule="to-ingest", EventBusName="tact-shop",
                       Targets=[{"Id": "ingest-queue", "Arn": world.queue_arn}])
    expected = seed(30, random.Random(3))
    assert run_job()["lapsed"] == len(expected) > 0
    while True:  # the events travel bus → rule → queue → ingest
        messages, failed = world.poll()
        assert failed == []
        if not messages:
            break
    store = runtime.store()
    for customer in expected:
        state = CustomerState.from_items(customer, store.read_customer(customer, NOW))
        assert state.attribute("lifecycle_stage") == "lapsed"
        assert "gsi1pk" not in state.profile  # left the index
    assert run_job() == {"lapsed": 0}


def test_a_purchase_after_the_decision_wins_over_a_late_lapse_event(world: World) -> None:
    last = NOW - LAPSED_AFTER - timedelta(days=1)
    aws.resource("dynamodb").Table(TABLE).put_item(Item=profile_item("ana", "active", last))
    [lapse] = list(due(runtime.store(), NOW, int(LAPSED_AFTER.total_seconds())))
    stale = event_for(lapse, NOW)
    purchase = {"id": "o-9", "type": "purchase_completed", "customer_id": "ana",
                "time": iso(NOW - timedelta(hours=1)), "data": {"order_id": "o9", "value": 5}}
    for body in (purchase, stale):  # the purchase is ingested before the lapse event
        process_message(json.dumps(body), runtime.ingest_deps(), runtime.dead_letter)
    state = CustomerState.from_items("ana", runtime.store().read_customer("ana", NOW))
    assert state.attribute("lifecycle_stage") == "active"
    assert state.profile["gsi1sk"] == purchase["time"]
