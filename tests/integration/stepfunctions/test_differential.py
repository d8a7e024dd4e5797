"""Every compiled journey runs the same on Tact's executor and on an independent interpreter.

The independent interpreter is LocalStack's Amazon States Language interpreter as moto ships
it (``moto.stepfunctions.parser``, switched on with ``mock_aws(config={"stepfunctions":
{"execute_state_machine": True}})``). Three of its parts are pointed elsewhere, and only
these: its JSONata bridge (a JVM call that moto leaves unset) evaluates with jsonata-python;
its Lambda invoke answers from the same stubs Tact's executor calls; and time is virtual —
its Wait states and retry back-offs record the seconds instead of sleeping, and a task token
that a scenario lets expire is answered as timed out at once instead of after TimeoutSeconds
of real time (the Catch that follows is still the interpreter's own).

For every machine ``tact build`` compiles from ``journeys/`` and ``journeys/examples/``, each
scenario (every branch of every decide task, a deferred, a retried and a failing send, a
wait_for resumed, expired, or its park Lambda timing out) must give both interpreters the
same states entered, the same Lambda payloads, the same final status, error and output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import boto3
import jsonata
import pytest
import yaml
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback as callback,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_bridge
from moto.stepfunctions.parser.utils import TMP_THREADS

from tact.journey.bundle_builder import build
from tact.journey.compiler import compile_journey
from tact.journey.model import Journey
from tact.journey.project import load_project, require_valid
from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions
from tact.local.stepfunctions.errors import LambdaTimeout
from tests.support.paths import JOURNEYS
from tests.support.wait_for import first_order

REGION, ACCOUNT = "us-east-1", "123456789012"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FUNCTIONS = ("SendFunctionArn", "DecideFunctionArn", "ParkFunctionArn")
ARNS = {name: f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}" for name in FUNCTIONS}
NAME = "run-1"
INPUT = {"journey": "j", "version": "v1", "customer_id": "ana",
         "entered_at": "2026-11-02T09:00:00Z",
         "trigger": {"id": "e-1", "type": "cart_updated", "customer_id": "ana",
                     "time": "2026-11-02T09:00:00Z",
                     "data": {"cart_id": "c1", "value": 120.0, "items": [{"quantity": 2.0}]}}}
RESUMED_BY = {"id": "e-2", "type": "purchase_completed", "customer_id": "ana",
              "time": "2026-11-02T12:00:00Z"}
Answer = tuple[str, Any]  # ("ok", payload) | ("error", name) | ("resume"|"expire", None)
Key = tuple[str, str, str]  # function, op, step


# No example waits for an event yet; this one does, so wait_for's task token runs here too.
WAIT_FOR = first_order(when="order.value >= entry.cart.value",
                       on_timeout="[{send: {id: nudge, channel: email, template: nudge}}]")


def _machines() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for folder in (JOURNEYS, JOURNEYS / "examples"):
        _, definitions = build(require_valid(load_project(folder)))
        found += [(folder.name, journey, definition)
                  for journey, definition in sorted(definitions.items())]
    journey = Journey.model_validate(yaml.safe_load(WAIT_FOR))
    return [*found, ("tests", journey.id, compile_journey(journey))]


def _tasks(definition: dict[str, Any]) -> Iterator[tuple[Key, dict[str, Any]]]:
    for state in definition["States"].values():
        if state.get("Type") == "Task":
            arguments = state["Arguments"]
            payload = arguments["Payload"]
            function = arguments["FunctionName"][2:-1]  # ${SendFunctionArn}
            yield (function, str(payload.get("op", "")), str(payload["step"])), state


def _default(key: Key) -> list[Answer]:
    function, op, _ = key
    if function == "SendFunctionArn":
        return [("ok", {"status": "sent", "channel": "email", "at": "2026-11-02T09:00:00Z"})]
    if function == "ParkFunctionArn":
        return [("resume", None)]
    return [("ok", {"split": {"branch": 0}, "bucket": {"branch": 0}, "holdout": {"branch": 1},
                    "wait_until": {"until": "2026-11-03T10:00:00Z"},
                    "update": {"updated": ["tags"]}}[op])]


def _scenarios(definition: dict[str, Any]) -> list[tuple[str, dict[Key, list[Answer]]]]:
    """The default path, then one variation of one task at a time."""
    found: list[tuple[str, dict[Key, list[Answer]]]] = [("default", {})]
    for key, state in _tasks(definition):
        function, op, step = key
        if function == "SendFunctionArn":
            found += [
                (f"{step}:deferred", {key: [("ok", {"status": "deferred", "channel": "email",
                                                    "resume_at": "2026-11-02T18:00:00Z"}),
                                            *_default(key)]}),
                (f"{step}:transient", {key: [("error", "ProviderTransientError"),
                                             *_default(key)]}),
                (f"{step}:fails", {key: [("error", "ProviderRejected")]}),
            ]
        elif function == "ParkFunctionArn":
            found += [(f"{step}:expires", {key: [("expire", None)]}),
                      (f"{step}:lambda_times_out", {key: [("error", "Sandbox.Timedout")]})]
        elif op in ("split", "bucket", "holdout"):
            choice = definition["States"][state["Next"]]
            found += [(f"{step}:branch{b}", {key: [("ok", {"branch": b})]})
                      for b in range(-1, len(choice["Choices"]))]
    return found


@dataclass
class Stubs:
    """The Lambda functions both interpreters call: answers by (function, op, step), in turn."""

    answers: dict[Key, list[Answer]]
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    used: dict[Key, int] = field(default_factory=dict)

    def answer(self, function: str, payload: dict[str, Any]) -> Answer:
        masked = {k: ("<token>" if k == "token" else "<entered>" if k == "since" else v)
                  for k, v in payload.items()}
        self.calls.append((function, masked))
        key = (function, str(payload.get("op", "")), str(payload["step"]))
        queue = self.answers.get(key) or _default(key)
        turn = self.used.get(key, 0)
        self.used[key] = turn + 1
        return queue[min(turn, len(queue) - 1)]


@dataclass
class Run:
    states: list[str]
    status: str
    error: str | None
    output: Any
    calls: list[tuple[str, dict[str, Any]]]


class _Failure(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} (stub)")
        self.error_type = name


def run_tact(definition: dict[str, Any], stubs: Stubs) -> Run:
    clock = VirtualClock(T0)
    handlers: dict[str, Callable[[Any], Any]] = {}
    sfn = LocalStepFunctions(clock, handlers)

    def handler(function: str) -> Callable[[Any], Any]:
        def call(payload: Any) -> Any:
            kind, value = stubs.answer(function, payload)
            if kind == "error" and value == "Sandbox.Timedout":
                raise LambdaTimeout("Task timed out after 30.00 seconds")
            if kind == "error":
                raise _Failure(value)
            if kind == "resume":
                sfn.send_task_success(payload["token"], RESUMED_BY)
            return value if kind == "ok" else {"status": "parked"}
        return call

    handlers.update({ARNS[name]: handler(name) for name in FUNCTIONS})
    sfn.register_state_machine(f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:j",
                               definition, ARNS)
    arn = sfn.start_execution(f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:j", NAME, INPUT)
    clock.run_until()
    execution = sfn.describe_execution(arn)
    states = [h.state for h in execution.history
              if h.type.endswith("StateEntered") and h.state is not None]
    return Run(states, execution.status, execution.error, execution.output, stubs.calls)


@pytest.fixture(scope="module")
def reference() -> Iterator[Callable[..., Run]]:
    """LocalStack's interpreter (in moto), on virtual time, calling the stubs."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from _reference(monkeypatch)


def _reference(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Run]]:
    expired: set[str] = set()
    current: dict[str, Stubs] = {}
    waited: list[float] = []

    def evaluate(expression: str) -> Any:
        compiled = jsonata.Jsonata(expression)
        return compiled.evaluate(None)

    def invoke(parameters: dict[str, Any], region: str, state_credentials: Any) -> Any:
        payload = json.loads(parameters["Payload"])
        function = parameters["FunctionName"].rsplit(":", 1)[-1]
        kind, value = current["stubs"].answer(function, payload)
        if kind == "error":
            return {"StatusCode": 200, "FunctionError": "Unhandled",
                    "Payload": {"errorType": value, "errorMessage": f"{value} (stub)"}}
        if kind == "resume":
            boto3.client("stepfunctions", region_name=REGION).send_task_success(
                taskToken=payload["token"], output=json.dumps(RESUMED_BY))
        if kind == "expire":
            expired.add(payload["token"])
        return {"StatusCode": 200, "Payload": value if kind == "ok" else {"status": "parked"}}

    original_wait = callback.StateTaskServiceCallback._wait_for_task_token_timeout

    def token_wait(self: Any, timeout_seconds: int, endpoint: Any) -> Any:
        if endpoint.callback_id in expired:
            return None  # TimeoutSeconds has passed (virtually): the interpreter times it out
        return original_wait(self, timeout_seconds, endpoint)

    monkeypatch.setattr(jsonata_bridge, "_eval_jsonata", evaluate)
    monkeypatch.setattr(lambda_eval_utils, "_invoke_lambda_function", invoke)
    monkeypatch.setattr(wait_function.WaitFunction, "_wait_interval",
                        lambda self, env, wait_seconds: waited.append(wait_seconds))
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=waited.append))
    monkeypatch.setattr(callback.StateTaskServiceCallback, "_wait_for_task_token_timeout",
                        token_wait)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name=REGION)

        def run(definition: dict[str, Any], stubs: Stubs) -> Run:
            current["stubs"] = stubs
            text = json.dumps(definition)
            for name, arn in ARNS.items():
                text = text.replace("${" + name + "}", arn)
            machine = client.create_state_machine(
                name=f"j{len(waited)}-{id(stubs)}", definition=text,
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/tact")["stateMachineArn"]
            started = len(TMP_THREADS)
            execution = client.start_execution(stateMachineArn=machine, name=NAME,
                                               input=json.dumps(INPUT))["executionArn"]
            for thread in list(TMP_THREADS[started:]):  # the run's own threads: no polling
                thread.join(timeout=60)
            described = client.describe_execution(executionArn=execution)
            events = client.get_execution_history(executionArn=execution,
                                                  maxResults=1000)["events"]
            states = [e["stateEnteredEventDetails"]["name"] for e in events
                      if "stateEnteredEventDetails" in e]
            output = described.get("output")
            return Run(states, described["status"], described.get("error"),
                       json.loads(output) if output is not None else None, stubs.calls)

        yield run


MACHINES = _machines()
CASES = [(folder, journey, definition, scenario, answers)
         for folder, journey, definition in MACHINES
         for scenario, answers in _scenarios(definition)]


def test_every_compiled_journey_is_covered() -> None:
    journeys = {(folder, journey) for folder, journey, _ in MACHINES}
    expected = {("journeys", p.stem) for p in JOURNEYS.glob("*.yaml") if p.stem != "settings"}
    expected |= {("examples", p.stem) for p in (JOURNEYS / "examples").glob("*.yaml")
                 if p.stem != "settings"}
    assert journeys - {("tests", "first_order")} == expected
    assert len(CASES) >= 3 * len(MACHINES)


@pytest.mark.parametrize(("folder", "journey", "definition", "scenario", "answers"), CASES,
                         ids=[f"{c[0]}/{c[1]}/{c[3]}" for c in CASES])
def test_tact_executor_runs_the_machine_as_the_reference_interpreter_does(
        reference: Callable[..., Run], folder: str, journey: str, definition: dict[str, Any],
        scenario: str, answers: dict[Key, list[Answer]]) -> None:
    expected = reference(definition, Stubs(dict(answers)))
    actual = run_tact(definition, Stubs(dict(answers)))

    assert actual.states == expected.states
    assert (actual.status, actual.error) == (expected.status, expected.error)
    # As JSON text: 120 and 120.0 are equal in Python, not in what a Lambda is handed.
    assert _text(actual.output) == _text(expected.output)
    assert _text(actual.calls) == _text(expected.calls)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
