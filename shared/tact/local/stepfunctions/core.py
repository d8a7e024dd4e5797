"""The engine under every state: lookups, the one work queue, entering and finishing states,
timers on the virtual clock, the execution history."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from tact.local.clock import VirtualClock
from tact.local.stepfunctions.errors import (
    QUERY_ERROR,
    TIMEOUT,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    QueryError,
    StateMachineDoesNotExist,
)
from tact.local.stepfunctions.jsonata_context import sfn_functions
from tact.local.stepfunctions.records import (
    JSON,
    MAX_HISTORY_EVENTS,
    PARK,
    Cursor,
    Execution,
    ExecutionStatus,
    Fail,
    Handler,
    HistoryEvent,
    Machine,
    Outcome,
    Park,
    PendingTask,
    Run,
    Step,
)
from tact.local.stepfunctions.values import canonical, function_name_candidates


class Core:
    """Runs states one at a time; the state types come from the subclasses."""

    def __init__(self, clock: VirtualClock, functions: Mapping[str, Handler]) -> None:
        self.clock = clock
        self._functions = functions
        self._machines: dict[str, Machine] = {}
        self._runs: dict[str, Run] = {}
        self._tokens: dict[str, PendingTask] = {}
        self._token_seq = 0
        self._queue: deque[Callable[[], None]] = deque()
        self._draining = False

    def _machine_for(self, arn: str) -> Machine:
        machine = self._machines.get(arn)
        if machine is None and arn.count(":") == 7:
            machine = self._machines.get(arn.rsplit(":", 1)[0])  # version/alias -> base
        if machine is None:
            raise StateMachineDoesNotExist(arn)
        return machine

    def _run(self, execution_arn: str) -> Run:
        run = self._runs.get(execution_arn)
        if run is None:
            raise ExecutionDoesNotExist(execution_arn)
        return run

    def _find_handler(self, name: str) -> Handler | None:
        for candidate in function_name_candidates(name):
            handler = self._functions.get(candidate)
            if handler is not None:
                return handler
        return None

    def _idempotent_start(self, run: Run, document: JSON) -> str:
        ex = run.execution
        if ex.status == "RUNNING" and canonical(ex.input) == canonical(document):
            return ex.arn
        raise ExecutionAlreadyExists(
            f"execution {ex.arn} already exists ({ex.status}"
            f"{'' if ex.status != 'RUNNING' else ', with different input'})"
        )

    def _new_run(self, arn: str, name: str, machine: Machine, document: JSON) -> Run:
        execution = Execution(
            arn=arn,
            name=name,
            state_machine_arn=machine.base_arn,
            status="RUNNING",
            input=document,
            start=self.clock.now(),
            state_machine_version_arn=machine.arn if machine.arn != machine.base_arn else None,
        )
        # Seeded by the execution ARN so jitter, $random and $uuid replay identically.
        run = Run(execution, machine, seed=arn)
        run.functions = sfn_functions(self.clock, lambda: run.rng)
        return run

    def _submit(self, work: Callable[[], None]) -> None:
        self._queue.append(work)
        if self._draining:
            return  # called from inside a handler: runs after the current work parks
        self._draining = True
        try:
            while self._queue:
                self._queue.popleft()()
        finally:
            self._draining = False

    def _drive(self, run: Run, step: Step) -> None:
        """Run states from ``step`` until the execution parks or ends."""
        outcome = self._attempt(run, step)
        while run.execution.status == "RUNNING":
            if isinstance(outcome, Park):
                return
            if isinstance(outcome, Fail):
                self._finish(run, "FAILED", error=outcome.error, cause=outcome.cause)
                return
            self._record_exit(run, outcome.output)
            if outcome.next is None:
                self._finish(run, "SUCCEEDED", output=outcome.output)
                return
            outcome = self._attempt(
                run, functools.partial(self._enter, run, outcome.next, outcome.output)
            )

    def _attempt(self, run: Run, step: Step) -> Outcome:
        try:
            return step()
        except QueryError as exc:  # outside a Task's Retry/Catch: fails the execution
            self._record(run, "EvaluationFailed", {"error": QUERY_ERROR, "cause": exc.cause})
            return Fail(QUERY_ERROR, exc.cause)

    def _enter(self, run: Run, name: str, state_input: JSON) -> Outcome:
        if len(run.execution.history) >= MAX_HISTORY_EVENTS:
            return Fail(
                "States.Runtime", f"execution history exceeded {MAX_HISTORY_EVENTS} events"
            )
        state = run.machine.states[name]
        run.cursor = Cursor(name, state_input, self.clock.now())
        run.transitions += 1
        self._record(run, f"{state['Type']}StateEntered", {"input": state_input})
        return self._state_handlers[state["Type"]](run, state)

    @functools.cached_property  # built once, not for every state entered
    def _state_handlers(self) -> dict[str, Callable[[Run, dict[str, Any]], Outcome]]:
        return self._state_types()

    def _finish(
        self,
        run: Run,
        status: ExecutionStatus,
        *,
        output: JSON = None,
        error: str | None = None,
        cause: str | None = None,
    ) -> None:
        ex = run.execution
        ex.status, ex.output, ex.error, ex.cause = status, output, error, cause
        ex.stop = self.clock.now()
        run.epoch += 1
        if run.cursor is not None and run.cursor.token is not None:
            self._tokens.pop(run.cursor.token, None)
        kind = {
            "SUCCEEDED": "Succeeded",
            "FAILED": "Failed",
            "ABORTED": "Aborted",
            "TIMED_OUT": "TimedOut",
        }[status]
        detail = {"output": output} if status == "SUCCEEDED" else {"error": error, "cause": cause}
        ex.history.append(HistoryEvent(ex.stop, None, f"Execution{kind}", detail))
        self._execution_ended(run)

    def _park_until(self, run: Run, when: datetime, step: Step) -> Park:
        run.epoch += 1
        epoch = run.epoch
        self.clock.call_at(
            when, lambda: self._submit(functools.partial(self._resume, run, epoch, step))
        )
        return PARK

    def _resume(self, run: Run, epoch: int, step: Step) -> None:
        if run.execution.status == "RUNNING" and run.epoch == epoch:
            self._drive(run, step)

    def _arm_execution_timeout(self, run: Run) -> None:
        seconds = run.machine.definition.get("TimeoutSeconds")
        if seconds is None:
            return

        def expire() -> None:
            if run.execution.status == "RUNNING":
                self._finish(
                    run,
                    "TIMED_OUT",
                    error=TIMEOUT,
                    cause=f"execution exceeded TimeoutSeconds={seconds}",
                )

        self.clock.call_later(seconds, lambda: self._submit(expire))

    def _record(self, run: Run, kind: str, detail: dict[str, Any]) -> None:
        state = run.cursor.state if run.cursor else None
        run.execution.history.append(HistoryEvent(self.clock.now(), state, kind, detail))

    def _record_exit(self, run: Run, output: JSON) -> None:
        assert run.cursor is not None
        kind = run.machine.states[run.cursor.state]["Type"]
        self._record(run, f"{kind}StateExited", {"output": output})

    # ----------------------------------------------------------------- supplied by the states

    def _execution_ended(self, run: Run) -> None:
        """Hook: a Map state hears of its children ending (states/map.py)."""

    def _state_types(self) -> dict[str, Callable[[Run, dict[str, Any]], Outcome]]:
        raise NotImplementedError  # LocalStepFunctions maps each state type to its module

    def _task(self, run: Run, state: dict[str, Any]) -> Outcome:
        raise NotImplementedError  # states/task.py

    def _task_error(self, run: Run, state: dict[str, Any], error: str, cause: str) -> Outcome:
        raise NotImplementedError  # retry.py
