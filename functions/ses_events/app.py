"""SES events Lambda: bounce and complaint notifications (SNS) become suppressions."""

from __future__ import annotations

from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # Imported on the first invocation, not at module import (cold start; see `make bench`).
    from tact import runtime
    from tact.notifications.ses import handle_sns_records
    from tact.observability import logger

    outcomes = handle_sns_records(event.get("Records") or [], runtime.suppression_deps(),
                                  runtime.dead_letter)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
        if outcome.action == "suppressed":
            logger().info("email suppressed", extra={"customer_id": outcome.customer_id,
                                                      "reason": outcome.reason})
    logger().info("ses notifications processed", extra=counts)
    return counts
