"""The model job's output: each artifact under its own version, then ``latest.json``.

Versioned keys are never overwritten (a bad fit can be rolled back by copying an older one to
``latest.json``); ``latest.json`` is written last, so ingest never sees a version whose own
key is missing.
"""

from __future__ import annotations

from typing import Any

from tact.recommend.artifact import Artifact
from tact.recommend.source import latest_key


def version_key(prefix: str, version: str) -> str:
    return f"{prefix}{version}.json"


def save(artifact: Artifact, bucket: str, prefix: str, client: Any = None) -> str:
    """Store the artifact; returns its versioned key."""
    if client is None:
        from tact import aws

        client = aws.client("s3")
    body = artifact.to_json().encode("utf-8")
    key = version_key(prefix, artifact.version)
    for target in (key, latest_key(prefix)):
        client.put_object(Bucket=bucket, Key=target, Body=body,
                          ContentType="application/json")
    return key
