"""Acceptance 3: the model job on moto fits over the table, stores a versioned artifact in
S3 and refreshes scores; ingest then applies it on each purchase, with no extra DynamoDB
request and one S3 read per container."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from tact import aws, clock, runtime
from tact.journey.bundle import bundle_json
from tact.journey.bundle_builder import build
from tact.journey.project import load_project, require_valid
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tact.recommend.artifact import Artifact
from tact.store.keys import PROFILE
from tact.store.schema import create_table

ROOT = Path(__file__).resolve().parents[3]
TABLE, BUCKET, PREFIX = "tact-test", "tact-models", "models/nbp/"
NOW = datetime(2026, 11, 20, 3, 45, tzinfo=UTC)


def _item(sku: str, category: str) -> dict[str, Any]:
    return {"sku": sku, "name": sku.title(), "category": category, "price": 20, "quantity": 1}


def _purchase(customer: str, n: int, at: datetime, *items: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"{customer}-o{n}", "type": "purchase_completed", "customer_id": customer,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": {"order_id": f"{customer}-o{n}", "value": 20 * len(items),
                     "currency": "EUR", "items": list(items)}}


def _sqs(raw: dict[str, Any]) -> dict[str, Any]:
    bridge = {"version": "0", "id": f"eb-{raw['id']}", "detail-type": raw["type"],
              "source": "shop", "account": "123456789012", "time": raw["time"],
              "region": "us-east-1", "resources": [], "detail": raw}
    return {"Records": [{
        "messageId": f"m-{raw['id']}", "receiptHandle": "r", "body": json.dumps(bridge),
        "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
        "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:tact-events"}]}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    bundle, _ = build(require_valid(load_project(ROOT / "journeys")))
    (tmp_path / "bundle.json").write_text(bundle_json(bundle), encoding="utf-8")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "TACT_TABLE_NAME": TABLE, "TACT_BUNDLE_PATH": str(tmp_path / "bundle.json"),
        "TACT_STATE_MACHINE_PREFIX": "arn:aws:states:us-east-1:123456789012:stateMachine:t-",
        "TACT_STATE_MACHINE_ALIAS": "", "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR", "TACT_MODEL_BUCKET": BUCKET,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        runtime.reset()
        create_table(aws.client("dynamodb"), TABLE)
        aws.client("s3").create_bucket(Bucket=BUCKET)
        moment = [NOW - timedelta(days=40)]
        clock.use(lambda: moment[0])
        try:
            yield {"ingest": load_handler(ROOT / "functions", "ingest"),
                   "model": load_handler(ROOT / "functions", "model"), "moment": moment}
        finally:
            clock.use(None)
            runtime.reset()


def _ingest(world: dict[str, Any], event: dict[str, Any]) -> None:
    world["moment"][0] = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    response = world["ingest"](_sqs(event), LocalLambdaContext("tact-ingest"))
    assert response["batchItemFailures"] == []


def _profile(customer: str) -> dict[str, Any]:
    item = aws.resource("dynamodb").Table(TABLE).get_item(
        Key={"pk": f"C#{customer}", "sk": PROFILE})["Item"]
    return item["attrs"]


def _calls(service: str) -> list[str]:
    made: list[str] = []
    client = (runtime.store().client if service == "dynamodb" else aws.client(service))
    client.meta.events.register(f"before-call.{service}.*",
                                lambda event_name, **_: made.append(event_name.split(".")[-1]))
    return made


def test_model_job_fits_stores_refreshes_and_ingest_applies_it(world: dict[str, Any]) -> None:
    tee, hoodie, mug = _item("TEE", "apparel"), _item("HOODIE", "apparel"), _item("MUG", "home")
    start = NOW - timedelta(days=35)
    history = []
    for n in range(24):  # tee, then a hoodie; some come back again; mugs sell on their own
        c, at = f"s{n:02d}", start + timedelta(days=n % 10, hours=n)
        history.append(_purchase(c, 1, at, tee))
        history.append(_purchase(c, 2, at + timedelta(days=6 + n % 7), hoodie))
        if n % 3 == 0:
            history.append(_purchase(c, 3, at + timedelta(days=20), mug))
    for n in range(10):
        history.append(_purchase(f"m{n}", 1, start + timedelta(days=n * 2), mug))
    for event in sorted(history, key=lambda e: e["time"]):
        _ingest(world, event)
    # Before the first fit (the bucket is empty) ingest works as before: no model attributes.
    assert "next_best_products" not in _profile("s00")

    world["moment"][0] = NOW
    result = world["model"]({}, LocalLambdaContext("tact-model"))
    s3 = aws.client("s3")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([f"{PREFIX}latest.json", result["key"]])
    assert result["key"] == f"{PREFIX}{result['version']}.json"
    artifact = Artifact.from_json(s3.get_object(Bucket=BUCKET, Key=result["key"])["Body"].read())
    assert artifact.version == result["version"] and artifact.bgnbd is not None
    assert artifact.customers == 34 and set(artifact.catalog) == {"TEE", "HOODIE", "MUG"}
    assert len(s3.get_object(Bucket=BUCKET, Key=result["key"])["Body"].read()) < 10_000
    assert result["refreshed"] == 34 and result["gave_up"] == 0
    refreshed = _profile("m3")  # bought only a mug: the best sellers they have not bought
    assert {p["sku"] for p in refreshed["next_best_products"]["v"]} == {"TEE", "HOODIE"}
    assert refreshed["next_best_products"]["by"] == f"model:{result['version']}"
    assert refreshed["purchase_propensity_30d"]["at"] == "2026-11-20T03:45:00Z"
    assert 0 < refreshed["purchase_propensity_30d"]["v"] < 1
    assert 0 <= refreshed["churn_risk"]["v"] < 1

    # A new customer buys a tee: ingest applies the stored model at once.
    runtime.reset()  # a fresh container
    dynamo, s3_calls = _calls("dynamodb"), _calls("s3")
    _ingest(world, _purchase("new", 1, NOW + timedelta(hours=1), tee))
    first_event = list(dynamo)
    attrs = _profile("new")
    assert attrs["next_best_products"]["v"][0]["sku"] == "HOODIE"
    assert "TEE" not in [p["sku"] for p in attrs["next_best_products"]["v"]]
    assert attrs["next_best_products"]["at"] == "2026-11-20T04:45:00Z"
    assert attrs["purchase_propensity_30d"]["v"] > 0
    dynamo.clear()
    _ingest(world, _purchase("new", 2, NOW + timedelta(minutes=90), hoodie))
    second_event = list(dynamo)
    assert [p["sku"] for p in _profile("new")["next_best_products"]["v"]] == ["MUG"]
    # One Query and one write per event, as without a model; S3 once per container.
    assert first_event == second_event == ["Query", "TransactWriteItems"]
    assert s3_calls == ["GetObject"]
