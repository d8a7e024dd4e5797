"""The sample events in infra/events/ (README: sending a test event, `sam local invoke`) are
accepted by the very code the functions run, so the samples cannot rot unnoticed."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from tact.ingest.http import accept
from tact.ingest.messages import unwrap
from tact.models.events import parse_event
from tact.notifications.ses import parse as parse_ses
from tact.sending.models import SendRequest
from tests.support.paths import ROOT

EVENTS = ROOT / "infra" / "events"


def load(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


def test_put_events_sample_goes_to_the_bus_sam_deploy_creates() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    stack = config["default"]["global"]["parameters"]["stack_name"]
    entries = load("put-events.json")
    assert [e["DetailType"] for e in entries] == ["customer_updated", "consent_changed",
                                                  "cart_updated"]
    for entry in entries:
        assert entry["EventBusName"] == f"{stack}-events"  # template.yaml: ${AWS::StackName}-events
        event, _ = parse_event(json.loads(entry["Detail"]))
        assert event.type == entry["DetailType"]


def test_sqs_sample_is_what_ingest_reads_from_the_queue() -> None:
    (record,) = load("sqs-ingest.json")["Records"]
    event, _ = parse_event(unwrap(record["body"]))
    assert (event.type, event.customer_id) == ("cart_updated", "test-1")


def test_send_sample_is_a_valid_step_request() -> None:
    request = SendRequest.model_validate(load("send.json"))
    assert (request.journey, request.step, request.channel) == ("abandoned_cart", "reminder_1",
                                                                "email")


def test_ses_bounce_sample_names_the_customer() -> None:
    (record,) = load("sns-ses-bounce.json")["Records"]
    feedback = parse_ses(record["Sns"]["Message"])
    assert (feedback.kind, feedback.customer_id) == ("bounce", "test-1")


def test_http_sample_is_accepted_and_put_on_the_bus() -> None:
    put: list[dict[str, Any]] = []

    def put_events(Entries: list[dict[str, Any]]) -> dict[str, Any]:
        put.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i, _ in
                                                    enumerate(Entries)]}

    answer = accept(load("http-post-events.json"), put_events, "tact-dev-events")
    assert answer.status == 202, answer.body
    assert answer.body == {"accepted": ["test-1-cart-1"]}
    assert [e["DetailType"] for e in put] == ["cart_updated"]
