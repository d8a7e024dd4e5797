"""tact.journey.states reads every compiled journey the way cost, the funnel report and the
backtest need: each send step is a send state (with its template), each decide step has its
operation, the quiet-hours Wait belongs to its send, and a run's substituted function ARNs
read the same as the compiler's placeholders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tact.journey.bundle_builder import build
from tact.journey.model import SendStep, iter_steps
from tact.journey.project import load_project, require_valid
from tact.journey.states import is_quiet_hours_wait, send_of, step_kind, task_role
from tact.local.adapters import DECIDE_FUNCTION_ARN, PARK_FUNCTION_ARN, SEND_FUNCTION_ARN
from tests.support.paths import JOURNEYS

PROJECTS = [JOURNEYS, JOURNEYS / "examples"]


def compiled(root: Any) -> tuple[Any, dict[str, dict[str, Any]]]:
    project = require_valid(load_project(root))
    return project, build(project)[1]


@pytest.mark.parametrize("root", PROJECTS, ids=["journeys", "examples"])
def test_every_send_step_is_a_send_state_and_nothing_else_is(root: Any) -> None:
    project, definitions = compiled(root)
    for journey_id, definition in definitions.items():
        sends = {s.send.id: s.send for s in iter_steps(project.journeys[journey_id].steps)
                 if isinstance(s, SendStep)}
        found = {name: send_of(state) for name, state in definition["States"].items()
                 if send_of(state) is not None}
        assert set(found) == set(sends), journey_id
        for name, send in found.items():
            assert send is not None and send.step == name
            assert send.template == sends[name].template


@pytest.mark.parametrize("root", PROJECTS, ids=["journeys", "examples"])
def test_quiet_hours_waits_belong_to_their_send_and_are_no_step(root: Any) -> None:
    _, definitions = compiled(root)
    quiet = 0
    for definition in definitions.values():
        states = definition["States"]
        for state in states.values():
            if is_quiet_hours_wait(state):
                quiet += 1
                assert step_kind(state) is None
                assert send_of(states[state["Next"]]) is not None  # loops back to the send
    assert quiet > 0


def test_decide_and_park_tasks_have_their_roles_and_substituted_arns_read_the_same() -> None:
    _, definitions = compiled(JOURNEYS / "examples")
    kinds = {step_kind(s) for d in definitions.values() for s in d["States"].values()}
    assert {"send", "wait", "bucket", "holdout"} <= kinds
    for definition in definitions.values():
        text = json.dumps(definition)
        for placeholder, arn in (("${SendFunctionArn}", SEND_FUNCTION_ARN),
                                 ("${DecideFunctionArn}", DECIDE_FUNCTION_ARN),
                                 ("${ParkFunctionArn}", PARK_FUNCTION_ARN)):
            text = text.replace(placeholder, arn)
        local = json.loads(text)
        for name, state in definition["States"].items():
            assert task_role(local["States"][name]) == task_role(state)
            assert step_kind(local["States"][name]) == step_kind(state)
