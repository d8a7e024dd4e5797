"""What each state of a compiled journey is: the one reading of compiled ASL that cost, the
funnel report and the backtest share, instead of each matching payload keys or comments.

A Task's role is the Lambda it invokes (the compiler's function placeholders, or a run's
ARNs for them); the quiet-hours Wait is the one whose Timestamp is the send's ``resume_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tact.journey.compiler import (
    DECIDE_FUNCTION,
    PARK_FUNCTION,
    QUIET_HOURS_RESUME,
    SEND_FUNCTION,
)

TaskRole = Literal["send", "decide", "park"]
_ROLES: dict[str, TaskRole] = {SEND_FUNCTION: "send", DECIDE_FUNCTION: "decide",
                               PARK_FUNCTION: "park"}
# Function names of local runs (tact.local.adapters) and the template's logical ids.
_NAMES: dict[str, TaskRole] = {"tact-send": "send", "tact-decide": "decide", "tact-park": "park",
                               "SendFunction": "send", "DecideFunction": "decide",
                               "ParkFunction": "park"}


@dataclass(frozen=True)
class SendState:
    step: str
    template: str
    channel: str
    purpose: str


def payload(state: dict[str, Any]) -> dict[str, Any]:
    """The Lambda payload a Task passes (empty for any other state)."""
    args = state.get("Arguments") or state.get("Parameters") or {}
    found = args.get("Payload") if isinstance(args, dict) else None
    return found if isinstance(found, dict) else {}


def task_role(state: dict[str, Any]) -> TaskRole | None:
    """``send``, ``decide`` or ``park``: which of Tact's Lambdas a Task state invokes."""
    if state.get("Type") != "Task":
        return None
    args = state.get("Arguments") or state.get("Parameters") or {}
    function = args.get("FunctionName") if isinstance(args, dict) else None
    if not isinstance(function, str):
        return None
    if function in _ROLES:
        return _ROLES[function]
    name = function.rsplit(":function:", 1)[-1].split(":", 1)[0]
    return _NAMES.get(name)


def send_of(state: dict[str, Any]) -> SendState | None:
    """The send step a state runs, or None."""
    if task_role(state) != "send":
        return None
    spec = payload(state)
    return SendState(str(spec.get("step", "")), str(spec.get("template", "")),
                     str(spec.get("channel", "")), str(spec.get("purpose") or "marketing"))


def decide_op(state: dict[str, Any]) -> str | None:
    """The decide Lambda's operation (split, bucket, holdout, wait_until, update), or None."""
    if task_role(state) != "decide":
        return None
    op = payload(state).get("op")
    return str(op) if op else None


def is_quiet_hours_wait(state: dict[str, Any]) -> bool:
    return state.get("Type") == "Wait" and state.get("Timestamp") == QUIET_HOURS_RESUME


def step_kind(state: dict[str, Any]) -> str | None:
    """What a report calls the state: ``send``, a decide operation, ``wait`` (a journey's
    wait step; not the quiet-hours wait, which belongs to its send), or None (plumbing)."""
    if send_of(state) is not None:
        return "send"
    if (op := decide_op(state)) is not None:
        return op
    if state.get("Type") == "Wait" and not is_quiet_hours_wait(state):
        return "wait"
    return None
