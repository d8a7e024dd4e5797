"""Bad input: the corpus in ``badinput/`` (beside this file) through the real ingest handler
on moto.

Each corpus file holds one SQS message body and what must become of it: ``dead_letter`` (on
the dead-letter queue with a reason naming what is wrong) or ``processed`` (a safe result).
All of them travel in shared batches with good events: none may crash a batch or hold up
the good events beside it. Then what accepted data can do downstream: Liquid in event data
renders as text, line breaks never reach email headers, oversized payloads are refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tact import runtime
from tact.customer import CustomerState
from tests.support.awshooks import aws_calls
from tests.support.ingest_world import World, moto_world
from tests.support.invariants import cart, event, opted_in, records, simulate

CORPUS = Path(__file__).resolve().parent / "badinput"
CASES = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.json"))}
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SQS_MAX_BYTES = 262_144  # EventBridge's entry limit (SQS takes 1 MiB)
DYNAMODB_MAX_ITEM_BYTES = 400 * 1024


def body_of(case: dict[str, Any]) -> str:
    body = case["body"]
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from moto_world(tmp_path, monkeypatch, NOW)


def drain(world: World) -> list[list[str]]:
    """Poll like Lambda's event source mapping until the queue is empty; the failures seen."""
    failures = []
    for _ in range(20):
        messages, failed = world.poll()
        if not messages:
            break
        failures.append(failed)
        world.expire_visibility()
    return failures


def dead_letters(world: World) -> dict[str, str]:
    """Body -> reason, for everything on the dead-letter queue."""
    found: dict[str, str] = {}
    for _ in range(20):
        batch = world.dead_letters()
        if not batch:
            break
        for m in batch:
            found[m["Body"]] = m["MessageAttributes"]["reason"]["StringValue"]
    return found


def test_the_corpus_covers_every_kind_of_bad_input() -> None:
    assert len(CASES) >= 25
    assert {c["expect"] for c in CASES.values()} == {"dead_letter", "processed"}


def test_every_corpus_case_gets_a_reason_or_a_safe_result_and_no_batch_breaks(
        world: World) -> None:
    good = [*opted_in("good", NOW - timedelta(hours=1)),
            cart("good-cart", "good", NOW - timedelta(minutes=30), "c-good")]
    bodies = [body_of(c) for c in CASES.values()]
    # Good events first, in the middle and last: each batch mixes good and bad.
    world.send(json.dumps(good[0]), *bodies[:12], json.dumps(good[1]), *bodies[12:],
               json.dumps(good[2]))

    failures = drain(world)

    assert world.queue_depth() == 0
    assert [f for f in failures if f] == [], "a bad event must be dead-lettered, not retried"
    dead = dead_letters(world)
    for name, case in CASES.items():
        body = body_of(case)
        if case["expect"] == "dead_letter":
            assert body in dead, f"{name}: not on the dead-letter queue"
            assert case["reason"].lower() in dead[body].lower(), f"{name}: {dead[body]!r}"
            assert "Traceback" not in dead[body]
        else:
            assert body not in dead, f"{name}: dead-lettered: {dead.get(body)}"
    assert len(dead) == sum(1 for c in CASES.values() if c["expect"] == "dead_letter")
    # The good customer went through whole: profile, consent, one journey entry.
    good_state = CustomerState.from_items("good", runtime.store().read_customer("good", NOW))
    assert good_state.attribute("email") == "good@example.com"
    assert good_state.consent_granted("email", "marketing")
    assert len(world.executions()) == 1 + 3  # good, unicode, liquid and the EventBridge one


def test_accepted_odd_data_is_stored_as_sent(world: World) -> None:
    unicode_case = CASES["unicode_text_in_data"]["body"]
    webhook_case = CASES["webhook_url_in_data_is_ignored"]["body"]
    world.send(json.dumps(unicode_case), json.dumps(webhook_case))
    assert [f for f in drain(world) if f] == []
    state = CustomerState.from_items("uni", runtime.store().read_customer("uni", NOW))
    (stored,) = state.recent_events("cart_updated")
    assert stored["data"]["items"][0]["name"] == unicode_case["data"]["items"][0]["name"]
    web = CustomerState.from_items("web", runtime.store().read_customer("web", NOW))
    assert web.attribute("webhook_url") is None  # unknown data never becomes an address


def test_an_event_over_256_kb_is_dead_lettered_with_its_size(world: World) -> None:
    """EventBridge caps an entry at 256 KB, but SQS itself now takes up to 1 MiB: an event
    put straight on the queue is refused by ingest with a reason, and its batch goes on."""
    huge = event("huge-1", "cart_updated", "ana", NOW,
                 {"cart_id": "c1", "value": 40, "note": "x" * SQS_MAX_BYTES})
    world.send(json.dumps(huge), json.dumps(opted_in("ana", NOW)[0]))
    assert [f for f in drain(world) if f] == []
    ((body, reason),) = dead_letters(world).items()
    assert json.loads(body)["id"] == "huge-1"
    assert "256 KB" in reason and len(reason) <= 1000  # the reason is bounded, not the payload
    state = CustomerState.from_items("ana", runtime.store().read_customer("ana", NOW))
    assert state.attribute("email") == "ana@example.com"
    assert world.executions() == []


def test_large_events_never_build_an_item_over_dynamodb_s_limit(world: World) -> None:
    for n in range(3):
        big = event(f"big-{n}", "cart_updated", "ana", NOW - timedelta(minutes=10 - n),
                    {"cart_id": "c1", "value": 40, "note": "x" * 150_000})
        world.send(json.dumps(big))
    assert [f for f in drain(world) if f] == []
    for item in runtime.store().read_customer("ana", NOW):
        size = len(json.dumps(item, default=str).encode())
        assert size < DYNAMODB_MAX_ITEM_BYTES, f"{item['sk']}: {size} bytes"


# --------------------------------------------------------------------------- downstream


INJECTION = ("{{ links.unsubscribe }}{% for i in (1..99999999) %}x{% endfor %}"
             "{% include 'secrets' %}\r\nBcc: victim@example.org")


def test_liquid_and_header_injection_in_event_data_render_as_plain_text() -> None:
    start = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    events = [*opted_in("liq", start), event(
        "liq-cart", "cart_updated", "liq", start + timedelta(hours=2),
        {"cart_id": "c1", "value": 40, "currency": "EUR",
         "items": [{"sku": "s", "name": INJECTION, "price": 40, "quantity": 1}]})]
    with aws_calls() as calls:
        world = simulate(events, store="moto")
    assert [m["status"] for _, m in records(world, "message")] == ["sent", "sent"]
    first = world.ses_messages[0]
    assert "{{ links.unsubscribe }}" in first.body  # shown as written, not evaluated
    assert "{% for i in (1..99999999) %}" in first.body  # no loop ran
    assert "{% include" in first.body
    for _, operation, params in calls.made:
        if operation != "SendEmail":
            continue
        simple = params["Content"]["Simple"]
        assert "\n" not in simple["Subject"]["Data"] and "\r" not in simple["Subject"]["Data"]
        for header in simple.get("Headers", []):
            assert "\n" not in header["Value"] and "\r" not in header["Value"]
            assert header["Name"].lower() not in ("bcc", "cc", "to")
        assert params["Destination"] == {"ToAddresses": ["liq@example.com"]}
