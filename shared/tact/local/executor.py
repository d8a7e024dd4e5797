"""Run compiled Step Functions definitions (JSONata query language) in-process on a virtual clock.

The executor takes the exact JSON that is deployed, validates it like Step Functions does at
creation, and runs it: ``Task`` states call the project's Lambda handlers in-process, ``Wait``
states and retries are scheduled on a :class:`~tact.local.clock.VirtualClock`, and
``.waitForTaskToken`` tasks park until ``send_task_success``/``send_task_failure``.

Anything the executor cannot run faithfully raises :class:`UnsupportedDefinition` at
registration: a definition is either run with real semantics or refused, never half-run.

Work is serialized through one queue: a handler that starts another execution or completes a
task token while it is being called only enqueues that work, which runs once the current
execution parks. Nothing ever nests, and runs are deterministic.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from typing import Any

from tact.local.stepfunctions.definition import (
    check_execution_name,
    parse_state_machine_arn,
    substitute,
    validate_definition,
)
from tact.local.stepfunctions.errors import TaskDoesNotExist
from tact.local.stepfunctions.records import JSON, Execution, ExecutionStatus, Machine, Outcome, Run
from tact.local.stepfunctions.states.choice import ChoiceState
from tact.local.stepfunctions.states.map import MapState
from tact.local.stepfunctions.states.task import TaskState
from tact.local.stepfunctions.states.wait import WaitState
from tact.local.stepfunctions.values import json_copy


class LocalStepFunctions(TaskState, WaitState, ChoiceState, MapState):
    """An in-process Step Functions for JSONata definitions, on a virtual clock."""

    def register_state_machine(
        self,
        arn: str,
        definition: dict[str, Any] | str,
        substitutions: Mapping[str, str] | None = None,
    ) -> None:
        """Validate and store a definition under ``arn`` (base, version or alias ARN)."""
        region, account, name, qualifier = parse_state_machine_arn(arn)
        document = substitute(definition, substitutions or {})
        validate_definition(document, self._find_handler)
        base = arn.rsplit(":", 1)[0] if qualifier else arn
        self._machines[arn] = Machine(arn, base, name, region, account, document)

    def start_execution(self, state_machine_arn: str, name: str, input: JSON = None) -> str:
        """Start (or idempotently re-find) an execution; runs until it waits, parks or ends."""
        machine = self._machine_for(state_machine_arn)
        check_execution_name(name)
        document = json_copy({} if input is None else input, "execution input")
        arn = f"arn:aws:states:{machine.region}:{machine.account}:execution:{machine.name}:{name}"
        existing = self._runs.get(arn)
        if existing is not None:
            return self._idempotent_start(existing, document)
        run = self._new_run(arn, name, machine, document)
        self._runs[arn] = run
        self._record(run, "ExecutionStarted", {"input": document})
        self._arm_execution_timeout(run)
        start_at = machine.definition["StartAt"]
        self._submit(
            functools.partial(
                self._drive, run, functools.partial(self._enter, run, start_at, document)
            )
        )
        return arn

    def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> None:
        """Abort a running execution; its pending timers and task token become void."""
        run = self._run(execution_arn)
        if run.execution.status == "RUNNING":
            self._finish(run, "ABORTED", error=error, cause=cause)

    def send_task_success(self, task_token: str, output: JSON) -> None:
        """Complete a ``.waitForTaskToken`` task; ``output`` becomes ``$states.result``."""
        result = json_copy(output, "task output")
        pending = self._take_token(task_token)
        self._submit(
            functools.partial(
                self._resume_task,
                pending,
                "TaskSucceeded",
                {"output": result},
                lambda run, state: self._task_success(run, state, result),
            )
        )

    def send_task_failure(self, task_token: str, error: str, cause: str = "") -> None:
        """Fail a ``.waitForTaskToken`` task with ``error`` (subject to Retry and Catch)."""
        pending = self._take_token(task_token)
        self._submit(
            functools.partial(
                self._resume_task,
                pending,
                "TaskFailed",
                {"error": error, "cause": cause},
                lambda run, state: self._task_error(run, state, error, cause),
            )
        )

    def send_task_heartbeat(self, task_token: str) -> None:
        """Restart the task's ``HeartbeatSeconds`` countdown."""
        pending = self._tokens.get(task_token)
        if pending is None:
            raise TaskDoesNotExist(task_token)
        if pending.heartbeat is not None:
            self._arm_heartbeat(task_token, pending)

    def describe_execution(self, execution_arn: str) -> Execution:
        """A snapshot of the execution (later progress does not change it)."""
        return copy.deepcopy(self._run(execution_arn).execution)

    def executions(
        self, state_machine_arn: str | None = None, status: ExecutionStatus | None = None,
        *, snapshot: bool = True,
    ) -> list[Execution]:
        """Snapshots of all executions in start order, optionally filtered.

        ``snapshot=False`` hands out the live records, uncopied: for reading once a run is
        over (copying every history dominates the end of a large simulation).
        """
        base = self._machine_for(state_machine_arn).base_arn if state_machine_arn else None
        return [
            (copy.deepcopy(run.execution) if snapshot else run.execution)
            for run in self._runs.values()
            if (base is None or run.machine.base_arn == base)
            and (status is None or run.execution.status == status)
        ]

    def transitions(self, execution_arn: str) -> int:
        """States entered plus retry attempts: what Step Functions bills as transitions."""
        return self._run(execution_arn).transitions

    def task_token(self, execution_arn: str) -> str | None:
        """The token the execution is parked on, if it waits in a ``.waitForTaskToken`` task."""
        run = self._run(execution_arn)
        token = run.cursor.token if run.cursor else None
        return token if token is not None and token in self._tokens else None

    def _state_types(self) -> dict[str, Callable[[Run, dict[str, Any]], Outcome]]:
        return {
            "Task": self._task,
            "Pass": self._pass,
            "Wait": self._wait,
            "Choice": self._choice,
            "Succeed": self._succeed,
            "Fail": self._fail,
            "Map": self._map,
        }
