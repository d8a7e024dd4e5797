"""Starting and stopping journey executions (Step Functions), behind a small interface."""

from __future__ import annotations

import json
from typing import Any, Protocol


class Orchestrator(Protocol):
    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        """Start (idempotently, by name) and return the execution ARN."""
        ...

    def stop(self, execution_arn: str, cause: str) -> None: ...


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
                input=json.dumps(payload, sort_keys=True),
            )
            return str(response["executionArn"])
        except self.client.exceptions.ExecutionAlreadyExists:
            return self.execution_arn(journey, name)  # a replayed event: already started

    def stop(self, execution_arn: str, cause: str) -> None:
        try:
            self.client.stop_execution(executionArn=execution_arn, cause=cause[:32768])
        except self.client.exceptions.ExecutionDoesNotExist:
            pass  # already gone; the send path's exit guard covers what a stop would
