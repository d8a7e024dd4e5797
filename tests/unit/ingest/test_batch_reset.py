"""The ingest batch processor resets itself between invocations as Powertools' own
BatchProcessor does (it builds the empty response instead of deep-copying Powertools'
constant): every attribute, after a dirty batch, ends up the same, and no response is shared
between invocations."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

from tact.ingest.messages import IngestBatchProcessor


def dirty(processor: BatchProcessor) -> BatchProcessor:
    processor.success_messages.append({"messageId": "a"})  # type: ignore[arg-type]
    processor.fail_messages.append({"messageId": "b"})  # type: ignore[arg-type]
    processor.exceptions.append((None, None, None))
    processor.batch_response = {"batchItemFailures": [{"itemIdentifier": "b"}]}
    return processor


def state(processor: BatchProcessor) -> dict[str, Any]:
    """Its data (the methods it keeps, bound to each instance, differ by nature)."""
    def method_table(value: Any) -> bool:
        return isinstance(value, dict) and bool(value) and all(map(callable, value.values()))

    return {k: v for k, v in vars(processor).items()
            if not callable(v) and not method_table(v)}


def test_the_reset_leaves_what_powertools_reset_leaves() -> None:
    ours = dirty(IngestBatchProcessor())
    theirs = dirty(IngestBatchProcessor())
    ours._prepare()
    BatchProcessor._prepare(theirs)
    assert state(ours) == state(theirs)
    assert ours.batch_response == BatchProcessor.DEFAULT_RESPONSE


def test_each_invocation_gets_a_response_of_its_own() -> None:
    processor = IngestBatchProcessor()
    processor._prepare()
    first = processor.response()
    first["batchItemFailures"].append({"itemIdentifier": "x"})
    processor._prepare()
    assert processor.response() == {"batchItemFailures": []}
    assert BatchProcessor(event_type=EventType.SQS).DEFAULT_RESPONSE == {"batchItemFailures": []}
