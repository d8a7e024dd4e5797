"""What local runs put where AWS would be: the simulated account's names, the environment the
handlers read, SQS's record around an event, journey control straight into the local executor
(an Orchestrator) and an outbox that records messages (a ChannelSender)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from tact.ingest.messages import MAX_EVENT_BYTES
from tact.local.executor import LocalStepFunctions
from tact.sending.channels import Outbound

REGION = "us-east-1"
ACCOUNT = "123456789012"
TABLE = "tact-local"
SM_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:tact-"
SEND_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-send"
DECIDE_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-decide"
PARK_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-park"
AUDIENCE_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-broadcast-audience"
BATCH_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-broadcast-send"
LOCAL_SCAN_SEGMENTS = 4  # BroadcastScanSegments of the local runs: few customers
SQS_VISIBILITY_TIMEOUT = 180  # seconds; template.yaml's events queue
SQS_MAX_RECEIVES = 5  # its redrive policy's maxReceiveCount


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def sqs_batch(raw: dict[str, Any], delivery: int) -> dict[str, Any]:
    """The event as the ingest Lambda receives it: EventBridge event inside an SQS record."""
    bridge = {"version": "0", "id": f"eb-{raw['id']}-{delivery}", "detail-type": raw["type"],
              "source": "shop", "account": ACCOUNT, "time": raw["time"], "region": REGION,
              "resources": [], "detail": raw}
    return {"Records": [{
        "messageId": f"m-{raw['id']}-{delivery}", "receiptHandle": "local",
        "body": message_body(bridge), "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:tact-events", "awsRegion": REGION,
    }]}


# json.dumps writes at most 3x the bytes of orjson's compact UTF-8 (", " for ",", ": " for
# ":", \uXXXX\uXXXX for a 4-byte character): below a third of the limit, both sizes pass.
_ANY_FORM_FITS = MAX_EVENT_BYTES // 3
_STRICT = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
           | orjson.OPT_PASSTHROUGH_SUBCLASS)


def message_body(message: Any) -> str:
    """An SQS body that the handler reads exactly as it would read ``json.dumps(message)``,
    written by orjson where that is certain (~3x faster; one body per replayed event).

    Where it is not, json.dumps writes it: values orjson refuses (integers past 64 bits, lone
    surrogates, non-text keys, datetimes, subclasses of JSON's types), output holding
    ``null`` (orjson writes NaN and infinities as null, json.dumps as NaN and Infinity), and
    bodies large enough that the two forms could fall on either side of EventBridge's size
    limit, which the handler checks. (A UUID or an Enum, which orjson writes and json.dumps
    refuses, is taken as orjson writes it.)"""
    try:
        text = orjson.dumps(message, option=_STRICT)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(message)
    if len(text) > _ANY_FORM_FITS or b"null" in text:
        return json.dumps(message)
    return text.decode()


class ExecutorOrchestrator:
    """Journey control straight into the local executor (the in-memory store's runs)."""

    def __init__(self, executor: LocalStepFunctions, alias: str = "live") -> None:
        self.executor = executor
        self.alias = alias

    def execution_arn(self, journey: str, name: str) -> str:
        return f"{SM_PREFIX}{journey}:{name}".replace(":stateMachine:", ":execution:")

    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        from tact.local.stepfunctions.errors import ExecutionAlreadyExists

        try:
            return self.executor.start_execution(f"{SM_PREFIX}{journey}", name, payload)
        except ExecutionAlreadyExists:
            return self.execution_arn(journey, name)  # a replay: started before

    def stop(self, execution_arn: str, cause: str) -> None:
        self.executor.stop_execution(execution_arn, cause=cause)

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        from tact.local.stepfunctions.errors import TaskDoesNotExist

        try:
            self.executor.send_task_success(token, output)
            return True
        except TaskDoesNotExist:
            return False  # the wait already ended (timeout, stop)


class LocalOutbox:
    """Where messages go in in-memory runs: recorded, never delivered (a ChannelSender)."""

    def __init__(self) -> None:
        self.sent: list[Outbound] = []

    def sender(self, channel: str) -> LocalOutbox:
        return self

    def send(self, message: Outbound) -> str:
        self.sent.append(message)
        return f"local-{len(self.sent)}"
