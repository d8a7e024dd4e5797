"""What a local run reports: messages sent and not sent (why), a timeline of decisions, the
journeys' executions, each customer's items; made from the store's items once the run is over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tact.analytics.records import DecisionRecord
from tact.clock import iso
from tact.local.adapters import SM_PREFIX
from tact.local.executor import LocalStepFunctions


@dataclass
class TimelineEntry:
    at: str
    customer_id: str
    what: str
    journey: str = ""
    step: str = ""
    detail: str = ""


@dataclass
class SimulationReport:
    messages: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    rejected_events: list[dict[str, Any]] = field(default_factory=list)
    executions: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # for `tact history`
    decisions: list[DecisionRecord] = field(default_factory=list)  # as the stream would carry

    def to_json(self) -> dict[str, Any]:
        return {"messages": self.messages, "suppressed": self.suppressed}

    def add_failed_broadcast(self, execution: Any, now: datetime) -> None:
        if execution.status not in ("RUNNING", "SUCCEEDED"):
            self.timeline.append(TimelineEntry(
                iso(execution.stop or now), "", "failed",
                execution.state_machine_arn.removeprefix(SM_PREFIX).split("/")[0],
                "", f"{execution.error}: {execution.cause}"))

    def add_message(self, customer_id: str, record: dict[str, Any]) -> None:
        """A message record (MSG item): sent, or not sent and why."""
        notes = "; ".join(record.get("notes") or [])
        if record["status"] == "sent":
            self.messages.append({
                "customer_id": customer_id, "journey": record["journey"], "step": record["step"],
                "channel": record["channel"], "template": record["template"],
                "locale": record.get("locale"),
                "sent_at": record["at"], **({"notes": notes} if notes else {}),
            })
            what, detail = "sent", f"{record['channel']} {record['template']}"
            detail += f" (fallback: {notes})" if notes else ""
        else:
            reason = record.get("reason") or record["status"]
            self.suppressed.append({
                "customer_id": customer_id, "journey": record["journey"], "step": record["step"],
                "reason": reason, "at": record["at"],
                **({"detail": notes or record.get("detail", "")}
                   if (notes or record.get("detail")) else {}),
            })
            # unknown: the provider may have delivered it (never re-sent); not "not sent".
            what = "unknown" if record["status"] == "unknown" else "not sent"
            detail = f"{reason} {notes or record.get('detail', '')}".strip()
        self.timeline.append(TimelineEntry(record["at"], customer_id, what,
                                           record["journey"], record["step"], detail))

    def add_log(self, customer_id: str, item: dict[str, Any]) -> None:
        """A journey decision of the customer's log (LOG item)."""
        kind, reason = item["kind"], item.get("reason", "")
        if kind in ("deferred", "assigned"):
            return  # deferrals come from the send results; variants are not timeline events
        # ("ended": an entry that ended at an `exit` step, which the log names.)
        self.timeline.append(TimelineEntry(item["at"], customer_id, kind, item["journey"],
                                           str(item.get("step") or ""), reason))
        if kind == "skipped" and reason.startswith("exited"):
            self.suppressed.append({"customer_id": customer_id, "journey": item["journey"],
                                    "step": "(entry)", "reason": "exited",
                                    "at": item["at"], "detail": reason})
        elif kind == "stopped" and not reason.startswith("restarted"):
            self.suppressed.append({"customer_id": customer_id, "journey": item["journey"],
                                    "step": "(remaining)", "reason": "exited",
                                    "at": item["at"], "detail": reason})


def execution_record(execution: Any, executor: LocalStepFunctions) -> dict[str, Any]:
    """One entry's run, for `tact report` and `tact cost` checks: states entered, transitions."""
    entered = [h.state for h in execution.history
               if h.type.endswith("StateEntered") and h.state is not None]
    # Which branch each bucket/holdout/split task chose ({"branch": i} from the decide Lambda).
    branches: dict[str, Any] = {}
    for h in execution.history:
        output = h.detail.get("output") if h.type == "TaskSucceeded" else None
        if isinstance(output, dict) and isinstance(output.get("Payload"), dict):
            output = output["Payload"]
        if h.state and isinstance(output, dict) and "branch" in output:
            branches[h.state] = output["branch"]
    return {"journey": execution.input.get("journey", "") if isinstance(execution.input, dict)
            else "", "customer_id": execution.input.get("customer_id", "")
            if isinstance(execution.input, dict) else "", "name": execution.name,
            "status": execution.status, "start": iso(execution.start),
            "stop": iso(execution.stop) if execution.stop else None, "states": entered,
            "transitions": executor.transitions(execution.arn), "cause": execution.cause,
            "branches": branches}
