"""A small moto world for the ingest path: table, event bus → rule → queue (with a dead-letter
queue and RedrivePolicy), the journey state machines, and the real ingest handler.

``poll`` plays the Lambda SQS event source mapping: receive a batch, invoke the handler, delete
what succeeded, leave the reported failures for SQS to redeliver. moto's visibility timeouts
run on the wall clock, so "time passes" (``expire_visibility``) sets a message's visibility to
zero instead of sleeping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tact import aws, clock, runtime
from tact.journey.bundle import bundle_json
from tact.journey.bundle_builder import build
from tact.journey.project import load_project, require_valid
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tact.store.schema import create_table
from tests.support.paths import ROOT

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE = "tact-test"
SM_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:tact-"


def aws_env(tmp: Path, journeys: Path = ROOT / "journeys") -> dict[str, str]:
    bundle, definitions = build(require_valid(load_project(journeys)))
    (tmp / "bundle.json").write_text(bundle_json(bundle), encoding="utf-8")
    (tmp / "definitions.json").write_text(json.dumps(definitions), encoding="utf-8")
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
        "TACT_TABLE_NAME": TABLE, "TACT_BUNDLE_PATH": str(tmp / "bundle.json"),
        "TACT_STATE_MACHINE_PREFIX": SM_PREFIX, "TACT_STATE_MACHINE_ALIAS": "",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_SERVICE_NAME": "tact", "POWERTOOLS_METRICS_NAMESPACE": "Tact",
    }


@dataclass
class World:
    tmp: Path
    queue_url: str = ""
    queue_arn: str = ""
    dlq_url: str = ""
    handler: Callable[[dict[str, Any], Any], Any] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def create(cls, tmp: Path, max_receive_count: int = 3) -> World:
        """Inside mock_aws, with aws_env() in the environment."""
        runtime.reset()
        world = cls(tmp)
        create_table(aws.client("dynamodb"), TABLE)
        sqs = aws.client("sqs")
        world.dlq_url = sqs.create_queue(QueueName="tact-events-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=world.dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        world.queue_url = sqs.create_queue(QueueName="tact-events", Attributes={
            "VisibilityTimeout": "60",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": str(max_receive_count)}),
        })["QueueUrl"]
        world.queue_arn = sqs.get_queue_attributes(
            QueueUrl=world.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sfn = aws.client("stepfunctions")
        definitions = json.loads((tmp / "definitions.json").read_text(encoding="utf-8"))
        for journey_id, definition in definitions.items():
            text = json.dumps(definition)
            for name in ("SendFunctionArn", "ParkFunctionArn"):
                text = text.replace("${" + name + "}",
                                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
            sfn.create_state_machine(name=f"tact-{journey_id}", definition=text,
                                     roleArn=f"arn:aws:iam::{ACCOUNT}:role/tact")
        world.handler = load_handler(ROOT / "functions", "ingest")
        return world

    def env(self) -> dict[str, str]:
        return {"TACT_DEAD_LETTER_QUEUE_URL": self.dlq_url}

    def send(self, *bodies: dict[str, Any] | str) -> None:
        for body in bodies:
            aws.client("sqs").send_message(
                QueueUrl=self.queue_url,
                MessageBody=body if isinstance(body, str) else json.dumps(body))

    def bridge(self, bus: str = "tact-shop") -> None:
        """Bus → rule (every event, as template.yaml's rule: any source) → this queue."""
        events = aws.client("events")
        events.create_event_bus(Name=bus)
        events.put_rule(Name="shop-to-ingest", EventBusName=bus,
                        EventPattern=json.dumps({"source": [{"prefix": ""}]}))
        events.put_targets(Rule="shop-to-ingest", EventBusName=bus,
                           Targets=[{"Id": "ingest-queue", "Arn": self.queue_arn}])

    def poll(self) -> tuple[list[dict[str, Any]], list[str]]:
        """One batch through the handler; returns (messages, failed message ids)."""
        sqs = aws.client("sqs")
        messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                       AttributeNames=["All"],
                                       MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return [], []
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn, "awsRegion": REGION,
        } for m in messages]}
        assert self.handler is not None
        response = self.handler(event, LocalLambdaContext("tact-ingest"))
        self.results.append(response)
        failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        self._last = messages
        return messages, failed

    def expire_visibility(self) -> None:
        """Let the retry delay pass for every message received in the last poll."""
        for m in getattr(self, "_last", []):
            try:
                aws.client("sqs").change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
            except Exception:  # deleted messages have nothing to expire
                pass

    def dead_letters(self) -> list[dict[str, Any]]:
        return aws.client("sqs").receive_message(
            QueueUrl=self.dlq_url, MaxNumberOfMessages=10,
            MessageAttributeNames=["All"]).get("Messages", [])

    def queue_depth(self) -> int:
        attrs = aws.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages",
                                                     "ApproximateNumberOfMessagesNotVisible"])
        return sum(int(v) for v in attrs["Attributes"].values())

    def executions(self, journey: str = "abandoned_cart") -> list[dict[str, Any]]:
        return aws.client("stepfunctions").list_executions(
            stateMachineArn=f"{SM_PREFIX}{journey}")["executions"]


class Throttle:
    """Answer StartExecution with ThrottlingException, ``times`` times, at botocore's layer.

    moto never throttles; a ``before-call`` hook returning an error response makes the client
    raise exactly what Step Functions' quota would (after botocore's own retries).
    """

    def __init__(self, times: int, code: str = "ThrottlingException") -> None:
        self.times, self.code, self.answered = times, code, 0

    def install(self) -> Throttle:
        aws.client("stepfunctions").meta.events.register(
            "before-call.sfn.StartExecution", self._answer)
        return self

    def _answer(self, **_: Any) -> Any:
        if self.answered >= self.times:
            return None
        self.answered += 1
        parsed = {"Error": {"Code": self.code, "Message": "Rate exceeded"},
                  "ResponseMetadata": {"HTTPStatusCode": 400, "HTTPHeaders": {}}}
        return AWSResponse("https://states.invalid", 400, {}, None), parsed


class DynamoOps:
    """Every DynamoDB operation made by Tact's client, by name (botocore event hook)."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    def install(self) -> DynamoOps:
        from tact.store.dynamodb import DynamoStore

        store = runtime.store()
        client = store.client if isinstance(store, DynamoStore) else aws.client("dynamodb")
        client.meta.events.register("before-call.dynamodb.*", self._seen)
        return self

    def _seen(self, event_name: str, **_: Any) -> None:
        self.ops.append(event_name.rsplit(".", 1)[-1])


def moto_world(tmp: Path, monkeypatch: pytest.MonkeyPatch, now: datetime,
               max_receive_count: int = 3, reasoned_last_attempt: bool = True,
               journeys: Path | None = None) -> Iterator[World]:
    """A fresh moto world with the environment the handlers read, on a fixed clock.

    ``reasoned_last_attempt``: ingest knows the queue's maxReceiveCount and parks an event
    with its reason on the last attempt (as deployed); off, only SQS's own redrive is left.
    """
    env = aws_env(tmp) if journeys is None else aws_env(tmp, journeys)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        world = World.create(tmp, max_receive_count)
        for key, value in world.env().items():
            monkeypatch.setenv(key, value)
        if reasoned_last_attempt:
            monkeypatch.setenv("TACT_MAX_RECEIVE_COUNT", str(max_receive_count))
        runtime.reset()
        clock.use(lambda: now)
        try:
            yield world
        finally:
            clock.use(None)
            runtime.reset()


# Events of the ingest tests: one customer, one morning.
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def bridged_world(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The moto world with the shop's bus bridged to the ingest queue (the HTTPS ingest's
    path: request -> bus -> rule -> queue), at ``NOW``."""
    monkeypatch.setenv("TACT_EVENT_BUS_NAME", "tact-shop")
    for world in moto_world(tmp, monkeypatch, NOW, reasoned_last_attempt=False):
        world.bridge()
        yield world


def ev(event_id: str, kind: str, data: dict[str, Any], customer: str = "ana",
       at: str = "2026-11-02T09:00:00Z") -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": customer, "time": at, "data": data}


def cart(event_id: str = "cart-1", customer: str = "ana") -> dict[str, Any]:
    return ev(event_id, "cart_updated", {"cart_id": "c1", "value": 40}, customer)


def profile_event(event_id: str = "p-1", customer: str = "ana") -> dict[str, Any]:
    return ev(event_id, "customer_updated", {"email": f"{customer}@example.com"}, customer,
              at="2026-11-02T08:00:00Z")
