"""Deployed: the table's stream -> decision records -> Kinesis Data Firehose -> S3.

The ``decisions`` Lambda reads the DynamoDB stream of the table (new images of decision items
only: the event source mapping filters on the sort key), maps each new image with the same
:func:`record_from_item` a local run uses, and hands the batch to Firehose in one
PutRecordBatch call. Batching, retries and partitioning are the managed services' work: the
event source mapping batches (``BatchSize`` at most 500, the PutRecordBatch limit) and retries
a failed batch (bisecting it); Firehose buffers, compresses, encrypts and writes hourly
prefixes. A batch Firehose did not fully accept fails the invocation, so the mapping retries
it; records delivered twice are the same records (``record_id``), which the report's SQL
counts once.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from tact import aws
from tact.analytics.records import DecisionRecord, record_from_item
from tact.store.keys import customer_of

PUT_RECORD_BATCH_LIMIT = 500  # records per PutRecordBatch call (Firehose quota)
_DESERIALIZER = TypeDeserializer()


class DeliveryFailed(Exception):
    """Firehose did not accept every record of a batch; the invocation fails and is retried."""


def records_of_stream(event: dict[str, Any]) -> list[DecisionRecord]:
    """The decisions of a DynamoDB Streams batch: new images of inserted or changed items."""
    records = []
    for change in event.get("Records", []):
        if change.get("eventName") not in ("INSERT", "MODIFY"):
            continue  # removals (TTL expiry, a released message record) are not decisions
        image = change.get("dynamodb", {}).get("NewImage")
        if not image:
            continue
        item = {name: _DESERIALIZER.deserialize(value) for name, value in image.items()}
        customer = customer_of(item.get("pk", ""))
        if customer is None:
            continue
        record = record_from_item(customer, item)
        if record is not None:
            records.append(record)
    return records


class FirehoseDecisions:
    """Where decision records go when deployed: one delivery stream."""

    def __init__(self, stream_name: str) -> None:
        self.stream_name = stream_name
        self.client = aws.client("firehose")

    def deliver(self, records: list[DecisionRecord]) -> int:
        if not records:
            return 0
        if len(records) > PUT_RECORD_BATCH_LIMIT:
            raise ValueError(f"{len(records)} records in one batch: the event source mapping's "
                             f"BatchSize must stay at most {PUT_RECORD_BATCH_LIMIT}")
        answer = self.client.put_record_batch(
            DeliveryStreamName=self.stream_name,
            Records=[{"Data": r.json_line().encode("utf-8")} for r in records])
        failed = int(answer.get("FailedPutCount", 0))
        if failed:
            codes = sorted({r.get("ErrorCode", "") for r in answer.get("RequestResponses", [])
                            if r.get("ErrorCode")})
            raise DeliveryFailed(f"Firehose refused {failed} of {len(records)} decision "
                                 f"records ({', '.join(codes) or 'no code'}); the batch is "
                                 "retried by the event source mapping")
        return len(records)
