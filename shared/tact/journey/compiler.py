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
from tact.journey.model import (
    AbSplitStep,
    Branch,
    ExitStep,
    GoalStep,
    Journey,
    SendStep,
    SplitStep,
    UpdateStep,
    WaitForStep,
    WaitStep,
)

SEND_FUNCTION = "${SendFunctionArn}"
DECIDE_FUNCTION = "${DecideFunctionArn}"
PARK_FUNCTION = "${ParkFunctionArn}"
# The Wait a send loops through while the customer is in quiet hours (see journey/states.py).
QUIET_HOURS_RESUME = "{% $states.input.resume_at %}"
DONE = "done"
FAILED = "send_failed"
STEP_FAILED = "step_failed"
CONTROL = "holdout_control"
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
        while candidate in self.names or candidate in (DONE, FAILED, STEP_FAILED, CONTROL):
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
        steps = [s for s in steps if not isinstance(s, GoalStep)]  # goals are journey-wide
        names = [self.reserve(step) for step in steps]
        for step, name in reversed(list(zip(steps, names, strict=True))):
            self.emit(step, name, nxt)
            nxt = name
        return nxt

    def reserve(self, step: Any) -> str:
        if isinstance(step, SendStep):
            return self.name(step.send.id)
        if isinstance(step, WaitStep):
            if step.wait.duration is None:
                until = (step.wait.until or "").replace(":", "")
                default = f"wait_until_{until}" if step.wait.until_time_of_day() else "wait_until"
                return self.name(step.wait.id or default)
            return self.name(step.wait.id or f"wait_{format_duration(step.wait.duration)}")
        if isinstance(step, SplitStep):
            return self.name(step.id or "split")
        if isinstance(step, AbSplitStep):
            return self.name(step.id)
        if isinstance(step, UpdateStep):
            return self.name(step.update.id)
        if isinstance(step, ExitStep):
            return self.name(step.exit.id or "exit")
        if isinstance(step, WaitForStep):
            return self.name(step.wait_for.id)
        raise TypeError(f"unsupported step {step!r}")

    def emit(self, step: Any, name: str, nxt: Any) -> None:
        if isinstance(step, WaitStep) and step.wait.duration is None:
            self.emit_wait_until(step, name, nxt)
        elif isinstance(step, WaitStep):
            state: dict[str, Any] = {"Type": "Wait", "Seconds": step.wait.duration}
            self.link(state, nxt)
            self.states[name] = state
        elif isinstance(step, AbSplitStep):
            self.emit_ab_split(step, name, nxt)
        elif isinstance(step, UpdateStep):
            spec = step.update
            self.states[name] = self.decide_task(
                "update", spec.id, {"set": dict(spec.set), "add_tags": list(spec.add_tags)},
                f"update profile: {', '.join([*spec.set, *(['tags'] if spec.add_tags else [])])}")
            self.link(self.states[name], nxt)
        elif isinstance(step, ExitStep):
            # The exit is written to the customer's log (a decision record, locally and from
            # the table's stream), then the execution ends: a bare Succeed would leave no trace.
            self.states[name] = self.decide_task("exit", name, {"reason": step.exit.reason},
                                                 f"exit: {step.exit.reason}")
            self.states[name]["End"] = True
        elif isinstance(step, SendStep):
            self.emit_send(step, name, nxt)
        elif isinstance(step, SplitStep):
            self.emit_split(step, name, nxt)
        elif isinstance(step, WaitForStep):
            self.emit_wait_for(step, name, nxt)

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
            "Timestamp": QUIET_HOURS_RESUME,
            "Next": name,
        }
        self.states.setdefault(FAILED, {
            "Type": "Fail",
            "Error": "Tact.SendFailed",
            "Cause": "the send Lambda failed after its retries; see the execution history",
        })

    def decide_task(self, op: str, step_id: str, fields: dict[str, Any],
                    comment: str) -> dict[str, Any]:
        """A call of the decide Lambda, which reads the customer's partition fresh."""
        payload = {
            "op": op,
            "journey": self.journey.id,
            "step": step_id,
            **fields,
            "execution": _expr("$states.context.Execution.Name"),
            "customer_id": _expr(f"{_INPUT}.customer_id"),
            "version": _expr(f"{_INPUT}.version"),
            "entered_at": _expr(f"{_INPUT}.entered_at"),
            "trigger": _expr(f"{_INPUT}.trigger"),
        }
        self.states.setdefault(STEP_FAILED, {
            "Type": "Fail",
            "Error": "Tact.StepFailed",
            "Cause": "the decide Lambda failed after its retries; see the execution history",
        })
        return {
            "Type": "Task",
            "Comment": comment,
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": DECIDE_FUNCTION, "Payload": payload},
            "Output": _expr("$states.result.Payload"),
            "Retry": [{"ErrorEquals": TRANSIENT_ERRORS, "IntervalSeconds": 2, "MaxAttempts": 6,
                       "BackoffRate": 2.0, "MaxDelaySeconds": 300, "JitterStrategy": "FULL"}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": STEP_FAILED,
                       "Output": _expr("$states.errorOutput")}],
        }

    def branch_choice(self, name: str, firsts: list[Any], default: Any, comment: str) -> None:
        """Task ``name`` answers ``{"branch": i}``; its Choice ``name_branch`` goes there."""
        choice = f"{name}_branch"
        self.names.add(choice)
        self.states[name]["Next"] = choice
        self.states[choice] = {
            "Type": "Choice",
            "Comment": comment,
            "Choices": [{"Condition": _expr(f"$states.input.branch = {i}"), "Next": first}
                        for i, first in enumerate(firsts)],
            "Default": default,
        }

    def emit_split(self, step: SplitStep, name: str, nxt: Any) -> None:
        conditions: list[str | None] = []
        firsts: list[Any] = []
        default = None
        for branch in step.split:
            if isinstance(branch, Branch):
                conditions.append(branch.if_)
                firsts.append(self.target(self.chain(branch.steps, nxt)))
            else:
                default = self.target(self.chain(branch.else_, nxt))
        self.states[name] = self.decide_task(
            "split", step.id or name, {"conditions": conditions},
            "conditions on fresh customer data and the trigger; first match wins")
        self.branch_choice(name, firsts, default if default is not None else self.target(nxt),
                           "the branch the decide Lambda chose (-1: none matched)")

    def emit_ab_split(self, step: AbSplitStep, name: str, nxt: Any) -> None:
        firsts = [self.target(self.chain(v.steps, nxt)) for v in step.ab_split]
        weights = [v.weight for v in step.ab_split]
        self.states[name] = self.decide_task(
            "bucket", step.id, {"weights": weights, "variants": [v.name for v in step.ab_split]},
            "deterministic bucket from sha256(journey, split, customer) by weights "
            + ", ".join(f"{v.name}={v.weight:g}" for v in step.ab_split))
        self.branch_choice(name, firsts, firsts[-1], "the variant of this customer")

    def emit_wait_until(self, step: WaitStep, name: str, nxt: Any) -> None:
        spec = step.wait
        timer = f"{name}_timer"
        self.names.add(timer)
        fields: dict[str, Any] = {"until": spec.until}
        if spec.at:
            fields["at"] = spec.at
        self.states[name] = self.decide_task(
            "wait_until", spec.id or name, fields,
            f"until {spec.until}{' at ' + spec.at if spec.at else ''} in the customer's zone")
        self.states[name]["Next"] = timer
        state: dict[str, Any] = {"Type": "Wait", "Timestamp": _expr("$states.input.until")}
        self.link(state, nxt)
        self.states[timer] = state

    def emit_wait_for(self, step: WaitForStep, name: str, nxt: Any) -> None:
        """Park the task token with the customer (park Lambda); ingest's SendTaskSuccess on a
        matching event goes to on_event, TimeoutSeconds (States.Timeout) to on_timeout."""
        spec = step.wait_for
        on_event = self.target(self.chain(spec.on_event, nxt))
        on_timeout = self.target(self.chain(spec.on_timeout, nxt))
        payload = {
            "journey": self.journey.id,
            "step": spec.id,
            "event": spec.event,
            "when": spec.when,
            "timeout": spec.timeout,
            "token": _expr("$states.context.Task.Token"),
            "since": _expr("$states.context.State.EnteredTime"),
            "execution": _expr("$states.context.Execution.Name"),
            "customer_id": _expr(f"{_INPUT}.customer_id"),
            "entered_at": _expr(f"{_INPUT}.entered_at"),
            "trigger": _expr(f"{_INPUT}.trigger"),
        }
        self.states.setdefault(STEP_FAILED, {
            "Type": "Fail",
            "Error": "Tact.StepFailed",
            "Cause": "a Lambda of the journey failed after its retries; see the execution history",
        })
        self.states[name] = {
            "Type": "Task",
            "Comment": f"wait up to {format_duration(spec.timeout)} for {spec.event}",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Arguments": {"FunctionName": PARK_FUNCTION, "Payload": payload},
            "TimeoutSeconds": spec.timeout,
            "Retry": [{"ErrorEquals": TRANSIENT_ERRORS, "IntervalSeconds": 2, "MaxAttempts": 6,
                       "BackoffRate": 2.0, "MaxDelaySeconds": 300, "JitterStrategy": "FULL"}],
            "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": on_timeout},
                      {"ErrorEquals": ["States.ALL"], "Next": STEP_FAILED,
                       "Output": _expr("$states.errorOutput")}],
            "Next": on_event,
        }

    def emit_holdout(self, start: str) -> str:
        name = self.name("holdout")
        self.states[name] = self.decide_task(
            "holdout", "holdout", {"share": self.journey.holdout},
            f"{self.journey.holdout:.0%} of entrants form the control group: tracked, not sent to")
        self.states[CONTROL] = {"Type": "Succeed", "Comment": "control group: receives nothing"}
        self.branch_choice(name, [CONTROL], start, "control group or treatment")
        return name


def compile_journey(journey: Journey) -> dict[str, Any]:
    builder = _Builder(journey)
    start = builder.target(builder.chain(journey.steps, _END))
    if journey.holdout > 0:
        start = builder.emit_holdout(start)
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
    extra = {"goals": [g.model_dump(mode="json") for g in journey.goals()],
             "reentry_interval": journey.reentry_interval}
    if any(extra.values()):  # only when used, so older journeys keep their version
        runtime["extra"] = extra
    blob = json.dumps([definition, runtime], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]
