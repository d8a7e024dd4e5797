"""Ingest Lambda: shop events from SQS (fed by the EventBridge bus) into Tact."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@cache
def _processor() -> Any:
    # Built on the first batch, not at import: Powertools' batch module (asyncio, data
    # classes) and the ingest logic are most of a cold start (see `make bench`).
    from tact import runtime
    from tact.config import runtime_config
    from tact.ingest.messages import IngestBatchProcessor

    return IngestBatchProcessor(max_receive_count=lambda: runtime_config().max_receive_count,
                                dead_letter=lambda body, reason: runtime.dead_letter(body, reason))


def _record(record: SQSRecord) -> None:
    from tact import runtime
    from tact.ingest.messages import process_message
    from tact.observability import logger

    result = process_message(record.body, runtime.ingest_deps(), runtime.dead_letter,
                             (record.raw_event.get("attributes") or {}).get("SentTimestamp"))
    if result is not None:
        logger().info("event processed", extra={
            "event_id": result.event_id, "duplicate": result.duplicate,
            "actions": [f"{a.kind}:{a.journey}" for a in result.actions],
        })


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    return process_partial_response(event=event, record_handler=_record,
                                    processor=_processor(), context=context)
