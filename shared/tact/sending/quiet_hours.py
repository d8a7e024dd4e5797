"""Quiet hours in the customer's own time zone: defer to the next allowed minute, never drop."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tact.journey.settings import QuietHours


def _inside(local: time, quiet: QuietHours) -> bool:
    if quiet.start == quiet.end:
        return False
    if quiet.start < quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end  # the window spans midnight


def next_allowed(moment: datetime, quiet: QuietHours | None, zone: str) -> datetime | None:
    """When sending may resume, or None when ``moment`` is outside quiet hours."""
    if quiet is None:
        return None
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    if not _inside(local.time().replace(tzinfo=None), quiet):
        return None
    day = local.date()
    if local.time().replace(tzinfo=None) >= quiet.end and quiet.start > quiet.end:
        day += timedelta(days=1)  # evening side of a window across midnight: resume tomorrow
    # Built in the zone, so a DST change between now and then is accounted for.
    resume = datetime.combine(day, quiet.end, tzinfo=tz)
    return resume.astimezone(moment.tzinfo)
