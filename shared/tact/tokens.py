"""Signed, expiring tokens naming customer + channel + purpose + what the link may do.

Format: ``base64url(json payload) "." base64url(HMAC-SHA256(key, payload))``. No secret is
in the token, and any change to it breaks the signature.

Scope (``a``): an ``unsubscribe`` token can only withdraw its own channel and purpose; a
``preferences`` token lets its customer's preferences page set what the page submits. Tokens
issued before scopes existed carry none and are unsubscribe tokens.

Key ring: tokens are signed with the current key and verified against every key of the ring
(current and previous), so rotating the key does not break the links already in inboxes.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

TOKEN_LIFETIME = timedelta(days=90)  # mail stays in inboxes; CAN-SPAM needs >= 30 days
Action = Literal["unsubscribe", "preferences"]
ACTIONS = get_args(Action)
# The claims' JSON as TokenClaims writes it (compact, keys sorted); one encoder for every token.
_CLAIMS_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


class TokenClaims(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    c: str  # customer id
    ch: str  # channel
    p: str  # purpose
    exp: int  # epoch seconds
    a: Action = "unsubscribe"  # what the link may do (see the module docstring)


class InvalidToken(ValueError):
    """Tampered, malformed or signed with another key (``expired`` False), or past its time."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, customer_id: str, channel: str, purpose: str, now: datetime,
         action: Action = "unsubscribe") -> str:
    if not key:
        raise ValueError("a signing key is required (TACT_SIGNING_KEY)")
    if action not in ACTIONS:
        raise ValueError(f"unknown token action {action!r}; known: {', '.join(ACTIONS)}")
    exp = int((now + TOKEN_LIFETIME).timestamp())
    # The fields of TokenClaims, written directly: the values are our own typed ones (a model
    # built per token cost more than the signature); ``verify`` validates what comes back.
    payload = _CLAIMS_JSON.encode({"a": action, "c": customer_id, "ch": channel, "exp": exp,
                                   "p": purpose}).encode()
    mac = hmac.digest(key, payload, "sha256")  # one-shot: OpenSSL's fast path, same MAC
    return f"{_b64(payload)}.{_b64(mac)}"


def verify(keys: bytes | Sequence[bytes], token: str, now: datetime) -> TokenClaims:
    """The claims of a token signed by any key of the ring (``keys``: current first)."""
    ring = [keys] if isinstance(keys, bytes) else list(keys)
    try:
        payload_part, mac_part = token.split(".")
        payload, mac = _unb64(payload_part), _unb64(mac_part)
    except (ValueError, TypeError, UnicodeError):
        raise InvalidToken("malformed token") from None
    if not any(key and hmac.compare_digest(hmac.digest(key, payload, "sha256"), mac)
               for key in ring):
        raise InvalidToken("bad signature")
    try:
        claims = TokenClaims.model_validate_json(payload)
    except ValidationError:
        raise InvalidToken("malformed claims") from None
    if claims.exp <= int(now.timestamp()):
        raise InvalidToken("expired", expired=True)
    return claims
