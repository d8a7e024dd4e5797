"""One queued message in, one outcome out: processed, or dead-lettered with its reason.

A malformed event can never succeed on retry, so it goes straight to the dead-letter
queue with the reason attached and the batch moves on. Anything else (throttling, a
conflict) is raised, reported as a batch item failure, and retried by SQS.
"""

from __future__ import annotations

import json
from typing import Any

from tact.ingest.service import IngestResult, ingest_event
from tact.models.events import EventError, parse_event


def unwrap(body: str) -> Any:
    """The shop envelope from an SQS body: an EventBridge event (envelope in ``detail``) or bare."""
    try:
        message = json.loads(body)
    except (json.JSONDecodeError, TypeError) as err:
        raise EventError(f"body is not JSON: {err}") from None
    if isinstance(message, dict) and "detail-type" in message and "detail" in message:
        return message["detail"]
    return message


def process_message(body: str, deps: Any, dead_letter: Any) -> IngestResult | None:
    try:
        event, data = parse_event(unwrap(body))
    except EventError as err:
        dead_letter(body, err.reason)
        return None
    return ingest_event(event, data, deps)
