"""A customer's own decision is never lost to a shop clock, a tie or a concurrent write.

Findings 1-3 of issue 13, each reproduced through the real handlers on moto:
1. a shop grant stamped ahead by a fast clock outranked a later one-click unsubscribe;
2. two decisions in the same second were ordered by their (random) event ids;
3. a consent write computed from a read taken before an unsubscribe overwrote it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tact import tokens
from tests.support.awshooks import aws_calls
from tests.support.sendkit import (
    SIGNING_KEY,
    T0,
    World,
    consent,
    envelope,
    profile,
    send_payload,
    ses_sent,
    world,
)

KEY = SIGNING_KEY.encode()


def link_token(customer: str, action: str) -> str:
    return tokens.sign(KEY, customer, "email", "marketing", T0, action=action)


def withdraw(w: World, customer: str, via: str) -> dict[str, Any]:
    if via == "unsubscribe":
        return w.api("POST", f"/unsubscribe/{link_token(customer, 'unsubscribe')}",
                     "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded")
    change = {"consents": [{"channel": "email", "purpose": "marketing", "granted": False}]}
    return w.api("PUT", f"/preferences/{link_token(customer, 'preferences')}", json.dumps(change))


def send_once(w: World, customer: str, run: str) -> str:
    result = w.handler("send")(send_payload(w, customer, run), _context())
    return str(result["status"])


def _context() -> Any:
    from tact.local.lambda_context import LocalLambdaContext

    return LocalLambdaContext("tact-send")


@pytest.mark.parametrize("via", ["unsubscribe", "preferences"])
def test_withdrawal_answered_200_beats_a_shop_grant_stamped_ahead(
        via: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The shop's clock runs 20 min fast: its grant says 09:20; the customer withdraws at
    09:05 server time. The withdrawal was received later, so it wins, and it is on record."""
    with world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"), consent("ana", at=T0 + timedelta(minutes=20)))
        w.clock.advance(timedelta(minutes=5))
        assert withdraw(w, "ana", via)["statusCode"] == 200
        item = w.state("ana").consents[("email", "marketing")]
        assert item["granted"] is False
        sources = [h["source"] for h in item["history"]]
        assert sources[0] in ("one_click_unsubscribe", "preferences_page")
        assert item["history"][0]["received_at"] == "2026-11-02T09:05:00Z"
        assert send_once(w, "ana", "after-withdrawal") == "suppressed"
        assert ses_sent() == []


@pytest.mark.parametrize("ids", [("a-grant", "b-revoke"), ("b-grant", "a-revoke")])
@pytest.mark.parametrize("revoke_first", [True, False])
def test_a_grant_and_a_revoke_in_the_same_second_end_revoked(
        ids: tuple[str, str], revoke_first: bool, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Whatever the event ids and whatever the arrival order: the withdrawal wins a tie."""
    grant_id, revoke_id = ids
    data = {"channel": "email", "purpose": "marketing", "source": "shop"}
    grant = envelope(grant_id, "consent_changed", "ana", T0, {**data, "granted": True})
    revoke = envelope(revoke_id, "consent_changed", "ana", T0 + timedelta(milliseconds=400),
                      {**data, "granted": False})
    with world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"))
        for event in ([revoke, grant] if revoke_first else [grant, revoke]):
            w.ingest(event)
        item = w.state("ana").consents[("email", "marketing")]
        assert item["granted"] is False
        assert sorted(h["event_id"] for h in item["history"]) == sorted(ids)
        assert send_once(w, "ana", "tie") == "suppressed"


def _is_consent_write(params: dict[str, Any]) -> bool:
    items = [params.get("Item", {})] + [
        a.get("Put", {}).get("Item", {}) for a in params.get("TransactItems", [])]
    return any("CONSENT#" in str(i.get("sk", "")) for i in items)


def test_an_ingest_write_from_a_stale_read_does_not_overwrite_an_unsubscribe(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ingest read the consent item, then the customer unsubscribed (200), then ingest wrote
    what it had computed. The unsubscribe must survive, in the state and in the history."""
    raced: list[dict[str, Any]] = []
    with aws_calls() as calls, world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"), consent("ana"))
        w.clock.advance(timedelta(minutes=5))

        def race(service: str, operation: str, params: dict[str, Any]) -> None:
            if not raced and service == "dynamodb" and _is_consent_write(params):
                raced.append({})  # first: the unsubscribe's own write must not race again
                raced[0] = withdraw(w, "ana", "unsubscribe")

        calls.on_call = race
        # A shop grant of the same channel, stamped a minute before the unsubscribe.
        w.ingest(consent("ana", at=T0 + timedelta(minutes=4)))
        assert raced and raced[0]["statusCode"] == 200
        item = w.state("ana").consents[("email", "marketing")]
        assert item["granted"] is False
        assert "one_click_unsubscribe" in [h["source"] for h in item["history"]]
        assert len(item["history"]) == 3  # signup grant, shop grant, unsubscribe
        assert send_once(w, "ana", "after-race") == "suppressed"


def test_a_preferences_write_from_a_stale_read_does_not_overwrite_a_shop_withdrawal(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The other way round: the page read, a shop withdrawal landed, the page wrote."""
    raced: list[bool] = []
    with aws_calls() as calls, world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"), consent("ana", granted=False))
        w.clock.advance(timedelta(minutes=5))

        def race(service: str, operation: str, params: dict[str, Any]) -> None:
            if not raced and service == "dynamodb" and _is_consent_write(params):
                raced.append(True)
                w.ingest(consent("ana", granted=False, at=T0 + timedelta(minutes=5)))

        calls.on_call = race
        change = {"consents": [{"channel": "email", "purpose": "marketing", "granted": True}]}
        response = w.api("PUT", f"/preferences/{link_token('ana', 'preferences')}",
                         json.dumps(change))
        assert raced and response["statusCode"] == 200
        item = w.state("ana").consents[("email", "marketing")]
        assert item["granted"] is False  # same second: the withdrawal wins
        assert [h["source"] for h in item["history"]].count("signup_form") == 2
        assert "preferences_page" in [h["source"] for h in item["history"]]


def test_a_shop_grant_queued_before_an_unsubscribe_and_processed_after_it_loses(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Receipt time is when the queue took the event (SQS SentTimestamp), not when ingest got
    round to it: a backlog does not make an older shop decision newer than the customer's."""
    from tact.local.lambda_context import LocalLambdaContext

    with world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"))
        queued_at = w.clock.now()  # the shop's grant (clock 20 min fast) enters the queue
        grant = consent("ana", at=T0 + timedelta(minutes=20))
        w.clock.advance(timedelta(minutes=5))
        assert withdraw(w, "ana", "unsubscribe")["statusCode"] == 200
        w.clock.advance(timedelta(minutes=5))  # ingest processes the backlog
        record = {"messageId": "m-late", "receiptHandle": "local", "body": json.dumps(grant),
                  "attributes": {"ApproximateReceiveCount": "1",
                                 "SentTimestamp": str(int(queued_at.timestamp() * 1000))},
                  "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                  "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:events",
                  "awsRegion": "us-east-1"}
        response = w.handler("ingest")({"Records": [record]}, LocalLambdaContext("tact-ingest"))
        assert response["batchItemFailures"] == []
        item = w.state("ana").consents[("email", "marketing")]
        assert item["granted"] is False
        (late,) = [h for h in item["history"] if h["event_id"] == grant["id"]]
        assert (late["received_at"], late["applied"]) == ("2026-11-02T09:00:00Z", False)
        assert send_once(w, "ana", "after-backlog") == "suppressed"
