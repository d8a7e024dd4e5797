"""Compile a journey into an Amazon States Language definition (JSONata query language).

The output is the very JSON that is deployed and that the local executor runs. State names
are step ids. Each send is a Lambda task; when the send Lambda answers ``deferred`` (quiet
hours) a Choice loops through a Wait back to the same send. No decorative Pass states.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tact.journey.durations import format_duration
from tact.journey.model import Branch, Journey, SendStep, SplitStep, WaitStep

SEND_FUNCTION = "${SendFunctionArn}"
DONE = "done"
FAILED = "send_failed"
_END = object()

# Errors worth retrying: Lambda's own transient failures and our providers' throttling/5xx.
TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "ProviderTransientError",
    "StoreTransientError",
]
_INPUT = "$states.context.Execution.Input"


def _expr(text: str) -> str:
    return "{% " + text + " %}"


class _Builder:
    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.states: dict[str, dict[str, Any]] = {}
        self.names: set[str] = set()

    def name(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while candidate in self.names or candidate in (DONE, FAILED):
            candidate, n = f"{wanted}_{n}", n + 1
        self.names.add(candidate)
        return candidate

    def link(self, state: dict[str, Any], nxt: Any) -> None:
        if nxt is _END:
            state["End"] = True
        else:
            state["Next"] = nxt

    def target(self, nxt: Any) -> str:
        """A state name for places that cannot say End (Choice branches and defaults)."""
        if nxt is _END:
            self.states[DONE] = {"Type": "Succeed"}
            return DONE
        return nxt

    def chain(self, steps: list[Any], nxt: Any) -> Any:
        """Compile steps back to front; return the name of the first state (or nxt if empty)."""
        names = [self.reserve(step) for step in steps]
        for step, name in reversed(list(zip(steps, names, strict=True))):
            self.emit(step, name, nxt)
            nxt = name
        return nxt

    def reserve(self, step: Any) -> str:
        if isinstance(step, SendStep):
            return self.name(step.send.id)
        if isinstance(step, WaitStep):
            return self.name(step.wait.id or f"wait_{format_duration(step.wait.duration)}")
        if isinstance(step, SplitStep):
            return self.name(step.id or "split")
        raise TypeError(f"unsupported step {step!r}")

    def emit(self, step: Any, name: str, nxt: Any) -> None:
        if isinstance(step, WaitStep):
            state: dict[str, Any] = {"Type": "Wait", "Seconds": step.wait.duration}
            self.link(state, nxt)
            self.states[name] = state
        elif isinstance(step, SendStep):
            self.emit_send(step, name, nxt)
        elif isinstance(step, SplitStep):
            self.emit_split(step, name, nxt)

    def emit_send(self, step: SendStep, name: str, nxt: Any) -> None:
        spec = step.send
        deferred_choice, quiet_wait = f"{name}_deferred", f"{name}_quiet_hours"
        self.names.update({deferred_choice, quiet_wait})
        payload = {
            "journey": self.journey.id,
            "step": spec.id,
            "channel": spec.channel,
            "fallback": list(spec.fallback),
            "template": spec.template,
            "purpose": self.journey.purpose,
            "exit_on": [r.model_dump(exclude_none=True) for r in self.journey.exit_on],
            "execution": _expr("$states.context.Execution.Name"),
            "customer_id": _expr(f"{_INPUT}.customer_id"),
            "version": _expr(f"{_INPUT}.version"),
            "entered_at": _expr(f"{_INPUT}.entered_at"),
            "trigger": _expr(f"{_INPUT}.trigger"),
        }
        self.states[name] = {
            "Type": "Task",
            "Comment": f"send {spec.template} ({spec.channel})",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": SEND_FUNCTION, "Payload": payload},
            "Output": _expr("$states.result.Payload"),
            "Retry": [
                {
                    "ErrorEquals": TRANSIENT_ERRORS,
                    "IntervalSeconds": 2,
                    "MaxAttempts": 6,
                    "BackoffRate": 2.0,
                    "MaxDelaySeconds": 300,
                    "JitterStrategy": "FULL",
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": FAILED,
                       "Output": _expr("$states.errorOutput")}],
            "Next": deferred_choice,
        }
        self.states[deferred_choice] = {
            "Type": "Choice",
            "Choices": [{"Condition": _expr("$states.input.status = 'deferred'"),
                         "Next": quiet_wait}],
            "Default": self.target(nxt),
        }
        self.states[quiet_wait] = {
            "Type": "Wait",
            "Comment": "quiet hours: resume at the next allowed minute in the customer's zone",
            "Timestamp": _expr("$states.input.resume_at"),
            "Next": name,
        }
        self.states.setdefault(FAILED, {
            "Type": "Fail",
            "Error": "Tact.SendFailed",
            "Cause": "the send Lambda failed after its retries; see the execution history",
        })

    def emit_split(self, step: SplitStep, name: str, nxt: Any) -> None:
        choices, default = [], None
        for branch in step.split:
            if isinstance(branch, Branch):
                first = self.target(self.chain(branch.steps, nxt))
                condition = f"{_INPUT}.context.({branch.if_}) = true"
                choices.append({"Condition": _expr(condition), "Next": first})
            else:
                default = self.target(self.chain(branch.else_, nxt))
        self.states[name] = {
            "Type": "Choice",
            "Comment": "conditions on the customer and trigger data; first match wins",
            "Choices": choices,
            "Default": default if default is not None else self.target(nxt),
        }


def compile_journey(journey: Journey) -> dict[str, Any]:
    builder = _Builder(journey)
    start = builder.chain(journey.steps, _END)
    ordered = {name: builder.states[name] for name in _order(builder.states, start)}
    return {
        "Comment": f"Tact journey {journey.id}: {journey.name}",
        "QueryLanguage": "JSONata",
        "StartAt": start,
        "States": ordered,
    }


def _order(states: dict[str, dict[str, Any]], start: str) -> list[str]:
    """States in reading order (depth first from StartAt), so diffs of generated files read well."""
    seen: list[str] = []
    stack = [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.append(name)
        state = states[name]
        nexts = [state.get("Next"), state.get("Default")]
        nexts += [c["Next"] for c in state.get("Choices", [])]
        nexts += [c["Next"] for c in state.get("Catch", [])]
        stack.extend(reversed([n for n in nexts if n]))
    return seen + [n for n in states if n not in seen]


def definition_json(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2, sort_keys=False) + "\n"


def journey_version(journey: Journey, definition: dict[str, Any]) -> str:
    """Content hash of what the journey does: changes whenever its behaviour could."""
    runtime = journey.model_dump(mode="json", include={"trigger", "exit_on", "reentry", "purpose"})
    blob = json.dumps([definition, runtime], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]
