"""SES bounce and complaint notifications (SNS -> the ses_events Lambda) become suppressions,
and a suppressed address is never emailed again. The notification is built from the actual
SendEmail request (message id and tags) the email channel made to SES on moto."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tact.local.lambda_context import LocalLambdaContext
from tests.support.sendkit import T0, World, cart, consent, profile, send_payload, ses_sent
from tests.support.ses import capture_requests, notification, sns_event


def deliver(w: World, event: dict[str, Any]) -> dict[str, Any]:
    return w.handler("ses_events")(event, LocalLambdaContext("tact-ses-events"))


def test_complaint_suppresses_and_no_further_email_is_sent(send_world: World) -> None:
    requests = capture_requests()
    send_world.ingest(profile("ana"), consent("ana"), cart("ana"))
    send_world.clock.run_until(T0 + timedelta(hours=3))
    assert len(ses_sent()) == 1

    assert deliver(send_world, notification(requests[0], "Complaint")) == {"suppressed": 1}
    item = send_world.state("ana").suppressions["email"]
    assert (item["reason"], item["source"], item["detail"]) == ("complaint", "ses", "abuse")
    assert (item["journey"], item["step"]) == ("abandoned_cart", "reminder_1")
    assert "ana@example.com" not in json.dumps(item, default=str)  # a fingerprint only

    send_world.clock.run_until(None)  # reminder 2 is due: not sent
    assert len(ses_sent()) == 1
    reminder_2 = [m for m in send_world.messages("ana") if m["step"] == "reminder_2"]
    assert [(m["status"], m["reason"]) for m in reminder_2] == [("suppressed", "suppressed")]
    # Not even a transactional message goes to that address again.
    payload = send_payload(send_world, "ana", "order-1", purpose="transactional")
    again = send_world.handler("send")(payload, LocalLambdaContext("tact-send"))
    assert (again["status"], again["reason"]) == ("suppressed", "suppressed")
    assert len(ses_sent()) == 1


def test_permanent_bounce_suppresses_transient_bounce_does_not(send_world: World) -> None:
    requests = capture_requests()
    send_world.ingest(profile("ana"))
    payload = send_payload(send_world, "ana", "order-1", purpose="transactional")
    send_world.handler("send")(payload, LocalLambdaContext("tact-send"))
    assert deliver(send_world, notification(requests[0], "Bounce", bounce_type="Transient")) == {
        "ignored": 1}
    assert send_world.state("ana").suppressions == {}
    assert deliver(send_world, notification(requests[0], "Bounce")) == {"suppressed": 1}
    assert send_world.state("ana").suppressions["email"]["reason"] == "bounce"
    # Delivered twice by SNS: same outcome, audit history grows, nothing breaks.
    assert deliver(send_world, notification(requests[0], "Bounce")) == {"suppressed": 1}
    payload = send_payload(send_world, "ana", "order-2", purpose="transactional")
    result = send_world.handler("send")(payload, LocalLambdaContext("tact-send"))
    assert result["reason"] == "suppressed"


def test_customer_ids_outside_the_tag_alphabet_still_match(send_world: World) -> None:
    requests = capture_requests()
    customer = "shop:42@eu"
    send_world.ingest(profile(customer, email="x42@example.com"))
    payload = send_payload(send_world, customer, "order-1", purpose="transactional")
    send_world.handler("send")(payload, LocalLambdaContext("tact-send"))
    assert deliver(send_world, notification(requests[0], "Complaint")) == {"suppressed": 1}
    assert "email" in send_world.state(customer).suppressions


def test_unreadable_notification_is_dead_lettered_with_reason(
        monkeypatch: pytest.MonkeyPatch, send_world: World) -> None:
    from tact import aws

    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    monkeypatch.setenv("TACT_DEAD_LETTER_QUEUE_URL", url)
    from tact.config import runtime_config

    runtime_config.cache_clear()
    assert deliver(send_world, sns_event("not json")) == {}
    assert deliver(send_world, sns_event(json.dumps({"eventType": "Bounce"}))) == {}
    parked = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                 MessageAttributeNames=["All"])["Messages"]
    reasons = sorted(m["MessageAttributes"]["reason"]["StringValue"] for m in parked)
    assert reasons[0].startswith("ses notification: no 'mail' object")
    assert reasons[1].startswith("ses notification: not JSON")


def test_notification_without_our_tags_is_counted_unmatched(send_world: World) -> None:
    message = {"notificationType": "Complaint", "complaint": {"complainedRecipients": [
        {"emailAddress": "someone@example.com"}]},
        "mail": {"messageId": "m-1", "destination": ["someone@example.com"]}}
    assert deliver(send_world, sns_event(json.dumps(message))) == {"unmatched": 1}
