"""The local executor behaves as Step Functions does where a journey can tell (issue 14, 6).

- A Lambda's own timeout is ``Sandbox.Timedout``, a task failure: a timed-out park Lambda
  fails the wait_for step (Tact.StepFailed) as on AWS, instead of taking ``on_timeout``.
- Numbers reach the Lambdas as Step Functions' JSON has them: JSONata's numbers are
  JavaScript numbers, so ``10.0`` in the execution input is handed on as ``10``, and a
  template shows "10" locally as deployed.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tact.journey.compiler import compile_journey
from tact.journey.model import Journey
from tact.journey.yamlsource import load_yaml
from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions
from tact.local.simulator import Simulation
from tact.local.stepfunctions.errors import LambdaTimeout
from tests.support.paths import JOURNEYS

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:tact-j"
ARNS = {name: f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        for name in ("SendFunctionArn", "DecideFunctionArn", "ParkFunctionArn")}
WAIT_FOR = """\
id: first_order
name: First order
trigger: {event: account_created}
purpose: marketing
steps:
  - wait_for:
      id: paid
      event: purchase_completed
      timeout: 24h
      on_event: [{exit: {id: got_paid, reason: bought}}]
      on_timeout: [{exit: {id: timed_out, reason: no purchase in a day}}]
"""


def _journey(text: str, tmp_path: Path) -> Journey:
    path = tmp_path / "j.yaml"
    path.write_text(text, encoding="utf-8")
    return Journey.model_validate(load_yaml(path).data)


def _run(definition: dict[str, Any], handlers: dict[str, Any],
         document: dict[str, Any]) -> Any:
    clock = VirtualClock(T0)
    sfn = LocalStepFunctions(clock, {ARNS[name]: fn for name, fn in handlers.items()})
    sfn.register_state_machine(SM, definition, ARNS)
    arn = sfn.start_execution(SM, "run-1", document)
    clock.run_until()
    return sfn.describe_execution(arn)


def test_a_timed_out_park_lambda_fails_the_step_and_never_takes_on_timeout(
        tmp_path: Path) -> None:
    def park(_: Any) -> Any:
        raise LambdaTimeout("Task timed out after 10.00 seconds")

    def decide(_: Any) -> Any:  # the exit steps' (never reached here)
        raise AssertionError("an exit step ran after a failed wait")

    execution = _run(compile_journey(_journey(WAIT_FOR, tmp_path)),
                     {"ParkFunctionArn": park, "DecideFunctionArn": decide},
                     {"customer_id": "ana", "version": "v1", "entered_at": "2026-11-02T09:00:00Z",
                      "trigger": {"id": "a-1", "type": "account_created", "data": {}}})
    states = [h.state for h in execution.history if h.type.endswith("StateEntered")]
    assert "timed_out" not in states and "got_paid" not in states
    assert (execution.status, execution.error) == ("FAILED", "Tact.StepFailed")


def test_numbers_reach_the_lambda_as_step_functions_json_has_them(tmp_path: Path) -> None:
    journey = _journey(
        "id: j\nname: j\ntrigger: {event: cart_updated}\nexit_on: [purchase_completed]\n"
        "purpose: marketing\nsteps:\n  - send: {id: s, channel: email, template: t}\n",
        tmp_path)
    seen: list[Any] = []

    def send(payload: Any) -> Any:
        seen.append(payload["trigger"]["data"])
        return {"status": "sent", "total": 30.0}

    execution = _run(compile_journey(journey), {"SendFunctionArn": send}, {
        "customer_id": "ana", "version": "v1", "entered_at": "2026-11-02T09:00:00Z",
        "trigger": {"id": "c-1", "type": "cart_updated",
                    "data": {"value": 10.0, "points": 2.5, "items": [{"quantity": 1.0}]}}})
    [data] = seen
    assert data == {"value": 10, "points": 2.5, "items": [{"quantity": 1}]}
    assert type(data["value"]) is int and type(data["items"][0]["quantity"]) is int
    assert execution.output["total"] == 30 and type(execution.output["total"]) is int


def test_a_template_shows_a_whole_number_as_deployed(tmp_path: Path) -> None:
    """A field of the shop's own (declared in settings) written 10.0: "10", not "10.0"."""
    folder = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, folder)
    settings = folder / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "event_fields:\n  cart_updated: {points: number}\n", encoding="utf-8")
    template = folder / "templates" / "cart_reminder_1.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "Your cart is still waiting", "Points: {{ cart.points }}. Your cart is still waiting", 1),
        encoding="utf-8")
    events = [
        {"id": "p-1", "type": "customer_updated", "customer_id": "ana",
         "time": "2026-11-02T08:00:00Z", "data": {"email": "ana@example.com"}},
        {"id": "k-1", "type": "consent_changed", "customer_id": "ana",
         "time": "2026-11-02T08:01:00Z",
         "data": {"channel": "email", "purpose": "marketing", "granted": True}},
        {"id": "c-1", "type": "cart_updated", "customer_id": "ana",
         "time": "2026-11-02T09:00:00Z", "data": {"cart_id": "c1", "value": 40, "points": 10.0,
                                                  "items": [{"sku": "A", "name": "Tee",
                                                             "price": 40}]}}]
    simulation = Simulation(folder, store="memory", functions_dir=JOURNEYS.parent / "functions")
    simulation.run(events)
    message = simulation.outbox.sent[0]  # reminder_1
    assert "Points: 10. Your cart" in message.content["text"]
