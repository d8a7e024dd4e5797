"""Send Lambda: one journey step for one customer, invoked by the journey's state machine."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.observability import handler, logger
from tact.sending.models import SendRequest
from tact.sending.service import send_step


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = SendRequest.model_validate(event)
    result = send_step(request, runtime.send_deps())
    logger().info("send decided", extra={
        "journey": request.journey, "step": request.step, "execution": request.execution,
        "status": result.status, "reason": result.reason, "channel": result.channel,
    })
    return result.model_dump(mode="json")
