"""Issue 16, acceptance 3: template.yaml streams decisions to S3 through Firehose, with the Glue
database and table Athena queries at once; columns are the decision record's fields."""

from __future__ import annotations

from typing import Any

from tact.analytics.records import COLUMN_TYPES, DecisionRecord
from tact.analytics.stream import PUT_RECORD_BATCH_LIMIT
from tact.infra_gen import load_template
from tests.support.paths import ROOT

RESOURCES: dict[str, Any] = load_template(ROOT / "template.yaml")["Resources"]
FRESHNESS_SECONDS = 300  # README: a record reaches S3 within 5 minutes


def _props(name: str) -> dict[str, Any]:
    return RESOURCES[name]["Properties"]


def test_the_table_streams_new_images_to_the_decisions_function() -> None:
    assert _props("Table")["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    source = _props("DecisionsFunction")["Events"]["TableStream"]
    assert source["Type"] == "DynamoDB"
    assert source["Properties"]["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    patterns = [f["Pattern"] for f in source["Properties"]["FilterCriteria"]["Filters"]]
    assert any('"LOG#"' in p for p in patterns) and any('"MSG#"' in p for p in patterns)


def test_one_put_record_batch_per_invocation_and_fresh_within_five_minutes() -> None:
    mapping = _props("DecisionsFunction")["Events"]["TableStream"]["Properties"]
    assert mapping["BatchSize"] <= PUT_RECORD_BATCH_LIMIT
    assert mapping["BisectBatchOnFunctionError"] is True
    destination = _props("DecisionStream")["ExtendedS3DestinationConfiguration"]
    hints = destination["BufferingHints"]
    waited = mapping["MaximumBatchingWindowInSeconds"] + hints["IntervalInSeconds"]
    assert waited <= FRESHNESS_SECONDS / 2  # leaves room for stream and delivery latency


def test_delivery_is_compressed_encrypted_and_laid_out_by_hour() -> None:
    stream = _props("DecisionStream")
    assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyARN"] == {
        "Fn::GetAtt": ["Key", "Arn"]}
    destination = stream["ExtendedS3DestinationConfiguration"]
    assert destination["CompressionFormat"] == "GZIP"
    assert destination["Prefix"] == "decisions/"  # Firehose adds YYYY/MM/DD/HH/
    assert destination["EncryptionConfiguration"]["KMSEncryptionConfig"]["AWSKMSKeyARN"] == {
        "Fn::GetAtt": ["Key", "Arn"]}
    bucket = _props("DecisionsBucket")
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": ["Key", "Arn"]}
    retention = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert retention["DecisionRetention"]["Prefix"] == "decisions/"
    assert retention["DecisionRetention"]["ExpirationInDays"] == {"Ref": "DecisionRetentionDays"}


def test_glue_table_columns_are_the_decision_record() -> None:
    assert RESOURCES["AnalyticsDatabase"]["Type"] == "AWS::Glue::Database"
    table = _props("DecisionsTable")["TableInput"]
    columns = table["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == list(DecisionRecord.model_fields)
    assert {c["Name"]: c["Type"] for c in columns} == {
        name: glue for name, (_, glue) in COLUMN_TYPES.items()}
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == (
        "org.openx.data.jsonserde.JsonSerDe")
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.datehour.format"] == "yyyy/MM/dd/HH"  # Firehose's prefix
    assert parameters["storage.location.template"] == {
        "Fn::Sub": "s3://${DecisionsBucket}/decisions/${!datehour}/"}


def test_the_athena_workgroup_writes_encrypted_results_into_the_bucket() -> None:
    config = _props("AnalyticsWorkGroup")["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    result = config["ResultConfiguration"]
    assert result["OutputLocation"] == {"Fn::Sub": "s3://${DecisionsBucket}/athena-results/"}
    assert result["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"


def test_the_dashboard_has_one_row_per_journey() -> None:
    import json

    from tact.infra_gen import journeys_stack

    body = _props("Dashboard")["DashboardBody"]["Fn::Sub"]
    assert "${JourneyRows}" in body[0]
    assert body[1]["JourneyRows"] == {"Fn::GetAtt": ["Journeys", "Outputs.DashboardRows"]}
    stack = journeys_stack({"a": "{}", "b": "{}"}, {"a": "1", "b": "1"})
    rows = json.loads("[" + stack["Outputs"]["DashboardRows"]["Value"]["Fn::Sub"][1:] + "]")
    assert len(rows) == 6 and {w["y"] for w in rows} == {18, 24}
    assert 'journey=\\"a\\"' in json.dumps(rows[0]) and "MessagesSent" in json.dumps(rows[0])
