"""Issue 16, acceptance 2: the deployed write path on moto (server mode, so DuckDB's httpfs can
read its S3): decision items committed to the table -> the table's stream -> the real
``decisions`` handler -> Firehose PutRecordBatch -> S3; DuckDB reads them back, and
``tact report --from s3://...`` gives the same report as ``--from`` the run's local export.

The table, its stream and the delivery stream are made from template.yaml's own resources.
(The event source mapping's filter and batching are Lambda's work: the test hands the handler
the stream's records in batches of the mapping's BatchSize, unfiltered.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from tact import aws, runtime
from tact.analytics.duck import DuckRecords
from tact.cli import app
from tact.infra_gen import load_template
from tact.local.functions import load_handler
from tact.local.lambda_context import LocalLambdaContext
from tact.local.simulator import Simulation, read_events
from tact.store.base import Put
from tact.store.dynamodb import DynamoStore
from tests.support.paths import JOURNEYS, ROOT

RESOURCES = load_template(ROOT / "template.yaml")["Resources"]
EXAMPLES = JOURNEYS / "examples"
TABLE, STREAM, BUCKET = "tact-analytics-test", "tact-decisions", "tact-decisions-bucket"


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_ENDPOINT_URL": endpoint, "TACT_TABLE_NAME": TABLE,
                        "TACT_DECISION_STREAM_NAME": STREAM}.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    try:
        yield endpoint
    finally:
        runtime.reset()
        aws.reset()
        server.stop()


def _deployed_world() -> None:
    """Table (with the template's stream), bucket and delivery stream, as template.yaml says."""
    table = RESOURCES["Table"]["Properties"]
    boto3.client("dynamodb").create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=table["AttributeDefinitions"], KeySchema=table["KeySchema"],
        GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
        StreamSpecification={"StreamEnabled": True, **table["StreamSpecification"]})
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    destination = RESOURCES["DecisionStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    boto3.client("firehose").create_delivery_stream(
        DeliveryStreamName=STREAM, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "BucketARN": f"arn:aws:s3:::{BUCKET}", "Prefix": destination["Prefix"],
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "CompressionFormat": destination["CompressionFormat"],
            "BufferingHints": destination["BufferingHints"]})


def _stream_records() -> list[dict[str, Any]]:
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    found = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            found += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return found


def test_stream_firehose_s3_and_report_from_s3_agree_with_the_export(
        moto_server: str, tmp_path: Path) -> None:
    events = EXAMPLES / "winback.events.jsonl"  # holdout, conversions, sends, exits
    run = Simulation(EXAMPLES, store="memory").run(read_events(events)[0])
    export = tmp_path / "export"
    runner = CliRunner()
    exported = runner.invoke(app, ["simulate", "-e", str(events), "-j", str(EXAMPLES),
                                   "--store", "memory", "--json", "--export", str(export)])
    assert exported.exit_code == 0, exported.output

    _deployed_world()
    store = DynamoStore(TABLE)
    for customer, items in run.items.items():  # what the Lambdas committed, customer by customer
        store.write(customer, [Put(item) for item in items])
    changes = _stream_records()
    assert changes, "the table's stream carried nothing"
    batch_size = RESOURCES["DecisionsFunction"]["Properties"]["Events"]["TableStream"][
        "Properties"]["BatchSize"]
    decisions = load_handler(ROOT / "functions", "decisions")
    delivered = 0
    for start in range(0, len(changes), batch_size):
        answer = decisions({"Records": changes[start:start + batch_size]},
                           LocalLambdaContext("tact-decisions"))
        delivered += answer["delivered"]
    assert delivered == len({r.record_id for r in run.decisions})  # final item per decision

    objects = boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]
    assert all(o["Key"].startswith("decisions/") and o["Key"].count("/") == 5 for o in objects)
    assert DuckRecords(f"s3://{BUCKET}", moto_server).count() == delivered

    from_s3 = runner.invoke(app, ["report", "--from", f"s3://{BUCKET}", "-j", str(EXAMPLES),
                                  "--json"])
    assert from_s3.exit_code == 0, from_s3.output
    from_dir = runner.invoke(app, ["report", "--from", str(export), "-j", str(EXAMPLES),
                                   "--json"])
    assert from_dir.exit_code == 0, from_dir.output
    report = json.loads(from_s3.stdout)
    assert report == json.loads(from_dir.stdout)
    winback = {j["journey"]: j for j in report["journeys"]}["winback"]
    assert winback["entered"] > 0 and winback["holdout"] > 0 and winback["converted"] > 0
