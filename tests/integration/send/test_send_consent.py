"""Consent per channel and purpose, with its audit trail; transactional messages need no
marketing consent but honour an explicit refusal and hard suppression. Real ingest and send
handlers on moto (DynamoDB + SES v2)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tact.local.lambda_context import LocalLambdaContext
from tact.store.items import address_fingerprint
from tests.support.sendkit import (
    T0,
    World,
    consent,
    copy_journeys,
    profile,
    send_payload,
    ses_sent,
    world,
)


def send(w: World, customer: str, run: str, **kwargs: Any) -> dict[str, Any]:
    w.clock.advance(timedelta(minutes=1))
    return w.handler("send")(send_payload(w, customer, run, **kwargs),
                             LocalLambdaContext("tact-send"))


def outcome(result: dict[str, Any]) -> tuple[str, str | None]:
    return result["status"], result["reason"]


def test_grant_and_revoke_per_channel_and_purpose_with_audit_trail(send_world: World) -> None:
    send_world.ingest(profile("ana"))
    assert outcome(send(send_world, "ana", "r1")) == ("suppressed", "no_consent")

    send_world.ingest(consent("ana", "sms", "marketing", True, T0 + timedelta(minutes=2)))
    # Consent to marketing SMS says nothing about marketing email.
    assert outcome(send(send_world, "ana", "r2")) == ("suppressed", "no_consent")

    send_world.ingest(consent("ana", "email", "marketing", True, T0 + timedelta(minutes=4)))
    assert outcome(send(send_world, "ana", "r3")) == ("sent", None)

    send_world.ingest(consent("ana", "email", "marketing", False, T0 + timedelta(minutes=6)))
    assert outcome(send(send_world, "ana", "r4")) == ("suppressed", "no_consent")
    assert len(ses_sent()) == 1

    item = send_world.state("ana").consents[("email", "marketing")]
    assert [(h["granted"], h["at"], h["source"]) for h in item["history"]] == [
        (False, "2026-11-02T09:06:00Z", "signup_form"),
        (True, "2026-11-02T09:04:00Z", "signup_form")]
    assert send_world.state("ana").consent_granted("sms", "marketing")


def test_older_consent_event_never_overrides_a_newer_decision(send_world: World) -> None:
    send_world.ingest(profile("ana"),
                      consent("ana", "email", "marketing", False, T0 + timedelta(minutes=5)),
                      consent("ana", "email", "marketing", True, T0 + timedelta(minutes=1)))
    assert outcome(send(send_world, "ana", "r1")) == ("suppressed", "no_consent")


def test_transactional_needs_no_marketing_consent_but_honours_refusal_and_suppression(
        send_world: World) -> None:
    send_world.ingest(profile("ana"), profile("ben"), profile("cy"))
    # No consent at all: transactional still goes, marketing does not.
    assert outcome(send(send_world, "ana", "t1", purpose="transactional")) == ("sent", None)
    assert outcome(send(send_world, "ana", "m1")) == ("suppressed", "no_consent")

    # An explicit refusal of transactional email is honoured.
    send_world.ingest(consent("ben", "email", "transactional", False, T0 + timedelta(minutes=1)))
    assert outcome(send(send_world, "ben", "t2", purpose="transactional")) == (
        "suppressed", "no_consent")

    # A hard suppression (bounce) of the address blocks transactional mail too ...
    send_world.ingest(consent("cy", "email", "marketing", True, T0 + timedelta(minutes=1)))
    from tact import runtime
    from tact.store.base import Put

    runtime.store().write("cy", [Put({
        "sk": "SUPPRESSION#email", "reason": "bounce", "source": "ses",
        "address_hash": address_fingerprint("cy@example.com"), "at": "2026-11-02T09:00:00Z"})])
    assert outcome(send(send_world, "cy", "t3", purpose="transactional")) == (
        "suppressed", "suppressed")
    assert outcome(send(send_world, "cy", "m3")) == ("suppressed", "suppressed")
    # ... until the customer gives a new address: the suppression named the old one.
    send_world.ingest(profile("cy", T0 + timedelta(minutes=30), email="cy.new@example.com"))
    assert outcome(send(send_world, "cy", "t4", purpose="transactional")) == ("sent", None)
    assert [m.destinations["ToAddresses"] for m in ses_sent()] == [
        ["ana@example.com"], ["cy.new@example.com"]]


def test_sms_opt_out_at_the_provider_becomes_a_suppression(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # moto has no End User Messaging SMS: botocore's Stubber answers on the very client the
    # sms channel uses, checking the request against the real service model.
    from botocore.stub import Stubber

    from tact.sending.channels import provider_client

    journeys = copy_journeys(tmp_path / "journeys")
    template = journeys / "templates" / "cart_reminder_1.yaml"
    template.write_text(template.read_text(encoding="utf-8") + 'sms:\n  text: "Cart saved."\n',
                        encoding="utf-8")
    with world(monkeypatch, tmp_path, journeys) as w:
        w.ingest(profile("ana", phone="+4915112345678"),
                 consent("ana", "sms", "marketing", True, T0))
        client = provider_client("pinpoint-sms-voice-v2")
        with Stubber(client) as stub:
            stub.add_client_error(
                "send_text_message", service_error_code="ConflictException",
                http_status_code=409, modeled_fields={
                    "Message": "opted out", "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT",
                    "ResourceType": "opt-out-list", "ResourceId": "Default"})
            assert outcome(send(w, "ana", "r1", channel="sms")) == ("suppressed", "rejected")
            item = w.state("ana").suppressions["sms"]
            assert (item["source"], item["reason"]) == ("provider",
                                                        "DESTINATION_PHONE_NUMBER_OPTED_OUT")
            # Next time the address is known to be unusable: no provider call at all.
            assert outcome(send(w, "ana", "r2", channel="sms")) == ("suppressed", "suppressed")
            stub.assert_no_pending_responses()
