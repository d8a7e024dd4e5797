"""The Task state: Lambda invoke, plain or ``.waitForTaskToken``."""

from __future__ import annotations

import functools
import traceback
from typing import Any

from tact.local.stepfunctions.errors import (
    QUERY_ERROR,
    TIMEOUT,
    LambdaTimeout,
    QueryError,
    TaskError,
)
from tact.local.stepfunctions.jsonata_context import (
    bindings_for,
    output_and_assign,
    resolve,
    states_binding,
)
from tact.local.stepfunctions.records import (
    JSON,
    LAMBDA_INVOKE_WAIT,
    PARK,
    Go,
    Outcome,
    PendingTask,
    Run,
    TaskRequest,
)
from tact.local.stepfunctions.retry import RetryAndCatch
from tact.local.stepfunctions.tokens import TaskTokens
from tact.local.stepfunctions.values import error_name, is_int, json_copy, next_state


class TaskState(TaskTokens, RetryAndCatch):
    """Calls the project's handler in-process, with timeouts, tokens, Retry and Catch."""

    def _task(self, run: Run, state: dict[str, Any]) -> Outcome:
        assert run.cursor is not None
        waits = state["Resource"] == LAMBDA_INVOKE_WAIT
        run.cursor.token = self._new_token(run) if waits else None
        try:
            request = self._task_request(run, state)
        except QueryError as exc:
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

    def _task_request(self, run: Run, state: dict[str, Any]) -> TaskRequest:
        bindings = bindings_for(run, states_binding(run))
        arguments = resolve(state["Arguments"], bindings, "Arguments")
        if not isinstance(arguments, dict) or not isinstance(arguments.get("FunctionName"), str):
            raise QueryError("the field 'Arguments' must be an object with a string FunctionName")
        unknown = set(arguments) - {"FunctionName", "Payload"}
        if unknown:
            raise QueryError(f"unsupported Lambda arguments {sorted(unknown)}")
        return TaskRequest(
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
        value = resolve(state[name], bindings, name)
        if not is_int(value) or not 1 <= value <= 99_999_999:
            raise QueryError(f"the field '{name}' must be an integer 1..99999999, got {value!r}")
        return int(value)

    def _invoke(self, run: Run, state: dict[str, Any], request: TaskRequest) -> Outcome:
        try:
            payload = self._call(request)
        except TaskError as exc:
            self._record_task_failure(run, exc)
            return self._task_error(run, state, exc.error, exc.cause)
        if run.execution.status != "RUNNING":
            return PARK  # stopped while the handler ran
        # The optimized Lambda integration's result shape; definitions read .Payload.
        result = {"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}
        self._record(run, "TaskSucceeded", {"output": result})
        return self._task_success(run, state, result)

    def _invoke_for_token(
        self, run: Run, state: dict[str, Any], request: TaskRequest, token: str
    ) -> Outcome:
        run.epoch += 1
        pending = PendingTask(run, run.epoch, request.heartbeat)
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
        except TaskError as exc:
            if self._tokens.get(token) is not pending:
                return PARK  # the token was already completed during the call; that wins
            del self._tokens[token]
            self._record_task_failure(run, exc)
            return self._task_error(run, state, exc.error, exc.cause)
        return PARK

    def _call(self, request: TaskRequest) -> JSON:
        handler = self._find_handler(request.function)
        if handler is None:
            raise TaskError(
                "Lambda.ResourceNotFoundException", f"Function not found: {request.function}"
            )
        try:
            value = handler(json_copy(request.payload, "payload"))
        except (Exception, LambdaTimeout) as exc:  # a handler failure is a task error
            raise TaskError(error_name(exc), str(exc), traceback.format_exc()) from exc
        try:
            return json_copy(value, "Lambda result")
        except ValueError as exc:
            raise TaskError("Runtime.MarshalError", str(exc)) from exc

    def _record_task_failure(self, run: Run, exc: TaskError) -> None:
        detail = {"error": exc.error, "cause": exc.cause}
        if exc.trace:
            detail["trace"] = exc.trace
        self._record(run, "TaskTimedOut" if exc.error == TIMEOUT else "TaskFailed", detail)

    def _task_success(self, run: Run, state: dict[str, Any], result: JSON) -> Outcome:
        try:
            output = output_and_assign(
                run, state, functools.partial(states_binding, run, result=result), result, ""
            )
        except QueryError as exc:
            self._record(run, "EvaluationFailed", {"error": QUERY_ERROR, "cause": exc.cause})
            return self._task_error(run, state, QUERY_ERROR, exc.cause)
        return Go(next_state(state), output)
