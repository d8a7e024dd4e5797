"""When a ``wait until`` ends: the next local time of day, or a date written in data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tact import clock


def next_time_of_day(now: datetime, hhmm: str, zone: str) -> datetime:
    """The next moment (strictly after ``now``) the customer's clock shows ``hhmm``."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    wanted = time.fromisoformat(hhmm)
    day = local.date()
    # Built per date in the zone, so a DST change in between is accounted for.
    candidate = datetime.combine(day, wanted, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(day + timedelta(days=1), wanted, tzinfo=tz)
    return candidate.astimezone(now.tzinfo)


def date_from_data(value: Any, at: str | None, zone: str) -> datetime | None:
    """A date or date-time written in data; a bare date means ``at`` (or midnight) local."""
    if not isinstance(value, str) or not value:
        return None
    tz = ZoneInfo(zone)
    try:
        if "T" in value or " " in value.strip():
            moment = clock.parse_iso(value.strip())
            if at is None:
                return moment
            day = moment.astimezone(tz).date()
        else:
            day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    wanted = time.fromisoformat(at) if at else time(0, 0)
    return datetime.combine(day, wanted, tzinfo=tz)
