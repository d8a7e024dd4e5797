"""A virtual clock: scheduled callbacks run in time order, and time only moves when told to.

Simulations and tests run days of journey time in milliseconds. Nothing here ever sleeps.
Install it for product code with ``tact.clock.use(clock.now)`` or ``with clock.installed():``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from tact import clock as tact_clock


class VirtualClock:
    """Deterministic discrete-event clock in UTC."""

    def __init__(self, start: datetime) -> None:
        self._now = _utc(start)
        # (when, seq, fn): tuples compare in C, faster than a dataclass's __lt__ on the busiest
        # structure of a large simulation. seq (insertion order) breaks ties, so equal times
        # run first-scheduled-first, and being unique it means fn is never compared.
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = 0

    def now(self) -> datetime:
        """Current virtual time, timezone-aware UTC."""
        return self._now

    def call_at(self, when: datetime, fn: Callable[[], None]) -> None:
        """Schedule ``fn`` at ``when``; a time in the past runs at the current time."""
        # Time never goes backwards: a late callback is due "now", after those already due.
        due = max(_utc(when), self._now)
        self._seq += 1
        heapq.heappush(self._queue, (due, self._seq, fn))

    def call_later(self, delay: timedelta | float, fn: Callable[[], None]) -> None:
        """Schedule ``fn`` after ``delay`` (a timedelta or seconds)."""
        seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
        self.call_at(self._now + timedelta(seconds=seconds), fn)

    def run_until(self, t: datetime | None = None) -> None:
        """Run due callbacks in (time, insertion) order; stop when empty or the next is after t.

        With ``t`` given, the clock ends at ``t`` even if nothing was scheduled then.
        Callbacks may schedule more callbacks; those run too if they fall at or before ``t``.
        """
        limit = None if t is None else _utc(t)
        if limit is not None and limit < self._now:
            raise ValueError(f"cannot run until {limit.isoformat()}: it is before now")
        while self._queue and (limit is None or self._queue[0][0] <= limit):
            self._now, _, fn = heapq.heappop(self._queue)
            fn()
        if limit is not None:
            self._now = limit

    def advance(self, delta: timedelta | float) -> None:
        """Run everything due within ``delta`` (a timedelta or seconds) and end there."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        self.run_until(self._now + timedelta(seconds=seconds))

    def pending(self) -> int:
        """Number of scheduled callbacks not yet run."""
        return len(self._queue)

    def next_time(self) -> datetime | None:
        """When the next callback is due, or None if nothing is scheduled."""
        return self._queue[0][0] if self._queue else None

    @contextmanager
    def installed(self) -> Iterator[VirtualClock]:
        """Make ``tact.clock.now()`` return this clock's time inside the block."""
        tact_clock.use(self.now)
        try:
            yield self
        finally:
            tact_clock.use(None)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"virtual clock needs timezone-aware datetimes, got {t!r}")
    return t.astimezone(UTC)
