"""Decisions Lambda: the table's stream (decision items only) to the analytics delivery stream,
and the business metrics of those decisions (sent, not sent, conversions, revenue)."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.analytics.metrics import publish
from tact.analytics.stream import records_of_stream
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = records_of_stream(event)
    delivered = runtime.decision_stream().deliver(records)  # raises if refused: batch retried
    publish(records)
    logger().info("decisions delivered", extra={"records": delivered,
                                                "changes": len(event.get("Records", []))})
    return {"delivered": delivered}
