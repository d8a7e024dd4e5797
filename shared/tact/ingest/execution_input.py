"""The input an entry's execution starts with: ids, and the trigger fields the journey reads.

Step Functions rejects an execution input over 256 KiB and keeps it in the execution's
history (StartExecution's ``input``: "Length constraints apply to the payload size ... Maximum
length of 262144"); every Lambda task of the journey is handed it again. So the input is the
entry's ids plus only the trigger data the journey's steps and templates read (paths found at
build time, :mod:`tact.journey.references`), never an address, and at most
``MAX_INPUT_BYTES``. The entry item stores the same trimmed trigger, so it stays far below
DynamoDB's 400 KB item limit whatever the event's size.
"""

from __future__ import annotations

from typing import Any

from tact.customer import plain
from tact.expressions import context_for, model_defaults, with_defaults
from tact.journey.bundle import JourneyRuntime
from tact.journey.projection import project
from tact.json_bytes import compact

MAX_INPUT_BYTES = 32 * 1024
ENVELOPE_FIELDS = ("id", "type", "customer_id", "time")


class InputTooLarge(ValueError):
    """The fields a journey reads of this event do not fit in an execution input."""


def trigger_for(journey: JourneyRuntime, envelope: dict[str, Any],
                validated: Any = None) -> dict[str, Any]:
    """The trigger as the execution carries it: envelope ids and the fields the journey reads
    (with the event model's defaults filled in, as templates and conditions see them).
    ``validated``: the envelope's data as its model validated it, if the caller has that."""
    trimmed = {key: envelope[key] for key in ENVELOPE_FIELDS if key in envelope}
    data = (model_defaults(validated) if validated is not None
            else with_defaults(str(envelope.get("type", "")), envelope.get("data", {})))
    trimmed["data"] = project(data, journey.input_fields)
    return trimmed


def execution_input(journey: JourneyRuntime, version: str, customer_id: str, entered_at: str,
                    envelope: dict[str, Any], validated: Any = None) -> dict[str, Any]:
    trigger = trigger_for(journey, envelope, validated)
    payload: dict[str, Any] = {"journey": journey.id, "version": version,
                               "customer_id": customer_id, "entered_at": entered_at,
                               "trigger": trigger}
    size = input_size(payload)
    if size > MAX_INPUT_BYTES:
        raise InputTooLarge(
            f"journey {journey.id}: execution input would be {size} bytes, more than "
            f"{MAX_INPUT_BYTES} ({_largest(trigger['data'])}); the journey reads "
            f"{_fields(journey)} of this {envelope.get('type')} event: send fewer or smaller "
            "items, or read less of the event in the journey's conditions and templates")
    return payload


def input_size(payload: dict[str, Any]) -> int:
    """Bytes as the orchestrator sends it (compact UTF-8 JSON, keys sorted)."""
    return len(compact(payload, sort_keys=True))


def entry_context(entry: dict[str, Any]) -> dict[str, Any]:
    """What exit, goal and wait_for conditions see as ``entry``: the trigger the entry carries
    (items written before this change kept a whole context; they are read as they are)."""
    trigger = entry.get("trigger")
    if isinstance(trigger, dict):
        return context_for(plain(trigger), {})
    return dict(plain(entry.get("context") or {}))


def _largest(data: Any) -> str:
    if not isinstance(data, dict) or not data:
        return "data"
    name, value = max(data.items(), key=lambda kv: len(compact(kv[1], default=str)))
    return f"largest: data.{name}, {len(compact(value, default=str))} bytes"


def _fields(journey: JourneyRuntime) -> str:
    return ", ".join(".".join(path) or "all of data" for path in journey.input_fields)
