"""Read and change a customer's consents through a signed token; one-click unsubscribe.

Every change is written as the same CONSENT item ingest writes (newest decision wins, the
audit trail keeps each decision with its source and time), so the very next send reads it:
the send path's Query is strongly consistent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tact import clock
from tact.customer import CustomerState
from tact.ingest.profile import consent_write
from tact.models.events import ConsentChangedData, ShopEvent
from tact.store.base import CustomerStore
from tact.tokens import InvalidToken, TokenClaims, verify

CHANNELS = ("email", "sms", "push", "webhook")
PURPOSES = ("marketing", "transactional")


@dataclass
class PreferencesDeps:
    store: CustomerStore
    signing_key: bytes


class PreferencesError(Exception):
    """An answer for the caller: HTTP status and a message that reveals nothing personal."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ConsentView(BaseModel):
    channel: str
    purpose: str
    granted: bool
    at: str | None = None
    source: str | None = None


class Preferences(BaseModel):
    channel: str  # what the link was for
    purpose: str
    consents: list[ConsentView]
    suppressed: list[str] = Field(default_factory=list, description="channels blocked for good")


class ConsentChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Literal["email", "sms", "push", "webhook"]
    purpose: Literal["marketing", "transactional"]
    granted: bool


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    consents: list[ConsentChange] = Field(min_length=1, max_length=len(CHANNELS) * len(PURPOSES))


def claims_for(token: str, deps: PreferencesDeps) -> TokenClaims:
    try:
        return verify(deps.signing_key, token, clock.now())
    except InvalidToken as err:
        if err.expired:
            raise PreferencesError(410, "this link has expired; use a newer message") from None
        raise PreferencesError(403, "this link is not valid") from None


def get_preferences(token: str, deps: PreferencesDeps) -> Preferences:
    claims = claims_for(token, deps)
    state = _state(claims.c, deps)
    return _view(claims, state)


def update_preferences(token: str, update: PreferencesUpdate, deps: PreferencesDeps,
                       source: str = "preferences_page") -> Preferences:
    claims = claims_for(token, deps)
    _apply(claims.c, update.consents, source, deps)
    return _view(claims, _state(claims.c, deps))


def unsubscribe(token: str, deps: PreferencesDeps) -> TokenClaims:
    """RFC 8058 one-click: revoke the channel and purpose the link names. Idempotent."""
    claims = claims_for(token, deps)
    if claims.ch not in CHANNELS or claims.p not in PURPOSES:
        raise PreferencesError(403, "this link is not valid")
    change = ConsentChange(channel=claims.ch, purpose=claims.p, granted=False)  # type: ignore[arg-type]
    _apply(claims.c, [change], "one_click_unsubscribe", deps)
    return claims


def _state(customer_id: str, deps: PreferencesDeps) -> CustomerState:
    return CustomerState.from_items(customer_id,
                                    deps.store.read_customer(customer_id, clock.now()))


def _apply(customer_id: str, changes: list[ConsentChange], source: str,
           deps: PreferencesDeps) -> None:
    now = clock.now()
    state = _state(customer_id, deps)
    event = ShopEvent(id=f"prefs-{uuid.uuid4().hex}", type="consent_changed",
                      customer_id=customer_id, time=now)
    writes = []
    for change in changes:
        data = ConsentChangedData(channel=change.channel, purpose=change.purpose,
                                  granted=change.granted, source=source)
        write = consent_write(state, event, data)
        if write is not None:
            writes.append(write)
    if writes:
        deps.store.write(customer_id, writes)


def _view(claims: TokenClaims, state: CustomerState) -> Preferences:
    consents = []
    for channel in CHANNELS:
        for purpose in PURPOSES:
            item = state.consents.get((channel, purpose))
            if item is None:
                continue
            consents.append(ConsentView(channel=channel, purpose=purpose,
                                        granted=bool(item.get("granted")), at=item.get("at"),
                                        source=item.get("source")))
    return Preferences(channel=claims.ch, purpose=claims.p, consents=consents,
                       suppressed=sorted(state.suppressions))
