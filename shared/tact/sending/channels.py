"""Channels behind one small interface. Provider clients never retry on their own:
a send must not be repeated blindly, so retries are the state machine's decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol


class ProviderTransientError(Exception):
    """The provider refused before accepting (throttling, 5xx): safe to retry."""


class ProviderUnknownOutcome(Exception):
    """The request left but no answer came back: it may have been delivered. Never re-send."""


class ProviderRejected(Exception):
    """The provider refused for good (bad address, unverified sender)."""


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


class ChannelSender(Protocol):
    def send(self, message: Outbound) -> str:
        """Deliver; return the provider's message id or raise one of the Provider* errors."""
        ...


_TRANSIENT_CODES = {
    "TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException",
    "ServiceUnavailable", "InternalFailure", "InternalServerError", "InternalServerException",
}
_TAG_SAFE = re.compile(r"[^A-Za-z0-9_.@-]")


@cache
def provider_client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    # total_max_attempts=1: botocore must not resend a message whose first attempt may have landed.
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                    connect_timeout=3, read_timeout=10)
    return boto3.client(service, config=config)


def classify(err: Exception) -> Exception:
    """Map a botocore failure to what it means for delivery."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(err, ClientError):
        code = err.response.get("Error", {}).get("Code", "")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _TRANSIENT_CODES or status >= 500:
            return ProviderTransientError(code or str(status))
        return ProviderRejected(code or str(status))
    if isinstance(err, ConnectTimeoutError | EndpointConnectionError):
        return ProviderTransientError(type(err).__name__)  # never reached the provider
    if isinstance(err, ReadTimeoutError | ConnectionClosedError):
        return ProviderUnknownOutcome(type(err).__name__)
    return err


def _tag(value: str) -> str:
    return _TAG_SAFE.sub("_", value)[:256] or "_"


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
                {"Name": "customer", "Value": _tag(message.customer_id)},
                {"Name": "journey", "Value": _tag(message.journey)},
                {"Name": "step", "Value": _tag(message.step)},
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
