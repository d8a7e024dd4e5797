"""One queued message in, one outcome: processed, retried later, or dead-lettered with a reason.

A malformed event can never succeed on retry, so it goes straight to the dead-letter queue
with the reason attached and the batch moves on. Anything else (Step Functions throttling, a
store conflict) is raised and reported as a batch item failure; SQS redelivers it after the
visibility timeout, which we stretch per attempt with exponential backoff and full jitter so
a throttled burst spreads out instead of hammering the quota in lockstep. On the queue's
last attempt the event is dead-lettered with the reason (SQS's own redrive would carry none).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

from tact.ingest.service import IngestResult, ingest_event
from tact.models.events import EventError, ShopEvent, check_not_ahead, parse_event

BACKOFF_BASE_SECONDS = 2
MAX_EVENT_BYTES = 256 * 1024  # EventBridge's entry limit: no shop event can be larger
BACKOFF_CAP_SECONDS = 900  # well under the queue's retention; SQS allows up to 12 h


def unwrap(body: str) -> Any:
    """The shop envelope from an SQS body: an EventBridge event (envelope in ``detail``) or bare."""
    size = len(body.encode("utf-8", "surrogatepass")) if isinstance(body, str) else 0
    if size > MAX_EVENT_BYTES:
        raise EventError(f"body is {size} bytes; a shop event is at most 256 KB "
                         "(EventBridge's limit): send ids, not whole documents")
    try:
        message = json.loads(body)
        # Lone surrogates cannot be stored. Only a \\u escape or a non-ASCII body can hold one:
        # plain ASCII skips the second pass (loads already refuses what dumps would find too deep).
        if not isinstance(body, str) or "\\u" in body or not body.isascii():
            json.dumps(message, ensure_ascii=False).encode("utf-8")
    except (json.JSONDecodeError, TypeError) as err:
        raise EventError(f"body is not JSON: {err}") from None
    except UnicodeEncodeError:
        raise EventError("body has invalid unicode (a lone surrogate escape such as \\ud800); "
                         "send UTF-8 text") from None
    except RecursionError:
        raise EventError("body is nested too deeply to be a shop event") from None
    if isinstance(message, dict) and "detail-type" in message:
        # Only what ingest needs is required of the EventBridge envelope (not, e.g., Powertools'
        # EventBridgeModel, which also demands `account` — absent from moto's deliveries).
        if not isinstance(message.get("detail"), dict):
            raise EventError("an EventBridge event without a `detail` object")
        return message["detail"]
    return message


# What a local replay validated already, by the body it built from that event (empty when
# deployed): the backtest validates its whole history before sorting it, then delivers each
# event through this handler, which need not validate the same content a second time.
_handed_over: dict[str, tuple[ShopEvent, Any]] = {}


@contextmanager
def validated_already(body: str, parsed: tuple[ShopEvent, Any]) -> Iterator[None]:
    """Inside the block, :func:`process_message` of ``body`` takes ``parsed`` instead of
    validating the event again. Only for ``parse_event(raw)`` of the event the body was
    written from (``tact.local.adapters.message_body``: read back exactly as ``json.dumps``
    of it), ``raw`` as ``json.loads`` gave it (JSON's own types): the body then carries that
    very content, and every other check of the handler still runs."""
    _handed_over[body] = parsed
    try:
        yield
    finally:
        _handed_over.pop(body, None)


# Failures of the event itself, not of the moment: no retry can succeed, so the event goes to
# the dead-letter queue at once, with the reason (throttling and conflicts raise other types).
NEVER_SUCCEEDS = (ValueError, TypeError, ArithmeticError, RecursionError, KeyError)


def process_message(body: str, deps: Any, dead_letter: Any,
                    sent_timestamp: str | None = None) -> IngestResult | None:
    """``sent_timestamp``: SQS's ``SentTimestamp`` (ms since the epoch, the queue's clock),
    kept as the event's receipt time across redeliveries."""
    try:
        detail = unwrap(body)  # its checks (size, unicode) hold for a handed-over body too
        parsed = _handed_over.pop(body, None) if _handed_over else None
        event, data = parsed or parse_event(detail)
        check_not_ahead(event.time)
        _push_endpoint_of_our_app(data)
        _as_declared(event, deps.bundle.settings)
    except EventError as err:
        dead_letter(body, err.reason)
        return None
    try:
        result = ingest_event(event, data, deps, _received(sent_timestamp))
    except NEVER_SUCCEEDS as err:  # the same data fails the same way on every retry
        dead_letter(body, f"cannot be processed ({type(err).__name__}): "
                          f"{str(err).splitlines()[0][:300] if str(err) else ''}")
        return None
    for reason in result.dead_letters:  # processed, but a journey could not take it
        dead_letter(body, reason)
    return result


def _received(sent_timestamp: str | None) -> Any:
    from datetime import UTC, datetime

    if not sent_timestamp or not sent_timestamp.isdigit():
        return None
    return datetime.fromtimestamp(int(sent_timestamp) / 1000, UTC)


def _as_declared(event: Any, settings: Any) -> None:
    """Fields and attributes the shop declared in settings must have the declared types."""
    from tact.models.declared import event_problems

    problems = event_problems(event.type, event.data, settings.event_fields,
                              settings.customer_attributes)
    if problems:
        raise EventError("; ".join(problems))


def _push_endpoint_of_our_app(data: Any) -> None:
    # Only a model with the field, or data with an extra key of that name, has one; asking
    # any other model makes pydantic raise and catch an AttributeError (on most events).
    if ("push_endpoint" not in type(data).model_fields
            and "push_endpoint" not in (data.model_extra or {})):
        return
    endpoint = getattr(data, "push_endpoint", None)
    if endpoint is None:
        return
    from tact.config import runtime_config
    from tact.push import push_endpoint_problem

    problem = push_endpoint_problem(str(endpoint), runtime_config().push_platform_application_arn)
    if problem:
        raise EventError(f"data.push_endpoint: {problem}")


def retry_delay(attempt: int, rng: random.Random | None = None) -> int:
    """Seconds until the next attempt: full jitter over an exponentially growing window."""
    window = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return max(1, round((rng or random).uniform(0, window)))


def queue_url(event_source_arn: str) -> str:
    from tact import aws

    _, _, _, _, account, name = event_source_arn.split(":", 5)
    return str(aws.client("sqs").get_queue_url(QueueName=name,
                                               QueueOwnerAWSAccountId=account)["QueueUrl"])


class IngestBatchProcessor(BatchProcessor):
    """Powertools' SQS batch processor, plus backoff for retries and a reasoned last attempt."""

    def __init__(self, max_receive_count: Any = None, dead_letter: Any = None) -> None:
        # Report an all-failed batch item by item too: each message keeps its own backoff.
        super().__init__(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        self._max_receive_count = max_receive_count  # callables: read config lazily
        self._dead_letter = dead_letter

    def _prepare(self) -> None:
        """Powertools' reset before each batch, but a new empty response instead of a deep
        copy of its constant one (the same value; the copy cost ~1% of a replay, which
        invokes ingest once per event)."""
        self.success_messages.clear()
        self.fail_messages.clear()
        self.exceptions.clear()
        self.batch_response = {"batchItemFailures": []}

    def failure_handler(self, record: Any, exception: Any) -> Any:
        attempt = int(record.attributes.approximate_receive_count or 1)
        error = exception[1]
        reason = f"{type(error).__name__}: {error}"
        limit = self._max_receive_count() if self._max_receive_count else None
        if limit and attempt >= limit and self._dead_letter is not None:
            # The last attempt: park it with its reason and report success (SQS deletes it).
            self._dead_letter(record.body, f"failed {attempt} times; last: {reason}")
            return self.success_handler(record=record.raw_event, result=None)
        try:
            from tact import aws, runtime

            local = runtime.local_retry_delay()
            if local is not None:  # a local run: no AWS API is reachable
                local(record.event_source_arn, record.receipt_handle, retry_delay(attempt))
            else:
                aws.client("sqs").change_message_visibility(
                    QueueUrl=queue_url(record.event_source_arn),
                    ReceiptHandle=record.receipt_handle, VisibilityTimeout=retry_delay(attempt))
        except Exception:  # backoff is best effort; the failure report is not
            from tact.observability import logger

            logger().warning("could not delay the retry", extra={"message_id": record.message_id})
        return super().failure_handler(record, exception)
