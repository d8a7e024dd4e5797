"""A generous guard against a test that would never end (e.g. a runaway expression on a
broken build): it fails the test after ``seconds`` instead of hanging the suite. Not a speed
check — speed goals live in benchmarks/. SIGALRM: POSIX, main thread (as pytest runs tests)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def guard(seconds: int = 60) -> Iterator[None]:
    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s: it would never end")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
