"""The send Lambda's input (built by the compiled state machine) and its answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tact.journey.model import ExitRule

SendStatus = Literal["sent", "suppressed", "deferred", "unknown", "failed"]
SuppressionReason = Literal[
    "no_consent", "frequency_cap", "no_address", "exited", "suppressed", "no_template",
    "render_error", "rejected",
]


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    journey: str
    version: str
    step: str
    execution: str = Field(min_length=1)
    customer_id: str
    entered_at: str
    channel: str
    fallback: list[str] = Field(default_factory=list)
    template: str
    purpose: Literal["marketing", "transactional"]
    exit_on: list[ExitRule] = Field(default_factory=list)
    trigger: dict[str, Any] = Field(default_factory=dict)


class SendResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: SendStatus
    channel: str | None = None
    reason: SuppressionReason | None = None
    resume_at: str | None = None
    at: str
    notes: list[str] = Field(default_factory=list)  # e.g. why a fallback channel was used
    message_id: str | None = None
