"""Logger, Metrics and Tracer (Powertools), one of each for the whole package.

Logs never carry email addresses, phone numbers or message bodies: log records go
through a redacting formatter, and the code logs ids, never contact data.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# International numbers (+ and 7-15 digits, with separators) or a bare run of 9+ digits;
# log timestamps ("2026-11-02 09:00:00,123") must stay readable, so no date shapes.
_PHONE = re.compile(r"\+\d(?:[ ()-]{0,2}\d){6,14}|(?<![\d.:-])\d{9,15}(?![\d.:-])")
SERVICE = "tact"


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


@cache
def logger() -> Any:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class RedactingFormatter(LambdaPowertoolsFormatter):
        def serialize(self, log: dict[str, Any]) -> str:
            return redact(super().serialize(log))

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
