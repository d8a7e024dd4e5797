"""Broadcast audience Lambda: one parallel-scan segment of the table -> the segment's members,
in batches by wave. Invoked by a broadcast's state machine (a Distributed Map item)."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.broadcast.service import AudienceRequest, read_audience
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = AudienceRequest.model_validate(event)
    result = read_audience(request, runtime.audience_deps())
    logger().info("broadcast audience read", extra={
        "broadcast": request.broadcast, "segment": request.segment,
        "total_segments": request.total_segments, "scanned": result.scanned,
        "members": result.members, "batches": len(result.batches)})
    return result.model_dump(mode="json")
