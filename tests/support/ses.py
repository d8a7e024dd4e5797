"""SES on moto as the SES events Lambda sees it: the SendEmail requests the email channel made,
and the SNS notifications (bounce, complaint) built from them."""

from __future__ import annotations

import json
from typing import Any

from tact.sending.channels import provider_client


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
