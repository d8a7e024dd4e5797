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

import base64
import copy
import functools
import hashlib
import json
import random
import re
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jsonata
from jsonata.functions import Functions
from jsonata.utils import Utils

from tact.local.clock import VirtualClock

JSON = Any
ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"]
Handler = Callable[[Any], Any]

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_INVOKE_WAIT = "arn:aws:states:::lambda:invoke.waitForTaskToken"

QUERY_ERROR = "States.QueryEvaluationError"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
MAX_HISTORY_EVENTS = 25_000  # Step Functions' per-execution history quota

# --------------------------------------------------------------------------- errors


class DefinitionError(ValueError):
    """A definition cannot be registered."""


class UnsupportedDefinition(DefinitionError):
    """Valid ASL, but uses something this executor does not run (so it refuses it)."""


class InvalidDefinition(DefinitionError):
    """Step Functions itself would reject this definition."""


class StateMachineDoesNotExist(LookupError):
    pass


class ExecutionDoesNotExist(LookupError):
    pass


class ExecutionAlreadyExists(Exception):
    """The name is taken on this state machine by a finished run or one with other input."""


class InvalidName(ValueError):
    pass


class TaskDoesNotExist(LookupError):
    """Unknown task token, or its task already completed, timed out or was stopped."""


class LambdaTimeout(Exception):
    """Raise from a handler to simulate the Lambda function timing out."""

    error_type = TIMEOUT


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class HistoryEvent:
    time: datetime
    state: str | None
    type: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Execution:
    arn: str
    name: str
    state_machine_arn: str
    status: ExecutionStatus
    input: JSON
    start: datetime
    output: JSON = None
    error: str | None = None
    cause: str | None = None
    stop: datetime | None = None
    history: list[HistoryEvent] = field(default_factory=list)
    # The qualified ARN (version or alias) whose definition runs, when started through one.
    state_machine_version_arn: str | None = None


# --------------------------------------------------------------------------- internals


@dataclass(frozen=True)
class _Machine:
    arn: str
    base_arn: str
    name: str
    region: str
    account: str
    definition: dict[str, Any]

    @property
    def states(self) -> dict[str, dict[str, Any]]:
        states: dict[str, dict[str, Any]] = self.definition["States"]
        return states


@dataclass
class _Cursor:
    """Where an execution is: the current state and what it entered with."""

    state: str
    input: JSON
    entered: datetime
    retries: dict[int, int] = field(default_factory=dict)  # retrier index -> retries used
    token: str | None = None


@dataclass
class _Run:
    execution: Execution
    machine: _Machine
    rng: random.Random
    functions: dict[str, Any]
    variables: dict[str, JSON] = field(default_factory=dict)
    cursor: _Cursor | None = None
    epoch: int = 0  # bumped on every park/finish; a timer from an older epoch is stale
    transitions: int = 0


@dataclass
class _PendingTask:
    run: _Run
    epoch: int
    heartbeat: int | None
    beats: int = 0  # bumped per heartbeat; an older heartbeat timer is stale


@dataclass(frozen=True)
class _Go:
    next: str | None  # None ends the execution
    output: JSON


@dataclass(frozen=True)
class _Fail:
    error: str | None
    cause: str | None


class _Park:
    """The execution waits for a timer or a task token."""


_PARK = _Park()
_Outcome = _Go | _Fail | _Park
_Step = Callable[[], _Outcome]


@dataclass(frozen=True)
class _Request:
    function: str
    payload: JSON
    timeout: int | None
    heartbeat: int | None


class _QueryError(Exception):
    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class _TaskError(Exception):
    def __init__(self, error: str, cause: str, trace: str | None = None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.trace = trace


# --------------------------------------------------------------------------- the executor


class LocalStepFunctions:
    """An in-process Step Functions for JSONata definitions, on a virtual clock."""

    def __init__(self, clock: VirtualClock, functions: Mapping[str, Handler]) -> None:
        self.clock = clock
        self._functions = functions
        self._machines: dict[str, _Machine] = {}
        self._runs: dict[str, _Run] = {}
        self._tokens: dict[str, _PendingTask] = {}
        self._token_seq = 0
        self._queue: deque[Callable[[], None]] = deque()
        self._draining = False

    # ----------------------------------------------------------------- API

    def register_state_machine(
        self,
        arn: str,
        definition: dict[str, Any] | str,
        substitutions: Mapping[str, str] | None = None,
    ) -> None:
        """Validate and store a definition under ``arn`` (base, version or alias ARN)."""
        region, account, name, qualifier = _parse_state_machine_arn(arn)
        document = _substitute(definition, substitutions or {})
        _validate_definition(document, self._find_handler)
        base = arn.rsplit(":", 1)[0] if qualifier else arn
        self._machines[arn] = _Machine(arn, base, name, region, account, document)

    def start_execution(self, state_machine_arn: str, name: str, input: JSON = None) -> str:
        """Start (or idempotently re-find) an execution; runs until it waits, parks or ends."""
        machine = self._resolve(state_machine_arn)
        _check_execution_name(name)
        document = _json_copy({} if input is None else input, "execution input")
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
        result = _json_copy(output, "task output")
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
        base = self._resolve(state_machine_arn).base_arn if state_machine_arn else None
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

    # ----------------------------------------------------------------- lookup

    def _resolve(self, arn: str) -> _Machine:
        machine = self._machines.get(arn)
        if machine is None and arn.count(":") == 7:
            machine = self._machines.get(arn.rsplit(":", 1)[0])  # version/alias -> base
        if machine is None:
            raise StateMachineDoesNotExist(arn)
        return machine

    def _run(self, execution_arn: str) -> _Run:
        run = self._runs.get(execution_arn)
        if run is None:
            raise ExecutionDoesNotExist(execution_arn)
        return run

    def _find_handler(self, name: str) -> Handler | None:
        for candidate in _function_name_candidates(name):
            handler = self._functions.get(candidate)
            if handler is not None:
                return handler
        return None

    def _idempotent_start(self, run: _Run, document: JSON) -> str:
        ex = run.execution
        if ex.status == "RUNNING" and _canonical(ex.input) == _canonical(document):
            return ex.arn
        raise ExecutionAlreadyExists(
            f"execution {ex.arn} already exists ({ex.status}"
            f"{'' if ex.status != 'RUNNING' else ', with different input'})"
        )

    def _new_run(self, arn: str, name: str, machine: _Machine, document: JSON) -> _Run:
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
        rng = random.Random(arn)
        return _Run(execution, machine, rng, _sfn_functions(self.clock, rng))

    # ----------------------------------------------------------------- the work queue

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

    def _drive(self, run: _Run, step: _Step) -> None:
        """Run states from ``step`` until the execution parks or ends."""
        outcome = self._attempt(run, step)
        while run.execution.status == "RUNNING":
            if isinstance(outcome, _Park):
                return
            if isinstance(outcome, _Fail):
                self._finish(run, "FAILED", error=outcome.error, cause=outcome.cause)
                return
            self._record_exit(run, outcome.output)
            if outcome.next is None:
                self._finish(run, "SUCCEEDED", output=outcome.output)
                return
            outcome = self._attempt(
                run, functools.partial(self._enter, run, outcome.next, outcome.output)
            )

    def _attempt(self, run: _Run, step: _Step) -> _Outcome:
        try:
            return step()
        except _QueryError as exc:  # outside a Task's Retry/Catch: fails the execution
            self._record(run, "EvaluationFailed", {"error": QUERY_ERROR, "cause": exc.cause})
            return _Fail(QUERY_ERROR, exc.cause)

    def _enter(self, run: _Run, name: str, state_input: JSON) -> _Outcome:
        if len(run.execution.history) >= MAX_HISTORY_EVENTS:
            return _Fail(
                "States.Runtime", f"execution history exceeded {MAX_HISTORY_EVENTS} events"
            )
        state = run.machine.states[name]
        run.cursor = _Cursor(name, state_input, self.clock.now())
        run.transitions += 1
        self._record(run, f"{state['Type']}StateEntered", {"input": state_input})
        handlers: dict[str, Callable[[_Run, dict[str, Any]], _Outcome]] = {
            "Task": self._task,
            "Pass": self._pass,
            "Wait": self._wait,
            "Choice": self._choice,
            "Succeed": self._succeed,
            "Fail": self._fail,
        }
        return handlers[state["Type"]](run, state)

    def _finish(
        self,
        run: _Run,
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

    # ----------------------------------------------------------------- timers

    def _park_until(self, run: _Run, when: datetime, step: _Step) -> _Park:
        run.epoch += 1
        epoch = run.epoch
        self.clock.call_at(
            when, lambda: self._submit(functools.partial(self._resume, run, epoch, step))
        )
        return _PARK

    def _resume(self, run: _Run, epoch: int, step: _Step) -> None:
        if run.execution.status == "RUNNING" and run.epoch == epoch:
            self._drive(run, step)

    def _arm_execution_timeout(self, run: _Run) -> None:
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

    # ----------------------------------------------------------------- simple states

    def _pass(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        output = self._output_and_assign(run, state, self._states(run), self._input(run), "")
        return _Go(_next(state), output)

    def _succeed(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        output = self._output_and_assign(run, state, self._states(run), self._input(run), "")
        return _Go(None, output)

    def _fail(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        bindings = self._bindings(run, self._states(run))
        error = self._string_field(state, "Error", bindings)
        cause = self._string_field(state, "Cause", bindings)
        return _Fail(error, cause)

    def _string_field(
        self, state: dict[str, Any], name: str, bindings: dict[str, Any]
    ) -> str | None:
        if name not in state:
            return None
        value = _resolve(state[name], bindings, name)
        if not isinstance(value, str):
            raise _QueryError(f"the field '{name}' must be a string, got {_kind(value)}")
        return value

    def _wait(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        until = self._wait_until(state, self._bindings(run, self._states(run)))
        done = functools.partial(self._pass, run, state)  # after waiting, a Wait acts as a Pass
        if until <= self.clock.now():
            return done()
        self._record(run, "WaitScheduled", {"until": _iso(until)})
        return self._park_until(run, until, done)

    def _wait_until(self, state: dict[str, Any], bindings: dict[str, Any]) -> datetime:
        if "Seconds" in state:
            seconds = _resolve(state["Seconds"], bindings, "Seconds")
            if not _is_int(seconds) or not 0 <= seconds <= 99_999_999:
                raise _QueryError(
                    f"the field 'Seconds' must be an integer 0..99999999, got {seconds!r}"
                )
            return self.clock.now() + timedelta(seconds=seconds)
        stamp = _resolve(state["Timestamp"], bindings, "Timestamp")
        try:
            return _parse_timestamp(stamp)
        except ValueError as exc:
            raise _QueryError(f"the field 'Timestamp': {exc}") from exc

    def _choice(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        states = self._states(run)
        bindings = self._bindings(run, states)
        for index, rule in enumerate(state["Choices"]):
            where = f"Choices[{index}]"
            matched = _resolve(rule["Condition"], bindings, f"{where}/Condition")
            if not isinstance(matched, bool):
                raise _QueryError(
                    f"the field '{where}/Condition' must evaluate to a boolean, "
                    f"got {_kind(matched)}"
                )
            if matched:
                # A matching rule's Output/Assign replace the state-level ones (AWS docs).
                output = self._output_and_assign(run, rule, states, self._input(run), f"{where}/")
                return _Go(rule["Next"], output)
        if "Default" not in state:
            return _Fail(
                "States.NoChoiceMatched",
                f"no Choice Rule matched and state '{run.cursor.state}' has no Default"
                if run.cursor
                else "no Choice Rule matched",
            )
        output = self._output_and_assign(run, state, states, self._input(run), "")
        return _Go(state["Default"], output)

    # ----------------------------------------------------------------- Task

    def _task(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        assert run.cursor is not None
        waits = state["Resource"] == LAMBDA_INVOKE_WAIT
        run.cursor.token = self._new_token(run) if waits else None
        try:
            request = self._task_request(run, state)
        except _QueryError as exc:
            self._record(run, "EvaluationFailed", {"error": QUERY_ERROR, "cause": exc.cause})
            return self._task_error(run, state, QUERY_ERROR, exc.cause)
        self._record(
            run,
            "TaskScheduled",
            {
                "resource": state["Resource"],
                "function": request.function,
                "payload": request.payload,
            },
        )
        if run.cursor.token is None:
            return self._invoke(run, state, request)
        return self._invoke_for_token(run, state, request, run.cursor.token)

    def _task_request(self, run: _Run, state: dict[str, Any]) -> _Request:
        bindings = self._bindings(run, self._states(run))
        arguments = _resolve(state["Arguments"], bindings, "Arguments")
        if not isinstance(arguments, dict) or not isinstance(arguments.get("FunctionName"), str):
            raise _QueryError("the field 'Arguments' must be an object with a string FunctionName")
        unknown = set(arguments) - {"FunctionName", "Payload"}
        if unknown:
            raise _QueryError(f"unsupported Lambda arguments {sorted(unknown)}")
        return _Request(
            function=arguments["FunctionName"],
            payload=arguments.get("Payload", {}),
            timeout=self._seconds_field(state, "TimeoutSeconds", bindings),
            heartbeat=self._seconds_field(state, "HeartbeatSeconds", bindings),
        )

    def _seconds_field(
        self, state: dict[str, Any], name: str, bindings: dict[str, Any]
    ) -> int | None:
        if name not in state:
            return None
        value = _resolve(state[name], bindings, name)
        if not _is_int(value) or not 1 <= value <= 99_999_999:
            raise _QueryError(f"the field '{name}' must be an integer 1..99999999, got {value!r}")
        return int(value)

    def _invoke(self, run: _Run, state: dict[str, Any], request: _Request) -> _Outcome:
        try:
            payload = self._call(request)
        except _TaskError as exc:
            self._record_task_failure(run, exc)
            return self._task_error(run, state, exc.error, exc.cause)
        if run.execution.status != "RUNNING":
            return _PARK  # stopped while the handler ran
        # The optimized Lambda integration's result shape; definitions read .Payload.
        result = {"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}
        self._record(run, "TaskSucceeded", {"output": result})
        return self._task_success(run, state, result)

    def _invoke_for_token(
        self, run: _Run, state: dict[str, Any], request: _Request, token: str
    ) -> _Outcome:
        run.epoch += 1
        pending = _PendingTask(run, run.epoch, request.heartbeat)
        # Registered before the call: the handler may complete the token while it runs.
        self._tokens[token] = pending
        if request.timeout is not None:
            self.clock.call_later(
                request.timeout,
                lambda: self._submit(
                    functools.partial(self._token_expired, token, pending, 0, TIMEOUT)
                ),
            )
        if request.heartbeat is not None:
            self._arm_heartbeat(token, pending)
        try:
            self._call(request)  # the return value is ignored: the token carries the result
        except _TaskError as exc:
            if self._tokens.get(token) is not pending:
                return _PARK  # the token was already completed during the call; that wins
            del self._tokens[token]
            self._record_task_failure(run, exc)
            return self._task_error(run, state, exc.error, exc.cause)
        return _PARK

    def _call(self, request: _Request) -> JSON:
        handler = self._find_handler(request.function)
        if handler is None:
            raise _TaskError(
                "Lambda.ResourceNotFoundException", f"Function not found: {request.function}"
            )
        try:
            value = handler(_json_copy(request.payload, "payload"))
        except Exception as exc:  # a handler failure is a task error, as in Lambda
            raise _TaskError(_error_name(exc), str(exc), traceback.format_exc()) from exc
        try:
            return _json_copy(value, "Lambda result")
        except ValueError as exc:
            raise _TaskError("Runtime.MarshalError", str(exc)) from exc

    def _record_task_failure(self, run: _Run, exc: _TaskError) -> None:
        detail = {"error": exc.error, "cause": exc.cause}
        if exc.trace:
            detail["trace"] = exc.trace
        self._record(run, "TaskTimedOut" if exc.error == TIMEOUT else "TaskFailed", detail)

    def _task_success(self, run: _Run, state: dict[str, Any], result: JSON) -> _Outcome:
        try:
            output = self._output_and_assign(
                run, state, self._states(run, result=result), result, ""
            )
        except _QueryError as exc:
            self._record(run, "EvaluationFailed", {"error": QUERY_ERROR, "cause": exc.cause})
            return self._task_error(run, state, QUERY_ERROR, exc.cause)
        return _Go(_next(state), output)

    def _task_error(self, run: _Run, state: dict[str, Any], error: str, cause: str) -> _Outcome:
        assert run.cursor is not None
        run.cursor.token = None
        delay = self._retry_delay(run, state, error)
        if delay is not None:
            when = self.clock.now() + timedelta(seconds=delay)
            self._record(
                run,
                "TaskRetryScheduled",
                {"error": error, "at": _iso(when), "retry": sum(run.cursor.retries.values())},
            )
            return self._park_until(run, when, functools.partial(self._retry, run, state))
        for index, catcher in enumerate(state.get("Catch", [])):
            if _matches(catcher["ErrorEquals"], error):
                error_output = {"Error": error, "Cause": cause}
                states = self._states(run, errorOutput=error_output)
                output = self._output_and_assign(
                    run, catcher, states, error_output, f"Catch[{index}]/"
                )
                return _Go(catcher["Next"], output)
        return _Fail(error, cause)

    def _retry_delay(self, run: _Run, state: dict[str, Any], error: str) -> float | None:
        assert run.cursor is not None
        for index, retrier in enumerate(state.get("Retry", [])):
            if not _matches(retrier["ErrorEquals"], error):
                continue
            # Only the first matching retrier applies; when it is spent, Catch decides.
            used = run.cursor.retries.get(index, 0)
            if used >= retrier.get("MaxAttempts", 3):
                return None
            run.cursor.retries[index] = used + 1
            return _backoff(retrier, used, run.rng)
        return None

    def _retry(self, run: _Run, state: dict[str, Any]) -> _Outcome:
        run.transitions += 1  # Step Functions bills each retry as a transition
        return self._task(run, state)

    # ----------------------------------------------------------------- task tokens

    def _new_token(self, run: _Run) -> str:
        self._token_seq += 1
        seed = f"{run.execution.arn}|{self._token_seq}".encode()
        return base64.urlsafe_b64encode(hashlib.sha256(seed).digest()).decode().rstrip("=")

    def _take_token(self, token: str) -> _PendingTask:
        pending = self._tokens.pop(token, None)
        if pending is None:
            raise TaskDoesNotExist(f"no task waits for token {token!r}")
        return pending

    def _resume_task(
        self,
        pending: _PendingTask,
        event: str,
        detail: dict[str, Any],
        then: Callable[[_Run, dict[str, Any]], _Outcome],
    ) -> None:
        run = pending.run
        if run.execution.status != "RUNNING" or run.epoch != pending.epoch or not run.cursor:
            return
        state = run.machine.states[run.cursor.state]
        self._record(run, event, detail)
        self._drive(run, functools.partial(then, run, state))

    def _arm_heartbeat(self, token: str, pending: _PendingTask) -> None:
        assert pending.heartbeat is not None
        pending.beats += 1
        self.clock.call_later(
            pending.heartbeat,
            lambda beats=pending.beats: self._submit(
                functools.partial(self._token_expired, token, pending, beats, HEARTBEAT_TIMEOUT)
            ),
        )

    def _token_expired(self, token: str, pending: _PendingTask, beats: int, error: str) -> None:
        if self._tokens.get(token) is not pending:
            return  # completed, failed or stopped meanwhile
        if error == HEARTBEAT_TIMEOUT and pending.beats != beats:
            return  # a later heartbeat re-armed the countdown
        del self._tokens[token]
        what = "HeartbeatSeconds" if error == HEARTBEAT_TIMEOUT else "TimeoutSeconds"
        cause = f"task token not completed within {what}"
        self._resume_task(
            pending,
            "TaskTimedOut",
            {"error": error, "cause": cause},
            lambda run, state: self._task_error(run, state, error, cause),
        )

    # ----------------------------------------------------------------- expressions

    def _input(self, run: _Run) -> JSON:
        assert run.cursor is not None
        return run.cursor.input

    def _states(self, run: _Run, **extra: JSON) -> dict[str, JSON]:
        """The ``$states`` binding: input, context, and result/errorOutput where available."""
        assert run.cursor is not None
        return {"input": run.cursor.input, "context": self._context(run), **extra}

    def _context(self, run: _Run) -> dict[str, JSON]:
        assert run.cursor is not None
        ex, cursor = run.execution, run.cursor
        context: dict[str, JSON] = {
            "Execution": {
                "Id": ex.arn,
                "Name": ex.name,
                "Input": ex.input,
                "StartTime": _iso(ex.start),
            },
            "State": {
                "Name": cursor.state,
                "EnteredTime": _iso(cursor.entered),
                "RetryCount": sum(cursor.retries.values()),
            },
            "StateMachine": {"Id": run.machine.arn, "Name": run.machine.name},
        }
        if cursor.token is not None:
            context["Task"] = {"Token": cursor.token}
        return context

    def _bindings(self, run: _Run, states: dict[str, JSON]) -> dict[str, Any]:
        bindings = dict(run.functions)
        for name, value in run.variables.items():
            # A top-level None binding reads as "undefined" in jsonata-python; JSON null is meant.
            bindings[name] = Utils.NULL_VALUE if value is None else value
        bindings["states"] = states
        return bindings

    def _output_and_assign(
        self,
        run: _Run,
        holder: dict[str, Any],
        states: dict[str, JSON],
        default: JSON,
        where: str,
    ) -> JSON:
        """Evaluate Output and Assign against the same, pre-state variables; then assign."""
        bindings = self._bindings(run, states)
        output = (
            _resolve(holder["Output"], bindings, f"{where}Output")
            if "Output" in holder
            else default
        )
        assigned = {
            name: _resolve(value, bindings, f"{where}Assign/{name}")
            for name, value in holder.get("Assign", {}).items()
        }
        run.variables.update(assigned)
        return output

    # ----------------------------------------------------------------- history

    def _record(self, run: _Run, kind: str, detail: dict[str, Any]) -> None:
        state = run.cursor.state if run.cursor else None
        run.execution.history.append(HistoryEvent(self.clock.now(), state, kind, detail))

    def _record_exit(self, run: _Run, output: JSON) -> None:
        assert run.cursor is not None
        kind = run.machine.states[run.cursor.state]["Type"]
        self._record(run, f"{kind}StateExited", {"output": output})


# --------------------------------------------------------------------------- evaluation helpers


def _is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("{%")
        and value.endswith("%}")
        and len(value) >= 4
    )


@functools.lru_cache(maxsize=4096)
def _compile(text: str) -> jsonata.Jsonata:
    expression = jsonata.Jsonata(text)
    expression.set_output_convert_nulls(False)  # keep null apart from undefined
    return expression


_PLAIN_PATH = re.compile(r"\s*\$states((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*")


@functools.lru_cache(maxsize=4096)
def _plain_path(text: str) -> tuple[str, ...] | None:
    found = _PLAIN_PATH.fullmatch(text)
    return tuple(found.group(1)[1:].split(".")) if found else None


def _walk(keys: tuple[str, ...], bindings: dict[str, Any]) -> Any:
    """``$states.a.b`` through objects only: what JSONata answers, without its evaluator (the
    hot path of every Task's Arguments). Anything else (arrays, missing keys, null, floats)
    returns ``_walk`` itself, meaning "ask JSONata"."""
    value: Any = bindings.get("states")
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return _walk
        value = value[key]
    if value is None or isinstance(value, list | float):
        return _walk
    return value


def _evaluate(text: str, bindings: dict[str, Any], where: str) -> JSON:
    keys = _plain_path(text)
    if keys is not None:
        found = _walk(keys, bindings)
        if found is not _walk:
            return _json_copy(found, "expression result")
    expression = _compile(text)
    # jsonata-python reads a thread-global "current expression" for higher-order functions.
    jsonata.Jsonata.CURRENT.jsonata = expression
    try:
        raw = expression.evaluate(None, bindings)
    except Exception as exc:  # any library failure is an evaluation error of this field
        raise _QueryError(
            f"An error occurred while evaluating the expression '{text}' "
            f"specified for the field '{where}': {exc}"
        ) from exc
    if raw is None:
        raise _QueryError(
            f"The JSONata expression '{text}' specified for the field '{where}' "
            "returned nothing (undefined)."
        )
    try:
        return _json_copy(Utils.convert_nulls(raw), "expression result")
    except ValueError as exc:
        raise _QueryError(
            f"The JSONata expression '{text}' specified for the field '{where}' "
            f"returned a value that is not JSON: {exc}"
        ) from exc


def _resolve(template: JSON, bindings: dict[str, Any], where: str) -> JSON:
    """Evaluate a field: an expression string, or a JSON template with expressions inside."""
    if _is_expression(template):
        return _evaluate(template[2:-2], bindings, where)
    if isinstance(template, dict):
        return {key: _resolve(value, bindings, f"{where}/{key}") for key, value in template.items()}
    if isinstance(template, list):
        return [_resolve(value, bindings, f"{where}[{i}]") for i, value in enumerate(template)]
    return template


def _sfn_functions(clock: VirtualClock, rng: random.Random) -> dict[str, Any]:
    """Step Functions' extra JSONata functions, plus $now/$millis on virtual time."""

    def millis() -> int:
        return int(clock.now().timestamp() * 1000)

    def now(picture: str | None = None, timezone: str | None = None) -> str:
        return str(Functions.datetime_from_millis(millis(), picture, timezone))

    def partition(array: list[Any], size: int) -> list[list[Any]]:
        items, step = list(array), int(size)
        if step < 1:
            raise ValueError("$partition size must be >= 1")
        return [items[i : i + step] for i in range(0, len(items), step)]

    def range_(start: float, end: float, step: float = 1) -> list[int]:
        first, last, stride = int(start), int(end), int(step)
        if stride == 0:
            raise ValueError("$range step must not be 0")
        return list(range(first, last + (1 if stride > 0 else -1), stride))  # end inclusive

    def hash_(value: Any, algorithm: str) -> str:
        names = {
            "MD5": "md5",
            "SHA-1": "sha1",
            "SHA-256": "sha256",
            "SHA-384": "sha384",
            "SHA-512": "sha512",
        }
        if algorithm not in names:
            raise ValueError(f"$hash algorithm must be one of {sorted(names)}")
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return hashlib.new(names[algorithm], text.encode()).hexdigest()

    def random_(seed: Any = None) -> float:
        return random.Random(seed).random() if seed is not None else rng.random()

    def uuid_() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def parse(text: str) -> Any:
        return json.loads(text)

    def eval_(*_: Any) -> Any:
        raise ValueError("$eval is not supported in Step Functions")

    functions: dict[str, Callable[..., Any]] = {
        "now": now,
        "millis": millis,
        "partition": partition,
        "range": range_,
        "hash": hash_,
        "random": random_,
        "uuid": uuid_,
        "parse": parse,
        "eval": eval_,
    }
    return {name: jsonata.Jsonata.JLambda(fn) for name, fn in functions.items()}


# --------------------------------------------------------------------------- runtime helpers


def _next(state: dict[str, Any]) -> str | None:
    return None if state.get("End") is True else state["Next"]


def _matches(error_equals: list[str], error: str) -> bool:
    if "States.ALL" in error_equals or error in error_equals:
        return True
    timeouts = {TIMEOUT, HEARTBEAT_TIMEOUT}
    if "States.TaskFailed" in error_equals and error not in timeouts:
        return True  # TaskFailed matches any error except timeouts
    return TIMEOUT in error_equals and error == HEARTBEAT_TIMEOUT


def _backoff(retrier: dict[str, Any], retries_used: int, rng: random.Random) -> float:
    delay = (
        float(retrier.get("IntervalSeconds", 1))
        * float(retrier.get("BackoffRate", 2.0)) ** retries_used
    )
    if "MaxDelaySeconds" in retrier:
        delay = min(delay, float(retrier["MaxDelaySeconds"]))
    if retrier.get("JitterStrategy", "NONE") == "FULL":
        delay = rng.uniform(0.0, delay)
    return delay


def _error_name(exc: BaseException) -> str:
    name = getattr(exc, "error_type", None)
    return name if isinstance(name, str) and name else type(exc).__name__


def _json_copy(value: Any, what: str) -> JSON:
    """A detached copy of a JSON value; rejects anything JSON cannot carry."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} is not JSON-serializable: {exc}") from exc


def _canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)  # the context formats the same instants for every state
def _iso(t: datetime) -> str:
    """Step Functions' timestamp style: UTC, milliseconds, trailing zeros dropped."""
    t = t.astimezone(UTC)
    millis = t.microsecond // 1000
    fraction = f".{millis:03d}".rstrip("0") if millis else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _kind(value: JSON) -> str:
    return "null" if value is None else type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_timestamp(value: Any) -> datetime:
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"expected an ISO 8601 timestamp like 2026-01-01T10:00:00Z, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp needs a time zone (Z or an offset): {value!r}")
    return parsed.astimezone(UTC)


def _function_name_candidates(name: str) -> list[str]:
    """The name as given, then the bare function name of an ARN or ``name:qualifier``."""
    candidates = [name]
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            candidates += [":".join(parts[:7]), parts[6]]
    elif ":" in name:
        candidates.append(name.split(":", 1)[0])
    return candidates


# --------------------------------------------------------------------------- registration

_STATE_MACHINE_ARN = re.compile(
    r"^arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):stateMachine:"
    r"(?P<name>[A-Za-z0-9_-]{1,80})(?::(?P<qualifier>[A-Za-z0-9_-]+))?$"
)
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z][A-Za-z0-9_]*\}")
_BAD_NAME_CHARS = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")

_TOP_FIELDS = {"QueryLanguage", "StartAt", "States", "Comment", "TimeoutSeconds", "Version"}
_COMMON_FIELDS = {"Type", "Comment", "QueryLanguage"}
_STATE_FIELDS: dict[str, set[str]] = {
    "Task": {
        "Resource",
        "Arguments",
        "Output",
        "Assign",
        "Next",
        "End",
        "Retry",
        "Catch",
        "TimeoutSeconds",
        "HeartbeatSeconds",
    },
    "Pass": {"Output", "Assign", "Next", "End"},
    "Wait": {"Seconds", "Timestamp", "Output", "Assign", "Next", "End"},
    "Choice": {"Choices", "Default", "Output", "Assign"},
    "Succeed": {"Output"},
    "Fail": {"Error", "Cause"},
}
_RETRY_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
}
_CATCH_FIELDS = {"ErrorEquals", "Next", "Output", "Assign", "Comment"}
_RULE_FIELDS = {"Condition", "Next", "Output", "Assign", "Comment"}
_LAMBDA_ARGUMENTS = {"FunctionName", "Payload"}


def _parse_state_machine_arn(arn: str) -> tuple[str, str, str, str | None]:
    match = _STATE_MACHINE_ARN.match(arn)
    if match is None:
        raise ValueError(f"not a state machine ARN: {arn!r}")
    return match["region"], match["account"], match["name"], match["qualifier"]


def _check_execution_name(name: str) -> None:
    # Step Functions' naming rules; a deterministic name that breaks them fails in AWS too.
    if not 1 <= len(name) <= 80 or _BAD_NAME_CHARS.search(name):
        raise InvalidName(
            f"invalid execution name {name!r}: 1-80 characters, no whitespace "
            'and none of < > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /'
        )


def _substitute(definition: dict[str, Any] | str, substitutions: Mapping[str, str]) -> Any:
    """Replace ``${Name}`` like CloudFormation's DefinitionSubstitutions, then fail on leftovers."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDefinition(f"definition is not valid JSON after substitution: {exc}") from exc
    leftovers = sorted(set(_PLACEHOLDER.findall(text)))
    if leftovers:
        raise InvalidDefinition(
            f"unreplaced placeholders in the definition: {leftovers}; pass them in substitutions"
        )
    return document


def _validate_definition(document: Any, find_handler: Callable[[str], Any]) -> None:
    if not isinstance(document, dict):
        raise InvalidDefinition("a definition must be a JSON object")
    _only(document, _TOP_FIELDS, "the definition")
    if document.get("QueryLanguage") != "JSONata":
        raise UnsupportedDefinition(
            'the definition: top-level QueryLanguage must be "JSONata" (JSONPath is not '
            f"supported), got {document.get('QueryLanguage')!r}"
        )
    states = document.get("States")
    if not isinstance(states, dict) or not states:
        raise InvalidDefinition("the definition: States must be a non-empty object")
    if document.get("StartAt") not in states:
        raise InvalidDefinition(f"StartAt {document.get('StartAt')!r} is not a state")
    if "TimeoutSeconds" in document and not _positive_int(document["TimeoutSeconds"]):
        raise InvalidDefinition("the definition: TimeoutSeconds must be a positive integer")
    for name, state in states.items():
        _validate_state(name, state, states, find_handler)
    _check_reachable(document["StartAt"], states)


def _validate_state(
    name: str, state: Any, states: dict[str, Any], find_handler: Callable[[str], Any]
) -> None:
    where = f"state {name!r}"
    if len(name) > 80:
        raise InvalidDefinition(f"{where}: state names are at most 80 characters")
    if not isinstance(state, dict):
        raise InvalidDefinition(f"{where}: must be an object")
    kind = state.get("Type")
    if kind not in _STATE_FIELDS:
        raise UnsupportedDefinition(
            f"{where}: field 'Type' = {kind!r} is not supported "
            f"(supported: {sorted(_STATE_FIELDS)})"
        )
    if state.get("QueryLanguage", "JSONata") != "JSONata":
        raise UnsupportedDefinition(f"{where}: field 'QueryLanguage' must be \"JSONata\"")
    _only(state, _COMMON_FIELDS | _STATE_FIELDS[kind], f"{where} ({kind})")
    _check_transition(where, kind, state, states)
    if "Assign" in state:
        _check_assign(where, state["Assign"])
    if kind == "Task":
        _check_task(where, state, states, find_handler)
    elif kind == "Wait":
        _check_wait(where, state)
    elif kind == "Choice":
        _check_choice(where, state, states)
    elif kind == "Fail":
        _check_fail(where, state)
    _check_expressions(where, state)


def _only(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in obj:
        if key not in allowed:
            raise UnsupportedDefinition(
                f"{where}: field {key!r} is not supported (supported: {sorted(allowed)})"
            )


def _check_transition(where: str, kind: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    if kind in {"Task", "Pass", "Wait"}:
        has_next, ends = "Next" in state, state.get("End") is True
        if has_next == ends:
            raise InvalidDefinition(f'{where}: needs exactly one of Next or "End": true')
        if "End" in state and state["End"] is not True:
            raise InvalidDefinition(f"{where}: End must be true when present")
        if has_next:
            _check_target(where, "Next", state["Next"], states)


def _check_target(where: str, field_name: str, target: Any, states: dict[str, Any]) -> None:
    if not isinstance(target, str) or target not in states:
        raise InvalidDefinition(f"{where}: {field_name} {target!r} is not a state")


def _check_assign(where: str, assign: Any) -> None:
    if not isinstance(assign, dict):
        raise InvalidDefinition(f"{where}: Assign must be an object")
    for variable in assign:
        if not variable.isidentifier() or len(variable) > 80 or variable == "states":
            raise InvalidDefinition(f"{where}: invalid variable name {variable!r} in Assign")


def _check_task(
    where: str, state: dict[str, Any], states: dict[str, Any], find_handler: Callable[[str], Any]
) -> None:
    resource = state.get("Resource")
    if resource not in {LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT}:
        raise UnsupportedDefinition(
            f"{where}: field 'Resource' = {resource!r} is not supported "
            f"(supported: {LAMBDA_INVOKE}, {LAMBDA_INVOKE_WAIT})"
        )
    _check_lambda_arguments(where, state.get("Arguments"), find_handler)
    if resource == LAMBDA_INVOKE_WAIT and "Task.Token" not in json.dumps(state["Arguments"]):
        raise InvalidDefinition(
            f"{where}: a .waitForTaskToken task must pass "
            "$states.context.Task.Token in its Arguments"
        )
    for name in ("TimeoutSeconds", "HeartbeatSeconds"):
        if name in state and not (_positive_int(state[name]) or _is_expression(state[name])):
            raise InvalidDefinition(f"{where}: {name} must be a positive integer or expression")
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
        raise InvalidDefinition(f"{where}: HeartbeatSeconds must be less than TimeoutSeconds")
    _check_retriers(where, state.get("Retry", []))
    _check_catchers(where, state.get("Catch", []), states)


def _check_lambda_arguments(where: str, arguments: Any, find_handler: Callable[[str], Any]) -> None:
    if _is_expression(arguments):
        return  # checked when evaluated
    if not isinstance(arguments, dict) or "FunctionName" not in arguments:
        raise InvalidDefinition(f"{where}: Arguments must be an object with FunctionName")
    for key in arguments:
        if key not in _LAMBDA_ARGUMENTS:
            raise UnsupportedDefinition(
                f"{where}: field 'Arguments.{key}' is not supported "
                f"(supported: {sorted(_LAMBDA_ARGUMENTS)})"
            )
    function = arguments["FunctionName"]
    if not isinstance(function, str):
        raise InvalidDefinition(f"{where}: Arguments.FunctionName must be a string")
    if not _is_expression(function) and find_handler(function) is None:
        raise InvalidDefinition(
            f"{where}: Lambda function {function!r} has no handler registered with the executor"
        )


def _check_retriers(where: str, retriers: Any) -> None:
    if not isinstance(retriers, list):
        raise InvalidDefinition(f"{where}: Retry must be an array")
    for index, retrier in enumerate(retriers):
        at = f"{where} Retry[{index}]"
        if not isinstance(retrier, dict):
            raise InvalidDefinition(f"{at}: must be an object")
        _only(retrier, _RETRY_FIELDS, at)
        _check_error_equals(at, retrier, last=index == len(retriers) - 1)
        checks = {
            "IntervalSeconds": _positive_int,
            "MaxAttempts": lambda v: _is_int(v) and v >= 0,
            "BackoffRate": lambda v: (
                isinstance(v, int | float) and not isinstance(v, bool) and v >= 1.0
            ),
            "MaxDelaySeconds": _positive_int,
            "JitterStrategy": lambda v: v in {"FULL", "NONE"},
        }
        for name, ok in checks.items():
            if name in retrier and not ok(retrier[name]):
                raise InvalidDefinition(f"{at}: invalid {name} {retrier[name]!r}")


def _check_catchers(where: str, catchers: Any, states: dict[str, Any]) -> None:
    if not isinstance(catchers, list):
        raise InvalidDefinition(f"{where}: Catch must be an array")
    for index, catcher in enumerate(catchers):
        at = f"{where} Catch[{index}]"
        if not isinstance(catcher, dict):
            raise InvalidDefinition(f"{at}: must be an object")
        _only(catcher, _CATCH_FIELDS, at)
        _check_error_equals(at, catcher, last=index == len(catchers) - 1)
        _check_target(at, "Next", catcher.get("Next"), states)
        if "Assign" in catcher:
            _check_assign(at, catcher["Assign"])


def _check_error_equals(at: str, holder: dict[str, Any], *, last: bool) -> None:
    errors = holder.get("ErrorEquals")
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        raise InvalidDefinition(f"{at}: ErrorEquals must be a non-empty array of strings")
    if "States.ALL" in errors and (len(errors) != 1 or not last):
        raise InvalidDefinition(f"{at}: States.ALL must appear alone, in the last entry")


def _check_wait(where: str, state: dict[str, Any]) -> None:
    if ("Seconds" in state) == ("Timestamp" in state):
        raise InvalidDefinition(f"{where}: needs exactly one of Seconds or Timestamp")
    seconds, stamp = state.get("Seconds"), state.get("Timestamp")
    if (
        "Seconds" in state
        and not _is_expression(seconds)
        and not (_is_int(seconds) and 0 <= seconds <= 99_999_999)
    ):
        raise InvalidDefinition(f"{where}: Seconds must be an integer 0..99999999 or expression")
    if "Timestamp" in state and not _is_expression(stamp):
        try:
            _parse_timestamp(stamp)
        except ValueError as exc:
            raise InvalidDefinition(f"{where}: Timestamp: {exc}") from exc


def _check_choice(where: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    rules = state.get("Choices")
    if not isinstance(rules, list) or not rules:
        raise InvalidDefinition(f"{where}: Choices must be a non-empty array")
    for index, rule in enumerate(rules):
        at = f"{where} Choices[{index}]"
        if not isinstance(rule, dict):
            raise InvalidDefinition(f"{at}: must be an object")
        _only(rule, _RULE_FIELDS, at)
        condition = rule.get("Condition")
        if not (isinstance(condition, bool) or _is_expression(condition)):
            raise InvalidDefinition(f"{at}: Condition must be a {{% JSONata %}} expression")
        _check_target(at, "Next", rule.get("Next"), states)
        if "Assign" in rule:
            _check_assign(at, rule["Assign"])
    if "Default" in state:
        _check_target(where, "Default", state["Default"], states)


def _check_fail(where: str, state: dict[str, Any]) -> None:
    for name in ("Error", "Cause"):
        if name in state and not isinstance(state[name], str):
            raise InvalidDefinition(f"{where}: {name} must be a string or expression")


def _check_expressions(where: str, state: dict[str, Any]) -> None:
    """Compile every expression now (syntax errors fail at registration, as in AWS) and
    check ``$states.result``/``errorOutput`` are only used where they exist."""
    for path, text in _expressions(state, ""):
        if text.startswith("{%") != text.endswith("%}"):
            raise InvalidDefinition(
                f"{where}: {path}: a JSONata expression must start with '{{%' and end with '%}}'"
            )
        if not _is_expression(text):
            continue
        try:
            _compile(text[2:-2])
        except Exception as exc:  # the parser raises several types
            raise InvalidDefinition(f"{where}: {path}: invalid JSONata: {exc}") from exc
        result_ok = state["Type"] == "Task" and path.split("/")[0] in {"Output", "Assign"}
        if "$states.result" in text and not result_ok:
            raise InvalidDefinition(
                f"{where}: {path}: $states.result is only available in a Task's Output and Assign"
            )
        if "$states.errorOutput" in text and not path.startswith("Catch"):
            raise InvalidDefinition(
                f"{where}: {path}: $states.errorOutput is only available in a Catch"
            )


def _expressions(value: Any, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key != "Comment":
                yield from _expressions(inner, f"{path}/{key}" if path else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _expressions(inner, f"{path}[{index}]")


def _check_reachable(start: str, states: dict[str, Any]) -> None:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [rule.get("Next") for rule in state.get("Choices", [])]
        targets += [catcher.get("Next") for catcher in state.get("Catch", [])]
        todo.extend(t for t in targets if isinstance(t, str))
    unreachable = sorted(set(states) - seen)
    if unreachable:
        raise InvalidDefinition(f"states not reachable from StartAt: {unreachable}")


def _positive_int(value: Any) -> bool:
    return _is_int(value) and value >= 1
