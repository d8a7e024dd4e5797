"""Logger, Metrics and Tracer (Powertools), one of each for the whole package.

Logs never carry email addresses, phone numbers, push endpoints or message bodies. The code
logs ids, never contact data; and the formatter redacts by field: the value of any field
named like an address (``email``, ``phone``, ``push_endpoint``, ``to``, ``destination``...,
at any depth) is replaced whatever it looks like (``0151 2345 6789``, ``jörg@müller.de``),
while other fields pass untouched, so order and customer numbers stay readable. Free text
(messages, exception traces) only loses what is unmistakably an email address.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Field names (lower case, without "_" and "-") whose values are contact data -> placeholder.
ADDRESS_FIELDS = {
    "email": "[email]", "emailaddress": "[email]", "toaddresses": "[email]",
    "fromaddress": "[email]", "replyto": "[email]",
    "phone": "[phone]", "phonenumber": "[phone]", "sms": "[phone]", "mobile": "[phone]",
    "destinationphonenumber": "[phone]",
    "pushendpoint": "[push endpoint]", "endpoint": "[push endpoint]",
    "endpointarn": "[push endpoint]", "targetarn": "[push endpoint]",
    "address": "[address]", "addresses": "[address]", "to": "[address]",
    "destination": "[address]", "recipient": "[address]", "recipients": "[address]",
}
# Any script: "jörg@müller.de" is an address too. Digits-only ids can never match.
_EMAIL = re.compile(r"[^\s@\"'<>(),;:\[\]]+@[^\s@\"'<>(),;:\[\]]+\.[^\s@\"'<>(),;:\[\]]{2,}")
SERVICE = "tact"


def _placeholder(key: str) -> str | None:
    return ADDRESS_FIELDS.get(key.lower().replace("_", "").replace("-", ""))


def redact(text: str) -> str:
    """Free text: only unmistakable email addresses go."""
    return _EMAIL.sub("[email]", text)


def redact_fields(value: Any, key: str | None = None) -> Any:
    """A log record with every address field's value replaced (at any depth)."""
    if key is not None and value not in (None, "", [], {}):
        placeholder = _placeholder(key)
        if placeholder is not None:
            return placeholder
    if isinstance(value, dict):
        return {k: redact_fields(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_fields(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


@cache
def logger() -> Any:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class RedactingFormatter(LambdaPowertoolsFormatter):
        def serialize(self, log: dict[str, Any]) -> str:
            return super().serialize(redact_fields(log))

    return Logger(service=SERVICE, logger_formatter=RedactingFormatter())


@cache
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="Tact", service=SERVICE)


@cache
def tracer() -> Any:
    # Created on first use: X-Ray SDK import is the costliest part of a cold start.
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)
