"""Lifecycle Lambda: run daily by EventBridge Scheduler; emits lifecycle_changed events."""

from __future__ import annotations

from typing import Any

from tact import clock, runtime
from tact.config import runtime_config
from tact.lifecycle.job import EventBridgePublisher, run
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = runtime.bundle().settings
    emitted = run(runtime.store(), clock.now(), settings.lapsed_after,
                  EventBridgePublisher(runtime_config().event_bus_name))
    logger().info("lifecycle evaluated", extra={"lapsed": emitted})
    return {"lapsed": emitted}
