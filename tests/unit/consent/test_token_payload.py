"""A link token's payload is exactly the JSON of its ``TokenClaims`` (compact, keys sorted):
``sign`` writes the claims without building the model, so this pins it to the model ``verify``
reads back (a token signed before the change verifies, and the same inputs give the same
token)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tact import tokens

KEY = b"test-key"
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.just(UTC))


@given(customer=st.text(), channel=st.text(), purpose=st.text(), now=moments,
       action=st.sampled_from(tokens.ACTIONS))
def test_payload_is_the_claims_model_json(customer: str, channel: str, purpose: str,
                                          now: datetime, action: tokens.Action) -> None:
    token = tokens.sign(KEY, customer, channel, purpose, now, action=action)
    payload = tokens._unb64(token.split(".")[0])
    claims = tokens.TokenClaims(c=customer, ch=channel, p=purpose, a=action,
                                exp=int((now + tokens.TOKEN_LIFETIME).timestamp()))
    assert payload == json.dumps(claims.model_dump(), separators=(",", ":"),
                                 sort_keys=True).encode()
    assert tokens.verify(KEY, token, now) == claims


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown token action 'delete'"):
        tokens.sign(KEY, "ana", "email", "marketing", datetime(2026, 1, 1, tzinfo=UTC),
                    action="delete")  # type: ignore[arg-type]
