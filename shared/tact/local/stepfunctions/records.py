"""Executions as Step Functions describes them, and where each run stands internally."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

JSON = Any
ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"]
Handler = Callable[[Any], Any]

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_INVOKE_WAIT = "arn:aws:states:::lambda:invoke.waitForTaskToken"

MAX_HISTORY_EVENTS = 25_000  # Step Functions' per-execution history quota


class HistoryEvent(NamedTuple):
    """One event of an execution's history, never changed once made (a tuple: made several
    times per state, it is built in less than half a frozen dataclass's time, and smaller)."""

    time: datetime
    state: str | None
    type: str
    detail: dict[str, Any]


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


@dataclass(frozen=True)
class Machine:
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
class Cursor:
    """Where an execution is: the current state and what it entered with."""

    state: str
    input: JSON
    entered: datetime
    retries: dict[int, int] = field(default_factory=dict)  # retrier index -> retries used
    token: str | None = None


@dataclass
class Run:
    execution: Execution
    machine: Machine
    seed: str  # of the run's random numbers (jitter, $random, $uuid): the execution ARN
    functions: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, JSON] = field(default_factory=dict)
    cursor: Cursor | None = None
    epoch: int = 0  # bumped on every park/finish; a timer from an older epoch is stale
    transitions: int = 0
    _rng: random.Random | None = field(default=None, repr=False)

    @property
    def rng(self) -> random.Random:
        """Seeded on first use: most executions never draw one, and seeding from text costs
        more than the rest of starting an execution."""
        if self._rng is None:
            self._rng = random.Random(self.seed)
        return self._rng


@dataclass
class PendingTask:
    run: Run
    epoch: int
    heartbeat: int | None
    beats: int = 0  # bumped per heartbeat; an older heartbeat timer is stale


@dataclass(frozen=True)
class Go:
    next: str | None  # None ends the execution
    output: JSON


@dataclass(frozen=True)
class Fail:
    error: str | None
    cause: str | None


class Park:
    """The execution waits for a timer or a task token."""


PARK = Park()
Outcome = Go | Fail | Park
Step = Callable[[], Outcome]


@dataclass(frozen=True)
class TaskRequest:
    function: str
    payload: JSON
    timeout: int | None
    heartbeat: int | None
