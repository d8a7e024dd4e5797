"""Finding 7 of issue 14: `PUT /preferences` naming one channel and purpose twice answered
500 (two writes to one item in one transaction); it is a bad request: 400, nothing changed."""

from __future__ import annotations

import json

from tact import tokens
from tests.support.sendkit import SIGNING_KEY, T0, World, consent, profile

TWICE = json.dumps({"consents": [
    {"channel": "email", "purpose": "marketing", "granted": False},
    {"channel": "email", "purpose": "marketing", "granted": True}]})


def test_one_channel_named_twice_is_400_naming_it_and_changes_nothing(send_world: World) -> None:
    send_world.ingest(profile("ana"), consent("ana"))
    before = send_world.items("ana")
    link = tokens.sign(SIGNING_KEY.encode(), "ana", "email", "marketing", T0,
                       action="preferences")
    response = send_world.api("PUT", f"/preferences/{link}", TWICE)
    assert response["statusCode"] == 400
    assert "email/marketing is named twice" in json.loads(str(response["body"]))["error"]
    assert send_world.items("ana") == before
