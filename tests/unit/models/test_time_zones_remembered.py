"""A customer's time zone is checked once per name (tact.models.events._known_zone): any
name, first seen or remembered, is accepted or refused as ZoneInfo itself decides, with the
same reason every time."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tact.models.events import CustomerUpdatedData

NAMES = st.one_of(
    st.sampled_from(sorted(available_timezones())),
    st.sampled_from(["UTC", "utc", "Europe/berlin", "Mars/Olympus_Mons", "", "../etc/passwd",
                     "/etc/localtime", "Europe/Berlin ", "Europe//Berlin", "."]),
    st.text(max_size=20),
)


def plain_verdict(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def outcome(name: str) -> tuple[str, str]:
    try:
        return ("accepted", str(CustomerUpdatedData(timezone=name).timezone))
    except ValidationError as err:
        return ("refused", str(err.errors()[0]["msg"]))


@settings(max_examples=300, deadline=None)
@given(name=NAMES)
def test_a_zone_name_has_zoneinfos_verdict_and_one_reason_every_time(name: str) -> None:
    first, again = outcome(name), outcome(name)
    assert first == again
    assert (first[0] == "accepted") is plain_verdict(name)
    if first[0] == "refused":
        assert first[1] == f"Value error, unknown IANA time zone {name!r}, e.g. 'Europe/Berlin'"
    else:
        assert first[1] == name
