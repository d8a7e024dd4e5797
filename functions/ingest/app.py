"""Ingest Lambda: shop events from SQS (fed by the EventBridge bus) into Tact."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tact import runtime
from tact.config import runtime_config
from tact.ingest.messages import IngestBatchProcessor, process_message
from tact.observability import handler, logger

processor = IngestBatchProcessor(
    max_receive_count=lambda: runtime_config().max_receive_count,
    dead_letter=lambda body, reason: runtime.dead_letter(body, reason))


def _record(record: SQSRecord) -> None:
    result = process_message(record.body, runtime.ingest_deps(), runtime.dead_letter,
                             (record.raw_event.get("attributes") or {}).get("SentTimestamp"))
    if result is not None:
        logger().info("event processed", extra={
            "event_id": result.event_id, "duplicate": result.duplicate,
            "actions": [f"{a.kind}:{a.journey}" for a in result.actions],
        })


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    # No context for the record handler: it takes none, and passing one makes Powertools
    # inspect the handler's signature on every invocation.
    return process_partial_response(event=event, record_handler=_record, processor=processor)
