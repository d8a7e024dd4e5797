"""Journey conditions, evaluated fail-safe: one journey's broken expression stops only itself.

A condition that fails on some customer's data (``$number("WEB-1001")``, a runaway recursion
stopped by its budget) must not fail the event for every other journey, nor the batch it came
in. Here such a failure resolves to the choice that sends nothing: not entered (trigger), exited
(exit), not converted (goal), no branch (split), no wait (until), ended (wait_for). It is
logged with the journey, where the expression is written and JSONata's error code and position,
never the error text (it may quote the customer's data), and counted as the
``ExpressionErrors`` metric; callers record ``reason`` so simulate and backtest show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tact.expressions import ExpressionError, evaluate, is_true
from tact.observability import count, logger

METRIC = "ExpressionErrors"


class ExpressionFailed(Exception):
    """A journey step whose expression failed: raised by the decide and park Lambdas so the
    step's Catch ends the execution (not retried; the message names no customer data)."""


@dataclass(frozen=True)
class ExpressionFailure:
    journey: str
    where: str  # where the expression is written, e.g. "trigger.when", "step vip_split if #2"
    expression: str
    code: str
    position: int | None
    outcome: str  # what was done instead, e.g. "not entered"

    @property
    def reason(self) -> str:
        at = f" at character {self.position + 1}" if self.position is not None else ""
        return (f"expression failed: {self.where} of journey {self.journey} ({self.code}{at}): "
                f"{self.expression!r}; {self.outcome}")


def _failed(journey: str, where: str, text: str, err: ExpressionError,
            outcome: str) -> ExpressionFailure:
    failure = ExpressionFailure(journey, where, text, err.code, err.position, outcome)
    logger().warning("journey expression failed", extra={
        "journey": journey, "where": where, "code": err.code, "position": err.position,
        "outcome": outcome})
    count(METRIC, journey=journey)
    return failure


def condition(text: str | None, context: dict[str, Any], *, journey: str, where: str,
              on_error: bool, outcome: str) -> tuple[bool, ExpressionFailure | None]:
    """``text`` on ``context``; on failure ``on_error`` (the value that sends nothing) and why."""
    try:
        return is_true(text, context), None
    except ExpressionError as err:
        return on_error, _failed(journey, where, text or "", err, outcome)


def value(text: str, context: dict[str, Any], *, journey: str, where: str,
          outcome: str) -> tuple[Any, ExpressionFailure | None]:
    """The value of ``text`` (e.g. a date for ``wait until``); ``None`` and why on failure."""
    try:
        return evaluate(text, context), None
    except ExpressionError as err:
        return None, _failed(journey, where, text, err, outcome)
