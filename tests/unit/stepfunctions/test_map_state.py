"""The local executor's Map state (Inline and Distributed, items from ``Items``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions
from tact.local.stepfunctions.errors import UnsupportedDefinition

T0 = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
FN = "arn:aws:lambda:us-east-1:123456789012:function:work"
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:tact-fan"


def machine(processor_states: dict[str, Any], start: str = "work", **map_fields: Any) -> dict:
    return {
        "QueryLanguage": "JSONata", "StartAt": "fan",
        "States": {
            "fan": {"Type": "Map", "Items": "{% $states.input.items %}",
                    "ItemSelector": {"value": "{% $states.context.Map.Item.Value %}",
                                     "index": "{% $states.context.Map.Item.Index %}"},
                    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                          "ExecutionType": "STANDARD"},
                                      "StartAt": start, "States": processor_states},
                    "Assign": {"count": "{% $count($states.result) %}"},
                    "Output": {"results": "{% $states.result %}"},
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "caught",
                               "Output": "{% $states.errorOutput %}"}],
                    "Next": "done", **map_fields},
            "done": {"Type": "Succeed"},
            "caught": {"Type": "Fail", "Error": "Caught", "Cause": "the map failed"},
        },
    }


WAIT_THEN_WORK = {
    "pause": {"Type": "Wait", "Seconds": 3600, "Next": "work"},
    "work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Arguments": {"FunctionName": FN, "Payload": "{% $states.input %}"},
             "Output": "{% $states.result.Payload %}", "End": True},
}


def run(definition: dict[str, Any], items: list[Any],
        handler: Any = None) -> tuple[LocalStepFunctions, VirtualClock, str, list[Any]]:
    clock = VirtualClock(T0)
    calls: list[Any] = []

    def work(payload: Any) -> Any:
        calls.append((clock.now(), payload))
        return handler(payload) if handler else {"doubled": payload["value"] * 2}

    executor = LocalStepFunctions(clock, {FN: work})
    executor.register_state_machine(SM, definition)
    arn = executor.start_execution(SM, "one", {"items": items})
    clock.run_until(None)
    return executor, clock, arn, calls


def test_each_item_runs_as_a_child_and_results_come_back_in_item_order() -> None:
    executor, _, arn, calls = run(machine(WAIT_THEN_WORK, start="pause"), [5, 1, 3])
    done = executor.describe_execution(arn)
    assert done.status == "SUCCEEDED"
    assert done.output == {"results": [{"doubled": 10}, {"doubled": 2}, {"doubled": 6}]}
    assert sorted(p["index"] for _, p in calls) == [0, 1, 2]
    # All children waited their hour at the same time (MaxConcurrency 0: all at once).
    assert {at for at, _ in calls} == {T0 + timedelta(hours=1)}
    children = [e for e in executor.executions() if e.arn != arn]
    assert len(children) == 3 and all(e.status == "SUCCEEDED" for e in children)
    assert all(e.state_machine_arn == f"{SM}/fan" for e in children)


def test_max_concurrency_runs_children_a_few_at_a_time() -> None:
    _, _, _, calls = run(machine(WAIT_THEN_WORK, start="pause", MaxConcurrency=1), [1, 2, 3])
    assert [at for at, _ in calls] == [T0 + timedelta(hours=h) for h in (1, 2, 3)]


def test_children_do_not_see_the_parents_variables_and_keep_their_own() -> None:
    states = {
        "set": {"Type": "Pass", "Assign": {"mine": "{% $states.input.value %}"}, "Next": "use"},
        "use": {"Type": "Pass", "Output": {"mine": "{% $mine %}"}, "End": True},
    }
    definition = machine(states, start="set")
    definition["StartAt"] = "init"
    definition["States"]["init"] = {"Type": "Pass", "Assign": {"mine": "parent"}, "Next": "fan"}
    executor, _, arn, _ = run(definition, ["a", "b"])
    assert executor.describe_execution(arn).output == {"results": [{"mine": "a"},
                                                                   {"mine": "b"}]}


def test_a_failing_child_fails_the_map_and_stops_the_others_unless_tolerated() -> None:
    def fail_on_two(payload: Any) -> Any:
        if payload["value"] == 2:
            raise RuntimeError("boom")
        return payload

    executor, _, arn, calls = run(machine(WAIT_THEN_WORK, start="pause", MaxConcurrency=1),
                                  [1, 2, 3], fail_on_two)
    failed = executor.describe_execution(arn)
    assert (failed.status, failed.error) == ("FAILED", "Caught")
    assert [p["value"] for _, p in calls] == [1, 2]  # the third never started

    tolerant = machine(WAIT_THEN_WORK, start="pause", ToleratedFailurePercentage=50)
    executor, _, arn, _ = run(tolerant, [1, 2, 3], fail_on_two)
    assert executor.describe_execution(arn).status == "SUCCEEDED"


def test_stopping_the_parent_stops_its_children() -> None:
    clock = VirtualClock(T0)
    executor = LocalStepFunctions(clock, {FN: lambda p: p})
    executor.register_state_machine(SM, machine(WAIT_THEN_WORK, start="pause"))
    arn = executor.start_execution(SM, "one", {"items": [1, 2]})
    clock.advance(60)
    executor.stop_execution(arn)
    clock.run_until(None)
    assert {e.status for e in executor.executions()} == {"ABORTED"}


def test_an_empty_item_list_succeeds_at_once() -> None:
    executor, _, arn, calls = run(machine(WAIT_THEN_WORK, start="pause"), [])
    assert executor.describe_execution(arn).output == {"results": []} and calls == []


@pytest.mark.parametrize(("extra", "match"), [
    ({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}}, "ItemReader"),
    ({"ItemBatcher": {"MaxItemsPerBatch": 10}}, "ItemBatcher"),
    ({"ResultWriter": {}}, "ResultWriter"),
    ({"Retry": [{"ErrorEquals": ["States.ALL"]}]}, "Retry"),
])
def test_what_the_executor_cannot_run_is_refused(extra: dict[str, Any], match: str) -> None:
    definition = machine(WAIT_THEN_WORK, start="pause")
    definition["States"]["fan"].update(extra)
    executor = LocalStepFunctions(VirtualClock(T0), {FN: lambda p: p})
    with pytest.raises(UnsupportedDefinition, match=match):
        executor.register_state_machine(SM, definition)
