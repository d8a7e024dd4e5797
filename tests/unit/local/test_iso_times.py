"""Stored times are written one way (tact.clock.iso): UTC, seconds, 'Z', strftime's text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from tact.clock import iso
from tests.support.strategies import utc_offsets


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=utc_offsets))
def test_iso_is_strftimes_text_of_the_utc_instant(moment: datetime) -> None:
    iso.cache_clear()
    assert iso(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_same_instant_in_any_offset_is_one_text() -> None:
    helsinki = datetime(2026, 11, 30, 23, 30, tzinfo=timezone(timedelta(hours=2)))
    assert iso(helsinki) == iso(helsinki.astimezone(UTC)) == "2026-11-30T21:30:00Z"
