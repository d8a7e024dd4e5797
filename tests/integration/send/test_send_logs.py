"""Logs never contain email addresses, phone numbers or message bodies: a real run through
the ingest, send, preferences and ses_events handlers, with their stdout captured."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tact import observability
from tact.local.lambda_context import LocalLambdaContext
from tests.support.sendkit import T0, cart, consent, profile, ses_sent, unsubscribe_link, world
from tests.support.ses import capture_requests, notification

PHONE = "+4915112345678"


def test_handler_logs_carry_no_contact_data_or_bodies(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fresh_logger: None) -> None:
    with world(monkeypatch, tmp_path) as w:
        requests = capture_requests()
        w.ingest(profile("ana", T0, phone=PHONE), consent("ana"), cart("ana"))
        w.clock.run_until(T0 + timedelta(hours=3))
        link = unsubscribe_link(ses_sent()[0])
        w.api("POST", urlsplit(link).path, "List-Unsubscribe=One-Click",
              "application/x-www-form-urlencoded")
        w.handler("ses_events")(notification(requests[0], "Complaint"),
                                LocalLambdaContext("tact-ses-events"))
        w.clock.run_until(None)
        body = ses_sent()[0].body

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()
             if line.startswith("{")]
    messages = {line["message"] for line in lines}
    # The run did log, from every handler involved ...
    assert {"event processed", "send decided", "unsubscribed", "email suppressed"} <= messages
    text = "\n".join(json.dumps(line) for line in lines)
    # ... and none of it names an address, a phone number, a body or a link's token.
    assert "@" not in text
    assert PHONE not in text and PHONE[1:] not in text
    assert "Your cart" not in text and "Mug" not in text and body[:40] not in text
    assert urlsplit(link).path.rsplit("/", 1)[-1] not in text


def test_the_formatter_redacts_what_code_might_pass_by_mistake(
        capsys: pytest.CaptureFixture[str], fresh_logger: None) -> None:
    observability.logger().info("oops", extra={"to": "ana@example.com", "sms": PHONE,
                                               "note": "write to ana@example.com"})
    out = capsys.readouterr().out
    assert "ana@example.com" not in out and PHONE not in out
    line = json.loads(out.strip().splitlines()[-1])
    assert (line["to"], line["sms"], line["note"]) == ("[address]", "[phone]",
                                                       "write to [email]")
    assert line["timestamp"][:4].isdigit()  # timestamps are not mistaken for phone numbers
