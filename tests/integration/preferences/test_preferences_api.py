"""The preferences API Lambda (API Gateway HTTP API v2 events) and its signed tokens:
GET/PUT /preferences/{token}, GET (confirm page) and POST (RFC 8058 one-click)
/unsubscribe/{token}. Tampered or expired tokens get 4xx and change nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tact import tokens
from tests.support.sendkit import SIGNING_KEY, T0, World, consent, profile

KEY = SIGNING_KEY.encode()


def token(customer: str = "ana", channel: str = "email", purpose: str = "marketing",
          at: object = T0, key: bytes = KEY, action: str = "preferences") -> str:
    return tokens.sign(key, customer, channel, purpose, at,  # type: ignore[arg-type]
                       action=action)  # type: ignore[arg-type]


def tamper(value: str) -> list[str]:
    payload, mac = value.split(".")
    claims = json.loads(tokens._unb64(payload))
    other = tokens._b64(json.dumps({**claims, "c": "mallory"}, separators=(",", ":"),
                                   sort_keys=True).encode())
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    return [f"{other}.{mac}", f"{payload}.{flipped}", payload, f"{payload}.", "x" * 40,
            token(key=b"another-key")]


def snapshot(w: World, customer: str = "ana") -> list[dict[str, object]]:
    return w.items(customer)


@pytest.fixture
def w(send_world: World) -> World:
    send_world.ingest(profile("ana"), consent("ana"))
    return send_world


def body(response: dict[str, object]) -> dict[str, object]:
    return json.loads(str(response["body"]))


def test_get_shows_consents_and_no_contact_data(w: World) -> None:
    response = w.api("GET", f"/preferences/{token()}")
    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"] == "no-store"  # type: ignore[index]
    data = body(response)
    assert data["channel"] == "email" and data["purpose"] == "marketing"
    assert data["consents"] == [{"channel": "email", "purpose": "marketing", "granted": True,
                                 "at": "2026-11-02T09:00:00Z", "source": "signup_form"}]
    assert "ana@example.com" not in str(response["body"])


def test_put_changes_consents_with_audit_source(w: World) -> None:
    changes = {"consents": [{"channel": "sms", "purpose": "marketing", "granted": True},
                            {"channel": "email", "purpose": "marketing", "granted": False}]}
    w.clock.advance(timedelta(minutes=5))
    response = w.api("PUT", f"/preferences/{token()}", json.dumps(changes))
    assert response["statusCode"] == 200
    state = w.state("ana")
    assert state.consent_granted("sms", "marketing")
    assert not state.consent_granted("email", "marketing")
    history = state.consents[("email", "marketing")]["history"]
    assert [(h["granted"], h["source"], h["at"]) for h in history] == [
        (False, "preferences_page", "2026-11-02T09:05:00Z"),
        (True, "signup_form", "2026-11-02T09:00:00Z")]


@pytest.mark.parametrize("payload", [
    "not json", "{}", '{"consents": []}',
    '{"consents": [{"channel": "fax", "purpose": "marketing", "granted": false}]}',
    '{"consents": [{"channel": "email", "purpose": "marketing"}]}',
    '{"consents": [{"channel": "email", "purpose": "marketing", "granted": false}], "x": 1}',
])
def test_put_with_a_bad_body_is_400_and_changes_nothing(w: World, payload: str) -> None:
    before = snapshot(w)
    response = w.api("PUT", f"/preferences/{token()}", payload)
    assert response["statusCode"] == 400
    assert "error" in body(response)
    assert snapshot(w) == before


def test_one_click_unsubscribe_revokes_exactly_the_named_channel_and_purpose(w: World) -> None:
    w.ingest(consent("ana", "sms", "marketing", True, T0))
    response = w.api("POST", f"/unsubscribe/{token()}", "List-Unsubscribe=One-Click",
                     "application/x-www-form-urlencoded")
    assert response["statusCode"] == 200
    state = w.state("ana")
    assert not state.consent_granted("email", "marketing")
    assert state.consent_granted("sms", "marketing")
    # Clicking twice is fine and keeps the decision.
    assert w.api("POST", f"/unsubscribe/{token()}")["statusCode"] == 200
    assert not w.state("ana").consent_granted("email", "marketing")


def test_get_unsubscribe_only_shows_a_form(w: World) -> None:
    before = snapshot(w)
    response = w.api("GET", f"/unsubscribe/{token()}")
    assert response["statusCode"] == 200 and 'method="post"' in str(response["body"])
    assert snapshot(w) == before


@pytest.mark.parametrize("method,route", [("GET", "preferences"), ("PUT", "preferences"),
                                          ("GET", "unsubscribe"), ("POST", "unsubscribe")])
def test_tampered_tokens_get_403_and_change_nothing(w: World, method: str, route: str) -> None:
    before = snapshot(w)
    change = json.dumps({"consents": [{"channel": "email", "purpose": "marketing",
                                       "granted": False}]})
    for bad in tamper(token()):
        response = w.api(method, f"/{route}/{bad}", change)
        assert response["statusCode"] == 403, bad
        assert body(response) == {"error": "this link is not valid"}
    assert snapshot(w) == before
    assert snapshot(w, "mallory") == []


def test_tokens_stay_valid_for_more_than_60_days_then_expire_with_410(w: World) -> None:
    old = token(at=T0 - timedelta(days=89))  # still in someone's inbox
    assert w.api("GET", f"/preferences/{old}")["statusCode"] == 200
    assert timedelta(days=60) <= tokens.TOKEN_LIFETIME
    expired = token(at=T0 - timedelta(days=91))
    before = snapshot(w)
    response = w.api("POST", f"/unsubscribe/{expired}")
    assert response["statusCode"] == 410
    assert snapshot(w) == before
