"""The HTTPS ingest path: shops not on EventBridge POST events; valid ones go onto the bus.

API Gateway (HTTP API, IAM authorization) rejects unsigned requests with 403 before this code
runs; the handler still refuses a request without an IAM identity (a misconfigured route must
not open the bus). A request is all or nothing: one invalid event → 400 with every reason,
nothing is put. Accepted events travel the same bus → rule → queue → ingest path as any other.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from tact.models.events import EventError, parse_event

SOURCE = "shop.http"
MAX_EVENTS = 10  # one PutEvents call


@dataclass
class HttpAnswer:
    status: int
    body: dict[str, Any]

    def response(self) -> dict[str, Any]:
        return {"statusCode": self.status, "headers": {"content-type": "application/json"},
                "body": json.dumps(self.body)}


def _identity(request: dict[str, Any]) -> Any:
    return ((request.get("requestContext") or {}).get("authorizer") or {}).get("iam")


def _body(request: dict[str, Any]) -> Any:
    raw = request.get("body") or ""
    if request.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8", errors="replace")
    return json.loads(raw)


def accept(request: dict[str, Any], put_events: Any, bus_name: str) -> HttpAnswer:
    if not _identity(request):
        return HttpAnswer(403, {"message": "Forbidden: sign the request (AWS SigV4, IAM)"})
    try:
        payload = _body(request)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return HttpAnswer(400, {"message": f"body is not JSON: {err}"})
    events = payload.get("events") if isinstance(payload, dict) and "events" in payload \
        else [payload]
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        return HttpAnswer(400, {"message": f"send one event or {{\"events\": [...]}} with 1 to "
                                           f"{MAX_EVENTS} events"})
    errors = []
    for index, raw in enumerate(events):
        try:
            parse_event(raw)
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
