"""SES events Lambda: bounce and complaint notifications (SNS) become suppressions."""

from __future__ import annotations

from typing import Any

from tact import runtime
from tact.notifications.ses import handle_sns_records
from tact.observability import handler, logger


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
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
