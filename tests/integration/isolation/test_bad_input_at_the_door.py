"""Finding 7 of issue 14: bad input is answered at the door, with the field named.

HTTP ingest answered 500 on bad base64 or deep nesting and 202 on events dated years ahead;
a cart event from 400 days ago still sent a reminder. (Events that can never succeed on the
queue are in the badinput corpus, dead-lettered at once: tests/integration/ingest.)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tact import runtime
from tact.customer import CustomerState
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tests.support.ingest_world import NOW, ROOT, World, bridged_world, cart, ev, profile_event


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from bridged_world(tmp_path, monkeypatch)


def post(body: str, base64_flag: bool = False) -> tuple[int, dict[str, Any]]:
    context = {"http": {"method": "POST", "path": "/events"}, "routeKey": "POST /events",
               "authorizer": {"iam": {"accountId": "123456789012",
                                      "userArn": "arn:aws:iam::123456789012:user/shop"}}}
    request = {"version": "2.0", "routeKey": "POST /events", "requestContext": context,
               "isBase64Encoded": base64_flag, "body": body}
    handler = load_handler(ROOT / "functions", "http_ingest")
    response = handler(request, LocalLambdaContext("tact-http-ingest"))
    return response["statusCode"], json.loads(response["body"])


AHEAD = {**cart(), "time": (NOW + timedelta(days=3 * 365)).strftime("%Y-%m-%dT%H:%M:%SZ")}


@pytest.mark.parametrize("body,base64_flag,status,named", [
    ("%%% not base64 %%%", True, 400, "base64"),
    ('{"events": ' + "[" * 100_000, False, 400, "nested too deeply"),
    (json.dumps(AHEAD), False, 400, "time: "),
    (json.dumps({**cart(), "time": "9999-12-31T23:00:00-05:00"}), False, 400, "time: "),
    (json.dumps({**cart(), "data": {"cart_id": "c1", "value": 1e130}}), False, 400,
     "data.value"),
    (json.dumps({**cart(), "data": {"cart_id": "c1", "value": 4, "x": {"": 1}}}), False, 400,
     "data.x"),
    ("x" * 4_000_000, False, 413, "body: "),
], ids=["bad-base64", "deep-nesting", "years-ahead", "year-9999", "value-1e130", "empty-key",
        "too-large"])
def test_bad_requests_are_answered_with_the_field_named(
        world: World, body: str, base64_flag: bool, status: int, named: str) -> None:
    answer_status, answer = post(body, base64_flag)
    assert answer_status == status, answer
    assert named in json.dumps(answer)
    assert world.queue_depth() == 0


def test_good_base64_still_works(world: World) -> None:
    status, answer = post(base64.b64encode(json.dumps(profile_event()).encode()).decode(), True)
    assert status == 202, answer


def test_a_cart_event_from_400_days_ago_enters_no_one_and_is_recorded_stale(
        world: World) -> None:
    old = ev("cart-old", "cart_updated", {"cart_id": "c1", "value": 40},
             at=(NOW - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    world.send(json.dumps(profile_event()), json.dumps(old))
    for _ in range(3):
        messages, failed = world.poll()
        assert failed == []
        if not messages:
            break
    assert world.executions() == []
    state = CustomerState.from_items("ana", runtime.store().read_customer("ana", NOW))
    logs = [i for i in runtime.store().read_customer("ana", NOW) if i["sk"].startswith("LOG#")]
    assert [i["reason"].split(":")[0] for i in logs if i["kind"] == "skipped"] == ["stale"]
    assert state.attribute("email") == "ana@example.com"
