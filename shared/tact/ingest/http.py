"""The HTTPS ingest path: shops not on EventBridge POST events; valid ones go onto the bus.

API Gateway (HTTP API, IAM authorization) rejects unsigned requests with 403 before this code
runs; the handler still refuses a request without an IAM identity (a misconfigured route must
not open the bus). A request is all or nothing: one invalid event → 400 with every reason,
nothing is put. Accepted events travel the same bus → rule → queue → ingest path as any other.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from tact.models.events import EventError, check_not_ahead, parse_event

SOURCE = "shop.http"
MAX_EVENTS = 10  # one PutEvents call
MAX_BODY_CHARACTERS = MAX_EVENTS * 256 * 1024 * 4 // 3 + 1024  # ten 256 KB events, base64


@dataclass
class HttpAnswer:
    status: int
    body: dict[str, Any]

    def response(self) -> dict[str, Any]:
        return {"statusCode": self.status, "headers": {"content-type": "application/json"},
                "body": json.dumps(self.body)}


def _identity(request: dict[str, Any]) -> Any:
    return ((request.get("requestContext") or {}).get("authorizer") or {}).get("iam")


class BadBody(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _body(request: dict[str, Any]) -> Any:
    raw = request.get("body") or ""
    if len(raw) > MAX_BODY_CHARACTERS:
        raise BadBody(413, f"body: {len(raw):,} characters; at most {MAX_EVENTS} events of "
                           "256 KB each are taken in one request")
    if request.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            raise BadBody(400, "body: not valid base64 (isBase64Encoded is set)") from None
    try:
        return json.loads(raw)
    except RecursionError:
        raise BadBody(400, "body: nested too deeply to be a shop event") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BadBody(400, f"body is not JSON: {err}") from None


def accept(request: dict[str, Any], put_events: Any, bus_name: str) -> HttpAnswer:
    if not _identity(request):
        return HttpAnswer(403, {"message": "Forbidden: sign the request (AWS SigV4, IAM)"})
    try:
        payload = _body(request)
    except BadBody as err:
        return HttpAnswer(err.status, {"message": str(err)})
    events = payload.get("events") if isinstance(payload, dict) and "events" in payload \
        else [payload]
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        return HttpAnswer(400, {"message": f"send one event or {{\"events\": [...]}} with 1 to "
                                           f"{MAX_EVENTS} events"})
    errors = []
    for index, raw in enumerate(events):
        try:
            event, _ = parse_event(raw)
            check_not_ahead(event.time)
        except EventError as err:
            errors.append({"index": index, "id": raw.get("id") if isinstance(raw, dict) else None,
                           "reason": err.reason})
    if errors:
        return HttpAnswer(400, {"message": "invalid events; nothing was accepted",
                                "errors": errors})
    response = put_events(Entries=[{"Source": SOURCE, "DetailType": e["type"],
                                    "Detail": json.dumps(e), "EventBusName": bus_name}
                                   for e in events])
    failed = [{"id": e["id"], "reason": r.get("ErrorMessage", r.get("ErrorCode"))}
              for e, r in zip(events, response.get("Entries", []), strict=False)
              if r.get("ErrorCode")]
    if failed:  # retry-safe: ingest is idempotent by event id, so the shop resends them all
        return HttpAnswer(503, {"message": "the bus did not take every event; retry",
                                "failed": failed})
    return HttpAnswer(202, {"accepted": [e["id"] for e in events]})
