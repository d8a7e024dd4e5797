"""HTTPS ingest: signed requests put valid events on the bus (→ rule → queue → ingest);
unsigned or invalid requests put nothing there."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tact import aws, runtime
from tact.customer import CustomerState
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tests.support.ingest_world import NOW, ROOT, World, bridged_world, cart, profile_event


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from bridged_world(tmp_path, monkeypatch)


def request(body: Any, signed: bool = True, base64_body: bool = False) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) request as the Lambda receives it."""
    text = body if isinstance(body, str) else json.dumps(body)
    context: dict[str, Any] = {"http": {"method": "POST", "path": "/events"},
                               "routeKey": "POST /events"}
    if signed:
        context["authorizer"] = {"iam": {"accessKey": "AKIA...", "accountId": "123456789012",
                                         "userArn": "arn:aws:iam::123456789012:user/shop"}}
    return {"version": "2.0", "routeKey": "POST /events", "requestContext": context,
            "isBase64Encoded": base64_body,
            "body": base64.b64encode(text.encode()).decode() if base64_body else text}


def call(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    handler = load_handler(ROOT / "functions", "http_ingest")
    response = handler(event, LocalLambdaContext("tact-http-ingest"))
    return response["statusCode"], json.loads(response["body"])


def test_signed_request_events_reach_ingest_through_the_bus(world: World) -> None:
    status, body = call(request({"events": [profile_event(), cart()]}, base64_body=True))
    assert status == 202 and body == {"accepted": ["p-1", "cart-1"]}
    messages, failed = world.poll()
    assert len(messages) == 2 and failed == []
    state = CustomerState.from_items("ana", runtime.store().read_customer("ana", NOW))
    assert state.attribute("email") == "ana@example.com"
    assert len(world.executions()) == 1


def test_unsigned_request_is_refused_and_puts_nothing_on_the_bus(world: World) -> None:
    status, _ = call(request(cart(), signed=False))
    assert status == 403
    assert world.queue_depth() == 0


@pytest.mark.parametrize("body,where", [
    ({"events": [cart(), {**cart("c2"), "type": "nope"}]}, "type"),
    ("{not json", "JSON"),
    ({"events": []}, "1 to 10"),
])
def test_invalid_requests_get_400_with_reasons_and_put_nothing(world: World, body: Any,
                                                               where: str) -> None:
    status, answer = call(request(body))
    assert status == 400
    assert where in json.dumps(answer)
    assert world.queue_depth() == 0
    assert aws.client("sqs").receive_message(QueueUrl=world.queue_url).get("Messages") is None
