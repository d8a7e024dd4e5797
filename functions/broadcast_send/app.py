"""Broadcast send Lambda: one batch of a broadcast's customers through the journeys' send path
(consent, suppressions, caps, quiet hours, at most once). Invoked by the state machine."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.broadcast.service import SendBatchRequest, send_batch
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = SendBatchRequest.model_validate(event)
    result = send_batch(request, runtime.send_deps())
    logger().info("broadcast batch sent", extra={
        "broadcast": request.broadcast, "at": request.at, "customers": len(request.customers),
        "sent": result.sent, "not_sent": result.not_sent, "holdout": result.holdout,
        "deferred": sum(len(b.customers) for b in result.deferred)})
    return result.model_dump(mode="json")
