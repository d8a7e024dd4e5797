"""The ingest path against moto: bus → rule → SQS → ingest handler → DynamoDB + Step Functions.

Bad events go to the dead-letter queue with their reason and never block a batch; transient
failures (StartExecution throttling) are batch item failures retried with backoff through SQS
and never lost; the same event twice makes one profile update and one execution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tact import runtime
from tact.customer import CustomerState
from tact.ingest.messages import retry_delay
from tests.support.ingest_world import NOW, Throttle, World, cart, ev, moto_world, profile_event


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from moto_world(tmp_path, monkeypatch, NOW)


def state(customer: str = "ana") -> CustomerState:
    return CustomerState.from_items(customer, runtime.store().read_customer(customer, NOW))


def test_bus_rule_queue_handler_processes_good_events_and_dead_letters_the_bad_one(
        world: World) -> None:
    from tact import aws

    world.bridge()
    malformed = ev("bad-1", "purchase_completed", {"value": 10})  # no order_id
    entries = [{"Source": "shop", "DetailType": e["type"], "Detail": json.dumps(e),
                "EventBusName": "tact-shop"} for e in (profile_event(), malformed, cart())]
    assert aws.client("events").put_events(Entries=entries)["FailedEntryCount"] == 0

    messages, failed = world.poll()

    assert len(messages) == 3 and failed == []  # the bad one does not hold up the batch
    assert world.queue_depth() == 0
    assert state().attribute("email") == "ana@example.com"
    assert len(world.executions()) == 1
    [dead] = world.dead_letters()
    assert json.loads(dead["Body"])["detail"]["id"] == "bad-1"
    assert "order_id" in dead["MessageAttributes"]["reason"]["StringValue"]


def test_same_event_twice_gives_one_profile_update_and_one_execution(world: World) -> None:
    world.send(profile_event(), cart(), profile_event(), cart())  # duplicates in one batch
    world.poll()
    world.send(cart(), profile_event())  # and replayed later
    world.poll()

    assert len(world.executions()) == 1
    current = state()
    assert current.profile["version"] == 1
    assert current.seen_events == {"p-1", "cart-1"}
    logs = [i for i in runtime.store().read_customer("ana", NOW) if i["sk"].startswith("LOG#")]
    assert [i["kind"] for i in logs] == ["started"]


def test_a_lost_write_starts_nothing_and_the_replay_starts_once(world: World) -> None:
    """Crash before the write: ingest writes first, starts second, so nothing ran yet; the
    retry starts the journey once."""
    world.send(cart())
    client = runtime.store().client
    lost = {"n": 0}

    def lose_once(**_: Any) -> None:
        if lost["n"] == 0:
            lost["n"] += 1
            raise RuntimeError("the Lambda died before the write")

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", lose_once)
    _, failed = world.poll()
    assert len(failed) == 1 and world.executions() == []
    world.expire_visibility()
    _, failed = world.poll()
    assert failed == []
    assert len(world.executions()) == 1
    assert len(state().entries) == 1


def test_throttled_start_is_a_batch_item_failure_retried_until_it_succeeds(world: World) -> None:
    from tact import aws

    throttle = Throttle(times=2).install()
    delays: list[int] = []
    aws.client("sqs").meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility",
        lambda params, **_: delays.append(params["VisibilityTimeout"]))
    world.send(profile_event(), cart())

    _, failed = world.poll()
    assert len(failed) == 1  # only the cart: the profile event went through
    assert state().attribute("email") == "ana@example.com"
    # Written, not yet started: the redelivery finds its entry and starts it.
    assert len(state().entries) == 1 and world.executions() == []
    # The retry is delayed by the backoff (attempt 1: up to 2 s), set on the message itself.
    assert delays == [delays[0]] and 1 <= delays[0] <= 2
    world.expire_visibility()
    _, failed = world.poll()
    assert len(failed) == 1  # throttled again
    world.expire_visibility()
    _, failed = world.poll()
    assert failed == []
    assert throttle.answered == 2
    backoffs = [d for d in delays if d > 0]  # zeros are the test's own "time passes"
    assert len(backoffs) == 2 and 1 <= backoffs[1] <= 4
    assert len(world.executions()) == 1 and len(state().entries) == 1
    assert world.queue_depth() == 0 and world.dead_letters() == []


def test_throttling_that_never_ends_lands_in_the_dead_letter_queue_with_its_reason(
        world: World) -> None:
    Throttle(times=100).install()
    world.send(cart())
    for _ in range(2):
        _, failed = world.poll()
        assert len(failed) == 1
        world.expire_visibility()
    _, failed = world.poll()  # the third receive is the queue's last: reasoned dead letter
    assert failed == []
    assert world.queue_depth() == 0
    [dead] = world.dead_letters()
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert reason.startswith("failed 3 times") and "ThrottlingException" in reason
    assert world.executions() == []


def test_without_the_reasoned_last_attempt_sqs_redrive_still_keeps_the_event(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for w in moto_world(tmp_path, monkeypatch, NOW, max_receive_count=2,
                        reasoned_last_attempt=False):
        Throttle(times=100).install()
        w.send(cart())
        for _ in range(2):
            _, failed = w.poll()
            assert len(failed) == 1
            w.expire_visibility()
        assert w.poll() == ([], [])  # moto's RedrivePolicy moved it on the third receive
        [dead] = w.dead_letters()
        assert json.loads(dead["Body"])["id"] == "cart-1"


def test_retry_delay_is_exponential_with_full_jitter() -> None:
    import random

    rng = random.Random(7)
    delays = {attempt: [retry_delay(attempt, rng) for _ in range(200)] for attempt in (1, 4, 12)}
    assert max(delays[1]) <= 2 and max(delays[4]) <= 16 and max(delays[12]) <= 900
    assert min(delays[12]) < 300 < max(delays[12])  # spread, not lockstep
    assert len(set(delays[4])) > 5


def test_purchase_processed_before_its_cart_means_no_journey_and_no_reminder(
        world: World) -> None:
    purchase = ev("order-1", "purchase_completed", {"order_id": "o1", "cart_id": "c1",
                                                    "value": 40}, at="2026-11-02T09:05:00Z")
    world.send(purchase)
    world.poll()
    world.send(cart())  # 09:00, delivered late
    world.poll()
    assert world.executions() == []  # nothing started, so no reminder can be sent
    logs = [i for i in runtime.store().read_customer("ana", NOW) if i["sk"].startswith("LOG#")]
    assert [(i["kind"], i["reason"]) for i in logs] == [
        ("skipped", "exited: purchase_completed at 2026-11-02T09:05:00Z")]


def test_an_older_purchase_delivered_late_does_not_block_a_newer_cart(world: World) -> None:
    world.send(cart())  # 09:00
    world.poll()
    world.send(ev("order-0", "purchase_completed", {"order_id": "o0", "value": 10},
                  at="2026-11-02T08:00:00Z"))
    world.poll()
    [execution] = world.executions()
    assert execution["status"] == "RUNNING"  # the older purchase neither exits nor stops it


def test_out_of_order_profile_updates_newest_wins_on_dynamodb(world: World) -> None:
    world.send(ev("p-new", "customer_updated", {"timezone": "America/New_York"},
                  at="2026-11-02T09:00:00Z"))
    world.poll()
    world.send(ev("p-old", "customer_updated", {"timezone": "Europe/Berlin",
                                                "preferred_channel": "sms"},
                  at="2026-11-01T09:00:00Z"))
    world.poll()
    current = state()
    assert current.attribute("timezone") == "America/New_York"
    assert current.attribute_time("timezone") == "2026-11-02T09:00:00Z"
    assert current.attribute("preferred_channel") == "sms"  # only the older event knew it


def test_unreadable_bodies_are_dead_lettered_with_what_is_wrong(world: World) -> None:
    world.send("{not json", {"detail-type": "cart_updated", "source": "shop"}, cart("cart-2"))
    messages, failed = world.poll()
    assert len(messages) == 3 and failed == []
    reasons = sorted(m["MessageAttributes"]["reason"]["StringValue"]
                     for m in world.dead_letters())
    assert len(reasons) == 2
    assert reasons == ["an EventBridge event without a `detail` object",
                       "body is not JSON: Expecting property name enclosed in double quotes: "
                       "line 1 column 2 (char 1)"]
    assert len(world.executions()) == 1  # the good one went through
