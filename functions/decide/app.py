"""Decide Lambda: a journey step that needs fresh customer data (split, bucket, wait, update)."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.journey_steps.decide import DecideRequest, decide
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = DecideRequest.model_validate(event)
    result = decide(request, runtime.decide_deps())
    logger().info("step decided", extra={"journey": request.journey, "step": request.step,
                                         "op": request.op, "result": result})
    return result
