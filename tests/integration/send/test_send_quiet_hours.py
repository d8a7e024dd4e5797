"""Quiet hours in the customer's own time zone: a marketing send due inside them is deferred
to the next allowed minute (the compiled Choice + Wait loop), never dropped."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from tact.journey.settings import QuietHours
from tact.sending.quiet_hours import next_allowed
from tests.support.sendkit import cart, consent, profile, ses_sent, world

NIGHT = QuietHours(start=time(21, 0), end=time(8, 0))


@pytest.mark.parametrize(("moment", "zone", "expected"), [
    # Berlin in November is UTC+1: 22:30 local -> next morning 08:00 local = 07:00 UTC.
    ("2026-11-02T21:30:00", "Europe/Berlin", "2026-11-03T07:00:00"),
    # After midnight: the same morning.
    ("2026-11-03T02:00:00", "Europe/Berlin", "2026-11-03T07:00:00"),
    # Outside quiet hours: no deferral; 08:00 sharp is allowed, 21:00 sharp is not.
    ("2026-11-02T07:00:00", "Europe/Berlin", None),
    ("2026-11-02T20:00:00", "Europe/Berlin", "2026-11-03T07:00:00"),
    # The customer's zone decides: 21:30 UTC is 16:30 in New York.
    ("2026-11-02T21:30:00", "America/New_York", None),
    ("2026-11-03T03:00:00", "America/New_York", "2026-11-03T13:00:00"),
    # Across the spring DST change in Berlin (29 March 2026): 08:00 CEST = 06:00 UTC.
    ("2026-03-28T21:00:00", "Europe/Berlin", "2026-03-29T06:00:00"),
])
def test_next_allowed_minute_in_the_customers_zone(moment: str, zone: str,
                                                   expected: str | None) -> None:
    at = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    resume = next_allowed(at, NIGHT, zone)
    assert (resume.astimezone(UTC).replace(tzinfo=None).isoformat() if resume else None) == (
        expected)


def test_daytime_window_and_no_window() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(14, 0))
    at = datetime(2026, 11, 2, 12, 30, tzinfo=UTC)
    assert next_allowed(at, lunch, "UTC") == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert next_allowed(at, None, "UTC") is None
    assert next_allowed(at, QuietHours(start=time(9), end=time(9)), "UTC") is None


def test_reminder_due_at_night_is_deferred_then_sent_in_the_morning(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    evening = datetime(2026, 11, 2, 19, 30, tzinfo=UTC)  # 20:30 in Berlin
    with world(monkeypatch, tmp_path, start=evening) as w:
        w.ingest(profile("ana", evening), consent("ana", at=evening), cart("ana", evening))
        w.clock.run_until(None)
        deferred = [s["result"] for s in w.sends if s["result"]["status"] == "deferred"]
        assert [d["resume_at"] for d in deferred] == ["2026-11-03T07:00:00Z"]
        sent = [(m["step"], m["at"]) for m in w.messages("ana") if m["status"] == "sent"]
        # Due 21:30 UTC (22:30 local): sent 08:00 local; the second a day after that.
        assert sent == [("reminder_1", "2026-11-03T07:00:00Z"),
                        ("reminder_2", "2026-11-04T07:00:00Z")]
        assert len(ses_sent()) == 2
