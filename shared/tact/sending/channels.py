"""Channels behind one small interface. Provider clients never retry on their own:
a send must not be repeated blindly, so retries are the state machine's decision.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from tact.push import push_endpoint_problem


class ProviderTransientError(Exception):
    """The provider refused before accepting (throttling, 5xx): safe to retry."""


class ProviderUnknownOutcome(Exception):
    """The request left but no answer came back: it may have been delivered. Never re-send."""


class ProviderRejected(Exception):
    """The provider refused for good (bad address, unverified sender). ``suppress``: the
    address itself can never be used again (SMS opt-out, disabled push endpoint)."""

    def __init__(self, code: str, suppress: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.suppress = suppress


@dataclass(frozen=True)
class Outbound:
    channel: str
    address: str
    content: dict[str, str]
    customer_id: str
    journey: str
    step: str
    unsubscribe_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    purpose: str = "marketing"
    key: str = ""  # MSG#<execution>#<step>: lets receivers drop duplicates too


class ChannelSender(Protocol):
    def send(self, message: Outbound) -> str:
        """Deliver; return the provider's message id or raise one of the Provider* errors."""
        ...


_TRANSIENT_CODES = {
    "TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException",
    "ServiceUnavailable", "InternalFailure", "InternalServerError", "InternalServerException",
}
# Refusals that mean the message was not and will not be taken (SES v2, End User Messaging
# SMS, SNS); an error code not listed here is an unknown outcome.
_REJECTED_CODES = {
    "MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
    "SendingPausedException", "BadRequestException", "NotFoundException",
    "ValidationException", "ConflictException", "AccessDeniedException", "AccessDenied",
    "ResourceNotFoundException", "ServiceQuotaExceededException",
    "InvalidParameter", "InvalidParameterValue", "NotFound", "AuthorizationError",
    "PlatformApplicationDisabled", "InvalidSecurity", "KMSDisabled", "KMSInvalidState",
    "KMSNotFound", "KMSAccessDenied", "KMSOptInRequired", "UnrecognizedClientException",
    "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
}
_TAG_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_ENCODED = "b32-"


@cache
def provider_client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    # total_max_attempts=1: botocore must not resend a message whose first attempt may have landed.
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                    connect_timeout=3, read_timeout=10)
    return boto3.client(service, config=config)


def classify(err: Exception) -> Exception:
    """Map a provider failure to what it means for delivery.

    Only a clear answer is acted on: throttling and 5xx say "not taken, retry"; a known
    refusal says "never"; a connection that was never opened sent nothing. Everything else
    (an unknown error code, a TLS or HTTP client failure, a dropped or timed-out connection,
    any exception we do not know) may have delivered: ``unknown``, never re-sent.
    """
    from botocore.exceptions import ClientError, ConnectTimeoutError

    if isinstance(err, ClientError):
        code = err.response.get("Error", {}).get("Code", "")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _TRANSIENT_CODES or status >= 500:
            return ProviderTransientError(code or str(status))
        reason = str(err.response.get("Reason", ""))
        if code == "EndpointDisabled" or reason == "DESTINATION_PHONE_NUMBER_OPTED_OUT":
            return ProviderRejected(reason or code, suppress=True)
        if code in _REJECTED_CODES:
            return ProviderRejected(code)
        return ProviderUnknownOutcome(f"unclassified provider error {code or status}")
    if isinstance(err, ConnectTimeoutError):
        return ProviderTransientError(type(err).__name__)  # the connection never opened
    if isinstance(err, ProviderTransientError | ProviderUnknownOutcome | ProviderRejected):
        return err
    return ProviderUnknownOutcome(type(err).__name__)


def tag_value(value: str) -> str:
    """An SES message-tag value (only ``[A-Za-z0-9_-]``) that can be turned back into ``value``:
    bounce and complaint notifications name the customer only through these tags."""
    if _TAG_SAFE.match(value) and not value.startswith(_ENCODED):
        return value
    return _ENCODED + base64.b32encode(value.encode()).decode().rstrip("=")


def untag_value(tag: str) -> str:
    if not tag.startswith(_ENCODED):
        return tag
    body = tag[len(_ENCODED):]
    return base64.b32decode(body + "=" * (-len(body) % 8)).decode()


class SesEmail:
    """Email through SES v2, with RFC 8058 one-click unsubscribe headers and message tags."""

    def __init__(self, from_address: str, configuration_set: str | None = None,
                 reply_to: str | None = None, client: Any = None) -> None:
        self.from_address = from_address
        self.configuration_set = configuration_set
        self.reply_to = reply_to
        self._client = client

    def send(self, message: Outbound) -> str:
        content = message.content
        headers = dict(message.headers)
        if message.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        body: dict[str, Any] = {"Text": {"Data": content["text"], "Charset": "UTF-8"}}
        if content.get("html"):
            body["Html"] = {"Data": content["html"], "Charset": "UTF-8"}
        request: dict[str, Any] = {
            "FromEmailAddress": self.from_address,
            "Destination": {"ToAddresses": [message.address]},
            "Content": {"Simple": {
                "Subject": {"Data": _one_line(content["subject"]), "Charset": "UTF-8"},
                "Body": body,
                "Headers": [{"Name": k, "Value": _one_line(v)} for k, v in headers.items()],
            }},
            "EmailTags": [
                {"Name": "customer", "Value": tag_value(message.customer_id)},
                {"Name": "journey", "Value": tag_value(message.journey)},
                {"Name": "step", "Value": tag_value(message.step)},
            ],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        if self.reply_to:
            request["ReplyToAddresses"] = [self.reply_to]
        client = self._client or provider_client("sesv2")
        try:
            return str(client.send_email(**request)["MessageId"])
        except Exception as err:
            raise classify(err) from err


def _one_line(text: str) -> str:
    # Header and subject values never carry line breaks: no header injection from data.
    return " ".join(text.split())


class EndUserMessagingSms:
    """SMS through AWS End User Messaging (``pinpoint-sms-voice-v2`` SendTextMessage)."""

    def __init__(self, origination_identity: str | None, configuration_set: str | None = None,
                 client: Any = None) -> None:
        self.origination_identity = origination_identity
        self.configuration_set = configuration_set
        self._client = client

    def send(self, message: Outbound) -> str:
        request: dict[str, Any] = {
            "DestinationPhoneNumber": message.address,
            "MessageBody": message.content["text"],
            "MessageType": "TRANSACTIONAL" if message.purpose == "transactional" else "PROMOTIONAL",
            # Context comes back in delivery events: ids only, never contact data.
            "Context": {"customer": message.customer_id, "journey": message.journey,
                        "step": message.step},
        }
        if self.origination_identity:
            request["OriginationIdentity"] = self.origination_identity
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        client = self._client or provider_client("pinpoint-sms-voice-v2")
        try:
            return str(client.send_text_message(**request)["MessageId"])
        except Exception as err:
            raise classify(err) from err


class SnsPush:
    """Push through SNS Publish to the customer's platform endpoint (``push_endpoint``)."""

    def __init__(self, client: Any = None, platform_application_arn: str | None = None) -> None:
        self._client = client
        self.platform_application_arn = platform_application_arn

    def send(self, message: Outbound) -> str:
        import json

        if self.platform_application_arn and push_endpoint_problem(
                message.address, self.platform_application_arn):
            # Stored before ingest checked it: refused here too, never published.
            raise ProviderRejected("EndpointNotOfPlatformApplication")

        title, body = message.content["title"], message.content["body"]
        data = {"customer": message.customer_id, "journey": message.journey,
                "step": message.step}
        payload = {
            "default": body,
            "GCM": json.dumps({"notification": {"title": title, "body": body}, "data": data}),
            "APNS": json.dumps({"aps": {"alert": {"title": title, "body": body}}, **data}),
        }
        client = self._client or provider_client("sns")
        try:
            response = client.publish(TargetArn=message.address, Message=json.dumps(payload),
                                      MessageStructure="json")
            return str(response["MessageId"])
        except Exception as err:
            raise classify(err) from err


class WebhookError(ValueError):
    """A webhook configuration that must not be used (not https, header injection)."""


_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
SIGNATURE_HEADER = "X-Tact-Signature"


def webhook_signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``; receivers reject old ``t``."""
    import hashlib
    import hmac

    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def check_webhook_url(url: str, allow_loopback_http: bool = False) -> str:
    from urllib.parse import urlsplit

    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise WebhookError("webhook URL contains whitespace or control characters")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise WebhookError("webhook URL must not carry credentials; use the signing secret")
    if parts.scheme == "https" and parts.hostname:
        return url
    if allow_loopback_http and parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return url  # tests only: a local server on the loopback interface
    raise WebhookError("webhook URL must be https://")


class SignedWebhook:
    """Anything else: an HTTPS POST of JSON, signed with HMAC-SHA256 over timestamp and body."""

    def __init__(self, url: str, secret: bytes, headers: dict[str, str] | None = None,
                 timeout: float = 10.0, allow_loopback_http: bool = False) -> None:
        if not secret:
            raise WebhookError("a webhook signing secret is required (TACT_WEBHOOK_SECRET)")
        self.url = check_webhook_url(url, allow_loopback_http)
        for name, value in (headers or {}).items():
            if not _HEADER_NAME.match(name) or any(c in value for c in "\r\n\0"):
                raise WebhookError(f"invalid webhook header {name!r}")
        self.secret = secret
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.loopback = allow_loopback_http

    def send(self, message: Outbound) -> str:
        import json
        import socket
        import urllib.error
        import urllib.request

        from tact import clock

        now = clock.now()
        body = json.dumps({
            "id": message.key, "customer_id": message.customer_id, "journey": message.journey,
            "step": message.step, "purpose": message.purpose, "content": message.content,
            "sent_at": clock.iso(now),
        }, sort_keys=True).encode()
        headers = {
            **self.headers,
            "Content-Type": "application/json",
            "User-Agent": "tact-webhook/1",
            SIGNATURE_HEADER: webhook_signature(self.secret, int(now.timestamp()), body),
            "Idempotency-Key": _one_line(message.key),
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        handlers: list[Any] = [_no_redirect()]
        if self.loopback:
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return str(response.headers.get("X-Request-Id") or message.key)
        except urllib.error.HTTPError as err:
            if err.code in (408, 425, 429) or err.code >= 500:
                raise ProviderTransientError(f"HTTP {err.code}") from None
            raise ProviderRejected(f"HTTP {err.code}") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise ProviderUnknownOutcome("timeout") from None
            raise ProviderTransientError(type(reason).__name__) from None  # never connected
        except (TimeoutError, ConnectionResetError) as err:
            # The request may have been received: the outcome is unknown, never re-send.
            raise ProviderUnknownOutcome(type(err).__name__) from None


def _no_redirect() -> Any:
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        # A redirect could move the signed body to another host or to plain http.
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return NoRedirect()
