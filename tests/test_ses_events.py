"""SES bounce and complaint notifications (SNS -> the ses_events Lambda) become suppressions,
and a suppressed address is never emailed again. The notification is built from the actual
SendEmail request (message id and tags) the email channel made to SES on moto."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tact.local.lambda_context import LocalLambdaContext
from tact.sending.channels import provider_client
from tests.sendkit import T0, World, cart, consent, profile, send_payload, ses_sent, world


def capture_requests() -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []

    def remember(params: dict[str, Any], **_: Any) -> None:
        requests.append(params)

    def answer(parsed: dict[str, Any], **_: Any) -> None:
        requests[-1]["MessageId"] = parsed.get("MessageId")

    provider_client("sesv2").meta.events.register("before-parameter-build.sesv2.SendEmail",
                                                  remember)
    provider_client("sesv2").meta.events.register("after-call.sesv2.SendEmail", answer)
    return requests


def notification(request: dict[str, Any], kind: str, **detail: Any) -> dict[str, Any]:
    """An SES event-publishing record (configuration set -> SNS) for a message we sent."""
    address = request["Destination"]["ToAddresses"][0]
    body: dict[str, Any] = {
        "eventType": kind,
        "mail": {
            "timestamp": "2026-11-02T11:00:00.000Z", "messageId": request["MessageId"],
            "source": request["FromEmailAddress"], "destination": [address],
            "tags": {t["Name"]: [t["Value"]] for t in request["EmailTags"]}
            | {"ses:configuration-set": ["tact"]},
        },
    }
    if kind == "Bounce":
        body["bounce"] = {"bounceType": detail.get("bounce_type", "Permanent"),
                          "bounceSubType": "General", "timestamp": "2026-11-02T11:00:05.000Z",
                          "feedbackId": "fb-1", "bouncedRecipients": [{"emailAddress": address}]}
    else:
        body["complaint"] = {"complaintFeedbackType": "abuse", "feedbackId": "fb-2",
                             "timestamp": "2026-11-02T12:00:00.000Z",
                             "complainedRecipients": [{"emailAddress": address}]}
    return sns_event(json.dumps(body))


def sns_event(message: str) -> dict[str, Any]:
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:ses:1",
                         "Sns": {"Type": "Notification", "MessageId": "sns-1",
                                 "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses",
                                 "Subject": None, "Message": message,
                                 "Timestamp": "2026-11-02T12:00:01.000Z"}}]}


def deliver(w: World, event: dict[str, Any]) -> dict[str, Any]:
    return w.handler("ses_events")(event, LocalLambdaContext("tact-ses-events"))


def test_complaint_suppresses_and_no_further_email_is_sent(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with world(monkeypatch, tmp_path) as w:
        requests = capture_requests()
        w.ingest(profile("ana"), consent("ana"), cart("ana"))
        w.clock.run_until(T0 + timedelta(hours=3))
        assert len(ses_sent()) == 1

        assert deliver(w, notification(requests[0], "Complaint")) == {"suppressed": 1}
        item = w.state("ana").suppressions["email"]
        assert (item["reason"], item["source"], item["detail"]) == ("complaint", "ses", "abuse")
        assert (item["journey"], item["step"]) == ("abandoned_cart", "reminder_1")
        assert "ana@example.com" not in json.dumps(item, default=str)  # a fingerprint only

        w.clock.run_until(None)  # reminder 2 is due: not sent
        assert len(ses_sent()) == 1
        reminder_2 = [m for m in w.messages("ana") if m["step"] == "reminder_2"]
        assert [(m["status"], m["reason"]) for m in reminder_2] == [("suppressed", "suppressed")]
        # Not even a transactional message goes to that address again.
        again = w.handler("send")(send_payload(w, "ana", "order-1", purpose="transactional"),
                                  LocalLambdaContext("tact-send"))
        assert (again["status"], again["reason"]) == ("suppressed", "suppressed")
        assert len(ses_sent()) == 1


def test_permanent_bounce_suppresses_transient_bounce_does_not(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with world(monkeypatch, tmp_path) as w:
        requests = capture_requests()
        w.ingest(profile("ana"))
        w.handler("send")(send_payload(w, "ana", "order-1", purpose="transactional"),
                          LocalLambdaContext("tact-send"))
        assert deliver(w, notification(requests[0], "Bounce", bounce_type="Transient")) == {
            "ignored": 1}
        assert w.state("ana").suppressions == {}
        assert deliver(w, notification(requests[0], "Bounce")) == {"suppressed": 1}
        assert w.state("ana").suppressions["email"]["reason"] == "bounce"
        # Delivered twice by SNS: same outcome, audit history grows, nothing breaks.
        assert deliver(w, notification(requests[0], "Bounce")) == {"suppressed": 1}
        result = w.handler("send")(send_payload(w, "ana", "order-2", purpose="transactional"),
                                   LocalLambdaContext("tact-send"))
        assert result["reason"] == "suppressed"


def test_customer_ids_outside_the_tag_alphabet_still_match(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with world(monkeypatch, tmp_path) as w:
        requests = capture_requests()
        customer = "shop:42@eu"
        w.ingest(profile(customer, email="x42@example.com"))
        w.handler("send")(send_payload(w, customer, "order-1", purpose="transactional"),
                          LocalLambdaContext("tact-send"))
        assert deliver(w, notification(requests[0], "Complaint")) == {"suppressed": 1}
        assert "email" in w.state(customer).suppressions


def test_unreadable_notification_is_dead_lettered_with_reason(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with world(monkeypatch, tmp_path) as w:
        from tact import aws

        sqs = aws.client("sqs")
        url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        monkeypatch.setenv("TACT_DEAD_LETTER_QUEUE_URL", url)
        from tact.config import runtime_config

        runtime_config.cache_clear()
        assert deliver(w, sns_event("not json")) == {}
        assert deliver(w, sns_event(json.dumps({"eventType": "Bounce"}))) == {}
        parked = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     MessageAttributeNames=["All"])["Messages"]
        reasons = sorted(m["MessageAttributes"]["reason"]["StringValue"] for m in parked)
        assert reasons[0].startswith("ses notification: no 'mail' object")
        assert reasons[1].startswith("ses notification: not JSON")


def test_notification_without_our_tags_is_counted_unmatched(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with world(monkeypatch, tmp_path) as w:
        message = {"notificationType": "Complaint", "complaint": {"complainedRecipients": [
            {"emailAddress": "someone@example.com"}]},
            "mail": {"messageId": "m-1", "destination": ["someone@example.com"]}}
        assert deliver(w, sns_event(json.dumps(message))) == {"unmatched": 1}
