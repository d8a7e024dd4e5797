"""Cost per N journey entries, from the compiled definitions and the unit prices in settings.

Per entry: the trigger event travels EventBridge -> SQS -> ingest Lambda (1 Query + 1
TransactWriteItems: event marker, last event, entry, decision log); the state machine makes
its transitions; each send is one Lambda invocation doing 1 Query of the customer's partition
+ 1 TransactWriteItems (message record + one cap counter per cap scope that applies) on the
happy path; then the channel's own charge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tact.cost.paths import JourneyPaths, PathCost, analyse
from tact.cost.prices import Prices
from tact.journey.settings import Settings

INGEST_ITEMS_PER_TRIGGER = 4  # event marker, last-event, entry record, decision log
TRANSACT_UNITS_PER_ITEM = 2  # a transactional write of an item up to 1 KB costs 2 WRU
_CHANNEL_PRICE = {"email": "ses_email", "sms": "sms_message", "push": "push_message",
                  "webhook": "webhook_message"}
_PINPOINT_PRICE = {"email": "pinpoint_email", "sms": "sms_message", "push": "pinpoint_push",
                   "webhook": "pinpoint_custom"}


@dataclass
class Breakdown:
    """Dollars for ``entries`` entries along one path, by service."""

    lines: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.lines.values())


@dataclass
class SendUnits:
    read_units: float
    write_units: float


@dataclass
class JourneyCost:
    journey: str
    entries: int
    paths: JourneyPaths
    per_send: SendUnits
    shortest: Breakdown
    typical: Breakdown
    longest: Breakdown
    pinpoint: Breakdown

    def to_json(self) -> dict[str, Any]:
        def path(p: PathCost) -> dict[str, Any]:
            return {"transitions": round(p.transitions, 3),
                    "lambda_invocations": round(p.lambda_invocations, 3),
                    "messages": round(p.messages, 3), "states": p.states}

        def money(b: Breakdown) -> dict[str, Any]:
            return {"total": round(b.total, 2), **{k: round(v, 2) for k, v in b.lines.items()}}

        return {
            "journey": self.journey, "entries": self.entries,
            "paths": {"shortest": path(self.paths.shortest), "typical": path(self.paths.typical),
                      "longest": path(self.paths.longest)},
            "dynamodb_per_message": {"read_units": self.per_send.read_units,
                                     "write_units": self.per_send.write_units,
                                     "queries": 1, "transact_write_items": 1},
            "cost_usd": {"shortest": money(self.shortest), "typical": money(self.typical),
                         "longest": money(self.longest), "pinpoint": money(self.pinpoint)},
        }


def _read_units(prices: Prices) -> float:
    return float(math.ceil(prices.customer_partition_kb / 4))  # strongly consistent Query


def _send_writes(settings: Settings, channel: str, purpose: str) -> float:
    cap_items = len(settings.caps_for(purpose, channel))
    return float((1 + cap_items) * TRANSACT_UNITS_PER_ITEM)


def _lambda(invocations: float, ms: float, prices: Prices) -> float:
    gb_seconds = invocations * (ms / 1000) * (prices.lambda_memory_mb / 1024)
    return invocations * prices.lambda_request + gb_seconds * prices.lambda_gb_second


def price_path(path: PathCost, settings: Settings, entries: int) -> Breakdown:
    p = settings.prices
    reads = _read_units(p)
    send_reads = path.lambda_invocations * reads  # a deferred send reads again too
    send_writes = sum(n * _send_writes(settings, ch, purpose)
                      for (ch, purpose), n in path.sends.items())
    ingest_reads, ingest_writes = reads, INGEST_ITEMS_PER_TRIGGER * TRANSACT_UNITS_PER_ITEM
    lines = {
        "step_functions": path.transitions * p.step_functions_transition,
        "lambda": _lambda(path.lambda_invocations, p.send_lambda_ms, p)
        + _lambda(1, p.ingest_lambda_ms, p),
        "dynamodb": (send_reads + ingest_reads) * p.dynamodb_read_unit
        + (send_writes + ingest_writes) * p.dynamodb_write_unit,
        "eventbridge": p.eventbridge_event,
        "sqs": p.sqs_requests_per_event * p.sqs_request,
    }
    for (channel, _), count in sorted(path.sends.items()):
        key = f"messages_{channel}"
        lines[key] = lines.get(key, 0.0) + count * getattr(p, _CHANNEL_PRICE.get(channel,
                                                                                 "ses_email"))
    return Breakdown({k: v * entries for k, v in lines.items()})


def price_pinpoint(path: PathCost, prices: Prices, entries: int) -> Breakdown:
    """The same entries and messages on Pinpoint: one endpoint per entry, one event per entry."""
    lines = {"endpoints_mta": prices.pinpoint_endpoint_month, "events": prices.pinpoint_event}
    for (channel, _), count in sorted(path.sends.items()):
        key = f"messages_{channel}"
        lines[key] = lines.get(key, 0.0) + count * getattr(prices, _PINPOINT_PRICE.get(
            channel, "pinpoint_email"))
    return Breakdown({k: v * entries for k, v in lines.items()})


def estimate(journey_id: str, definition: dict[str, Any], settings: Settings,
             entries: int = 1_000_000) -> JourneyCost:
    default_channel = settings.fallback_order[0] if settings.fallback_order else "email"
    paths = analyse(definition, default_channel, settings.prices.quiet_hours_share)
    purpose = next(iter(paths.typical.sends), (default_channel, "marketing"))
    per_send = SendUnits(_read_units(settings.prices),
                         _send_writes(settings, purpose[0], purpose[1]))
    return JourneyCost(
        journey=journey_id, entries=entries, paths=paths, per_send=per_send,
        shortest=price_path(paths.shortest, settings, entries),
        typical=price_path(paths.typical, settings, entries),
        longest=price_path(paths.longest, settings, entries),
        pinpoint=price_pinpoint(paths.typical, settings.prices, entries),
    )
