"""Starting, stopping and resuming journey executions (Step Functions), behind a small interface."""

from __future__ import annotations

from typing import Any, Protocol

from tact.json_bytes import compact

# Step Functions' answers that mean "not now": retried later (through SQS), never dropped.
THROTTLED = {"ThrottlingException", "ExecutionLimitExceeded", "TooManyRequestsException",
             "ServiceUnavailable", "InternalServerError", "RequestLimitExceeded"}
# SendTaskSuccess on a token that is gone: the wait already ended (timeout, stop, a replay).
TOKEN_GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


class OrchestrationThrottled(Exception):
    """Step Functions refused for now (quota, throttling); the event must be retried."""


class Orchestrator(Protocol):
    def execution_arn(self, journey: str, name: str) -> str:
        """The ARN an execution of this name has (names are deterministic)."""
        ...

    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        """Start (idempotently, by name) and return the execution ARN."""
        ...

    def stop(self, execution_arn: str, cause: str) -> None: ...

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        """Complete a waiting task; False when the wait had already ended."""
        ...


class StepFunctionsOrchestrator:
    def __init__(self, state_machine_prefix: str, alias: str, client: Any = None) -> None:
        self.prefix = state_machine_prefix
        self.alias = alias
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from tact.aws import client

            self._client = client("stepfunctions")
        return self._client

    def state_machine(self, journey: str) -> str:
        # Through the alias, so new entries get the newest version and running ones keep theirs.
        return f"{self.prefix}{journey}:{self.alias}" if self.alias else f"{self.prefix}{journey}"

    def execution_arn(self, journey: str, name: str) -> str:
        base = f"{self.prefix}{journey}".replace(":stateMachine:", ":execution:")
        return f"{base}:{name}"

    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        try:
            response = self.client.start_execution(
                stateMachineArn=self.state_machine(journey), name=name,
                input=compact(payload, sort_keys=True).decode(),  # what input_size measured
            )
            return str(response["executionArn"])
        except self.client.exceptions.ExecutionAlreadyExists:
            return self.execution_arn(journey, name)  # a replayed event: already started
        except self.client.exceptions.ClientError as err:
            raise _transient_or(err) from None

    def stop(self, execution_arn: str, cause: str) -> None:
        try:
            self.client.stop_execution(executionArn=execution_arn, cause=cause[:32768])
        except self.client.exceptions.ExecutionDoesNotExist:
            pass  # already gone; the send path's exit guard covers what a stop would
        except self.client.exceptions.ClientError as err:
            raise _transient_or(err) from None

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        try:
            self.client.send_task_success(taskToken=token,
                                          output=compact(output, sort_keys=True).decode())
            return True
        except self.client.exceptions.ClientError as err:
            if _code(err) in TOKEN_GONE:
                return False
            raise _transient_or(err) from None


def _code(err: Any) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))


def _transient_or(err: Exception) -> Exception:
    return OrchestrationThrottled(f"{_code(err)}: {err}") if _code(err) in THROTTLED else err
