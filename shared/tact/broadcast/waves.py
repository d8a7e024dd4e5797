"""When each customer is due: customers grouped by their UTC offset on the broadcast date.

A local-time broadcast at 10:00 is due at 10:00 on each customer's clock. Every time zone with
the same UTC offset at that moment is due at the same instant, so the audience falls into a
few dozen *waves* (one per offset in use), not one timer per customer. The offset is the
zone's own on that date at that time (zoneinfo), so a DST change is accounted for.

An instant broadcast is one wave, except that a marketing message never goes out inside the
customer's quiet hours: those customers are due when their quiet hours end, a wave per offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from tact.broadcast.model import Broadcast, LocalTime
from tact.journey.settings import QuietHours, Settings
from tact.sending.quiet_hours import next_allowed


@dataclass(frozen=True, order=True)
class Wave:
    """Customers due at one instant. Local-time waves are named by the UTC offset their
    customers' clocks show then; an instant's on-time wave has no offset (everyone at once)."""

    at: datetime  # when this wave's customers are due (UTC)
    offset: timedelta | None = None

    @property
    def label(self) -> str:
        return "on time" if self.offset is None else format_offset(self.offset)


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_of(zone: str | None, default: str) -> str:
    """A customer's zone, or the project default when theirs is missing or unknown."""
    if zone:
        try:
            _zone(zone)
            return zone
        except (ValueError, KeyError, OSError):
            pass
    return default


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=4096)
def local_wave(at: LocalTime, zone: str) -> Wave:
    """The instant ``at``'s date and time of day happen in ``zone``. A time a DST change skips
    that day (02:30 when clocks jump from 02:00 to 03:00) is read with the offset before the
    change, so it is due as late as that time would have been (03:30 on the new clock)."""
    local = datetime.combine(at.date, at.clock_time(), tzinfo=_zone(zone))
    moment = local.astimezone(UTC)
    return Wave(moment, moment.astimezone(_zone(zone)).utcoffset() or timedelta(0))


def instant_wave(at: datetime, zone: str, quiet: QuietHours | None, purpose: str) -> Wave:
    moment = at.astimezone(UTC)
    resume = next_allowed(moment, quiet, zone) if purpose == "marketing" else None
    if resume is None:
        return Wave(moment)
    resume = resume.astimezone(UTC)
    return Wave(resume, resume.astimezone(_zone(zone)).utcoffset() or timedelta(0))


def wave_for(broadcast: Broadcast, zone: str, settings: Settings) -> Wave:
    """The wave of a customer in ``zone`` (already resolved with :func:`zone_of`)."""
    local = broadcast.local()
    if local is not None:
        return local_wave(local, zone)
    instant = broadcast.instant()
    assert instant is not None
    return _cached_instant(instant, zone, settings.quiet_hours, broadcast.purpose)


@lru_cache(maxsize=4096)
def _cached_instant(at: datetime, zone: str, quiet: QuietHours | None, purpose: str) -> Wave:
    return instant_wave(at, zone, quiet, purpose)


@lru_cache(maxsize=1)
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def possible_waves(broadcast: Broadcast, settings: Settings) -> list[Wave]:
    """Every wave any IANA time zone could fall into, earliest first (the schedule starts at
    the first one, when the audience is read)."""
    return sorted({wave_for(broadcast, zone, settings) for zone in _all_zones()})


def first_wave(broadcast: Broadcast, settings: Settings) -> datetime:
    """When the broadcast starts: its earliest possible wave (UTC+14 for a local time)."""
    return possible_waves(broadcast, settings)[0].at
