"""Decision records from written items, and the metrics of a batch: no contact data, one model."""

from __future__ import annotations

from decimal import Decimal

from tact.analytics.metrics import decision_metrics
from tact.analytics.records import record_from_item
from tact.analytics.stream import records_of_stream

MESSAGE = {"sk": "MSG#exec-1#reminder_1", "kind": "message", "status": "sent",
           "journey": "abandoned_cart", "version": "v1", "step": "reminder_1",
           "execution": "exec-1", "template": "cart_reminder_1", "purpose": "marketing",
           "channel": "email", "reason": None, "notes": [], "detail": "", "locale": "fi",
           "at": "2026-11-02T11:00:00Z", "ttl": 1}


def test_a_message_record_becomes_sent_then_its_revision_unknown() -> None:
    sent = record_from_item("c-1", MESSAGE)
    unknown = record_from_item("c-1", {**MESSAGE, "status": "unknown", "detail": "timeout"})
    assert sent is not None and unknown is not None
    assert (sent.kind, sent.channel, sent.template, sent.locale) == (
        "sent", "email", "cart_reminder_1", "fi")
    assert sent.record_id == unknown.record_id == "c-1|MSG#exec-1#reminder_1"
    assert unknown.kind == "unknown" and unknown.revision > sent.revision
    assert sent.epoch_ms == 1_793_617_200_000


def test_not_sent_keeps_its_reason_and_never_the_address_or_body() -> None:
    item = {**MESSAGE, "status": "suppressed", "reason": "no_consent",
            "detail": "anna@example.com", "notes": ["+358401234567"]}
    record = record_from_item("c-1", item)
    assert record is not None and record.kind == "not_sent" and record.reason == "no_consent"
    text = record.model_dump_json()
    assert "example.com" not in text and "358401234567" not in text


def test_journey_log_items_map_to_their_decisions() -> None:
    base = {"journey": "winback", "execution": "x", "at": "2026-11-02T09:00:00Z", "ttl": 1}
    cases = {
        "started": ("entered", None), "skipped": ("skipped", None), "stopped": ("exited", None),
        "holdout": ("assigned", "control"), "deferred": ("deferred", None),
        "resumed": ("resumed", None), "expression_error": ("error", None),
        "ended": ("exited", None),
    }
    for kind, (expected, variant) in cases.items():
        record = record_from_item("c", {**base, "sk": f"LOG#{kind}", "kind": kind})
        assert record is not None and record.kind == expected, kind
        assert record.variant == variant
    converted = record_from_item("c", {**base, "sk": "LOG#c", "kind": "converted",
                                       "goal": "purchase_completed", "event_id": "o-1",
                                       "value": Decimal("49.90"), "currency": "EUR"})
    assert converted is not None and converted.value == 49.9 and converted.currency == "EUR"
    assert record_from_item("c", {"sk": "PROFILE", "attrs": {}}) is None
    assert record_from_item("c", {**base, "sk": "LOG#odd", "kind": "something_new"}) is None


def test_stream_records_are_new_images_of_inserts_and_modifies_only() -> None:
    image = {"pk": {"S": "C#c-1"}, "sk": {"S": MESSAGE["sk"]}, "status": {"S": "sent"},
             "journey": {"S": "abandoned_cart"}, "step": {"S": "reminder_1"},
             "channel": {"S": "email"}, "at": {"S": MESSAGE["at"]}, "ttl": {"N": "1"}}
    event = {"Records": [
        {"eventName": "INSERT", "dynamodb": {"NewImage": image}},
        {"eventName": "REMOVE", "dynamodb": {"OldImage": image}},
        {"eventName": "MODIFY", "dynamodb": {"NewImage": {**image, "status": {"S": "unknown"}}}},
        {"eventName": "INSERT", "dynamodb": {"NewImage": {**image, "sk": {"S": "PROFILE"}}}},
    ]}
    records = records_of_stream(event)
    assert [(r.customer_id, r.kind) for r in records] == [("c-1", "sent"), ("c-1", "unknown")]


def test_metrics_of_a_batch() -> None:
    sent = record_from_item("c-1", MESSAGE)
    other = record_from_item("c-2", {**MESSAGE, "sk": "MSG#exec-2#reminder_1"})
    refused = record_from_item("c-3", {**MESSAGE, "sk": "MSG#e3#r", "status": "suppressed",
                                       "reason": "frequency_cap"})
    bought = record_from_item("c-1", {"sk": "LOG#b", "kind": "converted", "journey":
                                      "abandoned_cart", "at": "2026-11-02T12:00:00Z",
                                      "value": 30, "currency": "EUR"})
    found = decision_metrics([r for r in (sent, other, refused, bought) if r is not None])
    journey = ("journey", "abandoned_cart")
    assert found["MessagesSent", (journey, ("step", "reminder_1"), ("channel", "email"))] == 2
    assert found["MessagesNotSent", (journey, ("step", "reminder_1"),
                                     ("reason", "frequency_cap"))] == 1
    assert found["Conversions", (journey,)] == 1
    assert found["Revenue", (journey, ("currency", "EUR"))] == 30
