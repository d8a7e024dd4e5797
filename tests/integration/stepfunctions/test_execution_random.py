"""An execution's random numbers ($random, $uuid, retry jitter) come from one generator seeded
by its execution ARN, drawn in evaluation order: a replay draws the same numbers."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions

SM = "arn:aws:states:us-east-1:123456789012:stateMachine:journey"
DRAWS = {"Type": "Pass", "Output": {"first": "{% $random() %}", "id": "{% $uuid() %}",
                                    "second": "{% $random() %}", "seeded": "{% $random(7) %}"}}


def run(name: str) -> tuple[str, object]:
    executor = LocalStepFunctions(VirtualClock(datetime(2026, 1, 1, tzinfo=UTC)), {})
    executor.register_state_machine(SM, {"QueryLanguage": "JSONata", "StartAt": "Quiet",
                                         "States": {"Quiet": {"Type": "Pass", "Next": "Draw"},
                                                    "Draw": {**DRAWS, "End": True}}})
    arn = executor.start_execution(SM, name, {})
    return arn, executor.describe_execution(arn).output


def test_draws_follow_the_generator_seeded_by_the_execution_arn() -> None:
    arn, output = run("customer-1")
    rng = random.Random(arn)
    first = rng.random()
    drawn = uuid.UUID(int=rng.getrandbits(128), version=4)
    assert output == {"first": first, "id": str(drawn), "second": rng.random(),
                      "seeded": random.Random(7).random()}
    assert run("customer-1")[1] == output
    assert run("customer-2")[1] != output
