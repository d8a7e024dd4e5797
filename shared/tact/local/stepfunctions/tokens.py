"""Task tokens of ``.waitForTaskToken`` tasks: minting, completing, heartbeats and timeouts."""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from tact.local.stepfunctions.core import Core
from tact.local.stepfunctions.errors import HEARTBEAT_TIMEOUT, TaskDoesNotExist
from tact.local.stepfunctions.records import Outcome, PendingTask, Run


class TaskTokens(Core):
    """Parked tasks by token; a token is void once used, expired or its run stopped."""

    def _new_token(self, run: Run) -> str:
        self._token_seq += 1
        seed = f"{run.execution.arn}|{self._token_seq}".encode()
        return base64.urlsafe_b64encode(hashlib.sha256(seed).digest()).decode().rstrip("=")

    def _take_token(self, token: str) -> PendingTask:
        pending = self._tokens.pop(token, None)
        if pending is None:
            raise TaskDoesNotExist(f"no task waits for token {token!r}")
        return pending

    def _resume_task(
        self,
        pending: PendingTask,
        event: str,
        detail: dict[str, Any],
        then: Callable[[Run, dict[str, Any]], Outcome],
    ) -> None:
        run = pending.run
        if run.execution.status != "RUNNING" or run.epoch != pending.epoch or not run.cursor:
            return
        state = run.machine.states[run.cursor.state]
        self._record(run, event, detail)
        self._drive(run, functools.partial(then, run, state))

    def _arm_heartbeat(self, token: str, pending: PendingTask) -> None:
        assert pending.heartbeat is not None
        pending.beats += 1
        expire = functools.partial(
            self._token_expired, token, pending, pending.beats, HEARTBEAT_TIMEOUT)
        self.clock.call_later(pending.heartbeat, lambda: self._submit(expire))

    def _token_expired(self, token: str, pending: PendingTask, beats: int, error: str) -> None:
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
