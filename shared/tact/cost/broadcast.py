"""What one broadcast costs, from its plan: the scan, the state machine, the sends, the channels.

Deployed, a broadcast is one execution whose Distributed Map runs one child workflow per scan
segment. Per child: the audience task, then per batch a Choice, a Wait and the send task. The
table is scanned once (eventually consistent, every item of every customer is read); each
audience member costs two strongly consistent Queries of their partition (the segment
re-checked at send time, then the send path's own read) and, when sent, the send path's one
transaction (message record + cap counters). Prices and assumptions come from ``settings``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from tact.cost.estimate import _CHANNEL_PRICE, _PINPOINT_PRICE, Breakdown, _send_writes
from tact.journey.settings import Settings

SCAN_MS_PER_CUSTOMER = 1.0  # assumption: the audience Lambda's time per customer scanned
TRANSITIONS_PER_CHILD = 3  # audience task, the last Choice, the final Succeed
TRANSITIONS_PER_BATCH = 3  # Choice, Wait, send task
PARENT_TRANSITIONS = 3  # the map, the outcome Choice, Succeed
SCHEDULER_INVOCATION = 1.00 / 1_000_000  # EventBridge Scheduler, per invocation


def broadcast_cost(settings: Settings, *, customers: int, audience: int, batches: int,
                   segments: int, sends: Mapping[str, int], purpose: str) -> Breakdown:
    p = settings.prices
    partition_units = math.ceil(p.customer_partition_kb / 4)  # one strongly consistent Query
    scan_units = customers * p.customer_partition_kb / 4 * 0.5  # eventually consistent
    sent = sum(sends.values())
    writes = sum(n * _send_writes(settings, channel, purpose) for channel, n in sends.items())
    writes += (audience - sent) * 1  # a not-sent record: one conditional put
    lines = {
        "step_functions": (PARENT_TRANSITIONS + segments * TRANSITIONS_PER_CHILD
                           + batches * TRANSITIONS_PER_BATCH) * p.step_functions_transition,
        "lambda": (segments + batches) * p.lambda_request
        + (SCAN_MS_PER_CUSTOMER * customers + p.send_lambda_ms * audience) / 1000
        * (p.lambda_memory_mb / 1024) * p.lambda_gb_second,
        "dynamodb": (scan_units + 2 * audience * partition_units) * p.dynamodb_read_unit
        + writes * p.dynamodb_write_unit,
        "eventbridge_scheduler": SCHEDULER_INVOCATION,
    }
    for channel, count in sorted(sends.items()):
        lines[f"messages_{channel}"] = count * getattr(p, _CHANNEL_PRICE.get(channel, "ses_email"))
    return Breakdown(lines)


def pinpoint_cost(settings: Settings, *, audience: int, sends: Mapping[str, int]) -> Breakdown:
    """The same campaign on Pinpoint: the segment's endpoints (monthly targeted audience)."""
    p = settings.prices
    lines = {"endpoints_mta": audience * p.pinpoint_endpoint_month}
    for channel, count in sorted(sends.items()):
        lines[f"messages_{channel}"] = count * getattr(p, _PINPOINT_PRICE.get(channel,
                                                                            "pinpoint_email"))
    return Breakdown(lines)


def per_recipients(settings: Settings, channel: str, purpose: str, recipients: int,
                   segments: int = 64, batch: int = 100) -> Breakdown:
    """A broadcast to ``recipients`` customers who all get it (a table of as many
    customers), for ``tact cost``; ``tact broadcast plan`` prices a real audience."""
    return broadcast_cost(settings, customers=recipients, audience=recipients,
                          batches=max(segments, math.ceil(recipients / batch)),
                          segments=segments, sends={channel: recipients}, purpose=purpose)
