"""Wait activities (and a split's evaluation wait) -> wait steps."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import PinpointError, iso_duration, slug_id

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def wait_step(conv: Converter, activity_id: str, wait: dict[str, Any],
              where: str) -> dict[str, Any]:
    if wait.get("WaitFor"):
        return {"wait": {"id": conv.unique(slug_id(activity_id)),
                         "duration": iso_duration(wait["WaitFor"], f"{where}.WaitFor")}}
    if wait.get("WaitUntil"):
        moment = str(wait["WaitUntil"])
        try:
            datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            raise PinpointError(f"{where}.WaitUntil", f"{moment!r} is not an ISO 8601 "
                                "date and time") from None
        return {"wait": {"id": conv.unique(slug_id(activity_id)),
                         "until": json.dumps(moment).replace('"', "'")},
                COMMENT: ["Pinpoint WaitUntil: a fixed date; once it has passed, customers "
                          "go straight on"]}
    raise PinpointError(where, "a Wait needs WaitFor or WaitUntil")


def evaluation_wait(conv: Converter, activity_id: str, spec: dict[str, Any],
                    where: str) -> list[dict[str, Any]]:
    wait = spec.get("EvaluationWaitTime")
    if not wait or not (wait.get("WaitFor") or wait.get("WaitUntil")):
        return []
    step = wait_step(conv, f"{activity_id}_evaluation", wait, f"{where}.EvaluationWaitTime")
    step.setdefault(COMMENT, []).insert(0, "Pinpoint evaluated the condition after this wait")
    return [step]
