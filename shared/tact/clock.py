"""The one source of "now" for all logic.

Deployed, it is the wall clock. The local executor installs a virtual clock so
simulations and tests run days of journey time in milliseconds, never sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return _source() if _source is not None else datetime.now(UTC)


def use(source: Callable[[], datetime] | None) -> None:
    """Install a time source (a virtual clock's ``now``); ``None`` restores the wall clock."""
    global _source
    _source = source


@lru_cache(maxsize=512)  # the same few instants are formatted again and again per event
def iso(moment: datetime) -> str:
    """UTC, second precision, 'Z': one format everywhere so stored times compare as strings."""
    return utc_seconds_text(moment if moment.tzinfo is UTC else moment.astimezone(UTC)) + "Z"


def utc_seconds_text(t: datetime) -> str:
    """``strftime("%Y-%m-%dT%H:%M:%S")`` of a UTC time, formatted directly (about half the
    time; it runs several times a step)."""
    if t.year < 1000:  # strftime writes such a year unpadded (glibc): keep its text exactly
        return t.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{t.year}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def instant(value: object) -> datetime:
    """A stored or received time as an aware UTC instant, for comparing (never compare the
    strings: ``08:30-05:00`` is after ``09:00Z``). Missing or unreadable: the earliest instant."""
    try:
        moment = value if isinstance(value, datetime) else parse_iso(str(value))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return EARLIEST


EARLIEST = datetime.min.replace(tzinfo=UTC)


def parse_iso(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
