"""What the broadcast functions need of a broadcast file, carried in the bundle."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from tact.broadcast.model import Broadcast, BroadcastSend, LocalTime
from tact.journey.rules import Purpose


class BroadcastRuntime(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    condition: str  # the segment's JSONata condition (a referenced segment resolved)
    purpose: Purpose
    send: BroadcastSend
    at: LocalTime | datetime
    throttle: float | None = None
    holdout: float = 0.0

    def definition(self) -> Broadcast:
        """The broadcast as the waves module reads it (segment already resolved)."""
        return Broadcast(id=self.id, name=self.id, segment=self.condition, purpose=self.purpose,
                         send=self.send, at=self.at, throttle=self.throttle,
                         holdout=self.holdout)


def runtime_of(broadcast: Broadcast, condition: str) -> BroadcastRuntime:
    body = {**broadcast.model_dump(mode="json", exclude={"name", "description", "when"}),
            "segment": condition}
    version = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    return BroadcastRuntime(id=broadcast.id, version=version, condition=condition,
                            purpose=broadcast.purpose, send=broadcast.send, at=broadcast.at,
                            throttle=broadcast.throttle, holdout=broadcast.holdout)
