"""The Pass, Succeed and Fail states."""

from __future__ import annotations

from functools import partial
from typing import Any

from tact.local.stepfunctions.core import Core
from tact.local.stepfunctions.errors import QueryError
from tact.local.stepfunctions.jsonata_context import (
    bindings_for,
    output_and_assign,
    resolve,
    state_input,
    states_binding,
)
from tact.local.stepfunctions.records import Fail, Go, Outcome, Run
from tact.local.stepfunctions.values import kind_of, next_state


class SimpleStates(Core):
    """States that only shape output or end the execution."""

    def _pass(self, run: Run, state: dict[str, Any]) -> Outcome:
        output = output_and_assign(run, state, partial(states_binding, run), state_input(run), "")
        return Go(next_state(state), output)

    def _succeed(self, run: Run, state: dict[str, Any]) -> Outcome:
        output = output_and_assign(run, state, partial(states_binding, run), state_input(run), "")
        return Go(None, output)

    def _fail(self, run: Run, state: dict[str, Any]) -> Outcome:
        bindings = bindings_for(run, states_binding(run))
        error = self._string_field(state, "Error", bindings)
        cause = self._string_field(state, "Cause", bindings)
        return Fail(error, cause)

    def _string_field(
        self, state: dict[str, Any], name: str, bindings: dict[str, Any]
    ) -> str | None:
        if name not in state:
            return None
        value = resolve(state[name], bindings, name)
        if not isinstance(value, str):
            raise QueryError(f"the field '{name}' must be a string, got {kind_of(value)}")
        return value
