"""Unit prices (USD) behind ``tact cost``. Dated, because AWS prices change; every field can be
overridden in ``settings.yaml`` under ``prices:`` (e.g. your region's or your negotiated rates).

The built-in figures are AWS's public on-demand list prices for us-east-1 as the project
knows them on ``as_of``; they were not fetched from AWS (no network here), so check them
against the pricing pages for your region and override what differs. The Pinpoint figures
are its last list prices before end of support (2026-10-30), for comparison only.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

BUILT_IN_REGION = "us-east-1"


class Prices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: str = Field(default="2026-11-01", description="date the prices were read")
    region: str = BUILT_IN_REGION
    # Step Functions Standard workflows
    step_functions_transition: float = Field(default=0.025 / 1000, ge=0)
    # Lambda on arm64, as template.yaml deploys it (x86 would be 0.0000166667 per GB-s)
    lambda_request: float = Field(default=0.20 / 1_000_000, ge=0)
    lambda_gb_second: float = Field(default=0.0000133334, ge=0)
    # DynamoDB on-demand (request units)
    dynamodb_read_unit: float = Field(default=0.125 / 1_000_000, ge=0)
    dynamodb_write_unit: float = Field(default=0.625 / 1_000_000, ge=0)
    # Event transport
    eventbridge_event: float = Field(default=1.00 / 1_000_000, ge=0)
    sqs_request: float = Field(default=0.40 / 1_000_000, ge=0)
    # Channels
    ses_email: float = Field(default=0.10 / 1000, ge=0)
    sms_message: float = Field(default=0.00883, ge=0,
                               description="US long code incl. carrier fee; varies by country")
    push_message: float = Field(default=0.50 / 1_000_000, ge=0, description="SNS mobile push")
    webhook_message: float = Field(default=0.0, ge=0, description="only the Lambda time")
    # Amazon Pinpoint (for the comparison)
    pinpoint_endpoint_month: float = Field(default=0.0012, ge=0,
                                           description="monthly targeted audience, per endpoint")
    pinpoint_event: float = Field(default=1.00 / 1_000_000, ge=0)
    pinpoint_email: float = Field(default=0.10 / 1000, ge=0)
    pinpoint_push: float = Field(default=1.00 / 1_000_000, ge=0)
    pinpoint_custom: float = Field(default=0.0, ge=0)
    # Assumptions about our own functions and data (not prices, but they set the bill)
    send_lambda_ms: float = Field(default=120, gt=0, description="mean send Lambda duration")
    ingest_lambda_ms: float = Field(default=60, gt=0, description="mean ingest Lambda duration")
    lambda_memory_mb: int = Field(default=256, ge=128)
    customer_partition_kb: float = Field(default=6, gt=0,
                                         description="size of one customer's items (one Query)")
    quiet_hours_share: float = Field(default=0.2, ge=0, le=1,
                                     description="share of sends deferred by quiet hours once")
    sqs_requests_per_event: float = Field(default=3, ge=0,
                                          description="send + receive + delete, unbatched")
