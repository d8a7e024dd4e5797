"""Finding 5 of issue 14: event times are instants, never compared as text.

A purchase at 13:30Z written as ``08:30-05:00`` is after a wait that began at 09:00Z; as
strings ``"08:30..." < "09:00..."`` it looked earlier and the wait took its timeout branch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tact.models.events import EventError, parse_event
from tests.support.wait_for import ACCOUNT, project, purchase, run


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    return project(tmp_path / "journeys")


@pytest.mark.parametrize("written", ["2026-11-02T08:30:00-05:00", "2026-11-02T13:30:00Z",
                                     "2026-11-02T22:30:00+09:00"])
def test_an_event_with_an_offset_resumes_a_wait_that_began_before_it(
        journeys: Path, written: str) -> None:
    execution = run(journeys, [ACCOUNT, purchase(written)], store="memory")
    assert "got_paid" in execution["states"] and "timed_out" not in execution["states"]
    assert execution["stop"] == "2026-11-02T13:30:00Z"


def test_event_times_are_utc_instants_from_the_boundary_on() -> None:
    event, _ = parse_event(purchase("2026-11-02T08:30:00-05:00"))
    assert event.model_dump(mode="json")["time"] == "2026-11-02T13:30:00Z"


@pytest.mark.parametrize("written", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00",
                                     "1969-12-31T23:59:59Z"])
def test_times_outside_what_can_be_stored_are_refused_naming_the_field(written: str) -> None:
    with pytest.raises(EventError, match=r"^time: "):
        parse_event(purchase(written))
