"""Channels behind one interface: SES v2 email, End User Messaging SMS, SNS push, signed
webhook. Each maps provider failures onto what they mean for delivery (retry / unknown /
rejected)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tact.sending.channels import (
    EndUserMessagingSms,
    Outbound,
    ProviderRejected,
    ProviderTransientError,
    ProviderUnknownOutcome,
    SesEmail,
    SignedWebhook,
    SnsPush,
    WebhookError,
    tag_value,
    untag_value,
    webhook_signature,
)

REGION = "us-east-1"


def outbound(channel: str, address: str, content: dict[str, str], **extra: Any) -> Outbound:
    return Outbound(channel, address, content, "cust-1", "abandoned_cart", "reminder_1",
                    key="MSG#exec-1#reminder_1", **extra)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


# ------------------------------------------------------------------------------ email


def test_email_carries_one_click_unsubscribe_headers_tags_and_config_set(aws: None) -> None:
    client = boto3.client("sesv2", region_name=REGION)
    client.create_email_identity(EmailIdentity="shop.example.com")
    client.create_configuration_set(ConfigurationSetName="tact")
    seen: list[dict[str, Any]] = []
    client.meta.events.register("before-parameter-build.sesv2.SendEmail",
                                lambda params, **_: seen.append(params))
    sender = SesEmail("Shop <hello@shop.example.com>", "tact", client=client)
    message_id = sender.send(outbound(
        "email", "ana@example.com",
        {"subject": "Your\r\nBcc: evil@example.com cart", "text": "hi", "html": "<p>hi</p>"},
        unsubscribe_url="https://prefs.example.test/unsubscribe/tok"))
    assert message_id
    request = seen[0]
    headers = {h["Name"]: h["Value"] for h in request["Content"]["Simple"]["Headers"]}
    assert headers == {"List-Unsubscribe": "<https://prefs.example.test/unsubscribe/tok>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    # A line break in data can never start a new header.
    assert request["Content"]["Simple"]["Subject"]["Data"] == "Your Bcc: evil@example.com cart"
    assert request["ConfigurationSetName"] == "tact"
    assert {t["Name"]: t["Value"] for t in request["EmailTags"]} == {
        "customer": "cust-1", "journey": "abandoned_cart", "step": "reminder_1"}


@pytest.mark.parametrize("customer", ["ana", "shop:42", "a@b.example", "x.y", "b32-literal"])
def test_tag_values_are_ses_safe_and_reversible(customer: str) -> None:
    tag = tag_value(customer)
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in tag)
    assert untag_value(tag) == customer


def test_email_to_unverified_sender_is_rejected_not_retried(aws: None) -> None:
    client = boto3.client("sesv2", region_name=REGION)
    sender = SesEmail("hello@unverified.example", client=client)
    with pytest.raises(ProviderRejected):
        sender.send(outbound("email", "ana@example.com", {"subject": "s", "text": "t"}))


# ------------------------------------------------------------------------------ sms
# moto has no pinpoint-sms-voice-v2 (AWS End User Messaging SMS), so these use botocore's
# Stubber: every request is still validated against the real service model.


def _sms_client() -> Any:
    return boto3.client("pinpoint-sms-voice-v2", region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_sms_goes_through_send_text_message_with_context_and_message_type() -> None:
    client = _sms_client()
    sender = EndUserMessagingSms("+15555550100", "tact-sms", client=client)
    with Stubber(client) as stub:
        stub.add_response("send_text_message", {"MessageId": "sms-1"}, {
            "DestinationPhoneNumber": "+4915112345678",
            "OriginationIdentity": "+15555550100",
            "ConfigurationSetName": "tact-sms",
            "MessageBody": "Your cart is waiting",
            "MessageType": "PROMOTIONAL",
            "Context": {"customer": "cust-1", "journey": "abandoned_cart", "step": "reminder_1"},
        })
        stub.add_response("send_text_message", {"MessageId": "sms-2"}, {
            "DestinationPhoneNumber": "+4915112345678",
            "OriginationIdentity": "+15555550100",
            "ConfigurationSetName": "tact-sms",
            "MessageBody": "Your order shipped",
            "MessageType": "TRANSACTIONAL",
            "Context": {"customer": "cust-1", "journey": "abandoned_cart", "step": "reminder_1"},
        })
        assert sender.send(outbound("sms", "+4915112345678",
                                    {"text": "Your cart is waiting"})) == "sms-1"
        assert sender.send(outbound("sms", "+4915112345678", {"text": "Your order shipped"},
                                    purpose="transactional")) == "sms-2"
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(("code", "status", "expected"), [
    ("ThrottlingException", 429, ProviderTransientError),
    ("InternalServerException", 500, ProviderTransientError),
    ("ValidationException", 400, ProviderRejected),
    ("AccessDeniedException", 403, ProviderRejected),
])
def test_sms_errors_map_to_retry_or_reject(code: str, status: int,
                                           expected: type[Exception]) -> None:
    client = _sms_client()
    with Stubber(client) as stub:
        stub.add_client_error("send_text_message", service_error_code=code,
                              http_status_code=status)
        with pytest.raises(expected):
            EndUserMessagingSms("+15555550100", client=client).send(
                outbound("sms", "+4915112345678", {"text": "hi"}))


# ------------------------------------------------------------------------------ push


def test_push_publishes_to_the_customers_endpoint_and_disabled_endpoint_is_rejected(
        aws: None) -> None:
    from moto.sns.models import sns_backends

    sns = boto3.client("sns", region_name=REGION)
    app = sns.create_platform_application(Name="shop", Platform="GCM",
                                          Attributes={"PlatformCredential": "k"})
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app["PlatformApplicationArn"],
                                            Token="device-token")["EndpointArn"]
    sender = SnsPush(client=sns)
    message_id = sender.send(outbound("push", endpoint, {"title": "Cart", "body": "Still there"}))
    stored = sns_backends["123456789012"][REGION].platform_endpoints[endpoint].messages
    payload = json.loads(stored[message_id])
    assert payload["default"] == "Still there"
    assert json.loads(payload["GCM"])["notification"] == {"title": "Cart", "body": "Still there"}

    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    with pytest.raises(ProviderRejected):
        sender.send(outbound("push", endpoint, {"title": "Cart", "body": "Still there"}))


# ------------------------------------------------------------------------------ webhook


class Receiver(BaseHTTPRequestHandler):
    """A local endpoint on 127.0.0.1: records requests, answers with the queued status."""

    requests: list[tuple[dict[str, str], bytes]]
    statuses: list[int]
    release: threading.Event

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append((dict(self.headers), body))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 0:  # hold the answer until the test ends: the client times out
            self.release.wait(5)
            return
        self.send_response(status)
        if status in (301, 302, 307, 308):
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("X-Request-Id", "rcv-1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def receiver(*statuses: int) -> Iterator[tuple[str, Any]]:
    handler = type("Handler", (Receiver,), {"requests": [], "statuses": list(statuses),
                                            "release": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        handler.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


SECRET = b"webhook-secret"


def test_webhook_posts_signed_timestamped_json() -> None:
    with receiver(200) as (url, handler):
        sender = SignedWebhook(url, SECRET, {"X-Shop": "demo"}, allow_loopback_http=True)
        assert sender.send(outbound("webhook", "cust-1", {"body": "hello"})) == "rcv-1"
    headers, body = handler.requests[0]
    timestamp, mac = dict(p.split("=", 1) for p in headers["X-Tact-Signature"].split(","))\
        .values()
    expected = hmac.new(SECRET, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected)
    assert headers["X-Tact-Signature"] == webhook_signature(SECRET, int(timestamp), body)
    assert headers["Idempotency-Key"] == "MSG#exec-1#reminder_1"
    assert headers["X-Shop"] == "demo"
    payload = json.loads(body)
    assert payload["content"] == {"body": "hello"} and payload["customer_id"] == "cust-1"
    # A changed body no longer matches the signature.
    forged = hmac.new(SECRET, f"{timestamp}.".encode() + body + b" ", hashlib.sha256).hexdigest()
    assert forged != mac


@pytest.mark.parametrize(("status", "expected"), [
    (503, ProviderTransientError), (429, ProviderTransientError), (400, ProviderRejected),
    (302, ProviderRejected),  # redirects are not followed: the body stays where it was sent
])
def test_webhook_status_codes_map_to_retry_or_reject(status: int,
                                                     expected: type[Exception]) -> None:
    with receiver(status) as (url, handler):
        with pytest.raises(expected):
            SignedWebhook(url, SECRET, allow_loopback_http=True).send(
                outbound("webhook", "cust-1", {"body": "x"}))
        assert len(handler.requests) == 1


def test_webhook_without_an_answer_is_unknown_never_retried() -> None:
    with receiver(0) as (url, handler):
        with pytest.raises(ProviderUnknownOutcome):
            SignedWebhook(url, SECRET, timeout=0.3, allow_loopback_http=True).send(
                outbound("webhook", "cust-1", {"body": "x"}))
        assert len(handler.requests) == 1  # it arrived; only the answer was lost


def test_webhook_nobody_listening_is_transient() -> None:
    with receiver() as (url, _):
        pass  # server closed: connection refused
    with pytest.raises(ProviderTransientError):
        SignedWebhook(url, SECRET, timeout=2, allow_loopback_http=True).send(
            outbound("webhook", "cust-1", {"body": "x"}))


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/x",             # not https
    "http://127.0.0.1:8080/x",                # loopback http only when tests allow it
    "ftp://hooks.example.com/x",
    "https://hooks.example.com/x\r\nX-Evil: 1",
    "https://user:pw@hooks.example.com/x",
    "https:///nohost",
])
def test_webhook_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(WebhookError):
        SignedWebhook(url, SECRET)


def test_webhook_loopback_exception_is_only_for_loopback() -> None:
    with pytest.raises(WebhookError):
        SignedWebhook("http://hooks.example.com/x", SECRET, allow_loopback_http=True)


@pytest.mark.parametrize("headers", [{"X-A": "v\r\nX-Evil: 1"}, {"X-A\r\nX-Evil": "1"},
                                     {"Bad Name": "v"}])
def test_webhook_refuses_header_injection(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookError):
        SignedWebhook("https://hooks.example.com/x", SECRET, headers)


def test_webhook_requires_a_secret() -> None:
    with pytest.raises(WebhookError):
        SignedWebhook("https://hooks.example.com/x", b"")
