"""Park Lambda: a journey's wait_for step stores its task token with the customer."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.ingest.waiting import ParkRequest, park
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = ParkRequest.model_validate(event)
    result = park(request, runtime.store(), runtime.orchestrator())
    logger().info("wait parked", extra={"journey": request.journey, "step": request.step,
                                        "execution": request.execution, **result})
    return result
