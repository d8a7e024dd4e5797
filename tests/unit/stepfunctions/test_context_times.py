"""The context object's times (Execution.StartTime, State.EnteredTime) are Step Functions'
style: the UTC instant in strftime's text, milliseconds with trailing zeros dropped, 'Z'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from tact.local.stepfunctions.values import iso
from tests.support.strategies import utc_offsets


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=utc_offsets))
def test_iso_is_strftimes_text_of_the_utc_instant_with_milliseconds(moment: datetime) -> None:
    iso.cache_clear()
    utc = moment.astimezone(UTC)
    millis = f".{utc.microsecond // 1000:03d}".rstrip("0").rstrip(".")
    assert iso(moment) == utc.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"


def test_examples() -> None:
    helsinki = datetime(2026, 11, 30, 23, 30, 5, 120_999, tzinfo=timezone(timedelta(hours=2)))
    assert iso(helsinki) == iso(helsinki.astimezone(UTC)) == "2026-11-30T21:30:05.12Z"
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert iso(datetime(999, 1, 2, 3, 4, 5, 7000, tzinfo=UTC)) == "999-01-02T03:04:05.007Z"
