"""Waves: customers grouped by UTC offset on the broadcast date, DST-correct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tact.broadcast.model import Broadcast
from tact.broadcast.waves import first_wave, possible_waves, wave_for, zone_of
from tact.journey.settings import QuietHours, Settings

SETTINGS = Settings(quiet_hours=QuietHours(start="21:00", end="08:00"))  # type: ignore[arg-type]


def _broadcast(at: object, purpose: str = "marketing") -> Broadcast:
    return Broadcast.model_validate({"id": "b", "name": "B", "segment": "customer.x = 1",
                                     "purpose": purpose, "send": {"template": "t"}, "at": at})


LOCAL = _broadcast({"date": "2026-11-05", "local_time": "10:00"})


@pytest.mark.parametrize(("zone", "utc"), [
    ("Europe/Helsinki", "2026-11-05T08:00:00"), ("America/New_York", "2026-11-05T15:00:00"),
    ("Asia/Tokyo", "2026-11-05T01:00:00"), ("Asia/Kolkata", "2026-11-05T04:30:00"),
])
def test_ten_oclock_local_is_ten_on_each_customers_clock(zone: str, utc: str) -> None:
    wave = wave_for(LOCAL, zone, SETTINGS)
    assert wave.at == datetime.fromisoformat(utc).replace(tzinfo=UTC)


def test_the_offset_is_the_zones_own_on_that_date() -> None:
    # New York is UTC-4 until 1 November 2026 and UTC-5 after; Sydney moves the other way.
    before = _broadcast({"date": "2026-10-30", "local_time": "10:00"})
    assert wave_for(before, "America/New_York", SETTINGS).label == "UTC-04:00"
    assert wave_for(LOCAL, "America/New_York", SETTINGS).label == "UTC-05:00"
    assert wave_for(before, "Australia/Sydney", SETTINGS).label == "UTC+11:00"


def test_a_local_time_skipped_by_dst_is_sent_as_late_as_it_would_have_been() -> None:
    jump = _broadcast({"date": "2026-03-29", "local_time": "03:30"})  # Helsinki skips 03:00-04:00
    wave = wave_for(jump, "Europe/Helsinki", SETTINGS)
    assert wave.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert wave.label == "UTC+03:00"


def test_a_broadcast_is_a_few_dozen_waves_starting_at_utc_plus_14() -> None:
    waves = possible_waves(LOCAL, SETTINGS)
    assert 30 <= len({w.at for w in waves}) <= 45
    assert first_wave(LOCAL, SETTINGS) == datetime(2026, 11, 4, 20, 0, tzinfo=UTC)


def test_an_instant_inside_quiet_hours_defers_those_customers_to_their_morning() -> None:
    instant = _broadcast("2026-11-05T19:30:00Z")
    assert wave_for(instant, "Europe/London", SETTINGS).at == instant.instant()
    tokyo = wave_for(instant, "Asia/Tokyo", SETTINGS)  # 04:30 in Tokyo: quiet until 08:00
    assert tokyo.at == datetime(2026, 11, 5, 23, 0, tzinfo=UTC)
    transactional = _broadcast("2026-11-05T19:30:00Z", purpose="transactional")
    assert wave_for(transactional, "Asia/Tokyo", SETTINGS).at == instant.instant()


def test_an_unknown_or_missing_zone_falls_back_to_the_default() -> None:
    assert zone_of(None, "Europe/Berlin") == "Europe/Berlin"
    assert zone_of("Mars/Olympus", "Europe/Berlin") == "Europe/Berlin"
    assert zone_of("Asia/Tokyo", "Europe/Berlin") == "Asia/Tokyo"


ZONES = ["Europe/Helsinki", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe",
         "America/St_Johns", "Pacific/Chatham", "Europe/London", "America/Santiago"]


@given(day=st.dates(min_value=datetime(2026, 1, 1).date(),
                    max_value=datetime(2027, 12, 31).date()),
       hour=st.integers(8, 20), minute=st.sampled_from([0, 15, 30, 45]),
       zone=st.sampled_from(ZONES))
def test_every_wave_is_that_local_time_or_the_hour_a_dst_jump_skipped(
        day: object, hour: int, minute: int, zone: str) -> None:
    from zoneinfo import ZoneInfo

    broadcast = _broadcast({"date": str(day), "local_time": f"{hour:02d}:{minute:02d}"})
    wave = wave_for(broadcast, zone, SETTINGS)
    local = wave.at.astimezone(ZoneInfo(zone))
    wanted = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)  # type: ignore[arg-type]
    shown = local.replace(tzinfo=None)
    assert shown == wanted or timedelta(0) < shown - wanted <= timedelta(hours=1)
    assert wave.offset == local.utcoffset()
