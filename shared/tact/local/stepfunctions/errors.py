"""What the local Step Functions raises: Step Functions' own API errors, and the two
internal errors a state turns into a task or execution failure."""

from __future__ import annotations

QUERY_ERROR = "States.QueryEvaluationError"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
LAMBDA_TIMEOUT = "Sandbox.Timedout"  # a Lambda function's own timeout (see LambdaTimeout)


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


class LambdaTimeout(BaseException):
    """Raise from a handler to simulate the Lambda function timing out.

    A BaseException, like the process being killed: the function's own ``except Exception``
    (e.g. the send path's "unknown outcome" catch) cannot catch a real timeout either.

    Named as Lambda names it, ``Sandbox.Timedout`` (Lambda developer guide, "Troubleshoot
    invocation issues"), and a task failure like any unhandled function error (Step Functions
    developer guide, "Handle Lambda service exceptions": function timeouts are matched by
    ``States.ALL`` or ``States.TaskFailed``). It is not ``States.Timeout``, which only the
    state's own TimeoutSeconds/HeartbeatSeconds raise: a timed-out park Lambda must not take a
    wait_for's on_timeout branch here when it fails the step on AWS."""

    error_type = LAMBDA_TIMEOUT


class QueryError(Exception):
    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class TaskError(Exception):
    def __init__(self, error: str, cause: str, trace: str | None = None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.trace = trace
