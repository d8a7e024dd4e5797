"""A state without Output or Assign hands its input on as its output; one with them evaluates
them against $states (input, context, result) and the variables from before the state."""

from __future__ import annotations

from datetime import UTC, datetime

from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions

SM = "arn:aws:states:us-east-1:123456789012:stateMachine:journey"
STATES = {
    "Pick": {"Type": "Choice", "Choices": [
        {"Condition": "{% $states.input.n > 1 %}", "Assign": {"big": "{% $states.input.n %}"},
         "Next": "Hold"}], "Default": "Hold"},
    "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Plain"},
    "Plain": {"Type": "Pass", "Next": "Shaped"},
    "Shaped": {"Type": "Pass", "Assign": {"big": "{% $big + 1 %}"}, "Output": {
        "state": "{% $states.context.State.Name %}", "big": "{% $big %}",
        "entered": "{% $states.context.State.EnteredTime %}", "n": "{% $states.input.n %}"},
        "Next": "Done"},
    "Done": {"Type": "Succeed"},
}


def test_outputs_of_states_with_and_without_output_or_assign() -> None:
    clock = VirtualClock(datetime(2026, 1, 1, 9, tzinfo=UTC))
    executor = LocalStepFunctions(clock, {})
    executor.register_state_machine(SM, {"QueryLanguage": "JSONata", "StartAt": "Pick",
                                         "States": STATES})
    arn = executor.start_execution(SM, "one", {"n": 2, "keep": [1.5, {"a": None}]})
    clock.run_until(None)
    execution = executor.describe_execution(arn)
    exits = {h.state: h.detail["output"] for h in execution.history
             if h.type.endswith("StateExited")}
    for name in ("Pick", "Hold", "Plain"):
        assert exits[name] == {"n": 2, "keep": [1.5, {"a": None}]}
    assert exits["Shaped"] == {"state": "Shaped", "big": 2, "n": 2,
                               "entered": "2026-01-01T09:01:00Z"}
    assert execution.status == "SUCCEEDED" and execution.output == exits["Shaped"]
