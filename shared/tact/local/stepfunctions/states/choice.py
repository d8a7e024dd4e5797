"""The Choice state: JSONata conditions, first match wins."""

from __future__ import annotations

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
from tact.local.stepfunctions.values import kind_of


class ChoiceState(Core):
    """Picks the next state by the first rule whose Condition is true."""

    def _choice(self, run: Run, state: dict[str, Any]) -> Outcome:
        states = states_binding(run)
        bindings = bindings_for(run, states)
        for index, rule in enumerate(state["Choices"]):
            where = f"Choices[{index}]"
            matched = resolve(rule["Condition"], bindings, f"{where}/Condition")
            if not isinstance(matched, bool):
                raise QueryError(
                    f"the field '{where}/Condition' must evaluate to a boolean, "
                    f"got {kind_of(matched)}"
                )
            if matched:
                # A matching rule's Output/Assign replace the state-level ones (AWS docs).
                output = output_and_assign(run, rule, lambda: states, state_input(run), f"{where}/")
                return Go(rule["Next"], output)
        if "Default" not in state:
            return Fail(
                "States.NoChoiceMatched",
                f"no Choice Rule matched and state '{run.cursor.state}' has no Default"
                if run.cursor
                else "no Choice Rule matched",
            )
        output = output_and_assign(run, state, lambda: states, state_input(run), "")
        return Go(state["Default"], output)
