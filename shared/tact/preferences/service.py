"""Read and change a customer's consents through a signed token; one-click unsubscribe.

Every change is a customer decision, stamped with the server's receipt time and placed by the
ordering rule of ``tact.consent`` into the same CONSENT item ingest writes (the history keeps
each decision with its source and times). The write is conditional on the item's version;
on a conflict the decision is placed again on a fresh read, so it is never lost and never
overwrites one it did not see. The very next send reads it: the send's Query is strongly
consistent, and its transaction re-checks the consent item's version.

Tokens are scoped (``tact.tokens``): an unsubscribe token can only withdraw its own channel
and purpose; a preferences token changes what its customer's page submits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tact import clock
from tact.consent import consent_write, customer_decision
from tact.customer import CustomerState
from tact.store.base import ConditionFailed, CustomerStore
from tact.tokens import InvalidToken, TokenClaims, verify

CHANNELS = ("email", "sms", "push", "webhook")
PURPOSES = ("marketing", "transactional")
MAX_RACES = 5  # concurrent consent writes for one customer: place the decision again


class Keys(Protocol):
    """The signing key ring (``tact.secrets.KeyRing``)."""

    def keys(self) -> list[bytes]: ...

    def reload(self) -> bool: ...


@dataclass
class PreferencesDeps:
    store: CustomerStore
    keys: Keys


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

    @field_validator("consents")
    @classmethod
    def _each_once(cls, consents: list[ConsentChange]) -> list[ConsentChange]:
        # Two answers for one channel and purpose cannot both be kept (one write per item).
        seen: set[tuple[str, str]] = set()
        for change in consents:
            key = (change.channel, change.purpose)
            if key in seen:
                raise ValueError(f"{change.channel}/{change.purpose} is named twice; name each "
                                 "channel and purpose once")
            seen.add(key)
        return consents


def claims_for(token: str, deps: PreferencesDeps) -> TokenClaims:
    try:
        return _verify(token, deps)
    except InvalidToken as err:
        if err.expired:
            raise PreferencesError(410, "this link has expired; use a newer message") from None
        raise PreferencesError(403, "this link is not valid") from None


def _verify(token: str, deps: PreferencesDeps) -> TokenClaims:
    try:
        return verify(deps.keys.keys(), token, clock.now())
    except InvalidToken as err:
        # Signed with a key this warm function has not seen yet (rotated since it started)?
        if err.expired or not deps.keys.reload():
            raise
        return verify(deps.keys.keys(), token, clock.now())


def get_preferences(token: str, deps: PreferencesDeps) -> Preferences:
    claims = claims_for(token, deps)
    state = _state(claims.c, deps)
    return _view(claims, state)


def update_preferences(token: str, update: PreferencesUpdate, deps: PreferencesDeps,
                       source: str = "preferences_page") -> Preferences:
    claims = claims_for(token, deps)
    if claims.a != "preferences" and any(
            (c.channel, c.purpose, c.granted) != (claims.ch, claims.p, False)
            for c in update.consents):
        # An unsubscribe link (or a link from before scopes) withdraws its own channel and
        # purpose, nothing else: forwarded or leaked, it cannot sign anybody up.
        raise PreferencesError(403, "this link can only unsubscribe from what it was sent for")
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
    received = clock.now()  # one receipt time for the whole request, kept across retries
    event_id = f"prefs-{uuid.uuid4().hex}"
    wanted: dict[tuple[str, str], bool] = {}
    for change in changes:  # one write per item; named twice, a withdrawal wins
        key = (change.channel, change.purpose)
        wanted[key] = wanted.get(key, True) and change.granted
    for _ in range(MAX_RACES):
        state = _state(customer_id, deps)
        writes = [consent_write(state, customer_decision(channel, purpose, granted, source,
                                                         received, event_id))
                  for (channel, purpose), granted in wanted.items()]
        try:
            deps.store.write(customer_id, writes)
            return
        except ConditionFailed:
            continue  # another decision landed since the read: place this one again
    raise PreferencesError(503, "too many changes at once; please try again")


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
