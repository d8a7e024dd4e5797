"""Signed, expiring tokens naming customer + channel + purpose, for one-click unsubscribe.

Format: ``base64url(json payload) "." base64url(HMAC-SHA256(key, payload))``. No secret is
in the token, and any change to it breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, ValidationError

TOKEN_LIFETIME = timedelta(days=90)  # mail stays in inboxes; CAN-SPAM needs >= 30 days


class TokenClaims(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    c: str  # customer id
    ch: str  # channel
    p: str  # purpose
    exp: int  # epoch seconds


class InvalidToken(ValueError):
    """Tampered, malformed or signed with another key (``expired`` False), or past its time."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, customer_id: str, channel: str, purpose: str, now: datetime) -> str:
    if not key:
        raise ValueError("a signing key is required (TACT_SIGNING_KEY)")
    exp = int((now + TOKEN_LIFETIME).timestamp())
    claims = TokenClaims(c=customer_id, ch=channel, p=purpose, exp=exp)
    payload = json.dumps(claims.model_dump(), separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def verify(key: bytes, token: str, now: datetime) -> TokenClaims:
    try:
        payload_part, mac_part = token.split(".")
        payload, mac = _unb64(payload_part), _unb64(mac_part)
    except (ValueError, TypeError, UnicodeError):
        raise InvalidToken("malformed token") from None
    if not key or not hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).digest(), mac):
        raise InvalidToken("bad signature")
    try:
        claims = TokenClaims.model_validate_json(payload)
    except ValidationError:
        raise InvalidToken("malformed claims") from None
    if claims.exp <= int(now.timestamp()):
        raise InvalidToken("expired", expired=True)
    return claims
