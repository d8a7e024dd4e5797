"""What each function's first invocations import: ``python benchmarks/first_call.py`` prints
``{function: [module, ...]}`` as JSON, for ``handler_import_ratio`` (benchmarks/run.py).

One moto world (table, SES identity, queues, bus, the examples' state machines, buckets, the
decision delivery stream) holds everything the functions read; the runtime wiring is the
deployed one (no ``runtime.override``), on a fixed clock outside quiet hours. Each handler is
loaded (``import app`` is timed separately), then invoked with representative events: the
example events through ingest and the HTTPS ingest, a journey send, a split, a wait_for park,
a broadcast's audience and batch, the preferences page and one-click unsubscribe, a bounce,
the table's decision items as a stream batch, the lifecycle and model jobs.

While a handler runs, every module an import statement, ``__import__`` or
``importlib.import_module`` asks for is noted, whether or not it is already loaded (the harness
has loaded much of it: its own import must not hide what the function needs), unless moto or
the harness asked for it (a moto, responses, werkzeug or tests frame on the stack). A module
counts if it is loaded at the end. Importing those names in a fresh process after
``import app`` loads the same closure a cold container's first invocations load.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ("moto", "responses", "werkzeug", "tests", "pytest", "_pytest")
REGION, ACCOUNT = "us-east-1", "123456789012"  # as tests.support.ingest_world's aws_env
BUS, STREAM = "tact-shop", "tact-decisions"
MODEL_BUCKET, DECISION_BUCKET = "tact-models", "tact-decisions"
EXAMPLES = ROOT / "journeys" / "examples"
NOW = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)  # 12:00 in Berlin: outside quiet hours


class ImportRecorder:
    """Module names asked for by the function's own code while ``watching`` is set."""

    def __init__(self) -> None:
        self.asked: dict[str, set[str]] = {}
        self.watching: str | None = None
        self._import = builtins.__import__
        self._import_module = importlib.import_module

    def install(self) -> None:
        builtins.__import__ = self._hooked_import
        importlib.import_module = self._hooked_import_module

    def uninstall(self) -> None:
        builtins.__import__ = self._import
        importlib.import_module = self._import_module

    @contextmanager
    def watch(self, function: str) -> Iterator[None]:
        self.watching = function
        try:
            yield
        finally:
            self.watching = None

    def _by_harness(self) -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if str(frame.f_globals.get("__name__", "")).split(".")[0] in HARNESS:
                return True
            frame = frame.f_back  # type: ignore[assignment]
        return False

    def _note(self, names: list[str]) -> None:
        if self.watching is not None and not self._by_harness():
            self.asked.setdefault(self.watching, set()).update(names)

    def _hooked_import(self, name: str, globals: Any = None, locals: Any = None,
                       fromlist: Any = (), level: int = 0) -> Any:
        if self.watching is not None:
            base = name
            if level:
                package = (globals or {}).get("__package__") or ""
                base = importlib.util.resolve_name("." * level + name, package)
            self._note([base, *(f"{base}.{item}" for item in fromlist or () if item != "*")])
        return self._import(name, globals, locals, fromlist, level)

    def _hooked_import_module(self, name: str, package: str | None = None) -> Any:
        if self.watching is not None:
            self._note([importlib.util.resolve_name(name, package) if name.startswith(".")
                        else name])
        return self._import_module(name, package)

    def modules(self) -> dict[str, list[str]]:
        return {function: sorted(n for n in names if n in sys.modules
                                 and n.split(".")[0] not in HARNESS and n != "__main__")
                for function, names in sorted(self.asked.items())}


def _environment(tmp: Path) -> dict[str, str]:
    """The test worlds' deployed-like environment (bundle and definitions of the examples),
    plus what the functions beyond ingest read."""
    from tests.support.ingest_world import aws_env

    return {**aws_env(tmp, EXAMPLES),
            "TACT_SIGNING_KEY": "bench-signing-key", "TACT_PUBLIC_URL": "https://prefs.example.test",
            "TACT_EVENT_BUS_NAME": BUS, "TACT_DECISION_STREAM_NAME": STREAM,
            "TACT_MODEL_BUCKET": MODEL_BUCKET}


def _resources(tmp: Path) -> str:
    """The deployed resources the functions use, on moto; returns the dead-letter queue URL."""
    import boto3

    from tact.store.schema import create_table

    create_table(boto3.client("dynamodb"), os.environ["TACT_TABLE_NAME"])
    boto3.client("sesv2").create_email_identity(EmailIdentity="shop.example.com")
    boto3.client("events").create_event_bus(Name=BUS)
    dlq = boto3.client("sqs").create_queue(QueueName="tact-events-dlq")["QueueUrl"]
    s3 = boto3.client("s3")
    for bucket in (MODEL_BUCKET, DECISION_BUCKET):
        s3.create_bucket(Bucket=bucket)
    boto3.client("firehose").create_delivery_stream(
        DeliveryStreamName=STREAM, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "BucketARN": f"arn:aws:s3:::{DECISION_BUCKET}",
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose"})
    sfn = boto3.client("stepfunctions")
    definitions = json.loads((tmp / "definitions.json").read_text(encoding="utf-8"))
    for journey_id, definition in definitions.items():
        text = re.sub(r"\$\{(\w+)\}", rf"arn:aws:lambda:{REGION}:{ACCOUNT}:function:\1",
                      json.dumps(definition))
        sfn.create_state_machine(name=f"tact-{journey_id}", definition=text,
                                 roleArn=f"arn:aws:iam::{ACCOUNT}:role/tact")
    return str(dlq)


def _events() -> list[dict[str, Any]]:
    events = []
    for name in ("abandoned_cart", "post_purchase", "autumn_range"):
        path = EXAMPLES / f"{name}.events.jsonl"
        events += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                   if line.strip()]
    return events


def _sqs(raw: dict[str, Any]) -> dict[str, Any]:
    return {"Records": [{"messageId": f"m-{raw['id']}", "receiptHandle": "r", "body":
                         json.dumps(raw), "attributes": {"ApproximateReceiveCount": "1"},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:events",
                         "awsRegion": REGION}]}


def _http(method: str, path: str, body: str | None = None,
          authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    route = "/" + path.strip("/").split("/", 1)[0] + ("/{token}" if path.count("/") > 1 else "")
    context: dict[str, Any] = {"http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                        "sourceIp": "192.0.2.1", "userAgent": "bench"},
                               "routeKey": f"{method} {route}", "stage": "$default",
                               "accountId": ACCOUNT, "apiId": "api", "requestId": "r",
                               "domainName": "api.example.test", "time": "", "timeEpoch": 0}
    if authorizer:
        context["authorizer"] = authorizer
    return {"version": "2.0", "routeKey": f"{method} {route}", "rawPath": path,
            "rawQueryString": "", "headers": {"content-type": "application/json"},
            "requestContext": context, "isBase64Encoded": False, "body": body,
            "pathParameters": {"token": path.rsplit("/", 1)[-1]} if "{token}" in route else {}}


def _stream_batch() -> dict[str, Any]:
    """The table's items as a DynamoDB Streams batch of inserts (the decisions function's
    event source mapping filters for decision items; unfiltered here)."""
    import boto3
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize
    items = boto3.resource("dynamodb").Table(os.environ["TACT_TABLE_NAME"]).scan()["Items"]
    return {"Records": [{"eventName": "INSERT", "dynamodb": {
        "NewImage": {k: serialize(v) for k, v in item.items()}}} for item in items]}


def _forget_caches() -> None:
    """A cold container has built nothing: every cache of the package is emptied (the clients,
    the configuration, the bundle, the template environment...) before the watched function
    runs, so what the steps before it built is built again, and its imports are seen."""
    from tact import clock, runtime

    runtime.reset()
    for name, module in list(sys.modules.items()):
        if name == "tact" or name.startswith("tact."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    clock.use(lambda: NOW)


def _steps(tmp: Path) -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
    """(function, its event) in an order where each finds what it needs in the world."""
    from tact.tokens import sign
    from tests.support.ses import capture_requests, notification

    bundle = json.loads((tmp / "bundle.json").read_text(encoding="utf-8"))
    events = _events()
    signed = {"iam": {"accessKey": "AKIA", "accountId": ACCOUNT,
                      "userArn": f"arn:aws:iam::{ACCOUNT}:user/shop"}}
    yield "http_ingest", lambda: _http("POST", "/events", json.dumps({"events": events[:3]}),
                                       signed)
    for raw in events:
        yield "ingest", lambda raw=raw: _sqs(raw)  # type: ignore[misc]
    step = {"journey": "abandoned_cart", "version": bundle["journeys"]["abandoned_cart"]["version"],
            "execution": "abandoned_cart-alice-1", "customer_id": "alice",
            "entered_at": "2026-11-02T09:00:00Z",
            "trigger": {"type": "cart_updated", "data": events[9]["data"]}}
    ses: list[list[dict[str, Any]]] = []

    def send() -> dict[str, Any]:
        ses.append(capture_requests())
        return {**step, "step": "reminder_1", "channel": "preferred", "fallback": ["email"],
                "template": "cart_reminder_1", "purpose": "marketing", "exit_on": []}

    yield "send", send
    yield "decide", lambda: {**step, "op": "split", "step": "split",
                             "conditions": ["cart.value > 100", None]}
    yield "park", lambda: {**step, "step": "paid", "event": "purchase_completed",
                           "timeout": 86400, "token": "token-1",
                           "since": "2026-11-02T10:00:00Z"}
    yield "broadcast_audience", lambda: {"broadcast": "autumn_range", "segment": 0,
                                         "total_segments": 1}
    yield "broadcast_send", lambda: {"broadcast": "autumn_range", "at": "2026-11-05T08:00:00Z",
                                     "customers": ["aino"]}
    for method, action in (("GET", "preferences"), ("POST", "unsubscribe")):
        yield "preferences", lambda method=method, action=action: _http(  # type: ignore[misc]
            method, f"/{action}/" + sign(b"bench-signing-key", "bob", "email", "marketing", NOW,
                                          action=action))
    yield "ses_events", lambda: notification(ses[0][0], "Bounce")
    yield "decisions", _stream_batch
    yield "lifecycle", lambda: {"source": "aws.scheduler"}
    yield "model", lambda: {"source": "aws.scheduler"}


def scenario(recorder: ImportRecorder, tmp: Path, watched: str) -> None:
    """Every step up to the last of ``watched``'s, recording what ``watched``'s steps import."""
    from moto import mock_aws

    from tact.local.functions import load_handler
    from tact.local.lambda_context import LocalLambdaContext

    os.environ.update(_environment(tmp))
    with mock_aws():
        os.environ["TACT_DEAD_LETTER_QUEUE_URL"] = _resources(tmp)
        _forget_caches()
        steps = list(_steps(tmp))
        last = max(n for n, (function, _) in enumerate(steps) if function == watched)
        first = min(n for n, (function, _) in enumerate(steps) if function == watched)
        handlers: dict[str, Any] = {}
        for n, (function, event) in enumerate(steps[:last + 1]):
            if function not in handlers:
                handlers[function] = load_handler(ROOT / "functions", function)
            if n == first:
                _forget_caches()
            payload = event()
            with recorder.watch(function) if function == watched else nullcontext():
                result = handlers[function](payload, LocalLambdaContext(f"tact-{function}"))
            if os.environ.get("BENCH_DEBUG"):
                print(function, json.dumps(result, default=str)[:300], file=sys.stderr)


def functions() -> list[str]:
    return sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))


def main(function: str, out: Path) -> None:
    """Write the modules ``function``'s first invocations import, as JSON, to ``out`` (stdout
    carries the functions' own log lines and metrics)."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    recorder = ImportRecorder()
    recorder.install()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            scenario(recorder, Path(tmp), function)
    finally:
        recorder.uninstall()
    out.write_text(json.dumps(recorder.modules().get(function, [])), encoding="utf-8")

if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
