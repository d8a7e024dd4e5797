"""What every Lambda a journey's state machine invokes is told: whose entry, which step.

The compiled definitions fill these fields from the execution's context and input, so the
send, decide and park functions all read them the same way.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StepRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    journey: str
    step: str
    execution: str = Field(min_length=1)
    customer_id: str
    version: str = ""
    entered_at: str = ""
    trigger: dict[str, Any] = Field(default_factory=dict)
