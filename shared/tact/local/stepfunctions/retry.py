"""Retry and Catch of a failed Task, as Step Functions applies them."""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from typing import Any

from tact.local.stepfunctions.core import Core
from tact.local.stepfunctions.errors import HEARTBEAT_TIMEOUT, TIMEOUT
from tact.local.stepfunctions.jsonata_context import output_and_assign, states_binding
from tact.local.stepfunctions.records import Fail, Go, Outcome, Run
from tact.local.stepfunctions.values import iso


def matches(error_equals: list[str], error: str) -> bool:
    if "States.ALL" in error_equals or error in error_equals:
        return True
    timeouts = {TIMEOUT, HEARTBEAT_TIMEOUT}
    if "States.TaskFailed" in error_equals and error not in timeouts:
        return True  # TaskFailed matches any error except timeouts
    return TIMEOUT in error_equals and error == HEARTBEAT_TIMEOUT


def backoff(retrier: dict[str, Any], retries_used: int, rng: random.Random) -> float:
    delay = (
        float(retrier.get("IntervalSeconds", 1))
        * float(retrier.get("BackoffRate", 2.0)) ** retries_used
    )
    if "MaxDelaySeconds" in retrier:
        delay = min(delay, float(retrier["MaxDelaySeconds"]))
    if retrier.get("JitterStrategy", "NONE") == "FULL":
        delay = rng.uniform(0.0, delay)
    return delay


class RetryAndCatch(Core):
    """A Task's error: retried per the first matching retrier, else caught, else fatal."""

    def _task_error(self, run: Run, state: dict[str, Any], error: str, cause: str) -> Outcome:
        assert run.cursor is not None
        run.cursor.token = None
        delay = self._retry_delay(run, state, error)
        if delay is not None:
            when = self.clock.now() + timedelta(seconds=delay)
            self._record(
                run,
                "TaskRetryScheduled",
                {"error": error, "at": iso(when), "retry": sum(run.cursor.retries.values())},
            )
            return self._park_until(run, when, functools.partial(self._retry, run, state))
        for index, catcher in enumerate(state.get("Catch", [])):
            if matches(catcher["ErrorEquals"], error):
                error_output = {"Error": error, "Cause": cause}
                states = functools.partial(states_binding, run, errorOutput=error_output)
                output = output_and_assign(
                    run, catcher, states, error_output, f"Catch[{index}]/"
                )
                return Go(catcher["Next"], output)
        return Fail(error, cause)

    def _retry_delay(self, run: Run, state: dict[str, Any], error: str) -> float | None:
        assert run.cursor is not None
        for index, retrier in enumerate(state.get("Retry", [])):
            if not matches(retrier["ErrorEquals"], error):
                continue
            # Only the first matching retrier applies; when it is spent, Catch decides.
            used = run.cursor.retries.get(index, 0)
            if used >= retrier.get("MaxAttempts", 3):
                return None
            run.cursor.retries[index] = used + 1
            return backoff(retrier, used, run.rng)
        return None

    def _retry(self, run: Run, state: dict[str, Any]) -> Outcome:
        run.transitions += 1  # Step Functions bills each retry as a transition
        return self._task(run, state)
