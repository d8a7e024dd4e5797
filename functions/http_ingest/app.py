"""HTTPS ingest Lambda (API Gateway HTTP API, IAM auth): shop events onto the Tact bus."""

from __future__ import annotations

from typing import Any

from tact import aws
from tact.config import runtime_config
from tact.ingest.http import accept
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    answer = accept(event, aws.client("events").put_events, runtime_config().event_bus_name)
    logger().info("http ingest", extra={"status": answer.status,
                                        "accepted": len(answer.body.get("accepted", []))})
    return answer.response()
