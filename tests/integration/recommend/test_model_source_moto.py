"""Ingest's copy of the model: fetched once, re-checked after the refresh interval, never
failing an event because S3 or the artifact is unavailable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from tact import aws, clock
from tact.recommend.artifact import Artifact
from tact.recommend.publish import save
from tact.recommend.source import S3ModelSource

BUCKET, PREFIX = "models", "models/nbp/"
T0 = datetime(2026, 11, 20, tzinfo=UTC)


def _artifact(customers: int) -> Artifact:
    return Artifact(fitted_at="2026-11-20T00:00:00Z", data_until="2026-11-20T00:00:00Z",
                    customers=customers, orders=customers).with_version(T0)


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    now = [T0]
    with mock_aws():
        aws.reset()
        aws.client("s3").create_bucket(Bucket=BUCKET)
        clock.use(lambda: now[0])
        try:
            yield now
        finally:
            clock.use(None)
            aws.reset()


def test_fetched_once_then_rechecked_after_the_interval(moment: list[datetime]) -> None:
    s3 = aws.client("s3")
    source = S3ModelSource(BUCKET, PREFIX, refresh_seconds=3600)
    assert source.current() is None  # nothing fitted yet: no model, no error for the event
    save(_artifact(1), BUCKET, PREFIX, s3)
    moment[0] += timedelta(minutes=30)
    assert source.current() is None  # not re-checked within the interval
    moment[0] += timedelta(minutes=30)
    first = source.current()
    assert first is not None and first.customers == 1
    moment[0] += timedelta(hours=1)
    assert source.current() == first  # unchanged (conditional GET)
    save(_artifact(2), BUCKET, PREFIX, s3)
    moment[0] += timedelta(hours=1)
    newer = source.current()
    assert newer is not None and newer.customers == 2 and newer.version != first.version


def test_a_broken_artifact_or_bucket_keeps_the_copy_in_hand(moment: list[datetime]) -> None:
    s3 = aws.client("s3")
    save(_artifact(1), BUCKET, PREFIX, s3)
    source = S3ModelSource(BUCKET, PREFIX, refresh_seconds=60)
    good = source.current()
    assert good is not None
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}latest.json", Body=b'{"format": "garbage"')
    moment[0] += timedelta(minutes=2)
    assert source.current() == good and source.error and "latest.json" in source.error
    gone = S3ModelSource("no-such-bucket", PREFIX)
    assert gone.current() is None and gone.error and "NoSuchBucket" in gone.error
