"""The send Lambda's input (built by the compiled state machine) and its answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tact.journey.rules import ExitRule
from tact.models.step import StepRequest

SendStatus = Literal["sent", "suppressed", "deferred", "unknown", "failed"]
SuppressionReason = Literal[
    "no_consent", "frequency_cap", "no_address", "exited", "suppressed", "no_template",
    "render_error", "rejected",
]


class SendRequest(StepRequest):
    version: str
    entered_at: str  # exit guards compare exit events with the entry's trigger time
    channel: str
    fallback: list[str] = Field(default_factory=list)
    template: str
    purpose: Literal["marketing", "transactional"]
    exit_on: list[ExitRule] = Field(default_factory=list)


class SendResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: SendStatus
    channel: str | None = None
    reason: SuppressionReason | None = None
    resume_at: str | None = None
    at: str
    notes: list[str] = Field(default_factory=list)  # e.g. why a fallback channel was used
    message_id: str | None = None
