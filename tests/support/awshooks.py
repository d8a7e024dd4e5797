"""Faults and call records at the AWS client layer, through botocore's own event hooks.

Tact creates its clients lazily (``tact.aws.client``, ``tact.sending.channels.provider_client``)
and the simulator builds a fresh world per run, so handlers are installed where every new
botocore session picks them up: ``botocore.handlers.BUILTIN_HANDLERS`` (moto registers its own
stubber the same way). Only clients created inside the ``with`` block see them; moto swaps in
a fresh default session per ``mock_aws`` world, so that is every client of a simulation.

A fault answers ``before-call`` with an error response: the client raises the error as if
the service had returned it after botocore's own retries (none happen for short-circuited
calls), so what is tested is how Tact reacts, not botocore's retry loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.handlers import BUILTIN_HANDLERS


@dataclass
class Calls:
    """Every API call made by clients created inside the block: (service, operation, params)."""

    made: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # injected faults
    # Called before every call (e.g. to run a competing invocation at exactly that moment).
    on_call: Callable[[str, str, dict[str, Any]], None] | None = None
    delivered: int = 0  # for tests to note what a provider accepted

    def count(self, service: str | None = None, operation: str | None = None) -> int:
        return sum(1 for s, o, _ in self.made
                   if (service is None or s == service) and (operation is None or o == operation))

    def by_operation(self, service: str) -> Counter[str]:
        return Counter(o for s, o, _ in self.made if s == service)


@dataclass
class Fault:
    """Answer the first ``times`` matching calls (after ``skip`` of them) with an AWS error."""

    service: str  # botocore event service id: dynamodb, sesv2, sfn, sqs
    operation: str
    code: str
    status: int = 400
    times: int = 1
    skip: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. CancellationReasons
    when: Callable[[dict[str, Any]], bool] | None = None  # only calls whose params match
    seen: int = 0
    injected: int = 0

    def answer(self, params: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]] | None:
        if self.when is not None and not self.when(params):
            return None
        self.seen += 1
        if self.seen <= self.skip or self.injected >= self.times:
            return None
        self.injected += 1
        parsed = {
            "Error": {"Code": self.code, "Message": f"injected {self.code}"},
            "ResponseMetadata": {"HTTPStatusCode": self.status, "HTTPHeaders": {}},
            **self.extra,
        }
        return AWSResponse("https://injected.invalid", self.status, {}, None), parsed


@contextmanager
def aws_calls(*faults: Fault) -> Iterator[Calls]:
    calls = Calls()

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["awshooks_params"] = dict(params)  # before serialization: the API's own names

    def before_call(event_name: str, context: dict[str, Any], **_: Any) -> Any:
        _, service, operation = event_name.split(".")[:3]
        params = context.get("awshooks_params", {})
        calls.made.append((service, operation, params))
        if calls.on_call is not None:
            calls.on_call(service, operation, params)
        for fault in faults:
            if fault.service == service and fault.operation == operation:
                response = fault.answer(params)
                if response is not None:
                    calls.failed.append((service, operation, fault.code))
                    return response
        return None

    entries = [("before-parameter-build.*.*", remember), ("before-call.*.*", before_call)]
    BUILTIN_HANDLERS.extend(entries)
    try:
        yield calls
    finally:
        for entry in entries:
            BUILTIN_HANDLERS.remove(entry)


@contextmanager
def after_call(service: str, operation: str, action: Callable[[dict[str, Any]], None],
               ) -> Iterator[None]:
    """Run ``action(parsed)`` once the service answered (e.g. raise: the answer is lost)."""

    def hook(parsed: dict[str, Any], **_: Any) -> None:
        action(parsed)

    entry = (f"after-call.{service}.{operation}", hook)
    BUILTIN_HANDLERS.append(entry)
    try:
        yield
    finally:
        BUILTIN_HANDLERS.remove(entry)
