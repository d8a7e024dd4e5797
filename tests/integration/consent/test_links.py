"""Findings 5 and 6 of issue 13: key rotation broke every link already sent, and a token
minted for an email unsubscribe could grant SMS and push marketing.

The keys come from Secrets Manager (moto) as deployed: rotating is writing a new secret value,
which moves the old one to the AWSPREVIOUS stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from tact import runtime
from tests.support.sendkit import T0, World, consent, profile, world


@pytest.fixture
def w(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    with world(monkeypatch, tmp_path) as the_world:
        arn = boto3.client("secretsmanager").create_secret(
            Name="tact-signing", SecretString="key-one")["ARN"]
        monkeypatch.setenv("TACT_SIGNING_KEY_SECRET_ARN", arn)
        runtime.reset()  # a cold start: the functions read the secret
        the_world.ingest(profile("ana"), consent("ana"),
                         consent("ana", channel="sms", granted=False))
        yield the_world


def rotate(value: str) -> None:
    """What the README says to do: write a new value; the old one becomes AWSPREVIOUS."""
    client = boto3.client("secretsmanager")
    arn = client.list_secrets()["SecretList"][0]["ARN"]
    client.put_secret_value(SecretId=arn, SecretString=value)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def unsubscribe(w: World, token: str) -> int:
    return int(w.api("POST", f"/unsubscribe/{token}", "List-Unsubscribe=One-Click",
                     "application/x-www-form-urlencoded")["statusCode"])


@pytest.mark.parametrize("cold_start", [True, False], ids=["cold", "warm"])
def test_links_sent_before_a_key_rotation_keep_working(w: World, cold_start: bool) -> None:
    links = runtime.links("ana", "email", "marketing")
    w.clock.advance(timedelta(days=30))
    rotate("key-two")
    if cold_start:
        runtime.reset()
    else:
        # A warm function signs with the old key until it reloads; force its next link to be
        # signed by the new key, as a freshly started send function would.
        w.clock.advance(timedelta(minutes=10))
    fresh = runtime.links("ana", "email", "marketing")
    assert token_of(fresh["unsubscribe"]) != token_of(links["unsubscribe"])
    w.clock.advance(timedelta(days=59))  # day 89 of the first link's 90
    assert w.api("GET", f"/preferences/{token_of(links['preferences'])}")["statusCode"] == 200
    assert unsubscribe(w, token_of(links["unsubscribe"])) == 200
    assert unsubscribe(w, token_of(fresh["unsubscribe"])) == 200
    assert not w.state("ana").consent_granted("email", "marketing")


def test_a_warm_function_learns_of_a_rotation_from_a_token_it_cannot_verify(w: World) -> None:
    assert unsubscribe(w, token_of(runtime.links("ana", "email", "marketing")["unsubscribe"])) \
        == 200
    runtime_ring_before = runtime.preferences_deps().keys.keys()
    rotate("key-two")
    w.clock.advance(timedelta(minutes=10))
    from tact import tokens

    new_token = tokens.sign(b"key-two", "ana", "email", "marketing", w.clock.now())
    assert unsubscribe(w, new_token) == 200
    assert runtime.preferences_deps().keys.keys() != runtime_ring_before


def test_a_link_expires_after_its_lifetime(w: World) -> None:
    link = runtime.links("ana", "email", "marketing")["unsubscribe"]
    w.clock.advance(timedelta(days=90, seconds=1))
    assert unsubscribe(w, token_of(link)) == 410


def test_a_link_signed_two_rotations_ago_is_refused(w: World) -> None:
    link = runtime.links("ana", "email", "marketing")["unsubscribe"]
    rotate("key-two")
    rotate("key-three")
    runtime.reset()
    assert unsubscribe(w, token_of(link)) == 403


@pytest.mark.parametrize("change", [
    {"channel": "sms", "purpose": "marketing", "granted": True},
    {"channel": "push", "purpose": "marketing", "granted": True},
    {"channel": "email", "purpose": "marketing", "granted": True},
    {"channel": "email", "purpose": "transactional", "granted": False},
])
def test_an_unsubscribe_token_cannot_change_anything_but_withdraw_its_own_consent(
        w: World, change: dict[str, object]) -> None:
    link = runtime.links("ana", "email", "marketing")["unsubscribe"]
    before = w.items("ana")
    response = w.api("PUT", f"/preferences/{token_of(link)}",
                     json.dumps({"consents": [change]}))
    assert response["statusCode"] == 403
    assert w.items("ana") == before
    assert not w.state("ana").consent_granted("sms", "marketing")


def test_an_unsubscribe_token_may_withdraw_its_own_consent_through_the_page(w: World) -> None:
    link = runtime.links("ana", "email", "marketing")["unsubscribe"]
    change = {"channel": "email", "purpose": "marketing", "granted": False}
    response = w.api("PUT", f"/preferences/{token_of(link)}", json.dumps({"consents": [change]}))
    assert response["statusCode"] == 200
    assert not w.state("ana").consent_granted("email", "marketing")


def test_the_preferences_link_grants_what_the_page_submits_for_its_customer_only(
        w: World) -> None:
    link = runtime.links("ana", "email", "marketing")["preferences"]
    w.clock.advance(timedelta(minutes=1))
    change = {"channel": "sms", "purpose": "marketing", "granted": True}
    response = w.api("PUT", f"/preferences/{token_of(link)}", json.dumps({"consents": [change]}))
    assert response["statusCode"] == 200
    assert w.state("ana").consent_granted("sms", "marketing")
    assert w.items("bob") == []  # the token names its customer; nobody else is touched
    assert w.clock.now() > T0
