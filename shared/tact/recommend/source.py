"""Ingest's copy of the newest artifact: read from S3 once per container, re-checked hourly.

The model job writes ``<prefix>latest.json`` (and an immutable ``<prefix><version>.json``).
Ingest fetches ``latest.json`` on the first purchase a container processes, and again at most
once per ``refresh_seconds`` (a conditional GET: unchanged, S3 answers 304 without a body).
Scoring is never worth failing an event for: while S3 cannot be read, the copy in hand stays
(or, before the first success, purchases are stored without the model's attributes).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tact import clock

if TYPE_CHECKING:
    from tact.recommend.artifact import Artifact

LATEST = "latest.json"


def latest_key(prefix: str) -> str:
    return f"{prefix}{LATEST}"


class S3ModelSource:
    def __init__(self, bucket: str, prefix: str, refresh_seconds: int = 3600,
                 client: Any = None) -> None:
        self.bucket, self.key = bucket, latest_key(prefix)
        self.refresh = timedelta(seconds=refresh_seconds)
        self._client = client
        self._artifact: Artifact | None = None
        self._etag: str | None = None
        self._checked: datetime | None = None
        self.error: str | None = None  # the last reason the copy could not be refreshed

    @property
    def client(self) -> Any:
        if self._client is None:
            from tact.aws import client

            self._client = client("s3")
        return self._client

    def current(self) -> Artifact | None:
        now = clock.now()
        if self._checked is None or now - self._checked >= self.refresh:
            self._checked = now
            self._fetch()
        return self._artifact

    def _fetch(self) -> None:
        # Imported on the first purchase, not when ingest's dependencies are built.
        from botocore.exceptions import BotoCoreError, ClientError
        from pydantic import ValidationError

        from tact.recommend.artifact import Artifact

        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if self._etag:
            kwargs["IfNoneMatch"] = self._etag
        try:
            response = self.client.get_object(**kwargs)
            artifact = Artifact.from_json(response["Body"].read())
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code not in ("304", "NotModified"):
                self.error = f"s3://{self.bucket}/{self.key}: {code or err}"
            return
        except (BotoCoreError, ValidationError, ValueError) as err:
            self.error = f"s3://{self.bucket}/{self.key}: {err}"
            return
        self._artifact, self._etag, self.error = artifact, response.get("ETag"), None
