"""Preferences API Lambda (API Gateway HTTP API): the signed links in every message.

GET/PUT /preferences/{token} · GET /unsubscribe/{token} (a confirmation page, changes
nothing: link scanners follow GETs) · POST /unsubscribe/{token} (RFC 8058 one-click).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import ValidationError

from tact import runtime
from tact.observability import handler, logger
from tact.preferences.service import (
    PreferencesError,
    PreferencesUpdate,
    claims_for,
    get_preferences,
    unsubscribe,
    update_preferences,
)

app = APIGatewayHttpResolver()
# The token is a credential: keep it out of caches and of Referer headers to other sites.
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_CONFIRM = """<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title>
<meta name="robots" content="noindex"></head><body><form method="post">
<p>Stop these messages?</p><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form></body></html>"""


def _json(status: int, body: Any) -> Response:
    return Response(status, "application/json", json.dumps(body), dict(_PRIVATE))


def _error(err: Any) -> Response:
    return _json(err.status, {"error": err.message})


@app.get("/preferences/<token>")
def read_preferences(token: str) -> Response:
    try:
        return _json(200, get_preferences(token, runtime.preferences_deps()).model_dump())
    except PreferencesError as err:
        return _error(err)


@app.put("/preferences/<token>")
def change_preferences(token: str) -> Response:
    try:
        update = PreferencesUpdate.model_validate_json(app.current_event.decoded_body or "")
    except ValidationError as err:
        where = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                          for e in err.errors(include_input=False))
        return _json(400, {"error": f"invalid preferences: {where}"})
    try:
        result = update_preferences(token, update, runtime.preferences_deps())
    except PreferencesError as err:
        return _error(err)
    logger().info("preferences changed", extra={"changes": len(update.consents)})
    return _json(200, result.model_dump())


@app.get("/unsubscribe/<token>")
def confirm_unsubscribe(token: str) -> Response:
    try:
        claims_for(token, runtime.preferences_deps())  # a bad link says so before the form
    except PreferencesError as err:
        return _error(err)
    return Response(200, "text/html; charset=utf-8", _CONFIRM, dict(_PRIVATE))


@app.post("/unsubscribe/<token>")
def one_click_unsubscribe(token: str) -> Response:
    # RFC 8058: the POST body is "List-Unsubscribe=One-Click"; the token alone decides.
    try:
        claims = unsubscribe(token, runtime.preferences_deps())
    except PreferencesError as err:
        return _error(err)
    logger().info("unsubscribed", extra={"customer_id": claims.c, "channel": claims.ch,
                                         "purpose": claims.p})
    return _json(200, {"unsubscribed": {"channel": claims.ch, "purpose": claims.p}})


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
