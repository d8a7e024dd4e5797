"""The local Step Functions executor and the virtual clock, all on virtual time."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tact import clock as tact_clock
from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions
from tact.local.stepfunctions.errors import (
    ExecutionAlreadyExists,
    InvalidDefinition,
    InvalidName,
    LambdaTimeout,
    TaskDoesNotExist,
    UnsupportedDefinition,
)

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
REGION, ACCOUNT = "us-east-1", "123456789012"
SM = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:journey"
SEND_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-send"
WAIT_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tact-wait-for-event"
SUBSTITUTIONS = {"SendFunctionArn": SEND_ARN, "WaitForEventFunctionArn": WAIT_ARN}
INVOKE = "arn:aws:states:::lambda:invoke"
INVOKE_WAIT = "arn:aws:states:::lambda:invoke.waitForTaskToken"


class ProviderTransientError(Exception):
    pass


class Throttled(Exception):
    error_type = "Provider.Throttled"


# --------------------------------------------------------------------------- fixtures


def definition(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": start or next(iter(states)),
        "States": states,
        **top,
    }


def send_task(next_or_end: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": INVOKE,
        "Arguments": {"FunctionName": "${SendFunctionArn}", "Payload": "{% $states.input %}"},
        "Output": "{% $states.result.Payload %}",
        **fields,
        **next_or_end,
    }


def wait_for_event_task(next_or_end: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": INVOKE_WAIT,
        "Arguments": {
            "FunctionName": "${WaitForEventFunctionArn}",
            "Payload": {
                "token": "{% $states.context.Task.Token %}",
                "execution": "{% $states.context.Execution.Id %}",
            },
        },
        **fields,
        **next_or_end,
    }


END = {"End": True}

# A realistic abandoned-cart journey: wait 2 h, remind, wait for a purchase up to 24 h, branch.
CART_JOURNEY = definition(
    {
        "Wait 2h": {"Type": "Wait", "Seconds": 7200, "Next": "Reminder 1"},
        "Reminder 1": send_task(
            {"Next": "Wait for purchase"},
            Assign={"reminded": "{% $states.result.Payload.sent %}"},
            Retry=[
                {
                    "ErrorEquals": ["ProviderTransientError"],
                    "IntervalSeconds": 1,
                    "BackoffRate": 2,
                    "MaxAttempts": 3,
                }
            ],
            Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Give up"}],
        ),
        "Wait for purchase": wait_for_event_task(
            {"Next": "Purchased?"},
            TimeoutSeconds=86400,
            Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Big cart?"}],
        ),
        "Purchased?": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.event = 'purchase' %}", "Next": "Done"}],
            "Default": "Big cart?",
        },
        "Big cart?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $states.context.Execution.Input.cart.value > 100 %}",
                    "Next": "VIP reminder",
                }
            ],
            "Default": "Done",
        },
        "VIP reminder": send_task(END),
        "Give up": {"Type": "Fail", "Error": "SendFailed", "Cause": "{% $states.input.Cause %}"},
        "Done": {"Type": "Succeed"},
    },
    Comment="abandoned cart",
    TimeoutSeconds=604800,
)


class World:
    """A clock, an executor and a log of every Lambda call with its virtual time."""

    def __init__(self, **handlers: Callable[[dict[str, Any]], Any]) -> None:
        self.clock = VirtualClock(T0)
        self.calls: list[tuple[str, datetime, Any]] = []
        self.tokens: list[str] = []
        functions = {SEND_ARN: self._logged("send", handlers.get("send", lambda p: {"sent": True}))}
        functions[WAIT_ARN] = self._logged("wait", handlers.get("wait", self._keep_token))
        self.sfn = LocalStepFunctions(self.clock, functions)

    def _logged(self, name: str, fn: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Any]:
        def handler(payload: Any) -> Any:
            self.calls.append((name, self.clock.now(), payload))
            return fn(payload)

        return handler

    def _keep_token(self, payload: dict[str, Any]) -> None:
        self.tokens.append(payload["token"])

    def register(self, document: dict[str, Any], arn: str = SM) -> None:
        self.sfn.register_state_machine(arn, document, SUBSTITUTIONS)

    def start(self, document: dict[str, Any], data: Any = None, name: str = "run-1") -> str:
        self.register(document)
        return self.sfn.start_execution(SM, name, {} if data is None else data)

    def times(self, name: str) -> list[timedelta]:
        return [t - T0 for n, t, _ in self.calls if n == name]


def failing(times: int, exc: Callable[[], Exception], result: Any = None) -> Callable[[Any], Any]:
    """A handler that raises ``exc()`` on its first ``times`` calls, then returns ``result``."""
    remaining = [times]

    def handler(_: Any) -> Any:
        if remaining[0] > 0:
            remaining[0] -= 1
            raise exc()
        return {"sent": True} if result is None else result

    return handler


# --------------------------------------------------------------------------- virtual clock


def test_clock_runs_callbacks_in_time_then_insertion_order_and_never_goes_back() -> None:
    clock = VirtualClock(T0)
    seen: list[tuple[str, datetime]] = []

    def note(label: str) -> Callable[[], None]:
        return lambda: seen.append((label, clock.now()))

    clock.call_at(T0 + timedelta(hours=2), note("b"))
    clock.call_at(T0 + timedelta(hours=1), note("a"))
    clock.call_at(T0 + timedelta(hours=2), note("c"))
    clock.call_at(T0 - timedelta(days=1), note("past"))
    assert clock.pending() == 4 and clock.next_time() == T0

    clock.run_until(T0 + timedelta(hours=1, minutes=30))
    assert seen == [("past", T0), ("a", T0 + timedelta(hours=1))]
    assert clock.now() == T0 + timedelta(hours=1, minutes=30)
    assert clock.next_time() == T0 + timedelta(hours=2)

    clock.run_until()
    assert [label for label, _ in seen] == ["past", "a", "b", "c"]
    assert clock.now() == T0 + timedelta(hours=2) and clock.pending() == 0
    with pytest.raises(ValueError):
        clock.run_until(T0)


def test_clock_callbacks_can_schedule_more_work_within_the_same_run() -> None:
    clock = VirtualClock(T0)
    seen: list[datetime] = []

    def tick() -> None:
        seen.append(clock.now())
        if len(seen) < 3:
            clock.call_later(60, tick)

    clock.call_later(60, tick)
    clock.run_until(T0 + timedelta(minutes=10))
    assert seen == [T0 + timedelta(minutes=m) for m in (1, 2, 3)]


def test_installed_clock_is_what_product_code_sees() -> None:
    clock = VirtualClock(T0)
    with clock.installed():
        clock.advance(timedelta(days=3))
        assert tact_clock.now() == T0 + timedelta(days=3)
    assert tact_clock.now() > datetime(2025, 1, 1, tzinfo=UTC)  # wall clock again


def test_clock_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        VirtualClock(datetime(2026, 1, 1))


# --------------------------------------------------------------------------- Wait and Task


def test_wait_then_task_calls_the_lambda_at_exactly_two_hours() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Wait": {"Type": "Wait", "Seconds": 7200, "Next": "Send"},
                "Send": send_task(END),
            }
        ),
        {"customer": "c-1"},
    )

    assert world.calls == []
    assert world.sfn.describe_execution(arn).status == "RUNNING"
    world.clock.run_until(T0 + timedelta(seconds=7199))
    assert world.calls == []
    world.clock.run_until()

    assert world.calls == [("send", T0 + timedelta(hours=2), {"customer": "c-1"})]
    execution = world.sfn.describe_execution(arn)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"sent": True}
    assert execution.stop == T0 + timedelta(hours=2)
    entered = [(e.state, e.time - T0) for e in execution.history if e.type.endswith("Entered")]
    assert entered == [("Wait", timedelta(0)), ("Send", timedelta(hours=2))]
    assert world.sfn.transitions(arn) == 2


def test_task_result_has_the_optimized_lambda_shape_by_default() -> None:
    world = World(send=lambda p: {"id": "m-1"})
    state = send_task(END)
    del state["Output"]  # JSONata's default Task output is $states.result
    arn = world.start(definition({"Send": state}))
    assert world.sfn.describe_execution(arn).output == {
        "Payload": {"id": "m-1"},
        "StatusCode": 200,
        "ExecutedVersion": "$LATEST",
    }


def test_timestamp_wait_resumes_at_the_timestamp_and_past_timestamps_do_not_wait() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Until": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "Next": "Send"},
                "Send": send_task(END),
            }
        ),
        {"at": "2026-01-02T10:00:00Z"},
    )
    world.clock.run_until()
    assert world.times("send") == [timedelta(days=1, hours=1)]
    assert world.sfn.describe_execution(arn).status == "SUCCEEDED"

    past = world.sfn.start_execution(SM, "run-2", {"at": "2025-12-31T00:00:00Z"})
    assert world.sfn.describe_execution(past).status == "SUCCEEDED"  # no timer needed
    assert world.times("send")[-1] == world.clock.now() - T0


def test_wait_seconds_from_an_expression_must_be_a_non_negative_integer() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Wait": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True},
            }
        ),
        {"s": -5},
    )
    execution = world.sfn.describe_execution(arn)
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert "Seconds" in (execution.cause or "")


# --------------------------------------------------------------------------- Retry and Catch


def test_retry_backs_off_1_2_4_seconds_on_the_virtual_clock_then_succeeds() -> None:
    world = World(send=failing(3, lambda: ProviderTransientError("503 from provider")))
    arn = world.start(
        definition(
            {
                "Send": send_task(
                    END,
                    Retry=[
                        {
                            "ErrorEquals": ["ProviderTransientError"],
                            "IntervalSeconds": 1,
                            "BackoffRate": 2.0,
                            "MaxAttempts": 3,
                        }
                    ],
                    Output="{% {'retries': $states.context.State.RetryCount} %}",
                ),
            }
        )
    )

    assert world.times("send") == [timedelta(0)]  # the retry is scheduled, not run inline
    world.clock.run_until()

    assert world.times("send") == [timedelta(seconds=s) for s in (0, 1, 3, 7)]
    execution = world.sfn.describe_execution(arn)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"retries": 3}
    assert world.sfn.transitions(arn) == 4  # retries are billed as transitions


def test_max_delay_caps_the_backoff_and_full_jitter_is_reproducible() -> None:
    retry = [
        {
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": 10,
            "BackoffRate": 3.0,
            "MaxAttempts": 4,
            "MaxDelaySeconds": 40,
            "JitterStrategy": "FULL",
        }
    ]
    runs = []
    for _ in range(2):
        world = World(send=failing(4, lambda: ProviderTransientError("x")))
        world.start(definition({"Send": send_task(END, Retry=retry)}))
        world.clock.run_until()
        runs.append(world.times("send"))
    gaps = [(b - a).total_seconds() for a, b in zip(runs[0], runs[0][1:], strict=False)]
    assert runs[0] == runs[1]  # same execution name -> same jitter
    assert len(gaps) == 4
    assert all(0 <= gap <= cap for gap, cap in zip(gaps, [10, 30, 40, 40], strict=True))
    assert len(set(gaps)) > 1


def test_exhausted_retries_fail_the_execution_with_the_error_name() -> None:
    world = World(send=failing(99, lambda: ProviderTransientError("provider down")))
    arn = world.start(
        definition(
            {
                "Send": send_task(
                    END, Retry=[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}]
                ),
            }
        )
    )
    world.clock.run_until()
    execution = world.sfn.describe_execution(arn)
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("ProviderTransientError", "provider down")
    assert world.times("send") == [timedelta(seconds=s) for s in (0, 1, 3)]


def test_max_attempts_zero_never_retries_and_error_type_attribute_names_the_error() -> None:
    world = World(send=failing(1, lambda: Throttled("slow down")))
    arn = world.start(
        definition(
            {
                "Send": send_task(
                    END,
                    Retry=[
                        {"ErrorEquals": ["Provider.Throttled"], "MaxAttempts": 0},
                        {"ErrorEquals": ["States.ALL"]},
                    ],
                ),
            }
        )
    )
    world.clock.run_until()
    assert world.sfn.describe_execution(arn).error == "Provider.Throttled"
    assert len(world.calls) == 1  # the first matching retrier decides, even with 0 attempts


def test_catch_routes_to_the_fallback_with_error_output() -> None:
    world = World(send=failing(1, lambda: ProviderTransientError("bounced")))
    arn = world.start(
        definition(
            {
                "Send": send_task(
                    {"Next": "Done"},
                    Catch=[
                        {
                            "ErrorEquals": ["ProviderTransientError"],
                            "Next": "Fallback",
                            "Assign": {"failure": "{% $states.errorOutput.Error %}"},
                        }
                    ],
                ),
                "Fallback": {
                    "Type": "Pass",
                    "Output": {"seen": "{% $states.input %}", "var": "{% $failure %}"},
                    "End": True,
                },
                "Done": {"Type": "Succeed"},
            }
        )
    )
    execution = world.sfn.describe_execution(arn)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "seen": {"Error": "ProviderTransientError", "Cause": "bounced"},
        "var": "ProviderTransientError",
    }
    assert [e.state for e in execution.history if e.type.endswith("Entered")] == [
        "Send",
        "Fallback",
    ]


def test_lambda_timeout_is_sandbox_timedout_which_task_failed_matches_not_states_timeout(
) -> None:
    """A Lambda function's own timeout is the function's error, not the state's TimeoutSeconds:
    Lambda names it Sandbox.Timedout and Step Functions reports it as a task failure
    (docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html,
    docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html: "function
    timeouts ... You can match on ... States.ALL, or States.TaskFailed")."""
    world = World(send=failing(1, lambda: LambdaTimeout("15 minutes")))
    arn = world.start(
        definition(
            {
                "Send": send_task(
                    END,
                    Catch=[
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"},
                        {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"},
                    ],
                ),
                "Failed": {"Type": "Fail", "Error": "Failed"},
                "TimedOut": {"Type": "Succeed", "Output": "timed out"},
            }
        )
    )
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error) == ("FAILED", "Failed")
    [failure] = [h for h in execution.history if h.type == "TaskFailed"]
    assert failure.detail["error"] == "Sandbox.Timedout"


# --------------------------------------------------------------------------- Choice


BRANCH = definition(
    {
        "Branch": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $states.input.value > 100 %}",
                    "Next": "VIP",
                    "Assign": {"tier": "vip"},
                },
                {
                    "Condition": "{% $states.input.value > 20 %}",
                    "Next": "Standard",
                    "Output": {"value": "{% $states.input.value %}", "via": "rule"},
                },
            ],
            "Default": "Small",
            "Assign": {"tier": "small"},
        },
        "VIP": {"Type": "Succeed", "Output": "{% {'tier': $tier} %}"},
        "Standard": {"Type": "Succeed"},
        "Small": {"Type": "Succeed", "Output": "{% {'tier': $tier} %}"},
    }
)


@pytest.mark.parametrize(
    ("value", "output"),
    [
        (500, {"tier": "vip"}),
        (50, {"value": 50, "via": "rule"}),
        (5, {"tier": "small"}),
    ],
)
def test_choice_takes_the_first_true_condition_else_the_default(value: int, output: Any) -> None:
    world = World()
    arn = world.start(BRANCH, {"value": value})
    assert world.sfn.describe_execution(arn).output == output


def test_no_choice_matched_fails_the_execution() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Branch": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input.x = 1 %}", "Next": "Done"}],
                },
                "Done": {"Type": "Succeed"},
            }
        ),
        {"x": 2},
    )
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")


def test_a_non_boolean_condition_is_a_query_evaluation_error() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Branch": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input.x %}", "Next": "Done"}],
                },
                "Done": {"Type": "Succeed"},
            }
        ),
        {"x": "yes"},
    )
    assert world.sfn.describe_execution(arn).error == "States.QueryEvaluationError"


# --------------------------------------------------------------------------- variables, errors


def test_assigned_variables_are_visible_in_later_states_not_in_the_same_state() -> None:
    world = World(send=lambda p: {"messageId": "m-9"})
    arn = world.start(
        definition(
            {
                "Init": {
                    "Type": "Pass",
                    "Assign": {"count": 1, "customer": "{% $states.input.id %}", "none": None},
                    "Next": "Send",
                },
                "Send": send_task(
                    {"Next": "Report"},
                    Arguments={
                        "FunctionName": "${SendFunctionArn}",
                        "Payload": {"to": "{% $customer %}"},
                    },
                    Assign={
                        "count": "{% $count + 1 %}",
                        "message": "{% $states.result.Payload.messageId %}",
                    },
                    Output="{% {'countDuringSend': $count} %}",
                ),
                "Report": {
                    "Type": "Pass",
                    "End": True,
                    "Output": {
                        "count": "{% $count %}",
                        "message": "{% $message %}",
                        "input": "{% $states.input %}",
                        "customerIsNull": "{% $customer = null %}",
                        "noneIsNull": "{% $none = null %}",
                    },
                },
            }
        ),
        {"id": "c-42"},
    )
    assert world.calls[0][2] == {"to": "c-42"}
    assert world.sfn.describe_execution(arn).output == {
        "count": 2,
        "message": "m-9",
        "input": {"countDuringSend": 1},
        "customerIsNull": False,
        "noneIsNull": True,
    }


def test_an_undefined_expression_result_fails_with_query_evaluation_error() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Send": send_task(
                    END,
                    Arguments={
                        "FunctionName": "${SendFunctionArn}",
                        "Payload": {"email": "{% $states.input.email %}"},
                    },
                ),
            }
        ),
        {"customer": "c-1"},
    )
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert "Arguments/Payload/email" in (execution.cause or "")
    assert world.calls == []


def test_fail_state_error_and_cause_may_be_expressions() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Stop": {
                    "Type": "Fail",
                    "Error": "{% 'Journey.' & $states.input.why %}",
                    "Cause": "customer left",
                },
            }
        ),
        {"why": "Exited"},
    )
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "Journey.Exited",
        "customer left",
    )


def test_now_is_virtual_time_and_context_carries_execution_facts() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Wait": {"Type": "Wait", "Seconds": 90, "Next": "Look"},
                "Look": {
                    "Type": "Pass",
                    "End": True,
                    "Output": {
                        "now": "{% $now() %}",
                        "entered": "{% $states.context.State.EnteredTime %}",
                        "started": "{% $states.context.Execution.StartTime %}",
                        "name": "{% $states.context.Execution.Name %}",
                        "machine": "{% $states.context.StateMachine.Name %}",
                    },
                },
            }
        ),
        name="cart-c1-e1",
    )
    world.clock.run_until()
    assert world.sfn.describe_execution(arn).output == {
        "now": "2026-01-01T09:01:30.000Z",
        "entered": "2026-01-01T09:01:30Z",
        "started": "2026-01-01T09:00:00Z",
        "name": "cart-c1-e1",
        "machine": "journey",
    }


# --------------------------------------------------------------------------- stop, idempotency


def test_stop_execution_cancels_a_pending_wait_so_the_lambda_never_runs() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Wait": {"Type": "Wait", "Seconds": 7200, "Next": "Send"},
                "Send": send_task(END),
            }
        )
    )
    world.clock.run_until(T0 + timedelta(hours=1))
    world.sfn.stop_execution(arn, error="Journey.Exited", cause="purchase_completed")
    world.clock.run_until(T0 + timedelta(days=2))

    assert world.calls == []
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error) == ("ABORTED", "Journey.Exited")
    assert execution.stop == T0 + timedelta(hours=1)
    assert execution.history[-1].type == "ExecutionAborted"


def test_same_name_is_idempotent_while_running_with_the_same_input() -> None:
    world = World()
    journey = definition(
        {"Wait": {"Type": "Wait", "Seconds": 60, "Next": "Send"}, "Send": send_task(END)}
    )
    arn = world.start(journey, {"cart": 1}, name="cart-c1-evt1")
    assert world.sfn.start_execution(SM, "cart-c1-evt1", {"cart": 1}) == arn
    with pytest.raises(ExecutionAlreadyExists):
        world.sfn.start_execution(SM, "cart-c1-evt1", {"cart": 2})
    world.clock.run_until()
    with pytest.raises(ExecutionAlreadyExists):
        world.sfn.start_execution(SM, "cart-c1-evt1", {"cart": 1})
    assert len(world.sfn.executions()) == 1 and len(world.calls) == 1


def test_execution_names_follow_step_functions_rules() -> None:
    world = World()
    world.register(definition({"Done": {"Type": "Succeed"}}))
    for bad in ["", "a" * 81, "cart:c1", "has space", "a/b"]:
        with pytest.raises(InvalidName):
            world.sfn.start_execution(SM, bad, {})


def test_execution_timeout_times_out_on_the_virtual_clock() -> None:
    world = World()
    arn = world.start(
        definition(
            {"Wait": {"Type": "Wait", "Seconds": 7200, "Next": "Send"}, "Send": send_task(END)},
            TimeoutSeconds=3600,
        )
    )
    world.clock.run_until()
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.stop == T0 + timedelta(hours=1)
    assert world.calls == []


# --------------------------------------------------------------------------- task tokens


def test_wait_for_task_token_resumes_on_send_task_success_with_the_output() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Await": wait_for_event_task(
                    {"Next": "Send"}, Output="{% $states.result %}", TimeoutSeconds=86400
                ),
                "Send": send_task(END),
            }
        )
    )
    assert [name for name, _, _ in world.calls] == ["wait"]
    assert world.calls[0][2]["execution"] == arn
    token = world.tokens[0]
    assert world.sfn.task_token(arn) == token

    world.clock.run_until(T0 + timedelta(hours=5))
    world.sfn.send_task_success(token, {"event": "purchase_completed"})

    assert world.calls[-1] == ("send", T0 + timedelta(hours=5), {"event": "purchase_completed"})
    assert world.sfn.describe_execution(arn).status == "SUCCEEDED"
    with pytest.raises(TaskDoesNotExist):
        world.sfn.send_task_success(token, {})
    world.clock.run_until()  # the stale 24 h timeout timer is ignored
    assert world.sfn.describe_execution(arn).status == "SUCCEEDED"


def test_wait_for_task_token_times_out_into_a_catch_on_the_virtual_clock() -> None:
    world = World()
    arn = world.start(CART_JOURNEY, {"cart": {"value": 150}})
    world.clock.run_until()

    assert world.times("send") == [timedelta(hours=2), timedelta(hours=26)]
    assert world.times("wait") == [timedelta(hours=2)]
    execution = world.sfn.describe_execution(arn)
    assert execution.status == "SUCCEEDED"
    entered = [e.state for e in execution.history if e.type.endswith("StateEntered")]
    assert entered == ["Wait 2h", "Reminder 1", "Wait for purchase", "Big cart?", "VIP reminder"]
    timed_out = next(e for e in execution.history if e.type == "TaskTimedOut")
    assert timed_out.time == T0 + timedelta(hours=26)
    assert timed_out.detail["error"] == "States.Timeout"


def test_cart_journey_purchase_ends_it_without_a_second_message() -> None:
    world = World()
    arn = world.start(CART_JOURNEY, {"cart": {"value": 150}})
    world.clock.run_until(T0 + timedelta(hours=3))
    world.sfn.send_task_success(world.tokens[0], {"event": "purchase"})
    world.clock.run_until()
    assert world.times("send") == [timedelta(hours=2)]
    assert world.sfn.describe_execution(arn).status == "SUCCEEDED"


def test_send_task_failure_goes_through_catch_and_unknown_tokens_raise() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Await": wait_for_event_task(
                    {"Next": "Done"},
                    Catch=[
                        {
                            "ErrorEquals": ["Journey.Exit"],
                            "Next": "Exited",
                            "Output": "{% $states.errorOutput.Cause %}",
                        }
                    ],
                ),
                "Done": {"Type": "Succeed"},
                "Exited": {"Type": "Succeed"},
            }
        )
    )
    with pytest.raises(TaskDoesNotExist):
        world.sfn.send_task_failure("not-a-token", "Journey.Exit")
    world.sfn.send_task_failure(world.tokens[0], "Journey.Exit", "cart emptied")
    assert world.sfn.describe_execution(arn).output == "cart emptied"


def test_a_handler_may_complete_its_own_token_before_returning() -> None:
    world = World()
    world.sfn = LocalStepFunctions(
        world.clock,
        {
            SEND_ARN: lambda p: {"sent": True},
            WAIT_ARN: lambda p: world.sfn.send_task_success(p["token"], {"immediate": True}),
        },
    )
    arn = world.start(
        definition(
            {
                "Await": wait_for_event_task({"Next": "Done"}, Output="{% $states.result %}"),
                "Done": {"Type": "Succeed"},
            }
        )
    )
    assert world.sfn.describe_execution(arn).output == {"immediate": True}


def test_a_missed_heartbeat_times_the_task_out() -> None:
    world = World()
    arn = world.start(
        definition(
            {
                "Await": wait_for_event_task(END, HeartbeatSeconds=60, TimeoutSeconds=3600),
            }
        )
    )
    world.clock.run_until(T0 + timedelta(seconds=50))
    world.sfn.send_task_heartbeat(world.tokens[0])
    world.clock.run_until(T0 + timedelta(seconds=100))
    assert world.sfn.describe_execution(arn).status == "RUNNING"
    world.clock.run_until()
    execution = world.sfn.describe_execution(arn)
    assert (execution.status, execution.error) == ("FAILED", "States.HeartbeatTimeout")
    assert execution.stop == T0 + timedelta(seconds=110)


def test_stopping_voids_the_task_token() -> None:
    world = World()
    arn = world.start(definition({"Await": wait_for_event_task(END)}))
    world.sfn.stop_execution(arn)
    with pytest.raises(TaskDoesNotExist):
        world.sfn.send_task_success(world.tokens[0], {})


def test_a_handler_starting_another_execution_does_not_nest_runs() -> None:
    world = World()
    order: list[str] = []

    def send(payload: dict[str, Any]) -> dict[str, Any]:
        order.append(f"send {payload['n']}")
        if payload["n"] == 1:
            world.sfn.start_execution(SM, "child", {"n": 2})
            order.append("started child")
        return {"sent": True}

    world.sfn = LocalStepFunctions(world.clock, {SEND_ARN: send, WAIT_ARN: lambda p: None})
    world.start(
        definition({"Send": send_task({"Next": "After"}), "After": {"Type": "Pass", "End": True}}),
        {"n": 1},
    )
    assert order == ["send 1", "started child", "send 2"]
    assert {e.status for e in world.sfn.executions()} == {"SUCCEEDED"}


# --------------------------------------------------------------------------- versions


def test_versions_and_aliases_resolve_and_run_their_own_definition() -> None:
    world = World()
    world.register(definition({"V": {"Type": "Succeed", "Output": "latest"}}))
    world.register(definition({"V": {"Type": "Succeed", "Output": "v1"}}), arn=f"{SM}:1")
    pinned = world.sfn.start_execution(f"{SM}:1", "a", {})
    via_alias = world.sfn.start_execution(f"{SM}:live", "b", {})
    assert world.sfn.describe_execution(pinned).output == "v1"
    assert world.sfn.describe_execution(pinned).state_machine_arn == SM
    assert world.sfn.describe_execution(via_alias).output == "latest"
    assert pinned == f"arn:aws:states:{REGION}:{ACCOUNT}:execution:journey:a"


# --------------------------------------------------------------------------- registration


def test_unsupported_state_types_are_refused_at_registration_naming_state_and_field() -> None:
    world = World()
    with pytest.raises(UnsupportedDefinition, match=r"'Fan out'.*'Type'.*'Parallel'"):
        world.register(definition({"Fan out": {"Type": "Parallel", "Branches": [],
                                                "End": True}}))
    with pytest.raises(UnsupportedDefinition, match=r"'Fan out'.*'ItemReader'"):
        world.register(definition({"Fan out": {
            "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2"},
            "ItemProcessor": {"StartAt": "x", "States": {"x": {"Type": "Succeed"}}},
            "End": True}}))


@pytest.mark.parametrize(
    ("state", "match"),
    [
        ({**send_task(END), "ResultSelector": {"a": 1}}, "ResultSelector"),
        ({**send_task(END), "Resource": "arn:aws:states:::sqs:sendMessage"}, "Resource"),
        (
            {
                **send_task(END),
                "Arguments": {"FunctionName": "${SendFunctionArn}", "InvocationType": "Event"},
            },
            "InvocationType",
        ),
        ({"Type": "Pass", "Result": {"a": 1}, "End": True}, "Result"),
        ({"Type": "Parallel", "Branches": [], "End": True}, "Parallel"),
    ],
)
def test_unsupported_fields_are_refused(state: dict[str, Any], match: str) -> None:
    with pytest.raises(UnsupportedDefinition, match=match):
        World().register(definition({"S": state}))


def test_jsonpath_definitions_are_refused() -> None:
    document = definition({"Done": {"Type": "Succeed"}})
    document["QueryLanguage"] = "JSONPath"
    with pytest.raises(UnsupportedDefinition, match="QueryLanguage"):
        World().register(document)


def test_unreplaced_placeholders_fail_at_registration() -> None:
    world = World()
    document = definition({"Send": send_task(END)})
    with pytest.raises(InvalidDefinition, match=r"\$\{SendFunctionArn\}"):
        world.sfn.register_state_machine(SM, document, {"Other": "x"})


@pytest.mark.parametrize(
    ("states", "match"),
    [
        ({"A": {"Type": "Pass", "Next": "Nowhere"}}, "Nowhere"),
        ({"A": {"Type": "Pass", "End": True}, "B": {"Type": "Pass", "End": True}}, "reachable"),
        ({"A": {"Type": "Pass", "Output": "{% $states.input.( %}", "End": True}}, "JSONata"),
        ({"A": {"Type": "Pass", "Output": "{% $states.result %}", "End": True}}, "result"),
        ({"A": {**send_task(END), "Arguments": {"FunctionName": "nope"}}}, "nope"),
        ({"A": {**wait_for_event_task(END), "Arguments": {"FunctionName": WAIT_ARN}}}, "Token"),
        (
            {"A": send_task(END, Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])},
            "States.ALL",
        ),
        (
            {"A": {"Type": "Wait", "Seconds": 5, "Timestamp": "2026-01-01T00:00:00Z", "End": True}},
            "exactly one",
        ),
    ],
)
def test_invalid_definitions_are_refused(states: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidDefinition, match=match):
        World().register(definition(states))


# --------------------------------------------------------------------------- realism check


def _substituted(document: dict[str, Any]) -> str:
    text = json.dumps(document)
    for name, value in SUBSTITUTIONS.items():
        text = text.replace("${" + name + "}", value)
    return text


@pytest.mark.parametrize("document", [CART_JOURNEY, BRANCH], ids=["cart", "branch"])
def test_fixtures_are_accepted_by_step_functions_create_state_machine(
    document: dict[str, Any],
) -> None:
    with mock_aws():
        client = boto3.client("stepfunctions", region_name=REGION)
        created = client.create_state_machine(
            name="journey",
            definition=_substituted(document),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/x",
        )
        assert created["stateMachineArn"] == SM
        described = client.describe_state_machine(stateMachineArn=SM)
        assert json.loads(described["definition"]) == json.loads(_substituted(document))
        # The same deployed text runs locally.
        World().sfn.register_state_machine(SM, described["definition"])
