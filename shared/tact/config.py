"""Runtime configuration of the Lambda functions, from environment variables.

A pydantic model filled from ``TACT_*`` variables (names in any case, as pydantic-settings
reads them). Not pydantic-settings itself: its import (every settings source, argparse for its
CLI source, dotenv) cost every function's cold start about half a ``boto3`` import, for one
flat model of strings and numbers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, SecretStr

ENV_PREFIX = "TACT_"


class RuntimeConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(description="the single DynamoDB table")
    bundle_path: str = Field(
        default="bundle.json", description="journeys, settings and templates, built by `tact build`"
    )
    state_machine_prefix: str = Field(
        default="", description="ARN of the journey state machines up to the journey id"
    )
    state_machine_alias: str = "live"
    public_url: str = Field(
        default="https://example.invalid", description="base URL of the preferences API"
    )
    signing_key: SecretStr = Field(
        default=SecretStr(""), description="HMAC key for unsubscribe and preference tokens"
    )
    previous_signing_key: SecretStr = Field(
        default=SecretStr(""), description="the key before the last rotation: its links still "
        "verify (locally; deployed, the secret's AWSPREVIOUS version)"
    )
    signing_key_secret_arn: str | None = Field(
        default=None, description="Secrets Manager secret holding the signing key (deployed)"
    )
    email_configuration_set: str | None = None
    sms_origination_identity: str | None = Field(
        default=None, description="End User Messaging phone number, pool or sender id for SMS"
    )
    sms_configuration_set: str | None = None
    push_platform_application_arn: str | None = Field(
        default=None, description="the SNS platform application whose endpoints push may "
        "target; ingest refuses any other push_endpoint"
    )
    webhook_url: str | None = Field(
        default=None, description="https endpoint of the webhook channel"
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="HMAC-SHA256 key signing webhook requests"
    )
    dead_letter_queue_url: str | None = Field(
        default=None, description="where events that can never be processed are parked"
    )
    max_receive_count: int | None = Field(
        default=None, description="the event queue's RedrivePolicy maxReceiveCount: on the last "
        "attempt a failing event is dead-lettered with its reason instead of redriven without one"
    )
    event_bus_name: str = Field(default="default", description="the bus Tact's own events go to")
    decision_stream_name: str = Field(
        default="", description="Firehose delivery stream of decision records (analytics)")
    model_bucket: str | None = Field(
        default=None, description="S3 bucket of the fitted next-best/propensity model "
        "(written by the model job, read by ingest); unset: no model attributes")
    model_prefix: str = Field(default="models/nbp/", description="key prefix of the model")
    model_refresh_seconds: int = Field(
        default=3600, ge=60, description="how often ingest re-checks for a newer model")


    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> RuntimeConfig:
        """``TACT_TABLE_NAME`` -> ``table_name``...; other variables are ignored."""
        values = {name: value for key, value in environ.items()
                  if key.upper().startswith(ENV_PREFIX)
                  and (name := key[len(ENV_PREFIX):].lower()) in cls.model_fields}
        return cls.model_validate(values)


@cache
def runtime_config() -> RuntimeConfig:
    return RuntimeConfig.from_environment()
