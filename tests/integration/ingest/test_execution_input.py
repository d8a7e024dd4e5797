"""Execution input is small and carries no address, whatever the event (issue 14, finding 4).

Step Functions rejects a StartExecution input over 256 KiB and DynamoDB an item over 400 KB;
moto checks neither, so these tests measure the input and the entry item themselves. The
input holds ids plus the trigger fields the journey reads, at most 32 KB; an event whose read
fields do not fit is dead-lettered with the reason while the rest of what it brought is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tact import aws, runtime
from tact.customer import CustomerState
from tests.support.ingest_world import World, moto_world

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
KB = 1024
EMAIL, PHONE = "ana@example.com", "+4915112345678"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from moto_world(tmp_path, monkeypatch, NOW)


def ev(event_id: str, kind: str, data: dict[str, Any], at: str = "2026-11-02T09:00:00Z",
       ) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": "ana", "time": at, "data": data}


def profile() -> dict[str, Any]:
    # (A push endpoint is refused where no push application is configured, as here; the
    # projection's unit tests show it is dropped like the others.)
    return ev("p-1", "customer_updated", {"email": EMAIL, "phone": PHONE},
              at="2026-11-02T08:00:00Z")


def big_cart(size: int, items: int = 40) -> dict[str, Any]:
    """A cart whose items carry shop fields no journey reads (descriptions), ``size`` bytes."""
    event = ev("cart-1", "cart_updated", {"cart_id": "c1", "value": 80, "currency": "EUR",
                                          "items": []})
    filler = size // items
    event["data"]["items"] = [
        {"sku": f"SKU-{n}", "name": f"Organic tee {n}", "category": "apparel", "price": 2,
         "quantity": 1, "description": "x" * filler} for n in range(items)]
    return event


def started_input(world: World) -> str:
    [execution] = world.executions()
    return str(aws.client("stepfunctions").describe_execution(
        executionArn=execution["executionArn"])["input"])


def entry_items() -> list[dict[str, Any]]:
    state = CustomerState.from_items("ana", runtime.store().read_customer("ana", NOW))
    return list(state.entries.values())


def test_a_92_kb_cart_event_starts_an_execution_with_at_most_32_kb_of_input(
        world: World) -> None:
    event = big_cart(92 * KB)
    assert len(json.dumps(event)) >= 92 * KB
    world.send(event)
    world.poll()

    text = started_input(world)
    assert len(text.encode()) <= 32 * KB
    trigger = json.loads(text)["trigger"]
    # What the journey's templates read (cart.items' name and quantity, value, currency):
    assert trigger["data"]["items"][3] == {"name": "Organic tee 3", "quantity": 1}
    assert (trigger["data"]["value"], trigger["data"]["currency"]) == (80, "EUR")
    assert (trigger["id"], trigger["time"]) == ("cart-1", "2026-11-02T09:00:00Z")
    assert "description" not in text


def test_no_address_reaches_the_execution_input_or_the_entry_item(world: World) -> None:
    world.send(profile(), big_cart(2 * KB, items=2))
    world.poll()

    text = started_input(world)
    item = json.dumps(entry_items(), default=str)
    for address in (EMAIL, PHONE):
        assert address not in text and address not in item


def test_a_207_kb_event_makes_an_entry_item_far_below_dynamodbs_400_kb(world: World) -> None:
    event = big_cart(207 * KB)
    assert len(json.dumps(event)) >= 207 * KB
    world.send(event)
    world.poll()

    [entry] = entry_items()
    assert len(json.dumps(entry, default=str).encode()) <= 33 * KB


def test_read_fields_that_do_not_fit_dead_letter_the_event_with_its_reason_and_keep_the_rest(
        world: World) -> None:
    """2,000 items whose names the reminder lists: 100 KB the journey reads. Not started, a
    copy dead-lettered with the reason; the profile it updates and its marker are kept."""
    event = ev("cart-1", "cart_updated", {"cart_id": "c1", "value": 80, "items": [
        {"sku": f"S{n}", "name": f"Organic cotton tee, size M, colour {n:05d}", "price": 0}
        for n in range(2000)]})
    world.send(profile(), event)
    messages, failed = world.poll()

    assert len(messages) == 2 and failed == []
    assert world.executions() == []
    [dead] = world.dead_letters()
    assert json.loads(dead["Body"])["id"] == "cart-1"
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert "abandoned_cart" in reason and "32768" in reason and "data.items" in reason
    state = CustomerState.from_items("ana", runtime.store().read_customer("ana", NOW))
    assert state.attribute("email") == EMAIL and "cart-1" in state.seen_events
    logs = [i for i in runtime.store().read_customer("ana", NOW) if i["sk"].startswith("LOG#")]
    assert [(i["kind"], i["reason"][:16]) for i in logs] == [("skipped", "input too large:")]
    world.send(event)  # redelivered: a duplicate, not a second dead letter
    world.poll()
    assert len(world.dead_letters()) == 0  # (the first was received above)


WAIT_FOR_JOURNEY = """\
id: first_order
name: First order after an account
trigger: {event: account_created}
purpose: transactional  # tact: allow-transactional the test needs no consent set-up
steps:
  - wait_for:
      id: profile_done
      event: customer_updated
      timeout: 24h
      on_event:
        - send: {id: welcome, channel: email, template: welcome_back}
"""


def test_an_execution_history_holds_no_address_even_when_trigger_and_resume_carry_them(
        tmp_path: Path) -> None:
    """The trigger (account_created) and the event that resumes the wait (customer_updated)
    both carry addresses; the run's input, task inputs and outputs hold none of them."""
    from tact.local.simulator import Simulation
    from tests.support.paths import JOURNEYS, journeys_folder

    folder = journeys_folder(tmp_path / "journeys", {"first_order": WAIT_FOR_JOURNEY}, {
        "welcome_back": "email: {subject: Welcome, text: 'Your account is ready. "
                        "{{ links.preferences }}'}\n"})
    events = [ev("acc-1", "account_created", {"email": EMAIL, "phone": PHONE}),
              ev("upd-1", "customer_updated", {"email": EMAIL, "phone": PHONE},
                 at="2026-11-02T10:00:00Z")]
    simulation = Simulation(folder, store="memory", functions_dir=JOURNEYS.parent / "functions")
    report = simulation.run(events)

    [execution] = simulation.executor.executions()
    assert "welcome" in [h.state for h in execution.history]  # resumed by the update
    assert [m["step"] for m in report.to_json()["messages"]] == ["welcome"]
    history = json.dumps([execution.input, [h.detail for h in execution.history]], default=str)
    for address in (EMAIL, PHONE):
        assert address not in history
