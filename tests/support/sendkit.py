"""A small world for send-path tests: moto (DynamoDB, SES v2, SNS), the real Lambda handlers,
the compiled journey definitions run by the local executor on a virtual clock.

Not a test module: ``tests/test_send_*.py``, ``test_preferences*.py`` and
``test_ses_events*.py`` build on it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tact import clock as tact_clock
from tact import runtime
from tact.customer import CustomerState
from tact.journey.bundle import Bundle, bundle_json
from tact.journey.bundle_builder import build
from tact.journey.project import load_project, require_valid
from tact.local.adapters import ExecutorOrchestrator
from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tests.support.paths import JOURNEYS, ROOT

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE = "tact-test"
SEND_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-send"
SM_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:tact-"
SIGNING_KEY = "test-signing-key-not-a-secret"
PUBLIC_URL = "https://prefs.example.test"
# Monday 2026-11-02 09:00 UTC = 10:00 in Berlin: outside the 21:00-08:00 quiet hours.
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FUNCTIONS = ROOT / "functions"


def copy_journeys(target: Path) -> Path:
    """A private copy of ``journeys/`` a test may edit (settings, templates, journeys)."""
    shutil.copytree(JOURNEYS, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@dataclass
class World:
    clock: VirtualClock
    executor: LocalStepFunctions
    bundle: Bundle
    definitions: dict[str, dict[str, Any]]
    sends: list[dict[str, Any]] = field(default_factory=list)  # (payload, result) of send λ

    # ---------------------------------------------------------------- the real handlers
    def handler(self, name: str) -> Any:
        return load_handler(FUNCTIONS, name)

    def ingest(self, *events: dict[str, Any]) -> None:
        handler = self.handler("ingest")
        for raw in events:
            record = {"messageId": f"m-{raw['id']}", "receiptHandle": "local",
                      "body": json.dumps(raw), "attributes": {"ApproximateReceiveCount": "1"},
                      "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                      "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:events",
                      "awsRegion": REGION}
            response = handler({"Records": [record]}, LocalLambdaContext("tact-ingest"))
            assert response["batchItemFailures"] == [], response

    def api(self, method: str, path: str, body: str | None = None,
            content_type: str = "application/json") -> dict[str, Any]:
        """Call the preferences Lambda as API Gateway HTTP API (payload v2) would."""
        route = "/" + path.strip("/").split("/", 1)[0] + "/{token}"
        event = {
            "version": "2.0", "routeKey": f"{method} {route}", "rawPath": path,
            "rawQueryString": "", "headers": {"content-type": content_type},
            "requestContext": {"http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                        "sourceIp": "192.0.2.1", "userAgent": "test"},
                               "routeKey": f"{method} {route}", "stage": "$default",
                               "accountId": ACCOUNT, "apiId": "api", "requestId": "r",
                               "domainName": "prefs.example.test", "time": "", "timeEpoch": 0},
            "pathParameters": {"token": path.rstrip("/").rsplit("/", 1)[-1]},
            "body": body, "isBase64Encoded": False,
        }
        return self.handler("preferences")(event, LocalLambdaContext("tact-preferences"))

    # ---------------------------------------------------------------- what happened
    def items(self, customer_id: str) -> list[dict[str, Any]]:
        return runtime.store().read_customer(customer_id, self.clock.now())

    def state(self, customer_id: str) -> CustomerState:
        return CustomerState.from_items(customer_id, self.items(customer_id))

    def messages(self, customer_id: str) -> list[dict[str, Any]]:
        return sorted(self.state(customer_id).messages.values(), key=lambda m: m["at"])

    def start_journey(self, journey: str, customer_id: str, name: str,
                      trigger: dict[str, Any]) -> str:
        payload = {"journey": journey, "version": self.bundle.journeys[journey].version,
                   "customer_id": customer_id, "entered_at": trigger["time"],
                   "trigger": trigger, "context": {}}
        return self.executor.start_execution(f"{SM_PREFIX}{journey}", name, payload)


def ses_sent() -> list[Any]:
    """Messages moto's SES backend accepted (sesv2 SendEmail lands in the v1 backend)."""
    from moto.ses.models import ses_backends

    return list(ses_backends[ACCOUNT][REGION].sent_messages)


_HREF = re.compile(r'href="([^"]+)"')


def unsubscribe_link(message: Any) -> str:
    links = [h for h in _HREF.findall(message.body) if "/unsubscribe/" in h]
    assert links, "no unsubscribe link in the sent email"
    return links[0]


def envelope(event_id: str, kind: str, customer: str, at: datetime,
             data: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": customer,
            "time": tact_clock.iso(at), "data": data}


def profile(customer: str, at: datetime = T0, **data: Any) -> dict[str, Any]:
    data = {"email": f"{customer}@example.com", "timezone": "Europe/Berlin", **data}
    return envelope(f"{customer}-profile-{at:%H%M%S}", "customer_updated", customer, at, data)


def consent(customer: str, channel: str = "email", purpose: str = "marketing",
            granted: bool = True, at: datetime = T0) -> dict[str, Any]:
    return envelope(f"{customer}-consent-{channel}-{purpose}-{at:%H%M%S}-{granted}",
                    "consent_changed", customer, at,
                    {"channel": channel, "purpose": purpose, "granted": granted,
                     "source": "signup_form"})


def cart(customer: str, at: datetime = T0, value: float = 40,
         event_id: str | None = None) -> dict[str, Any]:
    return envelope(event_id or f"{customer}-cart-{at:%H%M%S}", "cart_updated", customer, at,
                    {"cart_id": f"c-{customer}", "value": value, "currency": "EUR",
                     "items": [{"sku": "S1", "name": "Mug", "price": value, "quantity": 1}]})


@contextmanager
def world(monkeypatch: Any, tmp_path: Path, journeys: Path | None = None,
          start: datetime = T0) -> Iterator[World]:
    from moto import mock_aws

    project = require_valid(load_project(journeys or JOURNEYS))
    bundle, definitions = build(project)
    bundle_path = tmp_path / "bundle.json"
    bundle_path.write_text(bundle_json(bundle), encoding="utf-8")
    env = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
        "TACT_TABLE_NAME": TABLE, "TACT_BUNDLE_PATH": str(bundle_path),
        "TACT_STATE_MACHINE_PREFIX": SM_PREFIX, "TACT_STATE_MACHINE_ALIAS": "",
        "TACT_SIGNING_KEY": SIGNING_KEY, "TACT_PUBLIC_URL": PUBLIC_URL,
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "Tact",
        "POWERTOOLS_SERVICE_NAME": "tact",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        runtime.reset()
        from tact import aws
        from tact.store.schema import create_table

        create_table(aws.client("dynamodb"), TABLE)
        sender = bundle.settings.senders.email.from_address
        aws.client("sesv2").create_email_identity(
            EmailIdentity=sender.rsplit("@", 1)[-1].strip(" >"))
        clock = VirtualClock(start)
        tact_clock.use(clock.now)
        send_handler = load_handler(FUNCTIONS, "send")
        the_world: World

        def send_function(payload: dict[str, Any]) -> Any:
            result = send_handler(payload, LocalLambdaContext("tact-send"))
            the_world.sends.append({"payload": payload, "result": result})
            return result

        executor = LocalStepFunctions(clock, {SEND_ARN: send_function})
        for journey_id, definition in definitions.items():
            executor.register_state_machine(f"{SM_PREFIX}{journey_id}", definition,
                                            {"SendFunctionArn": SEND_ARN})
        the_world = World(clock, executor, bundle, definitions)
        runtime.override(orchestrator=ExecutorOrchestrator(executor))
        try:
            yield the_world
        finally:
            tact_clock.use(None)
            runtime.reset()


def send_payload(w: World, customer: str, run: str, purpose: str = "marketing",
                 channel: str = "email", fallback: list[str] | None = None,
                 step: str = "reminder_1", template: str = "cart_reminder_1") -> dict[str, Any]:
    """What the compiled state machine hands the send Lambda for one step."""
    return {"journey": "abandoned_cart", "version": w.bundle.journeys["abandoned_cart"].version,
            "step": step, "execution": f"abandoned_cart-{run}", "customer_id": customer,
            "entered_at": "2026-11-02T08:00:00Z", "channel": channel,
            "fallback": fallback or [], "template": template, "purpose": purpose,
            "exit_on": [], "trigger": {"type": "cart_updated", "data": {
                "cart_id": "c1", "value": 40, "currency": "EUR",
                "items": [{"sku": "S1", "name": "Mug", "price": 40, "quantity": 1}]}}}
