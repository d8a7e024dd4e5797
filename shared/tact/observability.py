"""Logger, Metrics and Tracer (Powertools), one of each for the whole package, and
:func:`handler`, the one decorator every function's handler wears.

Logs never carry email addresses, phone numbers, push endpoints or message bodies. The code
logs ids, never contact data; and the formatter redacts by field: the value of any field
named like an address (``email``, ``phone``, ``push_endpoint``, ``to``, ``destination``...,
at any depth) is replaced whatever it looks like (``0151 2345 6789``, ``jörg@müller.de``),
while other fields pass untouched, so order and customer numbers stay readable. Free text
(messages, exception traces) only loses what is unmistakably an email address.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

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
NAMESPACE = "Tact"

Event = TypeVar("Event")
Result = TypeVar("Result")
Handler = Callable[[Event, Any], Result]


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


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return super().serialize(redact_fields(log))


@functools.cache  # one per process; cache_clear() builds a new one (tests capture stdout)
def logger() -> Logger:
    return Logger(service=SERVICE, logger_formatter=RedactingFormatter())


_METRICS = Metrics(namespace=NAMESPACE, service=SERVICE)


def tracing_enabled() -> bool:
    """X-Ray tracing in a deployed function (template: Tracing: Active), unless switched off.
    Locally there is no X-Ray daemon, and the X-Ray SDK is the costliest import there is."""
    return ("AWS_LAMBDA_FUNCTION_NAME" in os.environ
            and os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() != "true")


_TRACER = Tracer(service=SERVICE) if tracing_enabled() else None


def metrics() -> Metrics:
    return _METRICS


def tracer() -> Tracer | None:
    return _TRACER


def handler(function: Handler[Event, Result]) -> Handler[Event, Result]:
    """Every function's handler: each log line carries the invocation (request id, function,
    cold start), metrics added during the invocation are flushed as EMF at its end (even when
    it fails), and the invocation is an X-Ray segment where tracing is on."""
    logged: Handler[Event, Result] = logger().inject_lambda_context(function)

    @functools.wraps(function)
    def invoke(event: Event, context: Any) -> Result:
        try:
            return logged(event, context)
        finally:
            if _METRICS.metric_set:
                _METRICS.flush_metrics()

    if _TRACER is not None:
        traced: Handler[Event, Result] = _TRACER.capture_lambda_handler(invoke)
        return traced
    return invoke


def count(name: str, **dimensions: str) -> None:
    """Add 1 to metric ``name`` now, as one CloudWatch embedded-metric-format record.

    Emitted at once rather than batched in ``metrics()``: a failure counted mid-batch must not
    wait for a flush that a crash would skip. Off where Powertools metrics are disabled
    (``POWERTOOLS_METRICS_DISABLED``, or ``POWERTOOLS_DEV``), e.g. in `tact simulate`.
    """
    emit_count(name, 1, dimensions)


def emit_count(name: str, value: float, dimensions: dict[str, str]) -> None:
    """``value`` of metric ``name`` with its own dimensions (a journey, step, channel or
    reason), at once, as :func:`count` does. ``Revenue`` is an amount, everything else a count."""
    if is_metrics_disabled():
        return
    unit = MetricUnit.NoUnit if name == "Revenue" else MetricUnit.Count
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE,
                       default_dimensions={"service": SERVICE,
                                           **{k: v or "-" for k, v in dimensions.items()}}):
        pass
